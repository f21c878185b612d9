"""Availability and reading meetings."""

from __future__ import annotations

from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.core.errors import Forbidden, InvalidInput, NotFound
from opop_events.core.i18n import _
from opop_events.db import raw, write_transaction
from opop_events.events.services import get_event, is_organizer
from opop_events.matching import schemas
from opop_events.matching.enums import (
    MEETING_STATUS_LABELS,
    MeetingStatus,
)
from opop_events.matching.services.common import _PUBLISHED_SQL, _dt
from opop_events.matching.tables import (
    Unavailability,
)

# -- availability -------------------------------------------------------------------------------------------


async def _party(actor: Actor, event_id: int, buyer_id: int | None, pesantren_id: int | None) -> tuple[int | None, int | None]:
    organizer = await is_organizer(actor, event_id)
    if not organizer and actor.role in (Role.buyer, Role.seller):
        own = (actor.buyer_id, None) if actor.role is Role.buyer else (None, actor.pesantren_id)
        if (buyer_id, pesantren_id) not in ((None, None), own):
            raise Forbidden(_("Anda hanya boleh melihat atau mengubah data organisasi Anda sendiri."))
        return own
    if not organizer:
        raise Forbidden(_("Anda bukan peserta atau penyelenggara acara ini."))
    if (buyer_id is None) == (pesantren_id is None):
        raise InvalidInput.field("buyer_id", _("isi tepat satu: buyer_id atau pesantren_id"))
    return buyer_id, pesantren_id


async def _event_slots(event_id: int) -> list[dict[str, Any]]:
    return await raw(
        "SELECT s.id, s.starts_at, s.ends_at, es.name AS session_name, es.id AS session_id FROM time_slot s "
        "JOIN event_session es ON es.id = s.session WHERE es.event = {} ORDER BY s.starts_at, s.id",
        event_id,
    )


async def set_availability(*, actor: Actor | None, slug: str, data: schemas.AvailabilityIn) -> schemas.Availability:
    """Replace the set of slots a participant is not available in."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    buyer_id, pesantren_id = await _party(actor, event.id, data.buyer_id, data.pesantren_id)
    valid = {s["id"] for s in await _event_slots(event.id)}
    wanted = sorted(set(data.unavailable_slot_ids))
    unknown = [s for s in wanted if s not in valid]
    if unknown:
        raise InvalidInput.field("unavailable_slot_ids", _("slot {slot} bukan slot acara ini").format(slot=unknown[0]))
    party = (Unavailability.buyer == buyer_id) if buyer_id else (Unavailability.pesantren == pesantren_id)
    async with write_transaction():
        await Unavailability.delete().where((Unavailability.event == event.id) & party)
        if wanted:
            await Unavailability.insert(
                *[Unavailability(event=event.id, buyer=buyer_id, pesantren=pesantren_id, slot=s) for s in wanted]
            )
    return schemas.Availability(buyer_id=buyer_id, pesantren_id=pesantren_id, unavailable_slot_ids=wanted)


# -- meetings -----------------------------------------------------------------------------------------------


_MEETING_SELECT = (
    "SELECT m.*, ev.slug AS event_slug, b.name AS buyer_name, b.whatsapp AS buyer_whatsapp, p.name AS pesantren_name, "
    "p.whatsapp AS pesantren_whatsapp, s.starts_at, s.ends_at, t.code AS table_code FROM meeting m "
    "JOIN event ev ON ev.id = m.event JOIN buyer b ON b.id = m.buyer JOIN pesantren p ON p.id = m.pesantren "
    'LEFT JOIN time_slot s ON s.id = m.slot LEFT JOIN meeting_table t ON t.id = m."table" '
)


async def _meeting_rows(where: str, args: list[Any]) -> list[dict[str, Any]]:
    return await raw(_MEETING_SELECT + f"WHERE {where} ORDER BY s.starts_at, t.code, m.id", *args)


def _meeting(row: dict[str, Any]) -> schemas.Meeting:
    status = MeetingStatus(row["status"])
    return schemas.Meeting(
        id=row["id"], event_slug=row["event_slug"], request_id=row["request"], buyer_id=row["buyer"],
        buyer_name=row["buyer_name"], pesantren_id=row["pesantren"], pesantren_name=row["pesantren_name"],
        slot_id=row["slot"], starts_at=_dt(row["starts_at"]), ends_at=_dt(row["ends_at"]), table_id=row["table"],
        table_code=row["table_code"], status=status, status_label=_(MEETING_STATUS_LABELS[status]),
        pinned=bool(row["pinned"]), source=row["source"], unscheduled_reason=row["unscheduled_reason"],
        held_at=_dt(row["held_at"]),
    )


async def list_meetings(*, actor: Actor | None, slug: str) -> list[schemas.Meeting]:
    """Organizers see the whole grid; participants their own meetings once the schedule is published."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    where: list[str] = ["m.event = {}"]
    args: list[int | None] = [event.id]
    if not await is_organizer(actor, event.id):
        if actor.role is Role.buyer:
            where.append("m.buyer = {}")
            args.append(actor.buyer_id)
        elif actor.role is Role.seller:
            where.append("m.pesantren={}")  # unspaced: the catalogue check would read it as a sentence
            args.append(actor.pesantren_id)
        else:
            raise Forbidden(_("Anda bukan penyelenggara acara '{slug}'.").format(slug=slug))
        where.append(f"m.status IN {_PUBLISHED_SQL}")
    return [_meeting(r) for r in await _meeting_rows(" AND ".join(where), args)]


async def get_meeting(*, meeting_id: int) -> schemas.Meeting:
    rows = await _meeting_rows("m.id = {}", [meeting_id])
    if not rows:
        raise NotFound(_("Pertemuan {meeting_id} tidak ditemukan.").format(meeting_id=meeting_id))
    return _meeting(rows[0])


