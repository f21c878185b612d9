"""The deal forms: "Catat transaksi" (a pesantren, or Dinas for one), changing or proposing a change to a
deal, a buyer's interest — read into the same schemas the API uses, errors shown beside the fields."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor, require_role
from opop_events.api import CurrentActor
from opop_events.catalog import services as catalog
from opop_events.catalog.enums import BUYER_TYPE_LABELS, Category
from opop_events.core.dates import today_wib
from opop_events.core.errors import AppError, Conflict, FieldError, Forbidden, InvalidInput
from opop_events.core.i18n import N_, _
from opop_events.core.money import format_quantity, format_rupiah, parse_rupiah
from opop_events.deals import schemas
from opop_events.deals import services as deals
from opop_events.deals.enums import (
    KIND_LABELS,
    DealAction,
    DealKind,
    DealState,
    RealisationKind,
)
from opop_events.idempotency.store import create_once
from opop_events.web.forms import (
    FORM_ERROR,
    FormValues,
    field_errors,
    filled_rows,
    id_quantity,
    invalid,
    parse_form,
    quantity_text,
    read_form,
)
from opop_events.web.rendering import page, pager

T = TypeVar("T")
MAX_LINES = 20
Flag = Annotated[str | None, QueryParameter(max_length=4)]
StateFilter = Annotated[str | None, QueryParameter(max_length=20)]
PageNo = Annotated[int, QueryParameter(ge=1, le=100_000)]
LINE_FIELDS = ("product_id", "description", "category", "quantity", "unit_price_rp")
BUYER_FIELDS = ("name", "buyer_type", "whatsapp")
_LINE_PATH = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
KINDS = [(k.value, KIND_LABELS[k]) for k in DealKind]
REALISATION_KINDS = [
    (RealisationKind.pembayaran.value, N_("Pembayaran")), (RealisationKind.pengiriman.value, N_("Pengiriman"))
]


def _seller(actor: Actor | None) -> Actor:
    actor = require_role(actor, Role.seller)
    if actor.pesantren_id is None:
        raise Forbidden(_("Akun ini tidak terhubung ke pesantren."))
    return actor


def _form_key(values: FormValues | dict[str, Any]) -> str:
    """The one-time key of this form: kept when the form comes back (errors, "tambah baris"), new otherwise."""
    key = str(values.get("form_key", ""))
    return key if re.fullmatch(r"[A-Za-z0-9_-]{16,64}", key) else secrets.token_urlsafe(18)


def _line_count(values: FormValues | dict[str, Any]) -> int:
    text = str(values.get("baris", "1"))
    return max(1, min(MAX_LINES, int(text))) if text.isdigit() else 1


# -- reading a deal form into its schema ------------------------------------------------------------------


class _LineRows(msgspec.Struct):
    """Only the lines of a deal form (the confirming form adjusts them alone)."""

    lines: schemas.Lines


LINE_RULES: dict[str, Any] = {
    "convert": {"quantity": id_quantity, "unit_price_rp": parse_rupiah},
    "choices": {"product_id": N_("pilih dari daftar"), "buyer_id": N_("pilih dari daftar")},
    "ignore": ("unit",),  # a line's own unit is a hidden field: alone it does not fill a row
}


def _line_rules(values: FormValues, rows: list[int]) -> dict[str, str]:
    """What a line needs beyond its schema: a product from the list, or a description with a category and a
    price; and at least one line."""
    errors: dict[str, str] = {}
    for i in rows:
        name = f"lines[{i}]"
        if values.text(f"{name}.product_id"):
            continue
        if not values.text(f"{name}.description"):
            errors[f"{name}.description"] = _("pilih produk atau tulis uraian")
        if not values.text(f"{name}.category"):
            errors[f"{name}.category"] = _("pilih kategori untuk barang di luar daftar")
        if not values.text(f"{name}.unit_price_rp"):
            errors[f"{name}.unit_price_rp"] = _("wajib diisi")
    if not rows:
        errors["lines[0].quantity"] = _("isi paling sedikit satu baris")
    return errors


def _read_deal_form(schema: type[T], values: FormValues, *, fields: tuple[str, ...], found: dict[str, str],
                    **options: Any) -> tuple[T | None, dict[str, str], dict[int, int]]:
    """The deal form (with its line rows) as `schema`, or its errors by form field; and which form row each
    line of the schema came from (domain errors name lines by their position among the filled ones)."""
    count = _line_count(values)
    rows = filled_rows(values, "lines", count, ignore=LINE_RULES["ignore"])
    found = {**found, **{k: v for k, v in _line_rules(values, rows).items() if k not in found}}
    data, errors = parse_form(schema, values, fields=fields, found=found, lists={"lines": count}, **LINE_RULES,
                              **options)
    return data, errors, dict(enumerate(rows))


def _lines_from_form(values: FormValues) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The filled lines (as LineIn values), and which form row each came from; InvalidInput names the rows."""
    data, errors, rows = _read_deal_form(_LineRows, values, fields=("lines",), found={})
    if data is None:
        raise invalid(errors)
    return [msgspec.to_builtins(line) for line in data.lines], rows


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


def _version(values: FormValues) -> int:
    text = values.text("version")
    if not text.isdigit():
        raise InvalidInput.field(FORM_ERROR, _("formulir tidak lengkap; muat ulang halaman lalu coba lagi"))
    return int(text)


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
    values.setdefault("deal_date", today_wib().isoformat())
    values["form_key"] = _form_key(values)
    values["baris"] = str(_line_count(values))
    return page(
        "transaksi/form.html",
        actor=actor,
        title=_("Catat transaksi"),
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
        raise InvalidInput.field("pesantren_id", _("pilih pesantren yang transaksinya dicatat"))
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
            "transaksi/pilih_pesantren.html", actor=actor, title=_("Catat transaksi untuk pesantren"),
            section="transaksi", found=found.items, total=found.total, pager=pager(request, found), cari=cari or "",
        )
    prefill = {"event_slug": event, "buyer_id": buyer_id, "meeting_id": meeting_id, "pesantren_id": pesantren}
    return await _new_form(actor, FormValues({k: str(v) for k, v in prefill.items() if v is not None}))


def _buyer_part(values: FormValues) -> tuple[tuple[str, ...], dict[str, str]]:
    """Which buyer fields the form fills (`buyer_id`, or `new_buyer` when "baru" or none is chosen) and what
    is missing."""
    chosen = values.text("buyer_id")
    if chosen and chosen != "baru":
        return ("buyer_id",), {}
    if not values.text("new_buyer.name"):
        field = "new_buyer.name" if chosen == "baru" else "buyer_id"
        return ("new_buyer",), {field: _("pilih pembeli atau isi nama pembeli baru")}
    if not values.text("new_buyer.buyer_type"):
        return ("new_buyer",), {"new_buyer.buyer_type": _("pilih jenis pembeli")}
    return ("new_buyer",), {}


@post("/transaksi/baru", name="transaksi-baru-kirim", cache=False, include_in_schema=False, status_code=303)
async def deal_create(request: Request, actor: CurrentActor) -> Redirect | Template:
    actor = _logger(actor)
    values = await read_form(request)
    on_behalf = {"pesantren_id": _logging_for(actor, values)} if actor.is_admin else {}
    if values.get("aksi") == "tambah":  # "+ Tambah baris" without JavaScript: the same form, one row more
        values["baris"] = str(min(MAX_LINES, _line_count(values) + 1))
        return await _new_form(actor, values)
    buyer_fields, found = _buyer_part(values)
    meeting = {"meeting_id": int(values.text("meeting_id"))} if values.text("meeting_id").isdigit() else {}
    data, errors, rows = _read_deal_form(
        schemas.DealCreate, values, fields=("event_slug", "kind", "deal_date", "lines", "note", *buyer_fields),
        found=found, given={**on_behalf, **meeting},
    )
    if data is None:
        known = _known_fields(_line_count(values))
        return await _new_form(actor, values, status_code=422, errors=field_errors(invalid(errors), known=known))
    try:
        key = values.text("form_key")
        if not key:
            raise InvalidInput.field(FORM_ERROR, _("formulir tidak lengkap; muat ulang halaman lalu isi lagi"))
        deal_id, created = await create_once(
            scope=f"user:{actor.user_id}", key=key, create=lambda: deals.log_deal(actor=actor, data=data)
        )
    except (InvalidInput, Conflict) as exc:
        errors_map = field_errors(_on_form_rows(exc, rows), known=_known_fields(_line_count(values)))
        return await _new_form(actor, values, status_code=exc.status, errors=errors_map)
    return Redirect(f"/transaksi/{deal_id}?{'baru' if created else 'sudah'}=1", status_code=303)


# -- amend -------------------------------------------------------------------------------------------------


async def _amend_form(actor: Actor, deal: schemas.Deal, values: dict[str, Any], *, status_code: int = 200,
                      errors: dict[str, str] | None = None) -> Template:
    values["baris"] = str(_line_count(values))
    values["form_key"] = ""
    return page(
        "transaksi/form.html",
        actor=actor,
        title=_("Ubah transaksi {number}").format(number=deal.number),
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
        raise Conflict(_("Transaksi {number} berstatus {state} dan tidak bisa diubah.").format(
            number=deal.number, state=deal.state_label.lower()))
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
    version = values.text("version")
    found = {} if version.isdigit() else {FORM_ERROR: _("formulir tidak lengkap; muat ulang halaman lalu coba lagi")}
    data, errors, rows = _read_deal_form(
        schemas.DealAmend, values, fields=("kind", "deal_date", "lines", "note"), found=found,
        required=("kind", "deal_date"), given={"version": int(version)} if version.isdigit() else {},
    )
    if data is None:
        known = _known_fields(_line_count(values))
        return await _amend_form(actor, deal, values, status_code=422, errors=field_errors(invalid(errors), known=known))
    try:
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
        title=_("Ajukan minat beli"),
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
    quantity = quantity_text(values, "quantity")
    data, errors = parse_form(
        schemas.InterestCreate, values, fields=("event_slug", "kind", "note"), required=("event_slug",),
        found={} if quantity else {"quantity": "wajib diisi"},
        given={"pesantren_id": product.pesantren_id, "lines": [{"product_id": product.id, "quantity": quantity}]},
    )
    if data is None:
        errors = {("quantity" if field.startswith("lines") else field): message for field, message in errors.items()}
        known = {"event_slug", "quantity", "kind", "note", "pesantren_id"}
        return await _interest_form(actor, product_id, values, status_code=422,
                                    errors=field_errors(invalid(errors), known=known))
    try:
        key = values.text("form_key") or secrets.token_urlsafe(18)
        deal_id, created = await create_once(
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


HANDLERS = [deal_new, deal_create, deal_edit, deal_amend, interest_new, interest_create]
