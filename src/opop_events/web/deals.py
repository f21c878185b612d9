"""Deal pages: the lists each role sees, one deal with its history, and the actions on it (confirm or counter,
dispute, decline a change, verify, send back, cancel, realisations, the WhatsApp link)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.api import CurrentActor
from opop_events.core.dates import today_wib
from opop_events.core.errors import AppError, Conflict, Forbidden, InvalidInput
from opop_events.core.i18n import N_, _
from opop_events.core.money import parse_rupiah
from opop_events.deals import schemas
from opop_events.deals import services as deals
from opop_events.deals.enums import (
    KIND_LABELS,
    STATE_LABELS,
    DealState,
)
from opop_events.events import services as events
from opop_events.web.deal_forms import (
    LINE_FIELDS,
    MAX_LINES,
    REALISATION_KINDS,
    Flag,
    PageNo,
    StateFilter,
    _deal_values,
    _lines_from_form,
    _on_form_rows,
    _version,
)
from opop_events.web.forms import (
    FORM_ERROR,
    FormValues,
    field_errors,
    invalid,
    parse_form,
    read_form,
    to_struct,
)
from opop_events.web.rendering import page, pager

# -- lists -------------------------------------------------------------------------------------------------


def _state(value: str | None) -> DealState | None:
    return DealState(value) if value in {s.value for s in DealState} else None


EventFilter = Annotated[str | None, QueryParameter(max_length=80)]

_LIST_TITLES = {Role.seller: N_("Transaksi saya"), Role.buyer: N_("Transaksi saya"),
                Role.organizer: N_("Transaksi acara saya"), Role.admin: N_("Semua transaksi")}


@get("/transaksi", name="transaksi", cache=False, include_in_schema=False)
async def deal_list(
    request: Request, actor: CurrentActor, status: StateFilter = None, acara: EventFilter = None,
    halaman: PageNo = 1,
) -> Template:
    """The deals the caller may see (the same rule as the API): its own for a pesantren or buyer, those of its
    events for an organizer, all for Dinas — the last two can narrow to one event."""
    actor = require_actor(actor)
    state = _state(status)
    event_choices: list[tuple[str, str]] = []
    if actor.role in (Role.organizer, Role.admin):
        event_choices = [(e.slug, e.name) for e in (await events.list_my_events(actor=actor, per_page=200)).items]
    event_slug = acara if acara in {slug for slug, _ in event_choices} else None
    result = await deals.list_deals(actor=actor, event_slug=event_slug, state=state, page=halaman, per_page=30)
    base = f"/transaksi?{urlencode({'acara': event_slug})}" if event_slug else "/transaksi"
    return page(
        "transaksi/list.html",
        actor=actor,
        title=_(_LIST_TITLES[actor.role]),
        section="transaksi",
        deals=result.items,
        total=result.total,
        pager=pager(request, result, {"acara": event_slug, "status": state.value if state else None}),
        states=[(s.value, STATE_LABELS[s]) for s in DealState],
        current_state=state.value if state else "",
        events=event_choices,
        current_event=event_slug or "",
        base=base,
        joiner="&" if "?" in base else "?",
    )


# -- one deal --------------------------------------------------------------------------------------------


async def _deal_page(actor: Actor, deal_id: int, *, status_code: int = 200, notice: str = "",
                     errors: dict[str, str] | None = None, link: schemas.ConfirmLinkOut | None = None,
                     values: dict[str, Any] | None = None) -> Template:
    deal = await deals.get_deal(actor=actor, deal_id=deal_id)
    entries = await deals.history(actor=actor, deal_id=deal_id)
    realisations = await deals.list_realisations(actor=actor, deal_id=deal_id) if actor.is_admin else []
    sellers_change = deal.state is DealState.perubahan and deal.offer is not None and deal.offer.by == "pesantren"
    can_link = (
        (deal.state is DealState.dicatat or sellers_change)
        and actor.role is Role.seller and actor.pesantren_id == deal.pesantren.id
    )
    return page(
        "transaksi/detail.html",
        actor=actor,
        title=_("Transaksi {number}").format(number=deal.number),
        section="dinas" if actor.is_admin else "transaksi",
        status_code=status_code,
        deal=deal,
        kind_label=_(KIND_LABELS[deal.kind]),
        history=list(reversed(entries)),
        realisations=realisations,
        realisation_kinds=[(kind, _(label)) for kind, label in REALISATION_KINDS],
        can=set(deal.allowed_actions),
        can_link=can_link,
        link=link,
        notice=notice,
        errors=errors or {},
        values={"realisasi.realised_on": today_wib().isoformat(), **_confirm_defaults(deal), **(values or {})},
        state_labels={state: _(label) for state, label in STATE_LABELS.items()},
        realisation_labels={kind: _(label) for kind, label in REALISATION_KINDS},
    )


def _confirm_defaults(deal: schemas.Deal) -> dict[str, Any]:
    """The lines on the table, as the answering side's confirm form starts them (the pesantren answering an
    interest, the buyer answering a logged deal)."""
    if deal.state not in (DealState.minat, DealState.dicatat):
        return {}
    return {f"konfirmasi.{k}": v for k, v in _deal_values(deal).items() if k.startswith(("lines[", "baris"))}


_NOTICES = {
    "baru": N_("Transaksi tercatat. Kirim tautan konfirmasi ke pembeli agar transaksi terhitung."),
    "minat": N_("Minat beli terkirim. Pesantren akan menanggapinya; transaksi terhitung setelah pesantren mengonfirmasi."),
    "sudah": N_("Formulir ini sudah terkirim sebelumnya; transaksi tidak dicatat dua kali."),
    "ok": N_("Perubahan tersimpan."),
    "konfirmasi": N_("Transaksi dikonfirmasi dan kini terhitung."),
    "tawar": N_("Penawaran balik terkirim. Transaksi baru terhitung setelah pihak lain menyetujui syarat baru ini."),
    "usul": N_("Usulan perubahan terkirim. Nilai yang sudah disepakati tetap terhitung sampai pihak lain menyetujuinya."),
}


@get("/transaksi/{deal_id:int}", name="transaksi-detail", cache=False, include_in_schema=False)
async def deal_detail(
    actor: CurrentActor, deal_id: FromPath[int], baru: Flag = None, sudah: Flag = None, ok: Flag = None,
    minat: Flag = None, tawar: Flag = None, usul: Flag = None, konfirmasi: Flag = None,
) -> Template:
    actor = require_actor(actor)
    flags = {"baru": baru, "minat": minat, "sudah": sudah, "ok": ok, "tawar": tawar, "usul": usul,
             "konfirmasi": konfirmasi}
    notice = next((_(text) for flag, text in _NOTICES.items() if flags[flag]), "")
    return await _deal_page(actor, deal_id, notice=notice)




def _back(values: FormValues, deal_id: int, flag: str = "ok") -> str:
    # Only the two lists that post these forms; anything else returns to the deal.
    target = values.text("kembali")
    return f"{target}?ok=1" if target in ("/dinas/verifikasi",) else f"/transaksi/{deal_id}?{flag}=1"


SHARED_FIELDS = ("version", "kembali")
"""Hidden fields every action form on the deal page sends under their plain name; no error is shown next to them."""
FORM_FIELDS = {
    "sanggah": ("reason",),
    "tolak_ubah": ("reason",),
    "batal": ("reason",),
    "kembalikan": ("reason",),
    "realisasi": ("kind", "realised_on", "amount_rp", "note"),
}
"""The visible fields of each action form; the realisation corrections (`koreksi{id}`) have a reason."""


_CONFIRM_LINE_FIELDS = ("baris", *(f"lines[{i}].{f}" for i in range(MAX_LINES) for f in (*LINE_FIELDS, "unit")))
"""A pesantren confirming a buyer's interest may adjust each line's quantity and price first."""


def _form_fields(form: str) -> tuple[str, ...]:
    if form == "konfirmasi":
        return _CONFIRM_LINE_FIELDS
    return ("reason",) if form.startswith("koreksi") else FORM_FIELDS.get(form, ())


def _scoped(values: FormValues, form: str) -> FormValues:
    """The fields one action form sent, under their plain names.

    The deal page holds several forms at once (sanggah, batal, kembalikan, realisasi, one koreksi per
    realisation) and renders them with one `values` and one `errors` map, through macros that use a field's
    name as its id, its value key and its error key. So each form names its visible fields `{form}.{field}`
    (`batal.reason`, `realisasi.amount_rp`, `koreksi12.reason`): ids stay unique on the page and an error lands
    next to the form that caused it. Only those prefixed names are read here: a plain `reason` is not what
    any form sends."""
    prefix = f"{form}."
    own = FormValues({name: values[prefix + name] for name in _form_fields(form) if prefix + name in values})
    own.update({name: values[name] for name in SHARED_FIELDS if name in values})
    return own


async def _act(request: Request, actor: Actor | None, deal_id: int, form: str, run: Any) -> Redirect | Template:
    """Post a deal action; a refusal or bad input comes back on the deal page, next to the form that sent it."""
    actor = require_actor(actor)
    values = _scoped(await read_form(request), form)
    try:
        flag = await run(actor, values)
    except (InvalidInput, Conflict, Forbidden) as exc:
        if isinstance(exc, Forbidden):
            raise
        shown = set(_form_fields(form))
        errors = {f"{form}.{k}" if k != FORM_ERROR else k: v for k, v in field_errors(exc, known=shown).items()}
        if isinstance(exc, Conflict):
            errors = {FORM_ERROR: exc.detail}
        return await _deal_page(actor, deal_id, status_code=exc.status, errors=errors,
                                values={f"{form}.{k}": v for k, v in values.items()})
    return Redirect(_back(values, deal_id, flag or "ok"), status_code=303)


def _reason(values: FormValues) -> dict[str, Any]:
    return {"version": _version(values), "reason": values.text("reason")}


@post("/transaksi/{deal_id:int}/konfirmasi", name="transaksi-konfirmasi", cache=False, include_in_schema=False,
      status_code=303)
async def deal_confirm(request: Request, actor: CurrentActor, deal_id: FromPath[int]) -> Redirect | Template:
    async def run(who: Actor, values: FormValues) -> str:
        if not values.get("baris"):  # a plain "Konfirmasi"
            await deals.confirm(actor=who, deal_id=deal_id, data=schemas.Confirm(version=_version(values)))
            return "konfirmasi"
        lines, rows = _lines_from_form(values)
        data = to_struct({"version": _version(values), "lines": lines}, schemas.Confirm)
        try:
            deal = await deals.confirm(actor=who, deal_id=deal_id, data=data)
        except AppError as exc:
            raise _on_form_rows(exc, rows) from None
        # changed terms go back to the other side as a counter-offer
        return "konfirmasi" if deal.state is DealState.dikonfirmasi else "tawar"

    return await _act(request, actor, deal_id, "konfirmasi", run)


@post("/transaksi/{deal_id:int}/sanggah", name="transaksi-sanggah", cache=False, include_in_schema=False,
      status_code=303)
async def deal_dispute(request: Request, actor: CurrentActor, deal_id: FromPath[int]) -> Redirect | Template:
    async def run(who: Actor, values: FormValues) -> None:
        await deals.dispute(actor=who, deal_id=deal_id, data=to_struct(_reason(values), schemas.ReasonIn))

    return await _act(request, actor, deal_id, "sanggah", run)


@post("/transaksi/{deal_id:int}/batal", name="transaksi-batal", cache=False, include_in_schema=False,
      status_code=303)
async def deal_cancel(request: Request, actor: CurrentActor, deal_id: FromPath[int]) -> Redirect | Template:
    async def run(who: Actor, values: FormValues) -> None:
        await deals.cancel(actor=who, deal_id=deal_id, data=to_struct(_reason(values), schemas.ReasonIn))

    return await _act(request, actor, deal_id, "batal", run)


@post("/transaksi/{deal_id:int}/tolak-ubah", name="transaksi-tolak-ubah", cache=False, include_in_schema=False,
      status_code=303)
async def deal_decline_change(request: Request, actor: CurrentActor, deal_id: FromPath[int]) -> Redirect | Template:
    async def run(who: Actor, values: FormValues) -> None:
        await deals.decline_change(actor=who, deal_id=deal_id, data=to_struct(_reason(values), schemas.ReasonIn))

    return await _act(request, actor, deal_id, "tolak_ubah", run)


@post("/transaksi/{deal_id:int}/verifikasi", name="transaksi-verifikasi", cache=False, include_in_schema=False,
      status_code=303)
async def deal_verify(request: Request, actor: CurrentActor, deal_id: FromPath[int]) -> Redirect | Template:
    async def run(who: Actor, values: FormValues) -> None:
        await deals.verify(actor=who, deal_id=deal_id, data=schemas.VersionIn(version=_version(values)))

    return await _act(request, actor, deal_id, "verifikasi", run)


@post("/transaksi/{deal_id:int}/kembalikan", name="transaksi-kembalikan", cache=False, include_in_schema=False,
      status_code=303)
async def deal_send_back(request: Request, actor: CurrentActor, deal_id: FromPath[int]) -> Redirect | Template:
    async def run(who: Actor, values: FormValues) -> None:
        await deals.send_back(actor=who, deal_id=deal_id, data=to_struct(_reason(values), schemas.ReasonIn))

    return await _act(request, actor, deal_id, "kembalikan", run)


@post("/transaksi/{deal_id:int}/realisasi", name="transaksi-realisasi", cache=False, include_in_schema=False,
      status_code=303)
async def realisation_create(request: Request, actor: CurrentActor, deal_id: FromPath[int]) -> Redirect | Template:
    async def run(who: Actor, values: FormValues) -> None:
        data, errors = parse_form(schemas.RealisationCreate, values, convert={"amount_rp": parse_rupiah})
        if data is None:
            raise invalid(errors)
        await deals.record_realisation(actor=who, deal_id=deal_id, data=data)

    return await _act(request, actor, deal_id, "realisasi", run)


@post("/transaksi/{deal_id:int}/realisasi/{realisation_id:int}/koreksi", name="realisasi-koreksi", cache=False,
      include_in_schema=False, status_code=303)
async def realisation_void(
    request: Request, actor: CurrentActor, deal_id: FromPath[int], realisation_id: FromPath[int]
) -> Redirect | Template:
    async def run(who: Actor, values: FormValues) -> None:
        data = to_struct({"reason": values.text("reason")}, schemas.RealisationVoid)
        await deals.void_realisation(actor=who, deal_id=deal_id, realisation_id=realisation_id, data=data)

    return await _act(request, actor, deal_id, f"koreksi{realisation_id}", run)


@post("/transaksi/{deal_id:int}/tautan", name="transaksi-tautan", cache=False, include_in_schema=False,
      status_code=200)
async def deal_link(actor: CurrentActor, deal_id: FromPath[int]) -> Template:
    """The signed link is shown once, on this response (it is not stored in readable form)."""
    actor = require_actor(actor)
    try:
        link = await deals.create_confirm_link(actor=actor, deal_id=deal_id)
    except Conflict as exc:
        return await _deal_page(actor, deal_id, status_code=409, errors={FORM_ERROR: exc.detail})
    return await _deal_page(actor, deal_id, link=link)


HANDLERS = [
    deal_list, deal_detail, deal_confirm, deal_dispute, deal_cancel, deal_decline_change, deal_verify,
    deal_send_back, realisation_create, realisation_void, deal_link,
]  # fmt: skip
