"""Matching tables: meeting requests, unavailability, meetings (with their slot and table), schedule runs,
changes to published meetings, and each side's outcome of a meeting."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from opop_events.accounts.tables import User
from opop_events.catalog.tables import Buyer, Pesantren, Product
from opop_events.events.tables import Event, MeetingTable, TimeSlot


class MeetingRequest(Table, tablename="meeting_request"):
    """A buyer asks to meet a pesantren (or the other way round); the other side accepts or declines."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    requested_by = Varchar(length=16)  # buyer | pesantren
    buyer = ForeignKey(references=Buyer, on_delete=OnDelete.restrict, null=False)
    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=False)
    product = ForeignKey(references=Product, on_delete=OnDelete.restrict, null=True, default=None)
    message = Varchar(length=1000, default="")
    priority = Varchar(length=16, default="penting")
    status = Varchar(length=16, default="menunggu")
    created_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    responded_at = Timestamptz(null=True, default=None)
    response_note = Varchar(length=1000, default="")


class Unavailability(Table, tablename="unavailability"):
    """A slot in which a participant cannot meet."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    buyer = ForeignKey(references=Buyer, on_delete=OnDelete.restrict, null=True, default=None)
    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=True, default=None)
    slot = ForeignKey(references=TimeSlot, on_delete=OnDelete.restrict, null=False)


class ScheduleRun(Table, tablename="schedule_run"):
    """One run of the scheduler for an event, with its statistics (JSON) and whether it was published."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    started_by = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    started_at = Timestamptz(default=TimestamptzNow())
    seconds = Integer(default=0)
    stats = Text(default="")
    published_at = Timestamptz(null=True, default=None)


class Meeting(Table, tablename="meeting"):
    """A one-to-one meeting of a buyer and a pesantren in a slot at a table (from an accepted request, or a
    walk-in added live)."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=False)
    request = ForeignKey(references=MeetingRequest, on_delete=OnDelete.restrict, null=True, default=None)
    buyer = ForeignKey(references=Buyer, on_delete=OnDelete.restrict, null=False)
    pesantren = ForeignKey(references=Pesantren, on_delete=OnDelete.restrict, null=False)
    slot = ForeignKey(references=TimeSlot, on_delete=OnDelete.restrict, null=True, default=None)
    table = ForeignKey(references=MeetingTable, on_delete=OnDelete.restrict, null=True, default=None)
    status = Varchar(length=20, default="usulan")
    pinned = Boolean(default=False)
    source = Varchar(length=16, default="jadwal")  # jadwal | manual | walk_in
    unscheduled_reason = Varchar(length=500, default="")
    held_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class MeetingChange(Table, tablename="meeting_change"):
    """An audit row for every change to a meeting after its schedule was published."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.restrict, null=False)
    action = Varchar(length=24)
    detail = Varchar(length=1000, default="")
    actor = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())


class MeetingOutcome(Table, tablename="meeting_outcome"):
    """How one side rates a meeting afterwards."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    meeting = ForeignKey(references=Meeting, on_delete=OnDelete.restrict, null=False)
    side = Varchar(length=16)  # buyer | pesantren
    outcome = Varchar(length=24)
    note = Varchar(length=1000, default="")
    actor = ForeignKey(references=User, on_delete=OnDelete.restrict, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())
