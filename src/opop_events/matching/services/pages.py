"""Read helpers for the web pages."""

from __future__ import annotations

import json

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.core.errors import Forbidden
from opop_events.core.i18n import _
from opop_events.events.services import (
    get_event,
    is_organizer,
    registered_buyers,
    registered_pesantren,
    require_organizer,
)
from opop_events.matching import schemas
from opop_events.matching.enums import (
    OUTCOME_LABELS,
    Outcome,
    Side,
)
from opop_events.matching.services.common import _dt
from opop_events.matching.services.meetings import _party
from opop_events.matching.tables import (
    MeetingOutcome,
    ScheduleRun,
    Unavailability,
)

# -- read helpers for the web pages -------------------------------------------------------------------------


async def get_availability(
    *, actor: Actor | None, slug: str, buyer_id: int | None = None, pesantren_id: int | None = None
) -> schemas.Availability:
    """The slots a participant marked as not available (asked by the participant, or an organizer naming one)."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    buyer_id, pesantren_id = await _party(actor, event.id, buyer_id, pesantren_id)
    party = (Unavailability.buyer == buyer_id) if buyer_id else (Unavailability.pesantren == pesantren_id)
    rows = await Unavailability.select(Unavailability.slot).where((Unavailability.event == event.id) & party)
    return schemas.Availability(
        buyer_id=buyer_id, pesantren_id=pesantren_id, unavailable_slot_ids=sorted(r["slot"] for r in rows)
    )


async def list_counterparts(*, actor: Actor | None, slug: str) -> list[schemas.Counterpart]:
    """Who a participant may ask to meet: a seller sees the event's registered buyers, a buyer its registered
    pesantren (names only; contact details stay private until a meeting is published)."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    if actor.role is Role.seller:
        rows = await registered_buyers(event.id)
    elif actor.role is Role.buyer or await is_organizer(actor, event.id):
        rows = await registered_pesantren(event.id)
    else:
        raise Forbidden(_("Anda bukan peserta atau penyelenggara acara ini."))
    return [schemas.Counterpart(id=party_id, name=name) for party_id, name in rows]


async def last_schedule_run(*, actor: Actor | None, slug: str) -> schemas.ScheduleRunInfo | None:
    """The latest scheduler run of an event with its statistics, for organizers reviewing the draft."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    row = (
        await ScheduleRun.select()
        .where(ScheduleRun.event == event.id)
        .order_by(ScheduleRun.id, ascending=False)
        .first()
    )
    if row is None:
        return None
    stats = json.loads(row["stats"] or "{}")
    return schemas.ScheduleRunInfo(
        run_id=row["id"],
        started_at=_dt(row["started_at"]),  # type: ignore[arg-type]
        published_at=_dt(row["published_at"]),
        requested=int(stats.get("requested", 0)),
        scheduled=int(stats.get("scheduled", 0)),
        breaks_total=int(stats.get("breaks_total", 0)),
        optimal=bool(stats.get("optimal", False)),
        seconds=float(stats.get("seconds", 0.0)),
    )


async def meeting_outcomes(*, actor: Actor | None, meeting_ids: list[int]) -> dict[int, schemas.OutcomeOut]:
    """The actor's own side's rating of each of these meetings (for showing what was already chosen)."""
    actor = require_actor(actor)
    side = Side.buyer if actor.role is Role.buyer else Side.pesantren if actor.role is Role.seller else None
    if side is None or not meeting_ids:
        return {}
    rows = await MeetingOutcome.select().where(
        MeetingOutcome.meeting.is_in(meeting_ids) & (MeetingOutcome.side == side.value)
    )
    return {
        r["meeting"]: schemas.OutcomeOut(
            meeting_id=r["meeting"],
            side=side,
            outcome=Outcome(r["outcome"]),
            outcome_label=_(OUTCOME_LABELS[Outcome(r["outcome"])]),
            note=r["note"],
        )
        for r in rows
    }
