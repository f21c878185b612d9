"""The printed schedule: agendas, table sheets, the grid and badges, and the signed agenda link."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.catalog.tables import Buyer, Pesantren
from opop_events.core.dates import now_utc
from opop_events.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from opop_events.db import raw
from opop_events.events.services import get_event, is_organizer, require_organizer
from opop_events.events.tables import Event, MeetingTable
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

# -- printed schedule: agendas, table sheets, the grid, badges, and the signed agenda link ----------------

_PUBLISHED_SQL = "('terjadwal', 'hadir', 'tidak_hadir')"
_TOKEN = re.compile(r"^([1-9][0-9]{0,15})\.([bp])([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{16})$")
_SIDE_LETTER = {Side.buyer: "b", Side.pesantren: "p"}


@dataclass(frozen=True, slots=True)
class PrintedFile:
    """A rendered document ready to send: bytes, download name and media type."""

    content: bytes
    filename: str
    media_type: str


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
        raise NotFound("Tautan agenda tidak sah.")
    event_id, side = int(match[1]), Side.buyer if match[2] == "b" else Side.pesantren
    party_id = int(match[3])
    if not hmac.compare_digest(match[4], _agenda_signature(event_id, side, party_id)):
        raise NotFound("Tautan agenda tidak sah.")
    return event_id, side, party_id


def agenda_url(*, event_id: int, side: Side, party_id: int) -> str:
    """The address a badge's QR code opens: the participant's own agenda page."""
    token = make_agenda_token(event_id=event_id, side=side, party_id=party_id)
    return f"{get_settings().base_url}/agenda/{token}"


def _event_header(event: Any) -> Any:
    from opop_events.reports.exporters import printing

    return printing.EventHeader(
        name=event.name, venue=event.venue, starts_on=event.starts_on, ends_on=event.ends_on
    )


async def _participants(event_id: int) -> list[dict[str, Any]]:
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


def _agenda_data(
    event: Any, side: Side, party: dict[str, Any], rows: list[dict[str, Any]], *, url: str
) -> Any:
    """A participant's agenda for printing from its published meeting rows (`_meeting_rows` order)."""
    from opop_events.reports.exporters import printing

    buyer = side is Side.buyer
    return printing.AgendaData(
        event=_event_header(event),
        participant=party["name"],
        role=side.value,
        contact=party.get("contact_person") or "",
        url=url,
        lines=[
            printing.AgendaLine(
                starts_at=_dt(r["starts_at"]),  # type: ignore[arg-type]
                ends_at=_dt(r["ends_at"]),  # type: ignore[arg-type]
                table=r["table_code"] or "-",
                counterpart=r["pesantren_name"] if buyer else r["buyer_name"],
                whatsapp=(r["pesantren_whatsapp"] if buyer else r["buyer_whatsapp"]) or "",
                status=MEETING_STATUS_LABELS[MeetingStatus(r["status"])],
            )
            for r in rows
            if r["starts_at"] is not None
        ],
    )


async def _party_row(side: Side, party_id: int) -> dict[str, Any]:
    table = Buyer if side is Side.buyer else Pesantren
    row = await table.select(table.id, table.name, table.contact_person).where(table.id == party_id).first()
    if row is None:
        raise NotFound("Peserta tidak ditemukan.")
    return row


async def _printable_agendas(
    *, actor: Actor | None, slug: str, buyer_id: int | None, pesantren_id: int | None
) -> tuple[Any, list[Any], str]:
    """Who may print which agendas: a participant its own (403 when it names another), an organizer any one
    participant, or every participant with a published meeting when it names none."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    if buyer_id is not None and pesantren_id is not None:
        raise InvalidInput.field("buyer_id", "isi paling banyak satu: buyer_id atau pesantren_id")
    organizer = await is_organizer(actor, event.id)
    if not organizer:
        if (
            actor.role is Role.buyer
            and actor.buyer_id
            and pesantren_id is None
            and buyer_id in (None, actor.buyer_id)
        ):
            buyer_id = actor.buyer_id
        elif (
            actor.role is Role.seller
            and actor.pesantren_id
            and buyer_id is None
            and pesantren_id in (None, actor.pesantren_id)
        ):
            pesantren_id = actor.pesantren_id
        else:
            raise Forbidden("Anda hanya boleh mencetak agenda Anda sendiri.")
    rows = await _meeting_rows(
        f"m.event = {{}} AND m.status IN {_PUBLISHED_SQL} AND m.slot IS NOT NULL", [event.id]
    )
    if buyer_id is not None or pesantren_id is not None:
        side, party_id = (Side.buyer, buyer_id) if buyer_id is not None else (Side.pesantren, pesantren_id)
        assert party_id is not None
        registered = (
            await _registered(event.id, buyer_id=party_id)
            if side is Side.buyer
            else await _registered(event.id, pesantren_id=party_id)
        )
        if not registered:
            raise NotFound("Peserta ini tidak terdaftar di acara.")
        wanted = [(side, await _party_row(side, party_id))]
        name = f"agenda-{slug}-{'pembeli' if side is Side.buyer else 'pesantren'}-{party_id}.pdf"
    else:
        with_meeting = {("buyer", r["buyer"]) for r in rows} | {("pesantren", r["pesantren"]) for r in rows}
        wanted = [
            (Side(p["side"]), p)
            for p in await _participants(event.id)
            if (p["side"], p["id"]) in with_meeting
        ]
        name = f"agenda-{slug}.pdf"
    agendas = []
    for side, party in wanted:
        column = "buyer" if side is Side.buyer else "pesantren"
        mine = [r for r in rows if r[column] == party["id"]]
        url = agenda_url(event_id=event.id, side=side, party_id=party["id"])
        agendas.append(_agenda_data(event, side, party, mine, url=url))
    return event, agendas, name


async def agenda_pdf(
    *, actor: Actor | None, slug: str, buyer_id: int | None = None, pesantren_id: int | None = None
) -> PrintedFile:
    """Agenda PDF: a participant's own; an organizer's for the participant named, or every participant with a
    published meeting (one page group each, for printing in one go) when none is named."""
    from opop_events.reports.exporters import printing

    _, agendas, filename = await _printable_agendas(
        actor=actor, slug=slug, buyer_id=buyer_id, pesantren_id=pesantren_id
    )
    if not agendas:
        raise Conflict("Belum ada pertemuan terbit untuk dicetak; terbitkan jadwal dulu.")
    content = await asyncio.to_thread(printing.agenda_pdf, agendas, printed_at=now_utc())
    return PrintedFile(content, filename, printing.PDF)


async def public_agenda(*, token: str) -> schemas.Agenda:
    """The agenda a badge's QR code opens, without an account: that participant's published meetings only.
    404 for a tampered token, an unknown event, or a participant no longer registered."""
    event, side, party = await _token_party(token)
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
                status_label=MEETING_STATUS_LABELS[MeetingStatus(r["status"])],
            )
            for r in rows
        ],
    )


async def public_agenda_pdf(*, token: str) -> PrintedFile:
    """The same agenda as a PDF, for printing or saving on a phone."""
    from opop_events.reports.exporters import printing

    event, side, party = await _token_party(token)
    rows = await _meeting_rows(
        f"m.event = {{}} AND m.{side.value} = {{}} AND m.status IN {_PUBLISHED_SQL} AND m.slot IS NOT NULL",
        [event.id, party["id"]],
    )
    url = agenda_url(event_id=event.id, side=side, party_id=party["id"])
    data = _agenda_data(event, side, party, rows, url=url)
    content = await asyncio.to_thread(printing.agenda_pdf, [data], printed_at=now_utc())
    return PrintedFile(content, f"agenda-{event.slug}.pdf", printing.PDF)


async def _token_party(token: str) -> tuple[Any, Side, dict[str, Any]]:
    event_id, side, party_id = verify_agenda_token(token)
    slug = await Event.select(Event.slug).where(Event.id == event_id).first()
    if slug is None:
        raise NotFound("Tautan agenda tidak sah.")
    event = await get_event(slug=slug["slug"])
    registered = (
        await _registered(event.id, buyer_id=party_id)
        if side is Side.buyer
        else await _registered(event.id, pesantren_id=party_id)
    )
    if not registered:
        raise NotFound("Tautan agenda tidak sah.")
    return event, side, await _party_row(side, party_id)


async def _grid_data(*, actor: Actor | None, slug: str) -> tuple[Any, Any]:
    """The event's active schedule (draft or published) as slots × tables, for organizers only."""
    from opop_events.reports.exporters import printing

    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    slots = await _event_slots(event.id)
    tables = (
        await MeetingTable.select(MeetingTable.id, MeetingTable.code)
        .where(MeetingTable.event == event.id)
        .order_by(MeetingTable.code)
    )
    rows = await _meeting_rows(
        f"m.event = {{}} AND m.status IN {_ACTIVE_SQL} AND m.slot IS NOT NULL", [event.id]
    )
    grid = printing.GridData(
        event=_event_header(event),
        slots=[printing.GridSlot(s["id"], _dt(s["starts_at"]), _dt(s["ends_at"])) for s in slots],  # type: ignore[arg-type]
        tables=[printing.GridTable(t["id"], t["code"]) for t in tables],
        meetings=[
            printing.GridMeeting(r["slot"], r["table"], r["buyer_name"], r["pesantren_name"])
            for r in rows
            if r["table"] is not None
        ],
        draft=any(r["status"] == MeetingStatus.usulan.value for r in rows),
    )
    return event, grid


async def table_sheets_pdf(*, actor: Actor | None, slug: str) -> PrintedFile:
    """One sheet per table for the table stewards (organizers only); a draft schedule is marked as such."""
    from opop_events.reports.exporters import printing

    event, grid = await _grid_data(actor=actor, slug=slug)
    content = await asyncio.to_thread(printing.table_sheets_pdf, grid, printed_at=now_utc())
    return PrintedFile(content, f"meja-{event.slug}.pdf", printing.PDF)


async def grid_pdf(*, actor: Actor | None, slug: str, paper: str = "a4") -> PrintedFile:
    """The full grid, slots × tables, landscape A4 or A3 (`paper`), for organizers only."""
    from reportlab.lib.pagesizes import A3, A4, landscape

    from opop_events.reports.exporters import printing

    event, grid = await _grid_data(actor=actor, slug=slug)
    pagesize = landscape(A3 if paper == "a3" else A4)
    content = await asyncio.to_thread(printing.grid_pdf, grid, printed_at=now_utc(), pagesize=pagesize)
    return PrintedFile(content, f"jadwal-{event.slug}.pdf", printing.PDF)


async def grid_xlsx(*, actor: Actor | None, slug: str) -> PrintedFile:
    """The full grid and the meeting list as a workbook (organizers only)."""
    from opop_events.reports.exporters import printing

    event, grid = await _grid_data(actor=actor, slug=slug)
    content = await asyncio.to_thread(printing.grid_xlsx, grid, printed_at=now_utc())
    return PrintedFile(content, f"jadwal-{event.slug}.xlsx", printing.XLSX)


async def badges_pdf(*, actor: Actor | None, slug: str) -> PrintedFile:
    """Badges for every registered participant (organizers only), eight to an A4 sheet, each with a QR code
    of the participant's agenda link."""
    from opop_events.reports.exporters import printing

    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    badges = [
        printing.BadgeData(
            name=p["contact_person"] or p["name"],
            organisation=p["name"] if p["contact_person"] else "",
            role=p["side"],
            event_name=event.name,
            url=agenda_url(event_id=event.id, side=Side(p["side"]), party_id=p["id"]),
        )
        for p in await _participants(event.id)
    ]
    content = await asyncio.to_thread(printing.badges_pdf, badges)
    return PrintedFile(content, f"tanda-peserta-{event.slug}.pdf", printing.PDF)


