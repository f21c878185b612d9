"""Events and their structure: organizers, sessions, time slots, meeting tables and registrations."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from opop_events.accounts.tables import User
from opop_events.catalog.tables import Buyer, Pesantren, Wilayah


class Event(Table, tablename="event"):
    """A temu bisnis: where, when, and how far along (draft → open → scheduled → live → closed)."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    slug = Varchar(length=80, unique=True)
    name = Varchar(length=200)
    venue = Varchar(length=200, default="")
    wilayah = ForeignKey(references=Wilayah, on_delete=OnDelete.restrict, null=False)
    starts_on = Date()
    ends_on = Date()
    status = Varchar(length=16, default="draft")
    description = Text(default="")
    request_deadline = Timestamptz(null=True, default=None)
    meeting_quota = Integer(default=12)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class EventOrganizer(Table, tablename="event_organizer"):
    """An organizer account assigned to run one event."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    user = ForeignKey(references=User, on_delete=OnDelete.restrict, null=False)


class EventSession(Table, tablename="event_session"):
    """A block of meeting slots on one day (e.g. `pagi`, `siang`)."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    name = Varchar(length=80)
    day = Date()
    position = Integer(default=0)


class TimeSlot(Table, tablename="time_slot"):
    """One meeting slot of a session; slots of an event are ordered by start time."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    session = ForeignKey(references=EventSession, on_delete=OnDelete.restrict, null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()


class MeetingTable(Table, tablename="meeting_table"):
    """A numbered table where one meeting is held per slot."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    code = Varchar(length=16)
    label = Varchar(length=80, default="")


class Registration(Table, tablename="registration"):
    """A pesantren or a buyer taking part in an event."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    party_kind = Varchar(length=16)  # pesantren | buyer
    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=True, default=None)
    buyer = ForeignKey(references=Buyer, on_delete=OnDelete.restrict, null=True, default=None)
    status = Varchar(length=16, default="terdaftar")  # terdaftar | dibatalkan
    checked_in_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
