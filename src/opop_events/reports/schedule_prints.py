"""The printed schedule as files: who may print which agendas, the table sheets, the grid (pdf and xlsx) and
the badges, assembled from matching's published schedule and rendered by `exporters.printing`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.core.dates import as_datetime, now_utc
from opop_events.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from opop_events.core.i18n import _
from opop_events.events.services import get_event, is_organizer, list_tables, require_organizer
from opop_events.matching.enums import MEETING_STATUS_LABELS, MeetingStatus, Side
from opop_events.matching.services import (
    agenda_url,
    event_slots,
    party_registered,
    party_row,
    published_meeting_rows,
    registered_participants,
    scheduled_meeting_rows,
    token_party,
)
from opop_events.reports.exporters import printing


@dataclass(frozen=True, slots=True)
class PrintedFile:
    """A rendered document ready to send: bytes, download name and media type."""

    content: bytes
    filename: str
    media_type: str


def _event_header(event: Any) -> printing.EventHeader:
    return printing.EventHeader(
        name=event.name, venue=event.venue, starts_on=event.starts_on, ends_on=event.ends_on
    )


def _agenda_data(
    event: Any, side: Side, party: dict[str, Any], rows: list[dict[str, Any]], *, url: str
) -> printing.AgendaData:
    """A participant's agenda for printing from its published meeting rows (in time order)."""
    buyer = side is Side.buyer
    return printing.AgendaData(
        event=_event_header(event),
        participant=party["name"],
        role=side.value,
        contact=party.get("contact_person") or "",
        url=url,
        lines=[
            printing.AgendaLine(
                starts_at=as_datetime(r["starts_at"]),
                ends_at=as_datetime(r["ends_at"]),
                table=r["table_code"] or "-",
                counterpart=r["pesantren_name"] if buyer else r["buyer_name"],
                whatsapp=(r["pesantren_whatsapp"] if buyer else r["buyer_whatsapp"]) or "",
                status=MEETING_STATUS_LABELS[MeetingStatus(r["status"])],
            )
            for r in rows
            if r["starts_at"] is not None
        ],
    )


async def _printable_agendas(
    *, actor: Actor | None, slug: str, buyer_id: int | None, pesantren_id: int | None
) -> tuple[Any, list[printing.AgendaData], str]:
    """Who may print which agendas: a participant its own (403 when it names another), an organizer any one
    participant, or every participant with a published meeting when it names none."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    if buyer_id is not None and pesantren_id is not None:
        raise InvalidInput.field("buyer_id", _("isi paling banyak satu: buyer_id atau pesantren_id"))
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
            raise Forbidden(_("Anda hanya boleh mencetak agenda Anda sendiri."))
    rows = await published_meeting_rows(event.id)
    if buyer_id is not None or pesantren_id is not None:
        side, party_id = (Side.buyer, buyer_id) if buyer_id is not None else (Side.pesantren, pesantren_id)
        assert party_id is not None
        if not await party_registered(event.id, side, party_id):
            raise NotFound(_("Peserta ini tidak terdaftar di acara."))
        wanted = [(side, await party_row(side, party_id))]
        name = f"agenda-{slug}-{'pembeli' if side is Side.buyer else 'pesantren'}-{party_id}.pdf"
    else:
        with_meeting = {("buyer", r["buyer"]) for r in rows} | {("pesantren", r["pesantren"]) for r in rows}
        wanted = [
            (Side(p["side"]), p)
            for p in await registered_participants(event.id)
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
    _event, agendas, filename = await _printable_agendas(
        actor=actor, slug=slug, buyer_id=buyer_id, pesantren_id=pesantren_id
    )
    if not agendas:
        raise Conflict(_("Belum ada pertemuan terbit untuk dicetak; terbitkan jadwal dulu."))
    content = await asyncio.to_thread(printing.agenda_pdf, agendas, printed_at=now_utc())
    return PrintedFile(content, filename, printing.PDF)


async def public_agenda_pdf(*, token: str) -> PrintedFile:
    """The agenda a badge's QR code opens (`matching.services.public_agenda`) as a PDF, for printing or saving
    on a phone."""
    event, side, party = await token_party(token)
    rows = await published_meeting_rows(event.id, side=side, party_id=party["id"])
    url = agenda_url(event_id=event.id, side=side, party_id=party["id"])
    data = _agenda_data(event, side, party, rows, url=url)
    content = await asyncio.to_thread(printing.agenda_pdf, [data], printed_at=now_utc())
    return PrintedFile(content, f"agenda-{event.slug}.pdf", printing.PDF)


async def _grid_data(*, actor: Actor | None, slug: str) -> tuple[Any, printing.GridData]:
    """The event's active schedule (draft or published) as slots × tables, for organizers only."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    slots = await event_slots(event.id)
    tables = await list_tables(slug=event.slug)
    rows = await scheduled_meeting_rows(event.id)
    grid = printing.GridData(
        event=_event_header(event),
        slots=[printing.GridSlot(s["id"], as_datetime(s["starts_at"]), as_datetime(s["ends_at"])) for s in slots],
        tables=[printing.GridTable(t.id, t.code) for t in tables],
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
    event, grid = await _grid_data(actor=actor, slug=slug)
    content = await asyncio.to_thread(printing.table_sheets_pdf, grid, printed_at=now_utc())
    return PrintedFile(content, f"meja-{event.slug}.pdf", printing.PDF)


async def grid_pdf(*, actor: Actor | None, slug: str, paper: str = "a4") -> PrintedFile:
    """The full grid, slots × tables, landscape A4 or A3 (`paper`), for organizers only."""
    event, grid = await _grid_data(actor=actor, slug=slug)
    pagesize = printing.PAPERS["a3" if paper == "a3" else "a4"]
    content = await asyncio.to_thread(printing.grid_pdf, grid, printed_at=now_utc(), pagesize=pagesize)
    return PrintedFile(content, f"jadwal-{event.slug}.pdf", printing.PDF)


async def grid_xlsx(*, actor: Actor | None, slug: str) -> PrintedFile:
    """The full grid and the meeting list as a workbook (organizers only)."""
    event, grid = await _grid_data(actor=actor, slug=slug)
    content = await asyncio.to_thread(printing.grid_xlsx, grid, printed_at=now_utc())
    return PrintedFile(content, f"jadwal-{event.slug}.xlsx", printing.XLSX)


async def badges_pdf(*, actor: Actor | None, slug: str) -> PrintedFile:
    """Badges for every registered participant (organizers only), eight to an A4 sheet, each with a QR code
    of the participant's agenda link."""
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
        for p in await registered_participants(event.id)
    ]
    content = await asyncio.to_thread(printing.badges_pdf, badges)
    return PrintedFile(content, f"tanda-peserta-{event.slug}.pdf", printing.PDF)
