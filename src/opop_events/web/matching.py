"""Matching pages of the participants: a buyer browses an event's pesantren and products and asks to meet; a
pesantren answers requests and asks buyers; both see their requests, their agenda (with the PDF), mark the
slots they cannot meet in, and rate a held meeting ("sepakat" leads on to the deal form)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_role
from opop_events.api import CurrentActor
from opop_events.catalog import services as catalog
from opop_events.catalog.enums import Category
from opop_events.core.errors import Conflict, Forbidden, InvalidInput
from opop_events.core.i18n import N_, _
from opop_events.core.pagination import Page
from opop_events.core.phone import wa_link
from opop_events.events import schemas as event_schemas
from opop_events.events import services as events
from opop_events.events.enums import EventStatus
from opop_events.matching import schemas
from opop_events.matching import services as matching
from opop_events.matching.enums import (
    OUTCOME_LABELS,
    PRIORITY_LABELS,
    MeetingStatus,
    Outcome,
    Priority,
    RequestStatus,
    Side,
)
from opop_events.reports import schedule_prints
from opop_events.web.forms import FORM_ERROR, field_errors, read_form, to_struct
from opop_events.web.rendering import Pager, format_clock, page, pager

Search = Annotated[str | None, QueryParameter(max_length=100)]
Choice = Annotated[str | None, QueryParameter(max_length=40)]
PageNo = Annotated[int, QueryParameter(ge=1, le=100_000)]
OptionalId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]
PER_PAGE = 24
REQUEST_FIELDS = {"pesantren_id", "buyer_id", "product_id", "message", "priority"}
DEAL_FORM = "/transaksi/baru"
"""The ledger's deal form (web/deal_forms.py); a "sepakat" rating opens it with the meeting linked."""

NOTICES = {
    "terkirim": N_("Permintaan pertemuan terkirim. Pihak yang Anda minta akan menjawabnya."),
    "diterima": N_("Permintaan diterima. Pertemuan ini masuk ke penyusunan jadwal."),
    "ditolak": N_("Permintaan ditolak."),
    "dibatalkan": N_("Permintaan dibatalkan."),
    "tersimpan": N_("Ketersediaan Anda tersimpan."),
    "dinilai": N_("Penilaian hasil pertemuan tersimpan."),
    "sepakat": N_("Penilaian tersimpan. Pesantren akan mencatat transaksinya; Anda akan diminta mengonfirmasi."),
}


def _participant(actor: Actor | None) -> Actor:
    actor = require_role(actor, Role.buyer, Role.seller)
    if (actor.buyer_id if actor.role is Role.buyer else actor.pesantren_id) is None:
        raise Forbidden(_("Akun ini tidak terhubung ke pembeli atau pesantren."))
    return actor


def _my_side(actor: Actor) -> Side:
    return Side.buyer if actor.role is Role.buyer else Side.pesantren


async def _registered_event(actor: Actor, slug: str) -> event_schemas.Event:
    event = await events.get_event(slug=slug)
    if not (await events.list_registrations(actor=actor, slug=slug, per_page=1)).total:
        raise Forbidden(_("Anda belum terdaftar sebagai peserta acara ini."))
    return event


def _tabs(actor: Actor) -> list[tuple[str, str, str]]:
    tabs = [
        ("permintaan", _("Permintaan"), ""),
        ("agenda", _("Agenda"), "/agenda"),
        ("ketersediaan", _("Ketersediaan"), "/ketersediaan"),
    ]
    if actor.role is Role.buyer:
        tabs.insert(0, ("katalog", _("Cari pesantren"), "/katalog"))
    return tabs


def _page(name: str, *, actor: Actor, event: event_schemas.Event, tab: str, **context: Any) -> Template:
    return page(
        name,
        actor=actor,
        title=context.pop("title", event.name),
        section="pertemuan",
        event=event,
        tabs=_tabs(actor),
        tab=tab,
        **context,
    )


# -- my events ----------------------------------------------------------------------------------------------


@get("/pertemuan", name="pertemuan", cache=False, include_in_schema=False)
async def my_events(actor: CurrentActor) -> Template:
    actor = _participant(actor)
    found = await events.list_events(per_page=200)
    mine = [
        e
        for e in found.items
        if e.status is not EventStatus.draft
        and (await events.list_registrations(actor=actor, slug=e.slug, per_page=1)).total
    ]
    return page(
        "pertemuan/events.html", actor=actor, title=_("Temu bisnis saya"), section="pertemuan", items=mine
    )


# -- catalog of the event (buyer) ---------------------------------------------------------------------------


def _list_pager(request: Request, total: int, number: int) -> Pager:
    return pager(request, Page(items=[], total=total, page=number, per_page=PER_PAGE))


@get("/pertemuan/{slug:str}/katalog", name="pertemuan-katalog", cache=False, include_in_schema=False)
async def event_catalog(
    request: Request,
    actor: CurrentActor,
    slug: FromPath[str],
    q: Search = None,
    kategori: Choice = None,
    lihat: Choice = None,
    halaman: PageNo = 1,
) -> Template:
    actor = _participant(actor)
    event = await _registered_event(actor, slug)
    query = (q or "").strip()
    category = kategori if kategori in {c.value for c in Category} else None
    requested = {
        r.pesantren_id: r
        for r in await matching.list_requests(actor=actor, slug=slug)
        if r.status in (RequestStatus.menunggu, RequestStatus.diterima)
    }
    context: dict[str, Any] = {}
    if lihat == "pesantren":
        everyone = [
            p
            for p in await matching.list_counterparts(actor=actor, slug=slug)
            if query.lower() in p.name.lower()
        ]
        start = (halaman - 1) * PER_PAGE
        context.update(
            pesantren=everyone[start : start + PER_PAGE], pager=_list_pager(request, len(everyone), halaman)
        )
    else:
        result = await catalog.list_products(
            q=query or None,
            category=category,
            pesantren_in=[pesantren_id for pesantren_id, _name in await events.registered_pesantren(event.id)],
            page=halaman,
            per_page=PER_PAGE,
        )
        context.update(products=result.items, pager=pager(request, result))
    return _page(
        "pertemuan/catalog.html",
        actor=actor,
        event=event,
        tab="katalog",
        title=_("Cari pesantren — {event}").format(event=event.name),
        view="pesantren" if lihat == "pesantren" else "produk",
        filters={"q": query, "kategori": category or ""},
        categories=[(c.value, c.label) for c in Category],
        requested=requested,
        can_request=event.status is EventStatus.open,
        **context,
    )


# -- the request form ---------------------------------------------------------------------------------------


async def _request_form(
    actor: Actor,
    event: event_schemas.Event,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    counterparts = await matching.list_counterparts(actor=actor, slug=event.slug)
    products: list[tuple[int, str]] = []
    chosen = str(values.get("counterpart_id", ""))
    if actor.role is Role.buyer and chosen.isdigit():
        found = await catalog.list_products(pesantren_id=int(chosen), per_page=200)
        products = [(p.id, f"{p.name} ({p.unit})") for p in found.items]
    return _page(
        "pertemuan/request_form.html",
        actor=actor,
        event=event,
        tab="katalog" if actor.role is Role.buyer else "permintaan",
        title=_("Minta pertemuan"),
        status_code=status_code,
        values=values,
        errors=errors or {},
        counterparts=[(c.id, c.name) for c in counterparts],
        counterpart_label="Pesantren" if actor.role is Role.buyer else "Pembeli",
        products=products,
        priorities=[(p.value, PRIORITY_LABELS[p]) for p in Priority],
    )


@get("/pertemuan/{slug:str}/minta", name="pertemuan-minta", cache=False, include_in_schema=False)
async def request_new(
    actor: CurrentActor,
    slug: FromPath[str],
    pesantren: OptionalId = None,
    produk: OptionalId = None,
    pembeli: OptionalId = None,
) -> Template:
    actor = _participant(actor)
    event = await _registered_event(actor, slug)
    counterpart = pesantren if actor.role is Role.buyer else pembeli
    return await _request_form(
        actor,
        event,
        {
            "counterpart_id": str(counterpart or ""),
            "product_id": str(produk or ""),
            "priority": Priority.penting.value,
        },
    )


@post(
    "/pertemuan/{slug:str}/minta",
    name="pertemuan-minta-kirim",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def request_create(request: Request, actor: CurrentActor, slug: FromPath[str]) -> Redirect | Template:
    actor = _participant(actor)
    event = await _registered_event(actor, slug)
    values = await read_form(request)
    key = "pesantren_id" if actor.role is Role.buyer else "buyer_id"
    try:
        if not values.text("counterpart_id"):
            raise InvalidInput.field("counterpart_id", _("wajib dipilih"))
        data = to_struct(
            {
                key: values.text("counterpart_id"),
                "product_id": values.optional("product_id") if actor.role is Role.buyer else None,
                "message": str(values.get("message", "")).strip(),
                "priority": values.text("priority") or Priority.penting.value,
            },
            schemas.RequestCreate,
        )
        await matching.create_request(actor=actor, slug=slug, data=data)
    except (InvalidInput, Conflict) as exc:
        errors = field_errors(exc, known=REQUEST_FIELDS | {"counterpart_id"})
        if key in errors:
            errors["counterpart_id"] = errors.pop(key)
        return await _request_form(actor, event, values, errors=errors, status_code=exc.status)
    return Redirect(f"/pertemuan/{slug}?pesan=terkirim", status_code=303)


# -- my requests --------------------------------------------------------------------------------------------


@get("/pertemuan/{slug:str}", name="pertemuan-permintaan", cache=False, include_in_schema=False)
async def my_requests(actor: CurrentActor, slug: FromPath[str], pesan: Choice = None) -> Template:
    actor = _participant(actor)
    event = await _registered_event(actor, slug)
    side = _my_side(actor)
    items = await matching.list_requests(actor=actor, slug=slug)
    return _page(
        "pertemuan/requests.html",
        actor=actor,
        event=event,
        tab="permintaan",
        title=_("Permintaan pertemuan — {event}").format(event=event.name),
        incoming=[r for r in items if r.requested_by is not side],
        outgoing=[r for r in items if r.requested_by is side],
        priority_labels={p.value: PRIORITY_LABELS[p] for p in Priority},
        notice=_(NOTICES.get(pesan or "", "")),
        can_request=event.status is EventStatus.open,
    )


@post(
    "/pertemuan/{slug:str}/permintaan/{request_id:int}/jawab",
    name="pertemuan-jawab",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def request_answer(
    request: Request, actor: CurrentActor, slug: FromPath[str], request_id: FromPath[int]
) -> Redirect:
    actor = _participant(actor)
    values = await read_form(request)
    accept = values.text("jawaban") == "terima"
    try:
        await matching.answer_request(
            actor=actor,
            request_id=request_id,
            data=to_struct({"accept": accept, "note": values.text("note")}, schemas.RequestAnswer),
        )
    except Conflict:
        # A double tap or a retry on a weak connection: the first answer already did what was asked.
        wanted = RequestStatus.diterima if accept else RequestStatus.ditolak
        mine = {r.id: r.status for r in await matching.list_requests(actor=actor, slug=slug)}
        if mine.get(request_id) is not wanted:
            raise
    return Redirect(
        f"/pertemuan/{slug}?pesan={'diterima' if accept else 'ditolak'}#q-{request_id}", status_code=303
    )


@post(
    "/pertemuan/{slug:str}/permintaan/{request_id:int}/batal",
    name="pertemuan-batal",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def request_cancel(actor: CurrentActor, slug: FromPath[str], request_id: FromPath[int]) -> Redirect:
    actor = _participant(actor)
    await matching.cancel_request(actor=actor, request_id=request_id)
    return Redirect(f"/pertemuan/{slug}?pesan=dibatalkan", status_code=303)


# -- my agenda and ratings ----------------------------------------------------------------------------------


def _agenda_message(event: event_schemas.Event, item: schemas.AgendaItem, actor: Actor) -> str:
    when = _("pukul {time} WIB").format(time=format_clock(item.starts_at)) if item.starts_at else ""
    table = _(" di meja {table}").format(table=item.table_code) if item.table_code else ""
    who = _("pembeli") if actor.role is Role.buyer else _("pesantren")
    return _("Assalamu'alaikum, saya {who} yang dijadwalkan bertemu Anda di {event} {when}{table}.").format(
        who=who, event=event.name, when=when, table=table
    )


@get("/pertemuan/{slug:str}/agenda", name="pertemuan-agenda", cache=False, include_in_schema=False)
async def my_agenda(actor: CurrentActor, slug: FromPath[str], pesan: Choice = None) -> Template:
    actor = _participant(actor)
    event = await _registered_event(actor, slug)
    agenda = await matching.agenda(actor=actor, slug=slug)
    rated = await matching.meeting_outcomes(actor=actor, meeting_ids=[i.meeting_id for i in agenda.items])
    return _page(
        "pertemuan/agenda.html",
        actor=actor,
        event=event,
        tab="agenda",
        title=_("Agenda saya — {event}").format(event=event.name),
        agenda=agenda,
        wa={
            i.meeting_id: wa_link(i.counterpart_whatsapp, _agenda_message(event, i, actor))
            for i in agenda.items
            if i.counterpart_whatsapp
        },
        rated=rated,
        held=MeetingStatus.hadir,
        outcomes=[(o.value, OUTCOME_LABELS[o]) for o in Outcome],
        notice=_(NOTICES.get(pesan or "", "")),
    )


@get("/pertemuan/{slug:str}/agenda.pdf", name="pertemuan-agenda-pdf", cache=False, include_in_schema=False)
async def my_agenda_pdf(actor: CurrentActor, slug: FromPath[str]) -> Response[bytes]:
    actor = _participant(actor)
    printed = await schedule_prints.agenda_pdf(actor=actor, slug=slug)
    return Response(
        printed.content,
        media_type=printed.media_type,
        headers={"Content-Disposition": f'attachment; filename="{printed.filename}"'},
    )


@post(
    "/pertemuan/{slug:str}/agenda/{meeting_id:int}/hasil",
    name="pertemuan-hasil",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def rate(
    request: Request, actor: CurrentActor, slug: FromPath[str], meeting_id: FromPath[int]
) -> Redirect:
    actor = _participant(actor)
    values = await read_form(request)
    if values.text("outcome") not in {o.value for o in Outcome}:
        raise InvalidInput.field("outcome", _("pilih salah satu hasil"))
    result = await matching.rate_meeting(
        actor=actor,
        meeting_id=meeting_id,
        data=to_struct({"outcome": values.text("outcome"), "note": values.text("note")}, schemas.OutcomeIn),
    )
    if result.log_deal and actor.role is Role.seller:
        query = urlencode({"event": slug, "buyer_id": result.log_deal["buyer_id"], "meeting_id": meeting_id})
        return Redirect(f"{DEAL_FORM}?{query}", status_code=303)
    pesan = "sepakat" if result.log_deal else "dinilai"
    return Redirect(f"/pertemuan/{slug}/agenda?pesan={pesan}#m-{meeting_id}", status_code=303)


# -- availability -------------------------------------------------------------------------------------------


async def _availability_page(
    actor: Actor,
    event: event_schemas.Event,
    chosen: set[int],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    notice: str = "",
) -> Template:
    return _page(
        "pertemuan/availability.html",
        actor=actor,
        event=event,
        tab="ketersediaan",
        title=_("Ketersediaan — {event}").format(event=event.name),
        sessions=await events.list_sessions(slug=event.slug),
        chosen=chosen,
        errors=errors or {},
        status_code=status_code,
        notice=notice,
    )


@get(
    "/pertemuan/{slug:str}/ketersediaan", name="pertemuan-ketersediaan", cache=False, include_in_schema=False
)
async def availability_form(actor: CurrentActor, slug: FromPath[str], pesan: Choice = None) -> Template:
    actor = _participant(actor)
    event = await _registered_event(actor, slug)
    current = await matching.get_availability(actor=actor, slug=slug)
    return await _availability_page(
        actor, event, set(current.unavailable_slot_ids), notice=_(NOTICES.get(pesan or "", ""))
    )


@post(
    "/pertemuan/{slug:str}/ketersediaan",
    name="pertemuan-ketersediaan-kirim",
    cache=False,
    include_in_schema=False,
    status_code=303,
)
async def availability_save(
    request: Request, actor: CurrentActor, slug: FromPath[str]
) -> Redirect | Template:
    actor = _participant(actor)
    event = await _registered_event(actor, slug)
    values = await read_form(request, lists=("slot",))
    try:
        data = to_struct({"unavailable_slot_ids": values["slot"]}, schemas.AvailabilityIn)
        await matching.set_availability(actor=actor, slug=slug, data=data)
    except InvalidInput as exc:
        chosen = {int(s) for s in values["slot"] if s.isdigit()}
        errors = {FORM_ERROR: exc.errors[0].message if exc.errors else exc.detail}
        return await _availability_page(actor, event, chosen, errors=errors, status_code=exc.status)
    return Redirect(f"/pertemuan/{slug}/ketersediaan?pesan=tersimpan", status_code=303)


HANDLERS = [
    my_events, event_catalog, request_new, request_create, my_requests, request_answer, request_cancel, my_agenda,
    my_agenda_pdf, rate, availability_form, availability_save,
]  # fmt: skip
