"""The published schedule as others read it: the signed agenda link on a participant's badge and printed
agenda, the public agenda it opens, and the rows the printed schedule (`reports.schedule_prints`) is built
from."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from opop_events.catalog.tables import Buyer, Pesantren
from opop_events.core.errors import NotFound
from opop_events.core.i18n import _
from opop_events.db import raw
from opop_events.events.services import get_event
from opop_events.events.tables import Event
from opop_events.matching import schemas
from opop_events.matching.enums import (
    MEETING_STATUS_LABELS,
    MeetingStatus,
    Side,
)
from opop_events.matching.services.common import _ACTIVE_SQL, _dt
from opop_events.matching.services.meetings import _event_slots, _meeting_rows
from opop_events.matching.services.requests import _registered
from opop_events.settings import get_settings

_PUBLISHED_SQL = "('terjadwal', 'hadir', 'tidak_hadir')"
_TOKEN = re.compile(r"^([1-9][0-9]{0,15})\.([bp])([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{16})$")
_SIDE_LETTER = {Side.buyer: "b", Side.pesantren: "p"}


def _agenda_signature(event_id: int, side: Side, party_id: int) -> str:
    message = f"agenda.{event_id}.{side.value}.{party_id}".encode()
    digest = hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()  # 96 bits, 16 characters, no padding


def make_agenda_token(*, event_id: int, side: Side, party_id: int) -> str:
    """The token in a participant's agenda link (`{OPOP_BASE_URL}/agenda/{token}`), e.g. `12.b34.Xy…`: the
    event, the side and the party in clear, with an HMAC of them under the server secret. It opens only that
    agenda, without an account, and does not expire (changing OPOP_SECRET_KEY revokes every link)."""
    return f"{event_id}.{_SIDE_LETTER[side]}{party_id}.{_agenda_signature(event_id, side, party_id)}"


def verify_agenda_token(token: str) -> tuple[int, Side, int]:
    """`(event_id, side, party_id)` of a genuine agenda token; `NotFound` for anything else (tampered,
    malformed, signed under another secret), so a guessed link reads the same as a missing page."""
    match = _TOKEN.match(token or "")
    if match is None:
        raise NotFound(_("Tautan agenda tidak sah."))
    event_id, side = int(match[1]), Side.buyer if match[2] == "b" else Side.pesantren
    party_id = int(match[3])
    if not hmac.compare_digest(match[4], _agenda_signature(event_id, side, party_id)):
        raise NotFound(_("Tautan agenda tidak sah."))
    return event_id, side, party_id


def agenda_url(*, event_id: int, side: Side, party_id: int) -> str:
    """The address a badge's QR code opens: the participant's own agenda page."""
    token = make_agenda_token(event_id=event_id, side=side, party_id=party_id)
    return f"{get_settings().base_url}/agenda/{token}"


async def public_agenda(*, token: str) -> schemas.Agenda:
    """The agenda a badge's QR code opens, without an account: that participant's published meetings only.
    404 for a tampered token, an unknown event, or a participant no longer registered."""
    event, side, party = await token_party(token)
    rows = await _meeting_rows(
        f"m.event = {{}} AND m.{side.value} = {{}} AND m.status IN {_PUBLISHED_SQL}", [event.id, party["id"]]
    )
    return schemas.Agenda(
        event_slug=event.slug,
        event_name=event.name,
        participant=party["name"],
        items=[
            schemas.AgendaItem(
                meeting_id=r["id"],
                starts_at=_dt(r["starts_at"]),
                ends_at=_dt(r["ends_at"]),
                table_code=r["table_code"],
                counterpart=r["pesantren_name"] if side is Side.buyer else r["buyer_name"],
                counterpart_whatsapp=r["pesantren_whatsapp"] if side is Side.buyer else r["buyer_whatsapp"],
                status=MeetingStatus(r["status"]),
                status_label=_(MEETING_STATUS_LABELS[MeetingStatus(r["status"])]),
            )
            for r in rows
        ],
    )


async def token_party(token: str) -> tuple[Any, Side, dict[str, Any]]:
    """The event, side and party (id, name, contact person) of a genuine agenda token whose party is still
    registered; `NotFound` otherwise."""
    event_id, side, party_id = verify_agenda_token(token)
    slug = await Event.select(Event.slug).where(Event.id == event_id).first()
    if slug is None:
        raise NotFound(_("Tautan agenda tidak sah."))
    event = await get_event(slug=slug["slug"])
    if not await party_registered(event.id, side, party_id):
        raise NotFound(_("Tautan agenda tidak sah."))
    return event, side, await party_row(side, party_id)


async def party_row(side: Side, party_id: int) -> dict[str, Any]:
    """A buyer's or pesantren's id, name and contact person; `NotFound` when there is none."""
    table = Buyer if side is Side.buyer else Pesantren
    row = await table.select(table.id, table.name, table.contact_person).where(table.id == party_id).first()
    if row is None:
        raise NotFound(_("Peserta tidak ditemukan."))
    return row


async def registered_participants(event_id: int) -> list[dict[str, Any]]:
    """Registered participants of an event: side, id, organisation name and contact person; buyers first,
    then pesantren, each by name."""
    return await raw(
        "SELECT 'buyer' AS side, b.id, b.name, b.contact_person FROM registration r "
        "JOIN buyer b ON b.id = r.buyer "
        "WHERE r.event = {} AND r.status = 'terdaftar' AND r.party_kind = 'buyer' "
        "UNION SELECT 'pesantren' AS side, p.id, p.name, p.contact_person FROM registration r "
        "JOIN pesantren p ON p.id = r.pesantren WHERE r.event = {} AND r.status = 'terdaftar' "
        "AND r.party_kind = 'pesantren' ORDER BY 1, 3, 2",
        event_id,
        event_id,
    )


async def party_registered(event_id: int, side: Side, party_id: int) -> bool:
    """Whether the buyer or pesantren is registered for the event (and not withdrawn)."""
    if side is Side.buyer:
        return await _registered(event_id, buyer_id=party_id)
    return await _registered(event_id, pesantren_id=party_id)


async def published_meeting_rows(
    event_id: int, *, side: Side | None = None, party_id: int | None = None
) -> list[dict[str, Any]]:
    """The event's published meetings that have a slot, of every participant or of one (`side`, `party_id`),
    in time order: meeting rows with the parties' names and WhatsApp numbers, the slot's times and the
    table's code."""
    if side is None:
        return await _meeting_rows(
            f"m.event = {{}} AND m.status IN {_PUBLISHED_SQL} AND m.slot IS NOT NULL", [event_id]
        )
    return await _meeting_rows(
        f"m.event = {{}} AND m.{side.value} = {{}} AND m.status IN {_PUBLISHED_SQL} AND m.slot IS NOT NULL",
        [event_id, party_id],
    )


async def scheduled_meeting_rows(event_id: int) -> list[dict[str, Any]]:
    """The event's active schedule, draft (`usulan`) or published, that has a slot: rows as
    `published_meeting_rows`."""
    return await _meeting_rows(
        f"m.event = {{}} AND m.status IN {_ACTIVE_SQL} AND m.slot IS NOT NULL", [event_id]
    )


async def event_slots(event_id: int) -> list[dict[str, Any]]:
    """The event's time slots (id, starts_at, ends_at, session) in time order."""
    return await _event_slots(event_id)
