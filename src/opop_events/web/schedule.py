"""Organizer pages of matching: the event's meeting requests, and "Susun jadwal" — run the scheduler, review
the grid, pin or move a meeting, publish, add walk-ins, mark attendance at tables; funnel and printouts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts.services import Actor
from opop_events.api import CurrentActor
from opop_events.core.dates import now_utc
from opop_events.core.errors import Conflict, InvalidInput, NotFound
from opop_events.core.i18n import N_, _
from opop_events.core.pagination import Page
from opop_events.events import schemas as event_schemas
from opop_events.events import services as events
from opop_events.events.enums import PartyKind
from opop_events.matching import schemas
from opop_events.matching import services as matching
from opop_events.matching.enums import (
    PRIORITY_LABELS,
    REQUEST_STATUS_LABELS,
    MeetingStatus,
    Priority,
    RequestStatus,
)
from opop_events.reports import schedule_prints
from opop_events.reports.funnel import funnel
from opop_events.web.forms import FORM_ERROR, field_errors, read_form, to_struct
from opop_events.web.organizer import _event_for, _event_page
from opop_events.web.rendering import format_clock, pager

Choice = Annotated[str | None, QueryParameter(max_length=40)]
PageNo = Annotated[int, QueryParameter(ge=1, le=100_000)]
REQUESTS_PER_PAGE = 100
OptionalId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]
PLACED = (MeetingStatus.usulan, MeetingStatus.terjadwal, MeetingStatus.hadir, MeetingStatus.tidak_hadir)
PRINTS = {
    "agenda.pdf": (schedule_prints.agenda_pdf, N_("Agenda semua peserta (PDF)")),
    "meja.pdf": (schedule_prints.table_sheets_pdf, N_("Lembar per meja (PDF)")),
    "jadwal.pdf": (schedule_prints.grid_pdf, N_("Jadwal lengkap slot × meja (PDF)")),
    "jadwal.xlsx": (schedule_prints.grid_xlsx, N_("Jadwal lengkap (Excel)")),
    "tanda-peserta.pdf": (schedule_prints.badges_pdf, N_("Tanda peserta dengan kode QR (PDF)")),
}
NOTICES = {
    "tersusun": N_("Usulan jadwal tersusun. Periksa, pindahkan bila perlu, lalu terbitkan."),
    "terbit": N_("Jadwal terbit. Peserta sekarang melihat agenda mereka."),
    "dipindah": N_("Pertemuan dipindah."),
    "walkin": N_("Pertemuan langsung ditambahkan."),
}
_PARTY_TOKEN = re.compile(r"\b([bp])(\d+)\b")


# -- requests -----------------------------------------------------------------------------------------------


@get("/acara/{slug:str}/permintaan", name="acara-permintaan", cache=False, include_in_schema=False)
async def requests_page(
    request: Request, actor: CurrentActor, slug: FromPath[str], status: Choice = None, halaman: PageNo = 1
) -> Template:
    actor, event = await _event_for(actor, slug)
    chosen = RequestStatus(status) if status in {s.value for s in RequestStatus} else None
    everything = await matching.list_requests(actor=actor, slug=slug)
    counts = {s.value: sum(1 for r in everything if r.status is s) for s in RequestStatus}
    shown = [r for r in everything if chosen is None or r.status is chosen]
    start = (halaman - 1) * REQUESTS_PER_PAGE
    return _event_page(
        "jadwal/requests.html",
        actor=actor,
        event=event,
        tab="permintaan",
        title=_("Permintaan pertemuan — {event}").format(event=event.name),
        items=shown[start : start + REQUESTS_PER_PAGE],
        shown=len(shown),
        pager=pager(request, Page(items=[], total=len(shown), page=halaman, per_page=REQUESTS_PER_PAGE)),
        total=len(everything),
        counts=counts,
        status=chosen.value if chosen else "",
        statuses=[(s.value, REQUEST_STATUS_LABELS[s]) for s in RequestStatus],
        priority_labels={p.value: PRIORITY_LABELS[p] for p in Priority},
    )


# -- the schedule -------------------------------------------------------------------------------------------


@dataclass
class Grid:
    """Slots × tables of an event with the meetings placed in them, and what the scheduler could not place."""

    slots: list[tuple[event_schemas.Session, event_schemas.Slot]]
    tables: list[event_schemas.Table]
    cells: dict[tuple[int, int], schemas.Meeting]
    by_slot: dict[int, list[schemas.Meeting]]
    unscheduled: list[schemas.Meeting]
    meetings: list[schemas.Meeting]
    names: dict[str, str] = field(default_factory=dict)

    @property
    def draft(self) -> int:
        return sum(1 for m in self.meetings if m.status is MeetingStatus.usulan)

    @property
    def published(self) -> int:
        return sum(1 for m in self.meetings if m.status in PLACED and m.status is not MeetingStatus.usulan)


async def _grid(actor: Actor, slug: str) -> Grid:
    sessions = await events.list_sessions(slug=slug)
    meetings = await matching.list_meetings(actor=actor, slug=slug)
    placed = [m for m in meetings if m.slot_id and m.status in PLACED]
    by_slot: dict[int, list[schemas.Meeting]] = {}
    for m in placed:
        by_slot.setdefault(m.slot_id, []).append(m)  # type: ignore[arg-type]
    names = {f"b{m.buyer_id}": m.buyer_name for m in meetings} | {
        f"p{m.pesantren_id}": m.pesantren_name for m in meetings
    }
    return Grid(
        slots=[(s, slot) for s in sessions for slot in s.slots],
        tables=await events.list_tables(slug=slug),
        cells={(m.slot_id, m.table_id): m for m in placed if m.table_id},  # type: ignore[misc]
        by_slot=by_slot,
        unscheduled=[m for m in meetings if m.status is MeetingStatus.belum_terjadwal],
        meetings=meetings,
        names=names,
    )


def _reason(grid: Grid, text: str) -> str:
    """The scheduler names participants by key (`b12`, `p7`); people read names."""
    return _PARTY_TOKEN.sub(lambda m: grid.names.get(m.group(0), m.group(0)), text)


def _left_out(grid: Grid) -> list[tuple[str, str, list[str]]]:
    """Participants with accepted requests but no placed meeting: (kind, name, reasons)."""
    placed = {("b", m.buyer_id) for m in grid.meetings if m.slot_id and m.status in PLACED}
    placed |= {("p", m.pesantren_id) for m in grid.meetings if m.slot_id and m.status in PLACED}
    found: dict[tuple[str, int], tuple[str, str, list[str]]] = {}
    for m in grid.unscheduled:
        for key, name, kind in (("b", m.buyer_name, _("Pembeli")), ("p", m.pesantren_name, _("Pesantren"))):
            party = (key, m.buyer_id if key == "b" else m.pesantren_id)
            if party in placed:
                continue
            entry = found.setdefault(party, (kind, name, []))
            reason = _reason(grid, m.unscheduled_reason) or _("tidak ada slot yang cocok")
            if reason not in entry[2]:
                entry[2].append(reason)
    return sorted(found.values(), key=lambda e: (e[0], e[1]))


def slot_label(session: event_schemas.Session, slot: event_schemas.Slot) -> str:
    day = f"{session.day.day}/{session.day.month}"
    return f"{format_clock(slot.starts_at)}–{format_clock(slot.ends_at)} · {session.name} {day}"


async def _schedule_page(
    actor: Actor,
    event: event_schemas.Event,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    notice: str = "",
) -> Template:
    slug = event.slug
    grid = await _grid(actor, slug)
    buyers = await events.list_registrations(
        actor=actor, slug=slug, party_kind=PartyKind.buyer.value, per_page=1000
    )
    pesantren = await events.list_registrations(
        actor=actor, slug=slug, party_kind=PartyKind.pesantren.value, per_page=1000
    )
    return _event_page(
        "jadwal/schedule.html",
        actor=actor,
        event=event,
        tab="jadwal",
        title=_("Susun jadwal — {event}").format(event=event.name),
        status_code=status_code,
        errors=errors or {},
        values=values or {"time_limit": "20"},
        notice=notice,
        grid=grid,
        run=await matching.last_schedule_run(actor=actor, slug=slug),
        funnel=await funnel(actor=actor, slug=slug),
        left_out=_left_out(grid),
        reason=lambda text: _reason(grid, text),
        slot_options=[(slot.id, slot_label(s, slot)) for s, slot in grid.slots],
        buyer_options=[(r.buyer_id, r.party_name) for r in buyers.items],
        pesantren_options=[(r.pesantren_id, r.party_name) for r in pesantren.items],
        prints=[(name, _(label)) for name, (_print, label) in PRINTS.items()],
        use_htmx=False,
    )


@get("/acara/{slug:str}/jadwal", name="acara-jadwal", cache=False, include_in_schema=False)
async def schedule_page(actor: CurrentActor, slug: FromPath[str], pesan: Choice = None) -> Template:
    actor, event = await _event_for(actor, slug)
    return await _schedule_page(actor, event, notice=_(NOTICES.get(pesan or "", "")))


@post(
    "/acara/{slug:str}/jadwal/susun",
    name="acara-jadwal-susun",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def schedule_run(request: Request, actor: CurrentActor, slug: FromPath[str]) -> Redirect | Template:
    actor, event = await _event_for(actor, slug)
    values = await read_form(request)
    try:
        data = to_struct({"time_limit": values.text("time_limit") or "20"}, schemas.ScheduleRunIn)
        await matching.run_scheduler(actor=actor, slug=slug, data=data)
    except (InvalidInput, Conflict) as exc:
        errors = field_errors(exc, known={"time_limit"})
        if "time_limit" in errors:
            errors["time_limit"] = _("isi angka 1 sampai 300 detik")
        return await _schedule_page(actor, event, status_code=exc.status, errors=errors, values=values)
    return Redirect(f"/acara/{slug}/jadwal?pesan=tersusun#hasil", status_code=303)


@post(
    "/acara/{slug:str}/jadwal/terbitkan",
    name="acara-jadwal-terbit",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def schedule_publish(actor: CurrentActor, slug: FromPath[str]) -> Redirect | Template:
    actor, event = await _event_for(actor, slug)
    try:
        await matching.publish(actor=actor, slug=slug)
    except Conflict as exc:
        # Pressed twice: the first press published everything, so the second finds no draft left.
        if not (await _grid(actor, slug)).published:
            return await _schedule_page(actor, event, status_code=exc.status, errors={FORM_ERROR: exc.detail})
    return Redirect(f"/acara/{slug}/jadwal?pesan=terbit", status_code=303)


@post(
    "/acara/{slug:str}/jadwal/walk-in",
    name="acara-walkin",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def schedule_walk_in(request: Request, actor: CurrentActor, slug: FromPath[str]) -> Redirect | Template:
    actor, event = await _event_for(actor, slug)
    values = await read_form(request)
    try:
        missing = [name for name in ("buyer_id", "pesantren_id") if not values.text(name)]
        if missing:
            raise InvalidInput.field(missing[0], "wajib dipilih")
        data = to_struct(
            {
                "buyer_id": values.text("buyer_id"),
                "pesantren_id": values.text("pesantren_id"),
                "slot_id": values.optional("slot_id"),
            },
            schemas.WalkIn,
        )
        meeting = await matching.walk_in(actor=actor, slug=slug, data=data)
    except (InvalidInput, Conflict) as exc:
        errors = field_errors(exc, known={"buyer_id", "pesantren_id", "slot_id"})
        if isinstance(exc, Conflict):
            errors = {"walkin": exc.detail}
        else:
            errors = {k if k != FORM_ERROR else "walkin": v for k, v in errors.items()}
        return await _schedule_page(actor, event, status_code=exc.status, errors=errors, values=values)
    return Redirect(f"/acara/{slug}/jadwal/pertemuan/{meeting.id}?pesan=walkin", status_code=303)


# -- one meeting: move or pin -------------------------------------------------------------------------------


async def _meeting_of(actor: Actor, event: event_schemas.Event, meeting_id: int) -> schemas.Meeting:
    meeting = await matching.get_meeting(meeting_id=meeting_id)
    if meeting.event_slug != event.slug:
        raise NotFound(_("Pertemuan {number} tidak ditemukan di acara ini.").format(number=meeting_id))
    return meeting


async def _meeting_page(
    actor: Actor,
    event: event_schemas.Event,
    meeting: schemas.Meeting,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    notice: str = "",
) -> Template:
    sessions = await events.list_sessions(slug=event.slug)
    tables = await events.list_tables(slug=event.slug)
    return _event_page(
        "jadwal/meeting.html",
        actor=actor,
        event=event,
        tab="jadwal",
        title=f"Pertemuan {meeting.buyer_name} – {meeting.pesantren_name}",
        status_code=status_code,
        meeting=meeting,
        errors=errors or {},
        values=values
        or {"slot_id": str(meeting.slot_id or ""), "table_id": str(meeting.table_id or ""), "pinned": "1"},
        notice=notice,
        slot_options=[(slot.id, slot_label(s, slot)) for s in sessions for slot in s.slots],
        table_options=[(t.id, t.label or t.code) for t in tables],
        use_htmx=True,
    )


@get(
    "/acara/{slug:str}/jadwal/pertemuan/{meeting_id:int}",
    name="acara-pertemuan",
    cache=False,
    include_in_schema=False,
)
async def meeting_page(
    actor: CurrentActor, slug: FromPath[str], meeting_id: FromPath[int], pesan: Choice = None
) -> Template:
    actor, event = await _event_for(actor, slug)
    meeting = await _meeting_of(actor, event, meeting_id)
    return await _meeting_page(actor, event, meeting, notice=_(NOTICES.get(pesan or "", "")))


@post(
    "/acara/{slug:str}/jadwal/pertemuan/{meeting_id:int}/pindah",
    name="acara-pertemuan-pindah",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def meeting_move(
    request: Request, actor: CurrentActor, slug: FromPath[str], meeting_id: FromPath[int]
) -> Redirect | Template:
    actor, event = await _event_for(actor, slug)
    meeting = await _meeting_of(actor, event, meeting_id)
    values = await read_form(request)
    try:
        if not values.text("slot_id"):
            raise InvalidInput.field("slot_id", _("wajib dipilih"))
        data = to_struct(
            {
                "slot_id": values.text("slot_id"),
                "table_id": values.optional("table_id"),
                "pinned": values.get("pinned") == "1",
                "reason": values.text("reason"),
            },
            schemas.MeetingMove,
        )
        await matching.move_meeting(actor=actor, meeting_id=meeting_id, data=data)
    except (InvalidInput, Conflict) as exc:
        errors = field_errors(exc, known={"slot_id", "table_id", "reason"})
        return await _meeting_page(
            actor, event, meeting, status_code=exc.status, errors=errors, values=values
        )
    return Redirect(f"/acara/{slug}/jadwal/pertemuan/{meeting_id}?pesan=dipindah", status_code=303)


# -- attendance at the tables -------------------------------------------------------------------------------


def _current_slot(grid: Grid, now: datetime) -> int | None:
    """The slot running now (or next); after the event, the first slot that had meetings."""
    for _session, slot in grid.slots:
        if slot.ends_at > now and slot.id in grid.by_slot:
            return slot.id
    busy = [slot.id for _session, slot in grid.slots if slot.id in grid.by_slot]
    return busy[0] if busy else (grid.slots[0][1].id if grid.slots else None)


@get("/acara/{slug:str}/jadwal/meja", name="acara-jadwal-meja", cache=False, include_in_schema=False)
async def attendance_page(actor: CurrentActor, slug: FromPath[str], slot: OptionalId = None) -> Template:
    actor, event = await _event_for(actor, slug)
    grid = await _grid(actor, slug)
    slot_ids = [s.id for _session, s in grid.slots]
    chosen = slot if slot in slot_ids else _current_slot(grid, now_utc())
    return _event_page(
        "jadwal/attendance.html",
        actor=actor,
        event=event,
        tab="jadwal",
        title=_("Kehadiran di meja — {event}").format(event=event.name),
        grid=grid,
        chosen=chosen,
        items=sorted(grid.by_slot.get(chosen or 0, []), key=lambda m: m.table_code or ""),
        use_htmx=True,
    )


@post(
    "/acara/{slug:str}/jadwal/pertemuan/{meeting_id:int}/hadir",
    name="acara-pertemuan-hadir",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def meeting_attendance(
    request: Request, actor: CurrentActor, slug: FromPath[str], meeting_id: FromPath[int]
) -> Redirect | Template:
    actor, event = await _event_for(actor, slug)
    await _meeting_of(actor, event, meeting_id)
    values = await read_form(request)
    error = ""
    try:
        meeting = await matching.mark_attendance(
            actor=actor, meeting_id=meeting_id, data=schemas.Attendance(held=values.text("held") == "1")
        )
    except Conflict as exc:
        meeting, error = await matching.get_meeting(meeting_id=meeting_id), exc.detail
    if request.headers.get("hx-request") == "true":
        # htmx swaps just this meeting's row; the rest of the slot's list stays as it is.
        return Template(
            template_name="jadwal/_attendance_row.html",
            context={"m": meeting, "event": event, "error": error},
            status_code=200,
        )
    if error:
        raise Conflict(error)
    back = values.text("back")
    if back == "pertemuan":
        return Redirect(f"/acara/{slug}/jadwal/pertemuan/{meeting_id}", status_code=303)
    query = urlencode({"slot": meeting.slot_id}) if meeting.slot_id else ""
    return Redirect(f"/acara/{slug}/jadwal/meja?{query}#m-{meeting_id}", status_code=303)


# -- printouts ----------------------------------------------------------------------------------------------


@get(
    "/acara/{slug:str}/jadwal/cetak/{name:str}",
    name="acara-jadwal-cetak",
    cache=False,
    include_in_schema=False,
)
async def schedule_print(actor: CurrentActor, slug: FromPath[str], name: FromPath[str]) -> Response[bytes]:
    actor, _event = await _event_for(actor, slug)
    if name not in PRINTS:
        raise NotFound(_("Cetakan '{name}' tidak dikenal.").format(name=name))
    printed = await PRINTS[name][0](actor=actor, slug=slug)
    return Response(
        printed.content,
        media_type=printed.media_type,
        headers={"Content-Disposition": f'attachment; filename="{printed.filename}"'},
    )


HANDLERS = [
    requests_page, schedule_page, schedule_run, schedule_publish, schedule_walk_in, meeting_page, meeting_move,
    attendance_page, meeting_attendance, schedule_print,
]  # fmt: skip
