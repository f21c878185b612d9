"""API schemas of matching: requests, availability, meetings, schedule runs, agendas and outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from opop_events.core.types import Id
from opop_events.matching.enums import MeetingStatus, Outcome, Priority, RequestStatus, Side

Message = Annotated[str, msgspec.Meta(max_length=1000)]


class RequestCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A buyer names the pesantren (and maybe a product); a pesantren names the buyer; organizers name both."""

    pesantren_id: Id | None = None
    buyer_id: Id | None = None
    product_id: Id | None = None
    message: Message = ""
    priority: Priority = Priority.penting


class RequestAnswer(msgspec.Struct, forbid_unknown_fields=True):
    accept: bool
    note: Message = ""


class MeetingRequest(msgspec.Struct):
    id: int
    event_slug: str
    requested_by: Side
    buyer_id: int
    buyer_name: str
    pesantren_id: int
    pesantren_name: str
    product_id: int | None
    product_name: str | None
    message: str
    priority: Priority
    status: RequestStatus
    status_label: str
    created_at: datetime
    responded_at: datetime | None


class AvailabilityIn(msgspec.Struct, forbid_unknown_fields=True):
    """The full set of slots a participant cannot meet in (replaces the earlier set)."""

    unavailable_slot_ids: Annotated[list[Id], msgspec.Meta(max_length=200)]
    buyer_id: Id | None = None
    pesantren_id: Id | None = None


class Availability(msgspec.Struct):
    buyer_id: int | None
    pesantren_id: int | None
    unavailable_slot_ids: list[int]


class ScheduleRunIn(msgspec.Struct, forbid_unknown_fields=True):
    time_limit: Annotated[float, msgspec.Meta(ge=1, le=300)] = 20.0
    fairness: Annotated[int, msgspec.Meta(ge=0, le=50)] | None = None


class Meeting(msgspec.Struct):
    id: int
    event_slug: str
    request_id: int | None
    buyer_id: int
    buyer_name: str
    pesantren_id: int
    pesantren_name: str
    slot_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    table_id: int | None
    table_code: str | None
    status: MeetingStatus
    status_label: str
    pinned: bool
    source: str
    unscheduled_reason: str
    held_at: datetime | None


class ScheduleResult(msgspec.Struct):
    run_id: int
    requested: int
    scheduled: int
    unscheduled: list[Meeting]
    breaks_total: int
    optimal: bool
    seconds: float
    participants_without_meeting: list[str]


class MeetingMove(msgspec.Struct, forbid_unknown_fields=True):
    slot_id: Id
    table_id: Id | None = None
    pinned: bool = True
    reason: Message = ""


class WalkIn(msgspec.Struct, forbid_unknown_fields=True):
    buyer_id: Id
    pesantren_id: Id
    slot_id: Id | None = None
    table_id: Id | None = None


class Attendance(msgspec.Struct, forbid_unknown_fields=True):
    held: bool


class OutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Outcome
    note: Message = ""
    side: Side | None = None


class OutcomeOut(msgspec.Struct):
    meeting_id: int
    side: Side
    outcome: Outcome
    outcome_label: str
    note: str
    log_deal: dict | None = None


class AgendaItem(msgspec.Struct):
    meeting_id: int
    starts_at: datetime | None
    ends_at: datetime | None
    table_code: str | None
    counterpart: str
    counterpart_whatsapp: str
    status: MeetingStatus
    status_label: str


class Agenda(msgspec.Struct):
    event_slug: str
    event_name: str
    participant: str
    items: list[AgendaItem]


class Funnel(msgspec.Struct):
    requests: int
    accepted: int
    scheduled: int
    held: int
    deals: int
    confirmed_rp: int


class Counterpart(msgspec.Struct):
    id: int
    name: str


class ScheduleRunInfo(msgspec.Struct):
    run_id: int
    started_at: datetime
    published_at: datetime | None
    requested: int
    scheduled: int
    breaks_total: int
    optimal: bool
    seconds: float
