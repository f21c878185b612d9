"""Organizer pages: my events, event set-up (sessions and slots, tables), registrations and check-in at the door."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_role
from opop_events.api import CurrentActor
from opop_events.catalog import services as catalog
from opop_events.core.dates import format_date
from opop_events.core.errors import Conflict, InvalidInput
from opop_events.core.i18n import N_, _
from opop_events.events import schemas
from opop_events.events import services as events
from opop_events.events.enums import EVENT_STATUS_LABELS, EVENT_TRANSITIONS, EventStatus, PartyKind
from opop_events.web.forms import FormValues, field_errors, read_form, required, to_struct
from opop_events.web.rendering import page, pager

Search = Annotated[str | None, QueryParameter(max_length=100)]
Choice = Annotated[str | None, QueryParameter(max_length=40)]
PageNo = Annotated[int, QueryParameter(ge=1, le=100_000)]
EVENT_FIELDS = {
    "slug",
    "name",
    "wilayah_code",
    "starts_on",
    "ends_on",
    "venue",
    "description",
    "meeting_quota",
}
SESSION_FIELDS = {"name", "day", "slots.start", "slots.minutes", "slots.count", "slots.gap_minutes"}
PARTY_LABELS = {PartyKind.pesantren: N_("Pesantren"), PartyKind.buyer: N_("Pembeli")}

# The tabs of an event; later domains (schedule, deals, reports) add their own entries here.
EVENT_TABS = (
    ("ringkasan", N_("Ringkasan"), ""),
    ("sesi", N_("Sesi & slot"), "/sesi"),
    ("meja", N_("Meja"), "/meja"),
    ("peserta", N_("Peserta"), "/peserta"),
    ("kehadiran", N_("Kehadiran"), "/kehadiran"),
    ("permintaan", N_("Permintaan"), "/permintaan"),
    ("jadwal", N_("Jadwal"), "/jadwal"),
)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].rstrip("-")


async def _event_for(actor: Actor | None, slug: str) -> tuple[Actor, schemas.Event]:
    event = await events.get_event(slug=slug)
    actor = await events.require_organizer(actor, event)
    return actor, event


def _event_page(name: str, *, actor: Actor, event: schemas.Event, tab: str, **context: Any) -> Template:
    return page(
        name,
        actor=actor,
        title=context.pop("title", event.name),
        section="acara",
        event=event,
        tabs=[(key, _(label), path) for key, label, path in EVENT_TABS],
        tab=tab,
        **context,
    )


# -- my events ----------------------------------------------------------------------------------------------


@get("/acara", name="acara", cache=False, include_in_schema=False)
async def my_events(request: Request, actor: CurrentActor, halaman: PageNo = 1) -> Template:
    actor = require_role(actor, Role.admin, Role.organizer)
    result = await events.list_my_events(actor=actor, page=halaman, per_page=20)
    return page(
        "acara/list.html",
        actor=actor,
        title=_("Acara saya") if actor.role is Role.organizer else _("Semua acara"),
        section="acara",
        items=result.items,
        pager=pager(request, result),
    )


async def _regions() -> list[tuple[str, str]]:
    return [(w.code, w.name) for w in await catalog.list_wilayah()]


@get("/acara/baru", name="acara-baru", cache=False, include_in_schema=False)
async def event_new(actor: CurrentActor) -> Template:
    actor = require_role(actor, Role.admin, Role.organizer)
    return page(
        "acara/form.html",
        actor=actor,
        title=_("Buat acara"),
        section="acara",
        values={"meeting_quota": "12", "wilayah_code": "3273"},
        regions=await _regions(),
    )


@post("/acara/baru", name="acara-baru-kirim", cache=False, include_in_schema=False, status_code=303)
async def event_create(request: Request, actor: CurrentActor) -> Redirect | Template:
    actor = require_role(actor, Role.admin, Role.organizer)
    values = await read_form(request)
    try:
        required(values, "name", "wilayah_code", "starts_on", "ends_on")
        data = to_struct(
            {
                "slug": values.text("slug") or slugify(values.text("name")),
                "name": values.text("name"),
                "wilayah_code": values.text("wilayah_code"),
                "starts_on": values.text("starts_on"),
                "ends_on": values.text("ends_on"),
                "venue": values.text("venue"),
                "description": str(values.get("description", "")).strip(),
                "meeting_quota": values.text("meeting_quota") or "12",
            },
            schemas.EventCreate,
        )
        event = await events.create_event(actor=actor, data=data)
    except (InvalidInput, Conflict) as exc:
        errors = field_errors(exc, known=EVENT_FIELDS)
        if isinstance(exc, Conflict) and "Slug" in exc.detail:
            errors = {"slug": _("alamat singkat ini sudah dipakai acara lain; pilih yang lain")}
        return page(
            "acara/form.html",
            actor=actor,
            title=_("Buat acara"),
            section="acara",
            status_code=exc.status,
            values=values,
            errors=errors,
            regions=await _regions(),
        )
    return Redirect(f"/acara/{event.slug}", status_code=303)


# -- one event ----------------------------------------------------------------------------------------------


@get("/acara/{slug:str}", name="acara-ringkasan", cache=False, include_in_schema=False)
async def event_overview(actor: CurrentActor, slug: FromPath[str]) -> Template:
    actor, event = await _event_for(actor, slug)
    sessions = await events.list_sessions(slug=slug)
    tables = await events.list_tables(slug=slug)
    registrations = await events.list_registrations(actor=actor, slug=slug, per_page=1)
    by_kind = {
        kind: (
            await events.list_registrations(actor=actor, slug=slug, party_kind=kind.value, per_page=1)
        ).total
        for kind in PartyKind
    }
    return _event_page(
        "acara/detail.html",
        actor=actor,
        event=event,
        tab="ringkasan",
        sessions=len(sessions),
        slots=sum(len(s.slots) for s in sessions),
        tables=len(tables),
        registrations=registrations.total,
        by_kind={_(PARTY_LABELS[k]): n for k, n in by_kind.items()},
        transitions=[
            (s.value, EVENT_STATUS_LABELS[s]) for s in EventStatus if s in EVENT_TRANSITIONS[event.status]
        ],
    )


@post("/acara/{slug:str}/status", name="acara-status", cache=False, include_in_schema=False, status_code=303)
async def event_status(request: Request, actor: CurrentActor, slug: FromPath[str]) -> Redirect:
    actor, _event = await _event_for(actor, slug)
    values = await read_form(request)
    data = to_struct({"status": values.text("status")}, schemas.EventUpdate)
    await events.update_event(actor=actor, slug=slug, data=data)
    return Redirect(f"/acara/{slug}", status_code=303)


# -- sessions and slots -------------------------------------------------------------------------------------


def _event_days(event: schemas.Event) -> list[tuple[str, str]]:
    days = [event.starts_on + timedelta(days=n) for n in range((event.ends_on - event.starts_on).days + 1)]
    return [(day.isoformat(), format_date(day)) for day in days]


@get("/acara/{slug:str}/sesi", name="acara-sesi", cache=False, include_in_schema=False)
async def sessions_page(actor: CurrentActor, slug: FromPath[str]) -> Template:
    actor, event = await _event_for(actor, slug)
    return _event_page(
        "acara/sessions.html",
        actor=actor,
        event=event,
        tab="sesi",
        title=_("Sesi & slot — {event}").format(event=event.name),
        sessions=await events.list_sessions(slug=slug),
        days=_event_days(event),
        values={
            "slots.start": "09:00",
            "slots.minutes": "20",
            "slots.count": "6",
            "slots.gap_minutes": "0",
            "day": event.starts_on.isoformat(),
        },
    )


@post(
    "/acara/{slug:str}/sesi", name="acara-sesi-kirim", cache=False, include_in_schema=False, status_code=303
)
async def session_create(request: Request, actor: CurrentActor, slug: FromPath[str]) -> Redirect | Template:
    actor, event = await _event_for(actor, slug)
    values = await read_form(request)
    try:
        required(values, "name", "day", "slots.start", "slots.minutes", "slots.count")
        data = to_struct(
            {
                "name": values.text("name"),
                "day": values.text("day"),
                "slots": {
                    "start": values.text("slots.start"),
                    "minutes": values.text("slots.minutes"),
                    "count": values.text("slots.count"),
                    "gap_minutes": values.text("slots.gap_minutes") or "0",
                },
            },
            schemas.SessionCreate,
        )
        await events.create_session(actor=actor, slug=slug, data=data)
    except (InvalidInput, Conflict) as exc:
        return _event_page(
            "acara/sessions.html",
            actor=actor,
            event=event,
            tab="sesi",
            title=_("Sesi & slot — {event}").format(event=event.name),
            status_code=exc.status,
            sessions=await events.list_sessions(slug=slug),
            days=_event_days(event),
            values=values,
            errors=field_errors(exc, known=SESSION_FIELDS),
        )
    return Redirect(f"/acara/{slug}/sesi", status_code=303)


# -- tables -------------------------------------------------------------------------------------------------


@get("/acara/{slug:str}/meja", name="acara-meja", cache=False, include_in_schema=False)
async def tables_page(actor: CurrentActor, slug: FromPath[str]) -> Template:
    actor, event = await _event_for(actor, slug)
    return _event_page(
        "acara/tables.html",
        actor=actor,
        event=event,
        tab="meja",
        title=_("Meja — {event}").format(event=event.name),
        tables=await events.list_tables(slug=slug),
        values={"count": "10", "prefix": "M"},
    )


@post(
    "/acara/{slug:str}/meja", name="acara-meja-kirim", cache=False, include_in_schema=False, status_code=303
)
async def tables_create(request: Request, actor: CurrentActor, slug: FromPath[str]) -> Redirect | Template:
    actor, event = await _event_for(actor, slug)
    values = await read_form(request)
    try:
        required(values, "count")
        data = to_struct(
            {"count": values.text("count"), "prefix": values.text("prefix")}, schemas.TablesCreate
        )
        await events.create_tables(actor=actor, slug=slug, data=data)
    except (InvalidInput, Conflict) as exc:
        return _event_page(
            "acara/tables.html",
            actor=actor,
            event=event,
            tab="meja",
            title=_("Meja — {event}").format(event=event.name),
            status_code=exc.status,
            tables=await events.list_tables(slug=slug),
            values=values,
            errors=field_errors(exc, known={"count", "prefix"}),
        )
    return Redirect(f"/acara/{slug}/meja", status_code=303)


# -- registrations ------------------------------------------------------------------------------------------


async def _candidates(actor: Actor, kind: str, q: str) -> list[tuple[int, str, str]]:
    """Pesantren or buyers matching `q`, to register with one button each."""
    if not q:
        return []
    if kind == PartyKind.buyer.value:
        buyers = await catalog.list_buyers(actor=actor, q=q, per_page=10)
        return [(b.id, b.name, b.buyer_type_label) for b in buyers.items]
    found = await catalog.list_pesantren(q=q, per_page=10)
    return [(p.id, p.name, p.wilayah_name) for p in found.items]


async def _registrations_page(
    request: Request,
    actor: Actor,
    event: schemas.Event,
    *,
    jenis: str | None,
    cari: str,
    halaman: int,
    status_code: int = 200,
    notice: str = "",
    errors: dict[str, str] | None = None,
) -> Template:
    kind = jenis if jenis in {k.value for k in PartyKind} else None
    result = await events.list_registrations(
        actor=actor, slug=event.slug, party_kind=kind, page=halaman, per_page=50
    )
    return _event_page(
        "acara/registrations.html",
        actor=actor,
        event=event,
        tab="peserta",
        title=_("Peserta — {event}").format(event=event.name),
        status_code=status_code,
        items=result.items,
        pager=pager(request, result),
        kind=kind or "",
        party_labels={k.value: _(v) for k, v in PARTY_LABELS.items()},
        cari=cari,
        candidates=await _candidates(actor, kind or PartyKind.pesantren.value, cari),
        notice=notice,
        errors=errors or {},
    )


@get("/acara/{slug:str}/peserta", name="acara-peserta", cache=False, include_in_schema=False)
async def registrations_page(
    request: Request,
    actor: CurrentActor,
    slug: FromPath[str],
    jenis: Choice = None,
    cari: Search = None,
    terdaftar: Search = None,
    halaman: PageNo = 1,
) -> Template:
    actor, event = await _event_for(actor, slug)
    notice = _("{name} berhasil didaftarkan.").format(name=terdaftar) if terdaftar else ""
    return await _registrations_page(
        request, actor, event, jenis=jenis, cari=(cari or "").strip(), halaman=halaman, notice=notice
    )


@post(
    "/acara/{slug:str}/peserta",
    name="acara-peserta-kirim",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def registration_create(
    request: Request, actor: CurrentActor, slug: FromPath[str]
) -> Redirect | Template:
    actor, event = await _event_for(actor, slug)
    values = await read_form(request)
    kind = values.text("party_kind")
    party_id = values.text("party_id")
    try:
        key = "buyer_id" if kind == PartyKind.buyer.value else "pesantren_id"
        data = to_struct({key: party_id}, schemas.RegistrationCreate)
        registration = await events.register(actor=actor, slug=slug, data=data)
    except (InvalidInput, Conflict) as exc:
        return await _registrations_page(
            request,
            actor,
            event,
            jenis=kind,
            cari=values.text("cari"),
            halaman=1,
            status_code=exc.status,
            errors={"_form": exc.detail if not exc.errors else exc.errors[0].message},
        )
    query = urlencode({"jenis": kind, "terdaftar": registration.party_name})
    return Redirect(f"/acara/{slug}/peserta?{query}", status_code=303)


# -- check-in -----------------------------------------------------------------------------------------------


@get("/acara/{slug:str}/kehadiran", name="acara-kehadiran", cache=False, include_in_schema=False)
async def checkin_page(
    request: Request, actor: CurrentActor, slug: FromPath[str], q: Search = None, halaman: PageNo = 1
) -> Template:
    actor, event = await _event_for(actor, slug)
    query = (q or "").strip()
    result = await events.list_registrations(
        actor=actor, slug=slug, q=query or None, page=halaman, per_page=50
    )
    return _event_page(
        "acara/checkin.html",
        actor=actor,
        event=event,
        tab="kehadiran",
        title=_("Kehadiran — {event}").format(event=event.name),
        items=result.items,
        pager=pager(request, result),
        q=query,
        party_labels={k.value: _(v) for k, v in PARTY_LABELS.items()},
        use_htmx=True,
    )


@post(
    "/acara/{slug:str}/kehadiran/{registration_id:int}",
    name="acara-hadir",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def checkin(
    request: Request, actor: CurrentActor, slug: FromPath[str], registration_id: FromPath[int]
) -> Redirect | Template:
    registration = await events.check_in(actor=actor, slug=slug, registration_id=registration_id)
    if request.headers.get("hx-request") == "true":
        # htmx swaps just this participant's row; the rest of the list stays as it is.
        return Template(
            template_name="acara/_checkin_row.html",
            context={
                "r": registration,
                "event": {"slug": slug},
                "q": "",
                "party_labels": {k.value: _(v) for k, v in PARTY_LABELS.items()},
            },
            status_code=200,
        )
    values: FormValues = await read_form(request)
    back = urlencode({"q": values.text("q")}) if values.text("q") else ""
    return Redirect(
        f"/acara/{slug}/kehadiran{'?' + back if back else ''}#r-{registration_id}", status_code=303
    )


HANDLERS = [
    my_events, event_new, event_create, event_overview, event_status, sessions_page, session_create,
    tables_page, tables_create, registrations_page, registration_create, checkin_page, checkin,
]  # fmt: skip
