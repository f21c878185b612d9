"""Deal-ledger pages: a pesantren logs and follows its deals, a buyer confirms or disputes and registers interest,
Dinas staff verify, record realisations, chase follow-ups and download reports — all through the deal services."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, QueryParameter
from litestar.response import File, Redirect, Template

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor, require_role
from opop_events.api import CurrentActor
from opop_events.catalog import services as catalog
from opop_events.catalog.enums import BUYER_TYPE_LABELS, Category
from opop_events.core.dates import WIB, now_utc, parse_local_datetime
from opop_events.core.errors import AppError, Conflict, FieldError, Forbidden, InvalidInput
from opop_events.core.money import format_quantity, format_rupiah
from opop_events.core.pagination import Page, offset
from opop_events.deals import schemas
from opop_events.deals import services as deals
from opop_events.deals.enums import (
    KIND_LABELS,
    STATE_LABELS,
    DealAction,
    DealKind,
    DealState,
    RealisationKind,
)
from opop_events.deals.rules import review_threshold_rp
from opop_events.events import services as events
from opop_events.web.forms import (
    FORM_ERROR,
    FormValues,
    field_errors,
    quantity_text,
    raise_all,
    read_form,
    rupiah_field,
    to_struct,
)
from opop_events.web.rendering import page, pager

MAX_LINES = 20
Flag = Annotated[str | None, QueryParameter(max_length=4)]
StateFilter = Annotated[str | None, QueryParameter(max_length=20)]
PageNo = Annotated[int, QueryParameter(ge=1, le=100_000)]
LINE_FIELDS = ("product_id", "description", "category", "quantity", "unit_price_rp")
BUYER_FIELDS = ("name", "buyer_type", "whatsapp")
_LINE_PATH = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
KINDS = [(k.value, KIND_LABELS[k]) for k in DealKind]
REALISATION_KINDS = [(RealisationKind.pembayaran.value, "Pembayaran"), (RealisationKind.pengiriman.value, "Pengiriman")]


def _seller(actor: Actor | None) -> Actor:
    actor = require_role(actor, Role.seller)
    if actor.pesantren_id is None:
        raise Forbidden("Akun ini tidak terhubung ke pesantren.")
    return actor


def _today() -> date:
    return now_utc().astimezone(WIB).date()


def _form_key(values: FormValues | dict[str, Any]) -> str:
    """The one-time key of this form: kept when the form comes back (errors, "tambah baris"), new otherwise."""
    key = str(values.get("form_key", ""))
    return key if re.fullmatch(r"[A-Za-z0-9_-]{16,64}", key) else secrets.token_urlsafe(18)


def _line_count(values: FormValues | dict[str, Any]) -> int:
    text = str(values.get("baris", "1"))
    return max(1, min(MAX_LINES, int(text))) if text.isdigit() else 1


# -- reading the lines of a deal form ------------------------------------------------------------------------


def _lines_from_form(values: FormValues) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The filled lines as LineIn dicts, and which form row each came from (errors are shown on that row)."""
    lines: list[dict[str, Any]] = []
    rows: dict[int, int] = {}
    errors: list[FieldError] = []
    for i in range(_line_count(values)):
        name = f"lines[{i}]"
        texts = {f: values.text(f"{name}.{f}") for f in LINE_FIELDS}
        if not any(texts.values()):
            continue
        line: dict[str, Any] = {"quantity": quantity_text(values, f"{name}.quantity") or ""}
        if not line["quantity"]:
            errors.append(FieldError(field=f"{name}.quantity", message="wajib diisi"))
        if texts["product_id"]:
            if not texts["product_id"].isdigit():
                errors.append(FieldError(field=f"{name}.product_id", message="pilih dari daftar"))
            else:
                line["product_id"] = int(texts["product_id"])
        elif not texts["description"]:
            errors.append(FieldError(field=f"{name}.description", message="pilih produk atau tulis uraian"))
        if texts["description"]:
            line["description"] = texts["description"]
        if values.text(f"{name}.unit"):  # kept by forms that carry a line's own unit (confirming an interest)
            line["unit"] = values.text(f"{name}.unit")
        if texts["category"]:
            line["category"] = texts["category"]
        elif not texts["product_id"]:
            errors.append(FieldError(field=f"{name}.category", message="pilih kategori untuk barang di luar daftar"))
        try:
            price = rupiah_field(values, f"{name}.unit_price_rp", required=not texts["product_id"])
        except InvalidInput as exc:
            errors += exc.errors
        else:
            if price is not None:
                line["unit_price_rp"] = price
        rows[len(lines)] = i
        lines.append(line)
    if not lines and not errors:
        errors.append(FieldError(field="lines[0].quantity", message="isi paling sedikit satu baris"))
    raise_all(errors)
    return lines, rows


def _on_form_rows(exc: AppError, rows: dict[int, int]) -> AppError:
    """Domain errors name lines by their position among the filled lines; the page names them by form row."""
    def renamed(field: str) -> str:
        match = _LINE_PATH.match(field)
        if match and int(match.group(1)) in rows:
            return f"lines[{rows[int(match.group(1))]}].{match.group(2)}"
        return "lines[0].quantity" if field == "lines" else field

    exc.errors = [FieldError(field=renamed(e.field), message=e.message) for e in exc.errors]
    return exc


def _known_fields(count: int) -> set[str]:
    names = {"event_slug", "buyer_id", "kind", "deal_date", "note", "version"}
    names |= {f"new_buyer.{f}" for f in BUYER_FIELDS}
    names |= {f"lines[{i}].{f}" for i in range(count) for f in LINE_FIELDS}
    return names


def _deal_values(deal: schemas.Deal, terms: schemas.Offer | None = None) -> dict[str, Any]:
    """The form values of the deal's terms (or of `terms`, a pending proposal its author revises)."""
    source: schemas.Deal | schemas.Offer = terms or deal
    values: dict[str, Any] = {
        "kind": source.kind.value,
        "deal_date": source.deal_date.isoformat(),
        "note": source.note,
        "version": str(deal.version),
        "baris": str(len(source.lines) or 1),
    }
    for i, line in enumerate(source.lines):
        values[f"lines[{i}].product_id"] = str(line.product_id or "")
        values[f"lines[{i}].description"] = "" if line.product_id else line.description
        values[f"lines[{i}].category"] = "" if line.product_id else line.category.value
        values[f"lines[{i}].quantity"] = format_quantity(line.quantity)
        values[f"lines[{i}].unit_price_rp"] = f"{line.unit_price_rp:,}".replace(",", ".")
        values[f"lines[{i}].unit"] = line.unit
    return values


# -- the "Catat transaksi" form --------------------------------------------------------------------------------


async def _form_context(pesantren_id: int) -> dict[str, Any]:
    products = await catalog.list_products(pesantren_id=pesantren_id, per_page=200)
    return {
        "kinds": KINDS,
        "categories": [(c.value, c.label) for c in Category],
        "buyer_types": [(t.value, label) for t, label in BUYER_TYPE_LABELS.items()],
        "products": [(p.id, f"{p.name} · {format_rupiah(p.price_rp)}/{p.unit}") for p in products.items],
        "max_lines": MAX_LINES,
    }


async def _new_form(actor: Actor, values: dict[str, Any], *, status_code: int = 200,
                    errors: dict[str, str] | None = None) -> Template:
    pesantren_id = _logging_for(actor, values)
    choices = await deals.deal_form_choices(pesantren_id=pesantren_id)
    if len(choices) == 1:
        values.setdefault("event_slug", choices[0][0])
    values.setdefault("kind", DealKind.transaksi.value)
    values.setdefault("deal_date", _today().isoformat())
    values["form_key"] = _form_key(values)
    values["baris"] = str(_line_count(values))
    return page(
        "transaksi/form.html",
        actor=actor,
        title="Catat transaksi",
        section="transaksi",
        status_code=status_code,
        deal=None,
        values=values,
        errors=errors or {},
        events=[(slug, name) for slug, name, _ in choices],
        buyer_groups=[(name, buyers) for _, name, buyers in choices if buyers],
        multi_event=len(choices) > 1,
        on_behalf=await catalog.get_pesantren(pesantren_id=pesantren_id) if actor.is_admin else None,
        **await _form_context(pesantren_id),
    )


def _logger(actor: Actor | None) -> Actor:
    """Who may open the "Catat transaksi" form: a pesantren's account, or Dinas logging for a pesantren (a deal
    reported by phone or WhatsApp)."""
    actor = require_role(actor, Role.seller, Role.admin)
    return actor if actor.is_admin else _seller(actor)


def _logging_for(actor: Actor, values: dict[str, Any]) -> int:
    """The pesantren the form logs for: the seller's own; for Dinas the one it chose (`pesantren_id`)."""
    if not actor.is_admin:
        return actor.pesantren_id or 0
    chosen = str(values.get("pesantren_id", ""))
    if not chosen.isdigit():
        raise InvalidInput.field("pesantren_id", "pilih pesantren yang transaksinya dicatat")
    return int(chosen)


@get("/transaksi/baru", name="transaksi-baru", cache=False, include_in_schema=False)
async def deal_new(
    request: Request,
    actor: CurrentActor,
    event: Annotated[str | None, QueryParameter(max_length=80)] = None,
    buyer_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    meeting_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    pesantren: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    cari: Annotated[str | None, QueryParameter(max_length=100)] = None,
    halaman: PageNo = 1,
) -> Template:
    """The empty form; after a "sepakat" meeting it comes prefilled with the event, the buyer and the meeting.
    Dinas first picks the pesantren it logs for (search by name)."""
    actor = _logger(actor)
    if actor.is_admin and pesantren is None:
        found = await catalog.list_pesantren(q=cari or None, page=halaman, per_page=30)
        return page(
            "transaksi/pilih_pesantren.html", actor=actor, title="Catat transaksi untuk pesantren",
            section="transaksi", found=found.items, total=found.total, pager=pager(request, found), cari=cari or "",
        )
    prefill = {"event_slug": event, "buyer_id": buyer_id, "meeting_id": meeting_id, "pesantren_id": pesantren}
    return await _new_form(actor, FormValues({k: str(v) for k, v in prefill.items() if v is not None}))


def _buyer_part(values: FormValues) -> dict[str, Any]:
    chosen = values.text("buyer_id")
    if chosen and chosen != "baru":
        if not chosen.isdigit():
            raise InvalidInput.field("buyer_id", "pilih dari daftar")
        return {"buyer_id": int(chosen)}
    if not values.text("new_buyer.name"):
        field = "new_buyer.name" if chosen == "baru" else "buyer_id"
        raise InvalidInput.field(field, "pilih pembeli atau isi nama pembeli baru")
    errors = [] if values.text("new_buyer.buyer_type") else [
        FieldError(field="new_buyer.buyer_type", message="pilih jenis pembeli")
    ]
    raise_all(errors)
    return {
        "new_buyer": {
            "name": values.text("new_buyer.name"),
            "buyer_type": values.text("new_buyer.buyer_type"),
            "whatsapp": values.text("new_buyer.whatsapp"),
        }
    }


@post("/transaksi/baru", name="transaksi-baru-kirim", cache=False, include_in_schema=False, status_code=303)
async def deal_create(request: Request, actor: CurrentActor) -> Redirect | Template:
    actor = _logger(actor)
    values = await read_form(request)
    on_behalf = {"pesantren_id": _logging_for(actor, values)} if actor.is_admin else {}
    if values.get("aksi") == "tambah":  # "+ Tambah baris" without JavaScript: the same form, one row more
        values["baris"] = str(min(MAX_LINES, _line_count(values) + 1))
        return await _new_form(actor, values)
    rows: dict[int, int] = {}
    try:
        errors: list[FieldError] = []
        for name in ("event_slug", "kind", "deal_date"):
            if not values.text(name):
                errors.append(FieldError(field=name, message="wajib diisi"))
        buyer: dict[str, Any] = {}
        try:
            buyer = _buyer_part(values)
        except InvalidInput as exc:
            errors += exc.errors
        try:
            lines, rows = _lines_from_form(values)
        except InvalidInput as exc:
            errors += exc.errors
        raise_all(errors)
        data = to_struct(
            {
                "event_slug": values.text("event_slug"),
                "kind": values.text("kind"),
                "deal_date": values.text("deal_date"),
                "lines": lines,
                "note": values.text("note"),
                **buyer,
                **on_behalf,
                **({"meeting_id": int(values.text("meeting_id"))} if values.text("meeting_id").isdigit() else {}),
            },
            schemas.DealCreate,
        )
        key = values.text("form_key")
        if not key:
            raise InvalidInput.field(FORM_ERROR, "formulir tidak lengkap; muat ulang halaman lalu isi lagi")
        deal_id, created = await deals.create_once(
            scope=f"user:{actor.user_id}", key=key, create=lambda: deals.log_deal(actor=actor, data=data)
        )
    except (InvalidInput, Conflict) as exc:
        errors_map = field_errors(_on_form_rows(exc, rows), known=_known_fields(_line_count(values)))
        return await _new_form(actor, values, status_code=exc.status, errors=errors_map)
    return Redirect(f"/transaksi/{deal_id}?{'baru' if created else 'sudah'}=1", status_code=303)


# -- lists -------------------------------------------------------------------------------------------------


def _state(value: str | None) -> DealState | None:
    return DealState(value) if value in {s.value for s in DealState} else None


EventFilter = Annotated[str | None, QueryParameter(max_length=80)]

_LIST_TITLES = {Role.seller: "Transaksi saya", Role.buyer: "Transaksi saya", Role.organizer: "Transaksi acara saya",
                Role.admin: "Semua transaksi"}


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
        title=_LIST_TITLES[actor.role],
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
        title=f"Transaksi {deal.number}",
        section="dinas" if actor.is_admin else "transaksi",
        status_code=status_code,
        deal=deal,
        kind_label=KIND_LABELS[deal.kind],
        history=list(reversed(entries)),
        realisations=realisations,
        realisation_kinds=REALISATION_KINDS,
        can=set(deal.allowed_actions),
        can_link=can_link,
        link=link,
        notice=notice,
        errors=errors or {},
        values={"realisasi.realised_on": _today().isoformat(), **_confirm_defaults(deal), **(values or {})},
        state_labels=STATE_LABELS,
    )


def _confirm_defaults(deal: schemas.Deal) -> dict[str, Any]:
    """The lines on the table, as the answering side's confirm form starts them (the pesantren answering an
    interest, the buyer answering a logged deal)."""
    if deal.state not in (DealState.minat, DealState.dicatat):
        return {}
    return {f"konfirmasi.{k}": v for k, v in _deal_values(deal).items() if k.startswith(("lines[", "baris"))}


_NOTICES = {
    "baru": "Transaksi tercatat. Kirim tautan konfirmasi ke pembeli agar transaksi terhitung.",
    "minat": "Minat beli terkirim. Pesantren akan menanggapinya; transaksi terhitung setelah pesantren mengonfirmasi.",
    "sudah": "Formulir ini sudah terkirim sebelumnya; transaksi tidak dicatat dua kali.",
    "ok": "Perubahan tersimpan.",
    "konfirmasi": "Transaksi dikonfirmasi dan kini terhitung.",
    "tawar": "Penawaran balik terkirim. Transaksi baru terhitung setelah pihak lain menyetujui syarat baru ini.",
    "usul": "Usulan perubahan terkirim. Nilai yang sudah disepakati tetap terhitung sampai pihak lain menyetujuinya.",
}


@get("/transaksi/{deal_id:int}", name="transaksi-detail", cache=False, include_in_schema=False)
async def deal_detail(
    actor: CurrentActor, deal_id: FromPath[int], baru: Flag = None, sudah: Flag = None, ok: Flag = None,
    minat: Flag = None, tawar: Flag = None, usul: Flag = None, konfirmasi: Flag = None,
) -> Template:
    actor = require_actor(actor)
    flags = {"baru": baru, "minat": minat, "sudah": sudah, "ok": ok, "tawar": tawar, "usul": usul,
             "konfirmasi": konfirmasi}
    notice = next((text for flag, text in _NOTICES.items() if flags[flag]), "")
    return await _deal_page(actor, deal_id, notice=notice)


def _version(values: FormValues) -> int:
    text = values.text("version")
    if not text.isdigit():
        raise InvalidInput.field(FORM_ERROR, "formulir tidak lengkap; muat ulang halaman lalu coba lagi")
    return int(text)


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
        errors = [FieldError(field=n, message="wajib diisi") for n in ("kind", "realised_on") if not values.text(n)]
        amount = None
        try:
            amount = rupiah_field(values, "amount_rp")
        except InvalidInput as exc:
            errors += exc.errors
        raise_all(errors)
        data = to_struct(
            {"kind": values.text("kind"), "realised_on": values.text("realised_on"), "amount_rp": amount,
             "note": values.text("note")},
            schemas.RealisationCreate,
        )
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


# -- amend -------------------------------------------------------------------------------------------------


async def _amend_form(actor: Actor, deal: schemas.Deal, values: dict[str, Any], *, status_code: int = 200,
                      errors: dict[str, str] | None = None) -> Template:
    values["baris"] = str(_line_count(values))
    values["form_key"] = ""
    return page(
        "transaksi/form.html",
        actor=actor,
        title=f"Ubah transaksi {deal.number}",
        section="transaksi",
        status_code=status_code,
        deal=deal,
        values=values,
        errors=errors or {},
        events=[],
        buyer_groups=[],
        multi_event=False,
        on_behalf=None,
        **await _form_context(deal.pesantren.id),
    )


async def _amendable(actor: Actor | None, deal_id: int) -> tuple[Actor, schemas.Deal]:
    actor = require_actor(actor)
    deal = await deals.get_deal(actor=actor, deal_id=deal_id)
    if DealAction.ubah not in deal.allowed_actions and DealAction.ajukan_ubah not in deal.allowed_actions:
        raise Conflict(f"Transaksi {deal.number} berstatus {deal.state_label.lower()} dan tidak bisa diubah.")
    return actor, deal


@get("/transaksi/{deal_id:int}/ubah", name="transaksi-ubah", cache=False, include_in_schema=False)
async def deal_edit(actor: CurrentActor, deal_id: FromPath[int]) -> Template:
    actor, deal = await _amendable(actor, deal_id)
    return await _amend_form(actor, deal, _deal_values(deal, terms=deal.offer))


@post("/transaksi/{deal_id:int}/ubah", name="transaksi-ubah-kirim", cache=False, include_in_schema=False,
      status_code=303)
async def deal_amend(request: Request, actor: CurrentActor, deal_id: FromPath[int]) -> Redirect | Template:
    actor, deal = await _amendable(actor, deal_id)
    values = await read_form(request)
    if values.get("aksi") == "tambah":
        values["baris"] = str(min(MAX_LINES, _line_count(values) + 1))
        return await _amend_form(actor, deal, values)
    rows: dict[int, int] = {}
    try:
        errors = [FieldError(field=n, message="wajib diisi") for n in ("kind", "deal_date") if not values.text(n)]
        try:
            lines, rows = _lines_from_form(values)
        except InvalidInput as exc:
            errors += exc.errors
        raise_all(errors)
        data = to_struct(
            {"version": _version(values), "kind": values.text("kind"), "deal_date": values.text("deal_date"),
             "lines": lines, "note": values.text("note")},
            schemas.DealAmend,
        )
        amended = await deals.amend(actor=actor, deal_id=deal_id, data=data)
    except (InvalidInput, Conflict) as exc:
        errors_map = field_errors(_on_form_rows(exc, rows), known=_known_fields(_line_count(values)))
        return await _amend_form(actor, deal, values, status_code=exc.status, errors=errors_map)
    flag = "usul" if amended.state is DealState.perubahan else "ok"
    return Redirect(f"/transaksi/{deal_id}?{flag}=1", status_code=303)


# -- buyer: interest (minat beli) ------------------------------------------------------------------------------


async def _interest_form(actor: Actor, product_id: int, values: dict[str, Any], *, status_code: int = 200,
                         errors: dict[str, str] | None = None) -> Template:
    product = await catalog.get_product(product_id=product_id)
    choices = await deals.interest_events(pesantren_id=product.pesantren_id)
    if len(choices) == 1:
        values.setdefault("event_slug", choices[0][0])
    values.setdefault("kind", DealKind.kontrak.value)
    values["form_key"] = _form_key(values)
    return page(
        "transaksi/minat.html",
        actor=actor,
        title="Ajukan minat beli",
        section="transaksi",
        status_code=status_code,
        product=product,
        events=choices,
        kinds=KINDS,
        values=values,
        errors=errors or {},
    )


@get("/transaksi/minat/{product_id:int}", name="minat-baru", cache=False, include_in_schema=False)
async def interest_new(actor: CurrentActor, product_id: FromPath[int]) -> Template:
    actor = require_role(actor, Role.buyer)
    return await _interest_form(actor, product_id, {"quantity": ""})


@post("/transaksi/minat/{product_id:int}", name="minat-kirim", cache=False, include_in_schema=False,
      status_code=303)
async def interest_create(request: Request, actor: CurrentActor, product_id: FromPath[int]) -> Redirect | Template:
    actor = require_role(actor, Role.buyer)
    values = await read_form(request)
    product = await catalog.get_product(product_id=product_id)
    try:
        errors = [FieldError(field=n, message="wajib diisi") for n in ("event_slug", "quantity") if not values.text(n)]
        raise_all(errors)
        data = to_struct(
            {
                "event_slug": values.text("event_slug"),
                "pesantren_id": product.pesantren_id,
                "kind": values.text("kind") or DealKind.kontrak.value,
                "lines": [{"product_id": product.id, "quantity": quantity_text(values, "quantity")}],
                "note": values.text("note"),
            },
            schemas.InterestCreate,
        )
        key = values.text("form_key") or secrets.token_urlsafe(18)
        deal_id, created = await deals.create_once(
            scope=f"user:{actor.user_id}", key=key, create=lambda: deals.register_interest(actor=actor, data=data)
        )
    except (InvalidInput, Conflict) as exc:
        exc.errors = [
            FieldError(field="quantity" if e.field.startswith("lines") else e.field, message=e.message)
            for e in exc.errors
        ]
        errors_map = field_errors(exc, known={"event_slug", "quantity", "kind", "note", "pesantren_id"})
        return await _interest_form(actor, product_id, values, status_code=exc.status, errors=errors_map)
    return Redirect(f"/transaksi/{deal_id}?{'minat' if created else 'sudah'}=1", status_code=303)


# -- Dinas: verification queue, follow-up, reports ------------------------------------------------------------------


@get("/dinas/verifikasi", name="dinas-verifikasi", cache=False, include_in_schema=False)
async def verification_queue(request: Request, actor: CurrentActor, halaman: PageNo = 1, ok: Flag = None) -> Template:
    actor = require_role(actor, Role.admin)
    result = await deals.list_deals(actor=actor, state=DealState.dikonfirmasi, page=halaman, per_page=30)
    return page(
        "transaksi/verifikasi.html",
        actor=actor,
        title="Antrean verifikasi",
        section="dinas",
        deals=result.items,
        total=result.total,
        pager=pager(request, result),
        notice="Transaksi diverifikasi." if ok else "",
        review_threshold=review_threshold_rp(),
    )


@get("/dinas/tindak-lanjut", name="dinas-tindak-lanjut", cache=False, include_in_schema=False)
async def follow_up_list(
    request: Request, actor: CurrentActor, hari: Annotated[int, QueryParameter(ge=1, le=3650)] = 30,
    acara: EventFilter = None, halaman: PageNo = 1,
) -> Template:
    """Deals to chase, oldest first, 50 a page, for one event or all; the value still open is summed."""
    actor = require_role(actor, Role.admin)
    days = hari if hari in (30, 60, 90) else 30
    event_choices = [(e.slug, e.name) for e in (await events.list_events(per_page=200)).items]
    event_slug = acara if acara in {slug for slug, _ in event_choices} else None
    items = await deals.follow_up(actor=actor, days=days, event_slug=event_slug)
    per_page = 50
    shown = Page(items=items[offset(halaman, per_page):][:per_page], total=len(items), page=halaman, per_page=per_page)
    return page(
        "transaksi/tindak_lanjut.html",
        actor=actor,
        title="Tindak lanjut realisasi",
        section="dinas",
        items=shown.items,
        total=len(items),
        total_rp=sum(item.deal.total_rp for item in items),
        pager=pager(request, shown, {"hari": days, "acara": event_slug}),
        days=days,
        events=event_choices,
        current_event=event_slug or "",
    )


async def _report_form(actor: Actor, values: dict[str, Any], *, status_code: int = 200,
                       errors: dict[str, str] | None = None) -> Template:
    found = await events.list_events(per_page=200)
    years = sorted({e.starts_on.year for e in found.items}, reverse=True) or [_today().year]
    values.setdefault("lingkup", "acara")
    values.setdefault("format", "xlsx")
    return page(
        "transaksi/laporan.html",
        actor=actor,
        title="Unduh laporan",
        section="dinas",
        status_code=status_code,
        event_options=[(e.slug, e.name) for e in found.items],
        year_options=[(y, y) for y in years],
        formats=[("xlsx", "Excel (xlsx)"), ("pdf", "PDF"), ("csv", "CSV")],
        values=values,
        errors=errors or {},
    )


@get("/dinas/laporan", name="dinas-laporan", cache=False, include_in_schema=False)
async def report_form(actor: CurrentActor) -> Template:
    return await _report_form(require_role(actor, Role.admin), {})


Short = Annotated[str | None, QueryParameter(max_length=80)]


@get("/dinas/laporan/unduh", name="dinas-laporan-unduh", cache=False, include_in_schema=False)
async def report_download(
    actor: CurrentActor, lingkup: Short = None, acara: Short = None, tahun: Short = None, format: Short = None,
    per: Short = None,
) -> File | Template:
    actor = require_role(actor, Role.admin)
    values = {"lingkup": lingkup or "acara", "acara": acara or "", "tahun": tahun or "", "format": format or "xlsx",
              "per": per or ""}
    errors: dict[str, str] = {}
    slug = year = as_of = None
    if values["lingkup"] == "tahun":
        if not values["tahun"].isdigit() or not 2018 <= int(values["tahun"]) <= 2100:
            errors["tahun"] = "pilih tahun program 2018–2100"
        else:
            year = int(values["tahun"])
    elif not values["acara"]:
        errors["acara"] = "pilih acara"
    else:
        slug = values["acara"]
    if values["format"] not in ("xlsx", "pdf", "csv"):
        errors["format"] = "pilih xlsx, pdf atau csv"
    if values["per"]:
        try:
            as_of = parse_local_datetime(values["per"])
        except ValueError:
            errors["per"] = "bukan waktu yang sah; contoh 2020-12-09 16:00"
    if errors:
        return await _report_form(actor, values, status_code=422, errors=errors)
    try:
        report = await _render_report(actor, values["format"], slug, year, as_of)
    except InvalidInput as exc:
        return await _report_form(actor, values, status_code=422, errors=field_errors(exc))
    return File(
        path=report.path,
        filename=report.filename,
        media_type=report.content_type,
        background=BackgroundTask(report.path.unlink, missing_ok=True),
    )


async def _render_report(actor: Actor, fmt: str, slug: str | None, year: int | None, as_of: datetime | None) -> Any:
    from opop_events.reports import services as reports  # exporters load their libraries on first use

    return await reports.render_for(actor=actor, fmt=fmt, slug=slug, year=year, as_of=as_of)


# -- Dinas: Excel import -------------------------------------------------------------------------------------


MAX_WORKBOOK_BYTES = 10 * 1024 * 1024


async def _import_page(actor: Actor, *, values: dict[str, Any], status_code: int = 200, result: Any = None,
                       errors: dict[str, str] | None = None, filename: str = "") -> Template:
    found = await events.list_my_events(actor=actor, per_page=200)
    return page(
        "transaksi/impor.html",
        actor=actor,
        title="Impor Excel",
        section="dinas",
        status_code=status_code,
        event_options=[(e.slug, e.name) for e in found.items],
        values=values,
        errors=errors or {},
        result=result,
        filename=filename,
    )


@get("/dinas/impor", name="dinas-impor", cache=False, include_in_schema=False)
async def import_form(actor: CurrentActor) -> Template:
    return await _import_page(require_role(actor, Role.admin), values={"dry_run": "1"})


@post("/dinas/impor", name="dinas-impor-kirim", cache=False, include_in_schema=False, status_code=200,
      request_max_body_size=MAX_WORKBOOK_BYTES + 64 * 1024)
async def import_upload(request: Request, actor: CurrentActor) -> Template:
    """Upload a Dinas workbook into an event; a dry run checks everything and writes nothing."""
    from litestar.datastructures import UploadFile

    from opop_events.catalog.importing.service import display_name, import_workbook

    actor = require_role(actor, Role.admin)
    form = await request.form()
    upload = form.get("berkas")
    values = {"event_slug": str(form.get("event_slug", "")), "dry_run": "1" if form.get("dry_run") else ""}
    errors: dict[str, str] = {}
    if not values["event_slug"]:
        errors["event_slug"] = "pilih acara"
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    if not content:
        errors["berkas"] = "pilih berkas Excel (.xlsx)"
    elif len(content) > MAX_WORKBOOK_BYTES:
        errors["berkas"] = "berkas lebih dari 10 MB"
    if errors:
        return await _import_page(actor, values=values, status_code=422, errors=errors)
    assert isinstance(upload, UploadFile)
    try:
        result = await import_workbook(actor=actor, event_slug=values["event_slug"], content=content,
                                       filename=upload.filename or "berkas.xlsx", dry_run=bool(values["dry_run"]))
    except InvalidInput as exc:
        return await _import_page(actor, values=values, status_code=422, errors=field_errors(exc))
    return await _import_page(actor, values=values, status_code=200 if result.ok else 422, result=result,
                              filename=display_name(upload.filename or "berkas.xlsx"))


HANDLERS = [
    deal_new, deal_create, deal_list, deal_detail, deal_confirm, deal_dispute, deal_cancel, deal_decline_change,
    deal_verify,
    deal_send_back, realisation_create, realisation_void, deal_link, deal_edit, deal_amend, interest_new,
    interest_create, verification_queue, follow_up_list, report_form, report_download, import_form, import_upload,
]  # fmt: skip
