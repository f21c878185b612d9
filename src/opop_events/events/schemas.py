"""API schemas of events: the event, its sessions and slots, tables, organizers and registrations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from opop_events.core.types import Address, Id, LongText, Name, ShortText, Slug, WilayahCode
from opop_events.events.enums import EventStatus, PartyKind

Minutes = Annotated[int, msgspec.Meta(ge=5, le=240)]
SlotCount = Annotated[int, msgspec.Meta(ge=1, le=48)]
TableCount = Annotated[int, msgspec.Meta(ge=1, le=500)]
Clock = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3])[:.][0-5]\d$", examples=["09:00"])]
Quota = Annotated[int, msgspec.Meta(ge=1, le=48)]


class Event(msgspec.Struct):
    id: int
    slug: str
    name: str
    venue: str
    wilayah_code: str
    wilayah_name: str
    starts_on: date
    ends_on: date
    status: EventStatus
    status_label: str
    description: str
    request_deadline: datetime | None
    meeting_quota: int


class EventCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: Slug
    name: Name
    wilayah_code: WilayahCode
    starts_on: date
    ends_on: date
    venue: Address = ""
    description: LongText = ""
    request_deadline: datetime | None = None
    meeting_quota: Quota = 12


class EventUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    venue: Address | None = None
    wilayah_code: WilayahCode | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: EventStatus | None = None
    description: LongText | None = None
    request_deadline: datetime | None = None
    meeting_quota: Quota | None = None


class Slot(msgspec.Struct):
    id: int
    session_id: int
    starts_at: datetime
    ends_at: datetime


class Session(msgspec.Struct):
    id: int
    name: str
    day: date
    position: int
    slots: list[Slot]


class SlotPlan(msgspec.Struct, forbid_unknown_fields=True):
    """Generate `count` consecutive slots of `minutes` from `start` (WIB), with `gap_minutes` between them."""

    start: Clock
    minutes: Minutes
    count: SlotCount
    gap_minutes: Annotated[int, msgspec.Meta(ge=0, le=120)] = 0


class SessionCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: ShortText
    day: date
    slots: SlotPlan | None = None


class SlotCreate(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: datetime
    ends_at: datetime


class Table(msgspec.Struct):
    id: int
    code: str
    label: str


class TablesCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Add `count` tables numbered after the existing ones: M01, M02, ..."""

    count: TableCount
    prefix: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{0,4}$")] = "M"


class OrganizerAssign(msgspec.Struct, forbid_unknown_fields=True):
    user_id: Id


class Registration(msgspec.Struct):
    id: int
    event_id: int
    party_kind: PartyKind
    pesantren_id: int | None
    buyer_id: int | None
    party_name: str
    status: str
    checked_in_at: datetime | None
    created_at: datetime


class RegistrationCreate(msgspec.Struct, forbid_unknown_fields=True):
    pesantren_id: Id | None = None
    buyer_id: Id | None = None
