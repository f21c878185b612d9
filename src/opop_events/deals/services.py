"""The deal ledger's rules: who may do what from which state, exact money, append-only history, versions.

Every change writes a history row (`deal_event`) numbered per deal; a unique (deal, version) index makes two
concurrent changes to one deal unable to both win. Content changes write a new revision with its lines;
nothing that counted toward a figure is updated or deleted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor, require_role
from opop_events.catalog.enums import BUYER_TYPE_LABELS, BuyerType, Category
from opop_events.catalog.services import clean_whatsapp
from opop_events.catalog.tables import Buyer, Product
from opop_events.core.dates import WIB, format_date, format_datetime, now_utc
from opop_events.core.errors import Conflict, FieldError, Forbidden, Gone, InvalidInput, NotFound
from opop_events.core.money import (
    MoneyError,
    format_quantity,
    format_rupiah,
    line_value,
    parse_quantity,
    quantity_to_text,
)
from opop_events.core.pagination import Page, offset
from opop_events.core.phone import wa_link
from opop_events.db import get_engine, is_postgres, is_unique_violation, raw, write_transaction
from opop_events.deals import schemas
from opop_events.deals.enums import (
    ACTION_LABELS,
    AMENDABLE_STATES,
    STATE_HINTS,
    CANCELLABLE_STATES,
    COUNTED_STATES,
    STATE_LABELS,
    DealAction,
    DealKind,
    DealState,
    Origin,
)
from opop_events.deals.queries import current_event_join, join_parts, realised_column
from opop_events.deals.rules import check_deal_date, check_realisation_date, line_problems, needs_review, total_problem
from opop_events.deals.tables import ConfirmLink, Deal, DealLine, DealRevision, Realisation
from opop_events.events.services import is_organizer
from opop_events.matching.services import check_meeting_for_deal
from opop_events.settings import get_settings


def deal_number(deal_id: int) -> str:
    return f"TRX-{deal_id:06d}"


# -- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Current:
    deal_id: int
    event_id: int
    pesantren_id: int
    buyer_id: int
    origin: Origin
    state: DealState
    version: int
    revision_id: int
    offer_revision_id: int | None = None  # state `perubahan`: the proposed terms
    offer_by: str = ""  # state `perubahan`: pesantren | pembeli


SELLER_SIDE, BUYER_SIDE = "pesantren", "pembeli"


def awaiting(current: _Current) -> str:
    """Whose move it is: the side that has not yet seen (or accepted) the terms on the table."""
    if current.state is DealState.minat:
        return SELLER_SIDE
    if current.state in (DealState.dicatat,):
        return BUYER_SIDE
    if current.state is DealState.disanggah:
        return SELLER_SIDE
    if current.state is DealState.perubahan:
        return BUYER_SIDE if current.offer_by == SELLER_SIDE else SELLER_SIDE
    if current.state is DealState.dikonfirmasi:
        return "dinas"
    return ""


async def _current(deal_id: int) -> _Current:
    rows = await raw(
        "SELECT d.id, d.event, d.pesantren, d.buyer, d.origin, e.state, e.version, e.revision, e.offer, e.offer_by "
        "FROM deal d JOIN deal_event e ON e.deal = d.id WHERE d.id = {} ORDER BY e.version DESC LIMIT 1",
        deal_id,
    )
    if not rows:
        raise NotFound(f"Transaksi {deal_number(deal_id)} tidak ditemukan.")
    r = rows[0]
    return _Current(
        deal_id=r["id"],
        event_id=r["event"],
        pesantren_id=r["pesantren"],
        buyer_id=r["buyer"],
        origin=Origin(r["origin"]),
        state=DealState(r["state"]),
        version=r["version"],
        revision_id=r["revision"],
        offer_revision_id=r["offer"],
        offer_by=r["offer_by"] or "",
    )


async def _lines(revision_ids: list[int]) -> dict[int, list[schemas.Line]]:
    if not revision_ids:
        return {}
    rows = await DealLine.select().where(DealLine.revision.is_in(revision_ids)).order_by(DealLine.position)
    out: dict[int, list[schemas.Line]] = {}
    for r in rows:
        out.setdefault(r["revision"], []).append(
            schemas.Line(
                position=r["position"],
                product_id=r["product"],
                description=r["description"],
                category=Category(r["category"]),
                quantity=r["quantity"],
                unit=r["unit"],
                unit_price_rp=r["unit_price_rp"],
                value_rp=r["value_rp"],
            )
        )
    return out


_DEAL_COLUMNS = (
    "SELECT d.id, d.origin, d.meeting_id, d.created_at, d.pesantren, d.buyer, d.event, "
    "ev.slug AS event_slug, ev.name AS event_name, p.name AS pesantren_name, w.code AS wilayah_code, "
    "w.name AS wilayah_name, b.name AS buyer_name, b.buyer_type, cur.state, cur.version, cur.revision, "
    "cur.offer, cur.offer_by, cur.at AS changed_at, r.kind, r.deal_date, r.note, "
)
_DEAL_JOINS = (
    "JOIN deal_revision r ON r.id = cur.revision JOIN event ev ON ev.id = d.event "
    "JOIN pesantren p ON p.id = d.pesantren JOIN wilayah w ON w.id = p.wilayah JOIN buyer b ON b.id = d.buyer "
)


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def _deal_rows(where: str, args: list[Any], *, order: str = "d.id DESC", limit: int | None = None,
                     skip: int = 0, as_of: datetime | None = None) -> list[dict[str, Any]]:
    real, real_args = realised_column(as_of)
    cur, cur_args = current_event_join(as_of)
    sql = f"{_DEAL_COLUMNS}{real} FROM deal d {cur}{_DEAL_JOINS}WHERE {where} ORDER BY {order}"
    params = [*real_args, *cur_args, *args]
    if limit is not None:
        sql += " LIMIT {} OFFSET {}"
        params += [limit, skip]
    return await raw(sql, *params)


async def _offers(rows: list[dict[str, Any]]) -> dict[int, schemas.Offer]:
    """The proposed terms of the deals in state `perubahan` among `rows`, by revision id."""
    ids = [r["offer"] for r in rows if r.get("offer")]
    if not ids:
        return {}
    revisions = await DealRevision.select().where(DealRevision.id.is_in(ids))
    lines = await _lines(ids)
    by = {r["offer"]: r["offer_by"] for r in rows if r.get("offer")}
    return {
        rev["id"]: schemas.Offer(
            by=by[rev["id"]], kind=DealKind(rev["kind"]), deal_date=_as_date(rev["deal_date"]), note=rev["note"],
            lines=lines.get(rev["id"], []), total_rp=sum(line.value_rp for line in lines.get(rev["id"], [])),
        )
        for rev in revisions
    }


async def _to_schemas(rows: list[dict[str, Any]], actor: Actor | None = None) -> list[schemas.Deal]:
    lines = await _lines([r["revision"] for r in rows])
    offers = await _offers(rows)
    out = []
    for r in rows:
        deal_lines = lines.get(r["revision"], [])
        state = DealState(r["state"])
        current = _Current(
            deal_id=r["id"], event_id=r["event"], pesantren_id=r["pesantren"], buyer_id=r["buyer"],
            origin=Origin(r["origin"]), state=state, version=r["version"], revision_id=r["revision"],
            offer_revision_id=r["offer"], offer_by=r["offer_by"] or "",
        )
        out.append(
            schemas.Deal(
                id=r["id"],
                number=deal_number(r["id"]),
                event_slug=r["event_slug"],
                event_name=r["event_name"],
                pesantren=schemas.PesantrenRef(
                    id=r["pesantren"], name=r["pesantren_name"], wilayah_code=r["wilayah_code"],
                    wilayah_name=r["wilayah_name"],
                ),
                buyer=schemas.BuyerRef(
                    id=r["buyer"], name=r["buyer_name"], buyer_type=BuyerType(r["buyer_type"]),
                    buyer_type_label=BUYER_TYPE_LABELS[BuyerType(r["buyer_type"])],
                ),
                origin=Origin(r["origin"]),
                state=state,
                state_label=STATE_LABELS[state],
                version=r["version"],
                kind=DealKind(r["kind"]),
                deal_date=_as_date(r["deal_date"]),
                note=r["note"],
                lines=deal_lines,
                total_rp=sum(line.value_rp for line in deal_lines),
                realised_rp=join_parts(r, "realised"),
                meeting_id=r["meeting_id"],
                created_at=_as_datetime(r["created_at"]),
                changed_at=_as_datetime(r["changed_at"]),
                allowed_actions=allowed_actions(actor, current) if actor else [],
                state_hint=STATE_HINTS[state],
                offer=offers.get(r["offer"]) if r["offer"] else None,
                awaiting=awaiting(current),
                needs_review=needs_review(sum(line.value_rp for line in deal_lines)),
            )
        )
    return out


async def _can_see(actor: Actor, current: _Current) -> bool:
    if actor.is_admin:
        return True
    if actor.role is Role.seller:
        return actor.pesantren_id == current.pesantren_id
    if actor.role is Role.buyer:
        return actor.buyer_id == current.buyer_id
    return await is_organizer(actor, current.event_id)


async def get_deal(*, actor: Actor | None, deal_id: int, as_of: datetime | None = None) -> schemas.Deal:
    """One deal as it stands now (or stood at `as_of`): seller, buyer, the event's organizers and admin."""
    actor = require_actor(actor)
    current = await _current(deal_id)
    if not await _can_see(actor, current):
        raise Forbidden("Anda tidak berhak melihat transaksi ini.")
    rows = await _deal_rows("d.id = {}", [deal_id], as_of=as_of)
    if not rows:
        raise NotFound(f"Transaksi {deal_number(deal_id)} belum ada pada waktu itu.")
    return (await _to_schemas(rows, actor))[0]


async def list_deals(
    *,
    actor: Actor | None,
    event_slug: str | None = None,
    state: DealState | None = None,
    pesantren_id: int | None = None,
    buyer_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[schemas.Deal]:
    """Deals the caller may see: its own (seller, buyer), its events' (organizer), all (admin)."""
    actor = require_actor(actor)
    where, args = ["1 = 1"], []
    if actor.role is Role.seller:
        where.append("d.pesantren = {}")
        args.append(actor.pesantren_id)
    elif actor.role is Role.buyer:
        where.append("d.buyer = {}")
        args.append(actor.buyer_id)
    elif actor.role is Role.organizer:
        where.append('d.event IN (SELECT event FROM event_organizer WHERE "user" = {})')
        args.append(actor.user_id)
    if event_slug:
        where.append("ev.slug = {}")
        args.append(event_slug)
    if state:
        where.append("cur.state = {}")
        args.append(state.value)
    if pesantren_id:
        where.append("d.pesantren = {}")
        args.append(pesantren_id)
    if buyer_id:
        where.append("d.buyer = {}")
        args.append(buyer_id)
    clause = " AND ".join(where)
    rows = await _deal_rows(clause, args, limit=per_page, skip=offset(page, per_page))
    cur, cur_args = current_event_join(None)
    count = await raw(
        f"SELECT COUNT(*) AS n FROM deal d {cur}JOIN event ev ON ev.id = d.event WHERE {clause}",
        *cur_args,
        *args,
    )
    return Page(items=await _to_schemas(rows, actor), total=count[0]["n"], page=page, per_page=per_page)


async def history(*, actor: Actor | None, deal_id: int) -> list[schemas.HistoryEntry]:
    await get_deal(actor=actor, deal_id=deal_id)
    rows = await raw(
        "SELECT e.version, e.action, e.state, e.actor_label, e.reason, e.at, e.before, e.after, u.name AS user_name "
        "FROM deal_event e LEFT JOIN app_user u ON u.id = e.actor WHERE e.deal = {} ORDER BY e.version",
        deal_id,
    )
    return [
        schemas.HistoryEntry(
            version=r["version"],
            action=DealAction(r["action"]),
            action_label=ACTION_LABELS[DealAction(r["action"])],
            state=DealState(r["state"]),
            actor=r["actor_label"] or r["user_name"] or "",
            reason=r["reason"],
            at=_as_datetime(r["at"]),
            before=json.loads(r["before"]) if r["before"] else None,
            after=json.loads(r["after"]) if r["after"] else None,
        )
        for r in rows
    ]


# -- rules --------------------------------------------------------------------------------------------------


def _is_seller(actor: Actor, current: _Current) -> bool:
    return actor.role is Role.seller and actor.pesantren_id == current.pesantren_id


def _is_buyer(actor: Actor, current: _Current) -> bool:
    return actor.role is Role.buyer and actor.buyer_id == current.buyer_id


def allowed_actions(actor: Actor, current: _Current) -> list[DealAction]:
    """What `actor` may do to the deal now; the same table `_check` enforces."""
    return [action for action in DealAction if _refusal(actor, current, action) is None]


_ROLE, _STATE = 403, 409


def _side(actor: Actor | None, current: _Current) -> str:
    """Which party of the deal `actor` is: pesantren, pembeli, or "" (neither)."""
    if actor is not None and _is_seller(actor, current):
        return SELLER_SIDE
    if actor is not None and _is_buyer(actor, current):
        return BUYER_SIDE
    return ""


def _refusal(actor: Actor | None, current: _Current, action: DealAction) -> tuple[int, str] | None:
    """None when `actor` may take `action` now; else (403 for who it is, 409 for the state) and the reason.

    The rule behind every party action: terms count only when the side that did not write them accepts them.
    Whoever changes terms the other side has not seen makes an offer (`tawar`, `ajukan_ubah`), never a
    confirmation."""
    state = current.state
    side = _side(actor, current)
    seller, buyer = side == SELLER_SIDE, side == BUYER_SIDE
    admin = actor is not None and actor.is_admin
    label = STATE_LABELS[state].lower()
    if action is DealAction.ubah:
        if state is DealState.minat:
            return None if buyer else (_ROLE, "Hanya pembeli yang mengajukan minat yang boleh mengubahnya.")
        if state is DealState.perubahan:
            if side and side == current.offer_by:
                return None
            return _ROLE, "Hanya pihak yang mengajukan perubahan yang boleh mengubah usulannya."
        if not seller:
            return _ROLE, "Hanya pesantren penjual yang boleh mengubah transaksi."
        return None if state in AMENDABLE_STATES else (_STATE, f"Transaksi yang sudah {label} tidak bisa diubah.")
    if action is DealAction.ajukan_ubah:
        if not side:
            return _ROLE, "Hanya pesantren penjual atau pembeli yang boleh mengajukan perubahan."
        if state is DealState.dikonfirmasi:
            return None
        return _STATE, f"Perubahan diajukan untuk transaksi yang sudah dikonfirmasi; ini {label}."
    if action in (DealAction.konfirmasi, DealAction.tawar):
        if state is DealState.minat:
            return None if seller else (_ROLE, "Minat beli dikonfirmasi oleh pesantren penjual.")
        if state is DealState.perubahan:
            if side and side != current.offer_by:
                return None
            return _ROLE, "Perubahan disetujui oleh pihak lain, bukan oleh yang mengajukannya."
        if not buyer:
            return _ROLE, "Transaksi yang dicatat pesantren dikonfirmasi oleh pembelinya."
        return None if state is DealState.dicatat else (_STATE, f"Transaksi berstatus {label} tidak bisa dikonfirmasi.")
    if action is DealAction.tolak_ubah:
        if not side:
            return _ROLE, "Hanya pesantren penjual atau pembeli yang boleh menolak atau menarik perubahan."
        return None if state is DealState.perubahan else (_STATE, "Tidak ada perubahan yang menunggu persetujuan.")
    if action is DealAction.sanggah:
        if not buyer:
            return _ROLE, "Hanya pembeli yang boleh menyanggah transaksi."
        return None if state is DealState.dicatat else (_STATE, f"Transaksi berstatus {label} tidak bisa disanggah.")
    if action in (DealAction.verifikasi, DealAction.kembalikan):
        if not admin:
            verb = "memverifikasi" if action is DealAction.verifikasi else "mengembalikan"
            return _ROLE, f"Hanya staf Dinas yang boleh {verb} transaksi."
        if state is DealState.dikonfirmasi:
            return None
        if state is DealState.perubahan:
            return _STATE, "Perubahan syarat masih menunggu persetujuan pihak lain; verifikasi setelah diputuskan."
        return _STATE, f"Hanya transaksi terkonfirmasi yang bisa diverifikasi atau dikembalikan; ini {label}."
    if action is DealAction.batal:
        if not (admin or seller or buyer):
            return _ROLE, "Anda tidak berhak membatalkan transaksi ini."
        if state is DealState.dibatalkan:
            return _STATE, "Transaksi sudah dibatalkan."
        if admin or state in CANCELLABLE_STATES:
            return None
        return _STATE, f"Transaksi berstatus {label} hanya bisa dibatalkan staf Dinas."
    if action in (DealAction.realisasi, DealAction.koreksi_realisasi):
        if not admin:
            return _ROLE, "Hanya staf Dinas yang mencatat realisasi."
        return None if state in COUNTED_STATES else (_STATE, "Realisasi hanya untuk transaksi yang sudah dikonfirmasi.")
    return _ROLE, "Tindakan ini tidak tersedia."


def _check(actor: Actor | None, current: _Current, action: DealAction, expected_version: int | None) -> None:
    refusal = _refusal(actor, current, action)
    if refusal is not None:
        status, reason = refusal
        raise Forbidden(reason) if status == _ROLE else Conflict(reason)
    if expected_version is not None and expected_version != current.version:
        raise Conflict(
            f"Transaksi {deal_number(current.deal_id)} baru saja diubah (versi {current.version}, Anda melihat "
            f"versi {expected_version}). Muat ulang lalu coba lagi.",
            errors=[FieldError(field="version", message=f"versi terbaru {current.version}")],
        )


# -- writing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CleanLine:
    product_id: int | None
    description: str
    category: str
    quantity: str
    unit: str
    unit_price_rp: int
    value_rp: int


async def _clean_lines(lines: list[schemas.LineIn], pesantren_id: int, *, field: str = "lines",
                       min_order: bool = False) -> list[_CleanLine]:
    """Check and complete the lines (product defaults, exact values). `min_order`: a buyer's interest must reach
    each product's minimum order (a pesantren logging its own sale may sell less)."""
    product_ids = [line.product_id for line in lines if line.product_id]
    products = {}
    if product_ids:
        rows = await Product.select().where(Product.id.is_in(product_ids))
        products = {r["id"]: r for r in rows}
    out: list[_CleanLine] = []
    errors: list[FieldError] = []
    for i, line in enumerate(lines):
        path = f"{field}[{i}]"
        product = products.get(line.product_id) if line.product_id else None
        if line.product_id and (product is None or product["pesantren"] != pesantren_id):
            errors.append(FieldError(field=f"{path}.product_id", message="produk tidak ada atau bukan milik pesantren ini"))
            continue
        description = (line.description or "").strip() or (product["name"] if product else "")
        if not description:
            errors.append(FieldError(field=f"{path}.description", message="isi uraian atau pilih produk"))
            continue
        category = line.category.value if line.category else (product["category"] if product else None)
        if category is None:
            errors.append(FieldError(field=f"{path}.category", message="pilih kategori untuk baris tanpa produk"))
            continue
        price = line.unit_price_rp if line.unit_price_rp is not None else (product["price_rp"] if product else None)
        if price is None:
            errors.append(FieldError(field=f"{path}.unit_price_rp", message="harga satuan wajib diisi"))
            continue
        try:
            quantity = parse_quantity(line.quantity)
        except MoneyError as exc:
            errors.append(FieldError(field=f"{path}.quantity", message=str(exc)))
            continue
        if min_order and product is not None and quantity < parse_quantity(product["min_order"] or "1"):
            minimum = format_quantity(parse_quantity(product["min_order"] or "1"))
            errors.append(FieldError(field=f"{path}.quantity", message=f"pesanan minimal {minimum} {product['unit']}"))
            continue
        value = line_value(quantity, price)
        if capped := line_problems(quantity, price, value):  # deals/rules.py: the same caps in every door
            errors += [FieldError(field=f"{path}.{'quantity' if part == 'value_rp' else part}", message=reason)
                       for part, reason in capped]
            continue
        out.append(
            _CleanLine(
                product_id=line.product_id,
                description=description,
                category=category,
                quantity=quantity_to_text(quantity),
                unit=(line.unit or "").strip() or (product["unit"] if product else "unit"),
                unit_price_rp=price,
                value_rp=value,
            )
        )
    if not errors and sum(line.value_rp for line in out) == 0:
        errors.append(FieldError(field=field, message="nilai transaksi Rp0; periksa jumlah dan harga satuan"))
    if not errors and (too_large := total_problem(line.value_rp for line in out)):
        errors.append(FieldError(field=field, message=too_large))
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)
    return out


def _snapshot(state: DealState, kind: str, deal_date: date, note: str, lines: list[Any]) -> str:
    return json.dumps(
        {
            "state": state.value,
            "kind": kind,
            "deal_date": deal_date.isoformat(),
            "note": note,
            "total_rp": sum(line.value_rp for line in lines),
            "lines": [
                {
                    "product_id": line.product_id,
                    "description": line.description,
                    "category": line.category if isinstance(line.category, str) else line.category.value,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "unit_price_rp": line.unit_price_rp,
                    "value_rp": line.value_rp,
                }
                for line in lines
            ],
        },
        ensure_ascii=False,
        sort_keys=True,
    )


async def _new_revision(
    deal_id: int, kind: str, deal_date: date, note: str, lines: list[_CleanLine], *, at: datetime | None = None
) -> int:
    """Insert a revision and its lines (two statements, however many lines)."""
    rows = await raw(
        "INSERT INTO deal_revision (deal, kind, deal_date, note, created_at) VALUES ({}, {}, {}, {}, {}) RETURNING id",
        deal_id, kind, deal_date, note[:1000], at or now_utc(),
    )
    revision_id = rows[0]["id"]
    values, args = [], []
    for i, line in enumerate(lines):
        values.append("({}, {}, {}, {}, {}, {}, {}, {}, {})")
        args += [revision_id, i + 1, line.product_id, line.description, line.category, line.quantity, line.unit,
                 line.unit_price_rp, line.value_rp]
    await raw(
        'INSERT INTO deal_line (revision, "position", product, description, category, quantity, unit, unit_price_rp, '
        f"value_rp) VALUES {', '.join(values)}",
        *args,
    )
    return revision_id


async def _revision_snapshot(revision_id: int, state: DealState) -> str:
    rev = await DealRevision.select().where(DealRevision.id == revision_id).first()
    lines = (await _lines([revision_id])).get(revision_id, [])
    return _snapshot(state, rev["kind"], _as_date(rev["deal_date"]), rev["note"], lines)


async def _append_event(
    *,
    deal_id: int,
    version: int,
    action: DealAction,
    state: DealState,
    revision_id: int,
    actor: Actor | None,
    actor_label: str = "",
    reason: str = "",
    before: str = "",
    after: str = "",
    at: datetime | None = None,
    offer: int | None = None,
    offer_by: str = "",
) -> None:
    try:
        await raw(
            'INSERT INTO deal_event (deal, version, action, state, revision, actor, actor_label, reason, "at", "before", '
            '"after", offer, offer_by) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})',
            deal_id, version, action.value, state.value, revision_id, actor.user_id if actor else None,
            actor_label or (f"{actor.name or actor.email}" if actor else ""), reason[:1000], at or now_utc(),
            before, after, offer, offer_by,
        )
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(
                f"Transaksi {deal_number(deal_id)} sedang diubah orang lain pada saat yang sama. Muat ulang lalu "
                "coba lagi."
            ) from exc
        raise


@dataclass(frozen=True)
class _Parties:
    """What logging a deal needs to know about its event, seller and buyer, read in one query."""

    event_id: int
    event_slug: str
    event_name: str
    pesantren_id: int
    pesantren_name: str
    wilayah_code: str
    wilayah_name: str
    buyer_name: str | None  # None: no such buyer
    buyer_type: str | None


async def _parties(*, slug: str, pesantren_id: int, buyer_id: int | None, pesantren_field: str) -> _Parties:
    """The event (must exist and not be a draft), the pesantren (must be registered for it) and the buyer."""
    rows = await raw(
        "SELECT ev.id, ev.status, ev.name, p.name AS pesantren_name, w.code AS wilayah_code, "
        "w.name AS wilayah_name, b.name AS buyer_name, b.buyer_type, "
        "(SELECT COUNT(*) FROM registration r WHERE r.event = ev.id AND r.pesantren = p.id "
        "AND r.status = 'terdaftar') AS registered "
        "FROM event ev LEFT JOIN pesantren p ON p.id = {} LEFT JOIN wilayah w ON w.id = p.wilayah "
        "LEFT JOIN buyer b ON b.id = {} WHERE ev.slug = {}",
        pesantren_id, buyer_id, slug,
    )
    if not rows:  # the event is named in the body: a field of this request, not the resource asked for
        raise InvalidInput.field("event_slug", f"acara '{slug}' tidak ditemukan")
    row = rows[0]
    if row["status"] == "draft":
        raise Conflict(f"Acara '{slug}' masih draf; transaksi belum bisa dicatat.")
    if not row["registered"]:
        raise InvalidInput.field(pesantren_field, "pesantren ini tidak terdaftar di acara tersebut")
    return _Parties(
        event_id=row["id"], event_slug=slug, event_name=row["name"], pesantren_id=pesantren_id,
        pesantren_name=row["pesantren_name"], wilayah_code=row["wilayah_code"], wilayah_name=row["wilayah_name"],
        buyer_name=row["buyer_name"], buyer_type=row["buyer_type"],
    )


async def _create(
    *,
    actor: Actor,
    parties: _Parties,
    buyer_id: int,
    buyer_name: str,
    buyer_type: str,
    origin: Origin,
    state: DealState,
    action: DealAction,
    kind: str,
    deal_date: date,
    note: str,
    lines: list[_CleanLine],
    meeting_id: int | None,
    actor_label: str = "",
) -> schemas.Deal:
    """Insert a new deal (identity, first revision, first history row) and return it as `get_deal` would read it
    back, without reading it back: everything it shows is known here."""
    at = now_utc()
    snapshot = _snapshot(state, kind, deal_date, note, lines)
    label = actor_label or f"{actor.name or actor.email}"
    if is_postgres():
        deal_id, revision_id = await _insert_new_deal_pg(
            parties=parties, buyer_id=buyer_id, origin=origin, meeting_id=meeting_id, actor=actor, at=at,
            kind=kind, deal_date=deal_date, note=note, lines=lines, action=action, state=state, label=label,
            snapshot=snapshot,
        )
    else:
        rows = await raw(
            "INSERT INTO deal (event, pesantren, buyer, origin, meeting_id, created_by, created_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id",
            parties.event_id, parties.pesantren_id, buyer_id, origin.value, meeting_id, actor.user_id, at,
        )
        deal_id = rows[0]["id"]
        revision_id = await _new_revision(deal_id, kind, deal_date, note, lines, at=at)
        await _append_event(
            deal_id=deal_id, version=1, action=action, state=state, revision_id=revision_id, actor=actor,
            actor_label=label, after=snapshot, at=at,
        )
    current = _Current(
        deal_id=deal_id, event_id=parties.event_id, pesantren_id=parties.pesantren_id, buyer_id=buyer_id,
        origin=origin, state=state, version=1, revision_id=revision_id,
    )
    deal_lines = [
        schemas.Line(
            position=i + 1, product_id=line.product_id, description=line.description,
            category=Category(line.category), quantity=line.quantity, unit=line.unit,
            unit_price_rp=line.unit_price_rp, value_rp=line.value_rp,
        )
        for i, line in enumerate(lines)
    ]
    return schemas.Deal(
        id=deal_id,
        number=deal_number(deal_id),
        event_slug=parties.event_slug,
        event_name=parties.event_name,
        pesantren=schemas.PesantrenRef(
            id=parties.pesantren_id, name=parties.pesantren_name, wilayah_code=parties.wilayah_code,
            wilayah_name=parties.wilayah_name,
        ),
        buyer=schemas.BuyerRef(
            id=buyer_id, name=buyer_name, buyer_type=BuyerType(buyer_type),
            buyer_type_label=BUYER_TYPE_LABELS[BuyerType(buyer_type)],
        ),
        origin=origin,
        state=state,
        state_label=STATE_LABELS[state],
        version=1,
        kind=DealKind(kind),
        deal_date=deal_date,
        note=note[:1000],
        lines=deal_lines,
        total_rp=sum(line.value_rp for line in lines),
        realised_rp=0,
        meeting_id=meeting_id,
        created_at=at,
        changed_at=at,
        allowed_actions=allowed_actions(actor, current),
        state_hint=STATE_HINTS[state],
        awaiting=awaiting(current),
        needs_review=needs_review(sum(line.value_rp for line in lines)),
    )


async def _insert_new_deal_pg(
    *, parties: _Parties, buyer_id: int, origin: Origin, meeting_id: int | None, actor: Actor, at: datetime,
    kind: str, deal_date: date, note: str, lines: list[_CleanLine], action: DealAction, state: DealState,
    label: str, snapshot: str,
) -> tuple[int, int]:
    """The four rows of a new deal (identity, revision, lines, first history row) in one PostgreSQL statement
    (data-modifying CTEs): one round trip instead of four for the busiest write of an event. SQLite has no such
    statement; `_create` runs the same inserts one by one there. Both write the same rows."""
    values, args = [], []
    for i, line in enumerate(lines):
        values.append("({}::int, {}::int, {}::varchar, {}::varchar, {}::varchar, {}::varchar, {}::bigint, {}::bigint)")
        args += [i + 1, line.product_id, line.description, line.category, line.quantity, line.unit,
                 line.unit_price_rp, line.value_rp]
    rows = await raw(
        "WITH d AS (INSERT INTO deal (event, pesantren, buyer, origin, meeting_id, created_by, created_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id), "
        "r AS (INSERT INTO deal_revision (deal, kind, deal_date, note, created_at) "
        "SELECT d.id, {}, {}::date, {}, {}::timestamptz FROM d RETURNING id, deal), "
        'l AS (INSERT INTO deal_line (revision, "position", product, description, category, quantity, unit, '
        "unit_price_rp, value_rp) SELECT r.id, v.* FROM r, (VALUES " + ", ".join(values) + ") AS v), "
        'e AS (INSERT INTO deal_event (deal, version, action, state, revision, actor, actor_label, reason, "at", '
        '"before", "after") SELECT r.deal, 1, {}, {}, r.id, {}::int, {}, \'\', {}::timestamptz, \'\', {} FROM r) '
        "SELECT deal, id FROM r",
        parties.event_id, parties.pesantren_id, buyer_id, origin.value, meeting_id, actor.user_id, at,
        kind, deal_date, note[:1000], at,
        *args,
        action.value, state.value, actor.user_id, label, at, snapshot,
    )
    return rows[0]["deal"], rows[0]["id"]


async def log_deal(*, actor: Actor | None, data: schemas.DealCreate) -> schemas.Deal:
    """A pesantren logs a deal it closed (state `dicatat`; the buyer confirms it). Admin may log for any
    pesantren. A buyer not yet in the catalog can be added on the way (`new_buyer`)."""
    actor = require_role(actor, Role.seller, Role.admin)
    if actor.role is Role.seller:
        if data.pesantren_id not in (None, actor.pesantren_id):
            raise Forbidden("Anda hanya boleh mencatat transaksi pesantren Anda sendiri.")
        pesantren_id = actor.pesantren_id
    else:
        if data.pesantren_id is None:
            raise InvalidInput.field("pesantren_id", "wajib diisi oleh staf Dinas")
        pesantren_id = data.pesantren_id
    assert pesantren_id is not None
    if (data.buyer_id is None) == (data.new_buyer is None):
        raise InvalidInput.field("buyer_id", "isi tepat satu: buyer_id atau new_buyer")
    parties = await _parties(
        slug=data.event_slug, pesantren_id=pesantren_id, buyer_id=data.buyer_id, pesantren_field="event_slug"
    )
    if data.buyer_id is not None and parties.buyer_name is None:
        raise InvalidInput.field("buyer_id", f"pembeli {data.buyer_id} tidak ada")
    await _check_deal_date(data.deal_date, parties.event_id)
    lines = await _clean_lines(data.lines, pesantren_id)
    if data.meeting_id is not None and data.new_buyer is not None:
        raise InvalidInput.field("meeting_id", "pertemuan selalu dengan pembeli yang sudah terdaftar; pilih buyer_id")
    if data.meeting_id is not None and data.buyer_id is not None:
        await check_meeting_for_deal(
            meeting_id=data.meeting_id, event_id=parties.event_id, pesantren_id=pesantren_id, buyer_id=data.buyer_id
        )
    whatsapp = clean_whatsapp(data.new_buyer.whatsapp, field="new_buyer.whatsapp") if data.new_buyer else None
    async with write_transaction():
        buyer_id, buyer_name, buyer_type = data.buyer_id, parties.buyer_name, parties.buyer_type
        if data.new_buyer is not None:
            buyer_name, buyer_type = data.new_buyer.name.strip(), data.new_buyer.buyer_type.value
            created = await Buyer.insert(
                Buyer(
                    name=buyer_name,
                    buyer_type=buyer_type,
                    whatsapp=whatsapp or "",
                    contact_person=data.new_buyer.contact_person.strip(),
                    city=data.new_buyer.city.strip(),
                    province="",
                )
            ).returning(Buyer.id)
            buyer_id = created[0]["id"]
        assert buyer_id is not None and buyer_name is not None and buyer_type is not None
        return await _create(
            actor=actor,
            parties=parties,
            buyer_id=buyer_id,
            buyer_name=buyer_name,
            buyer_type=buyer_type,
            origin=Origin.pesantren,
            state=DealState.dicatat,
            action=DealAction.catat,
            kind=data.kind.value,
            deal_date=data.deal_date,
            note=data.note,
            lines=lines,
            meeting_id=data.meeting_id,
        )


def _today_wib() -> date:
    """Today in West Java: a deal made at 06.00 WIB is dated that day, not the day before (UTC)."""
    return now_utc().astimezone(WIB).date()


async def _check_deal_date(value: date, event_id: int, deal_id: int | None = None) -> None:
    """The one date rule of every door (deals/rules.py): not in the future, not long before the event (and for an
    existing deal, not after its first realisation)."""
    await check_deal_date(value, event_id=event_id, deal_id=deal_id)


async def register_interest(*, actor: Actor | None, data: schemas.InterestCreate) -> schemas.Deal:
    """A buyer registers interest (minat beli) in a pesantren's products; the pesantren confirms it into a deal."""
    actor = require_role(actor, Role.buyer)
    assert actor.buyer_id is not None
    parties = await _parties(
        slug=data.event_slug, pesantren_id=data.pesantren_id, buyer_id=actor.buyer_id, pesantren_field="pesantren_id"
    )
    assert parties.buyer_name is not None and parties.buyer_type is not None
    deal_date = data.deal_date or _today_wib()
    await _check_deal_date(deal_date, parties.event_id)
    lines = await _clean_lines(data.lines, data.pesantren_id, min_order=True)
    if data.meeting_id is not None:
        await check_meeting_for_deal(
            meeting_id=data.meeting_id, event_id=parties.event_id, pesantren_id=data.pesantren_id,
            buyer_id=actor.buyer_id,
        )
    async with write_transaction():
        return await _create(
            actor=actor,
            parties=parties,
            buyer_id=actor.buyer_id,
            buyer_name=parties.buyer_name,
            buyer_type=parties.buyer_type,
            origin=Origin.buyer,
            state=DealState.minat,
            action=DealAction.minat,
            kind=data.kind.value,
            deal_date=deal_date,
            note=data.note,
            lines=lines,
            meeting_id=data.meeting_id,
        )


async def _transition(
    *,
    actor: Actor | None,
    deal_id: int,
    action: DealAction,
    to_state: DealState,
    expected_version: int | None,
    reason: str = "",
    actor_label: str = "",
    new_content: tuple[str, date, str, list[_CleanLine]] | None = None,
    check_actor: Actor | None = None,
    offer_by: str = "",
    accept_offer: bool = False,
) -> _Current:
    """Append one history row moving the deal to `to_state` (and a new revision when content changes).

    `offer_by` (state `perubahan`): the new content is an offer by that side; the agreed revision stays the
    one that counts. `accept_offer`: the pending offer becomes the agreed revision."""
    async with write_transaction():
        current = await _current(deal_id)
        _check(check_actor if check_actor is not None else actor, current, action, expected_version)
        before = await _revision_snapshot(current.revision_id, current.state)
        revision_id, offer = current.revision_id, None
        if accept_offer:
            if current.offer_revision_id is None:
                raise Conflict("Tidak ada perubahan yang menunggu persetujuan.")
            revision_id = current.offer_revision_id
        if new_content is not None:
            kind, deal_date, note, lines = new_content
            written = await _new_revision(deal_id, kind, deal_date, note, lines)
            if offer_by:
                offer = written
            else:
                revision_id = written
        elif offer_by:
            offer = current.offer_revision_id
        after = await _revision_snapshot(offer or revision_id, to_state)
        if offer is not None:
            agreed = json.loads(await _revision_snapshot(revision_id, to_state))
            after = json.dumps(
                {**json.loads(after), "offer_by": offer_by, "agreed_total_rp": agreed["total_rp"]},
                ensure_ascii=False, sort_keys=True,
            )
        await _append_event(
            deal_id=deal_id,
            version=current.version + 1,
            action=action,
            state=to_state,
            revision_id=revision_id,
            actor=actor,
            actor_label=actor_label,
            reason=reason,
            before=before,
            after=after,
            offer=offer,
            offer_by=offer_by if offer is not None else "",
        )
    return current


async def _content_after(current: _Current, *, kind: DealKind | None, deal_date: date | None,
                         note: str | None, lines: list[schemas.LineIn] | None, base_revision: int | None = None,
                         min_order: bool = False) -> tuple[str, date, str, list[_CleanLine]]:
    """The terms after a change: the given fields over those of `base_revision` (default: the current one)."""
    base = base_revision or current.revision_id
    rev = await DealRevision.select().where(DealRevision.id == base).first()
    if lines is not None:
        clean = await _clean_lines(lines, current.pesantren_id, min_order=min_order)
    else:
        clean = [
            _CleanLine(
                product_id=line.product_id, description=line.description, category=line.category.value,
                quantity=line.quantity, unit=line.unit, unit_price_rp=line.unit_price_rp, value_rp=line.value_rp,
            )
            for line in (await _lines([base])).get(base, [])
        ]
    new_date = deal_date or _as_date(rev["deal_date"])
    await _check_deal_date(new_date, current.event_id, current.deal_id)
    return (kind.value if kind else rev["kind"], new_date, rev["note"] if note is None else note, clean)


async def amend(*, actor: Actor | None, deal_id: int, data: schemas.DealAmend) -> schemas.Deal:
    """Change the terms. Before agreement: the seller changes its deal (a disputed deal goes back to `dicatat`),
    a buyer changes its own interest. After agreement (`dikonfirmasi`): either side proposes changed terms
    (`perubahan`); the agreed terms keep counting until the other side accepts. The proposer may revise its
    proposal while it waits."""
    actor = require_actor(actor)
    current = await _current(deal_id)
    action = DealAction.ajukan_ubah if current.state is DealState.dikonfirmasi else DealAction.ubah
    _check(actor, current, action, data.version)
    side = _side(actor, current)
    if current.state in (DealState.dikonfirmasi, DealState.perubahan):
        base = current.offer_revision_id if current.state is DealState.perubahan else None
        content = await _content_after(current, kind=data.kind, deal_date=data.deal_date, note=data.note,
                                       lines=data.lines, base_revision=base, min_order=side == BUYER_SIDE)
        if content == await _content_after(current, kind=None, deal_date=None, note=None, lines=None):
            raise InvalidInput.field("lines", "usulan sama dengan syarat yang sudah disepakati; tidak ada yang diubah")
        await _transition(
            actor=actor, deal_id=deal_id, action=action, to_state=DealState.perubahan, expected_version=data.version,
            new_content=content, offer_by=side,
        )
        return await get_deal(actor=actor, deal_id=deal_id)
    content = await _content_after(current, kind=data.kind, deal_date=data.deal_date, note=data.note, lines=data.lines)
    to_state = DealState.minat if current.state is DealState.minat else DealState.dicatat
    await _transition(
        actor=actor, deal_id=deal_id, action=DealAction.ubah, to_state=to_state, expected_version=data.version,
        new_content=content,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def confirm(*, actor: Actor | None, deal_id: int, data: schemas.Confirm) -> schemas.Deal:
    """The other side agrees to the terms on the table: the buyer to a logged deal or a pesantren's
    counter-offer, the pesantren to a buyer's interest or counter-offer, either side to the other's proposed
    change of an agreed deal. Sent with changed lines or kind, it is not an agreement but a counter-offer to
    the other side (`tawar`), which then has to accept it; sent unchanged, it counts at once."""
    actor = require_actor(actor)
    current = await _current(deal_id)
    _check(actor, current, DealAction.konfirmasi, data.version)
    side = _side(actor, current)
    pending = current.offer_revision_id if current.state is DealState.perubahan else None
    content = None
    if data.lines is not None or data.kind is not None:
        content = await _content_after(current, kind=data.kind, deal_date=None, note=None, lines=data.lines,
                                       base_revision=pending, min_order=side == BUYER_SIDE)
        if content == await _content_after(current, kind=None, deal_date=None, note=None, lines=None,
                                           base_revision=pending):
            content = None  # confirmed as it stood: no new revision
    if content is None:
        await _transition(
            actor=actor, deal_id=deal_id, action=DealAction.konfirmasi, to_state=DealState.dikonfirmasi,
            expected_version=data.version, accept_offer=pending is not None,
        )
    elif current.state is DealState.perubahan:
        await _transition(
            actor=actor, deal_id=deal_id, action=DealAction.tawar, to_state=DealState.perubahan,
            expected_version=data.version, new_content=content, offer_by=side,
        )
    else:
        # the pesantren's counter to an interest awaits the buyer (`dicatat`), the buyer's counter to a logged
        # deal awaits the pesantren (`minat`)
        to_state = DealState.dicatat if side == SELLER_SIDE else DealState.minat
        await _transition(
            actor=actor, deal_id=deal_id, action=DealAction.tawar, to_state=to_state,
            expected_version=data.version, new_content=content,
        )
    return await get_deal(actor=actor, deal_id=deal_id)


async def decline_change(*, actor: Actor | None, deal_id: int, data: schemas.ReasonIn) -> schemas.Deal:
    """The other side declines a proposed change, or the proposer withdraws it: the agreed terms stand."""
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.tolak_ubah, to_state=DealState.dikonfirmasi,
        expected_version=data.version, reason=data.reason,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def dispute(*, actor: Actor | None, deal_id: int, data: schemas.ReasonIn) -> schemas.Deal:
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.sanggah, to_state=DealState.disanggah,
        expected_version=data.version, reason=data.reason,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def verify(*, actor: Actor | None, deal_id: int, data: schemas.VersionIn) -> schemas.Deal:
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.verifikasi, to_state=DealState.diverifikasi,
        expected_version=data.version,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def send_back(*, actor: Actor | None, deal_id: int, data: schemas.ReasonIn) -> schemas.Deal:
    """Dinas returns a confirmed deal to `dicatat` with a reason; the seller amends, the buyer confirms again."""
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.kembalikan, to_state=DealState.dicatat,
        expected_version=data.version, reason=data.reason,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def cancel(*, actor: Actor | None, deal_id: int, data: schemas.ReasonIn) -> schemas.Deal:
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.batal, to_state=DealState.dibatalkan,
        expected_version=data.version, reason=data.reason,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


# -- realisations -------------------------------------------------------------------------------------------


async def list_realisations(*, actor: Actor | None, deal_id: int) -> list[schemas.Realisation]:
    await get_deal(actor=actor, deal_id=deal_id)
    rows = await Realisation.select().where(Realisation.deal == deal_id).order_by(Realisation.id)
    voided = {r["voids"] for r in rows if r["voids"]}
    return [
        schemas.Realisation(
            id=r["id"], kind=r["kind"], realised_on=_as_date(r["realised_on"]), amount_rp=r["amount_rp"],
            note=r["note"], voids=r["voids"], voided=r["id"] in voided, recorded_at=_as_datetime(r["recorded_at"]),
        )
        for r in rows
    ]


async def record_realisation(
    *, actor: Actor | None, deal_id: int, data: schemas.RealisationCreate
) -> schemas.Realisation:
    """Dinas records a payment or delivery after the event; it may exceed the deal (repeat orders happen)."""
    actor = require_actor(actor)
    check_realisation_date(data.realised_on)
    if data.amount_rp == 0:
        raise InvalidInput.field("amount_rp", "nilai realisasi harus lebih dari nol")
    async with write_transaction():
        current = await _current(deal_id)
        _check(actor, current, DealAction.realisasi, None)
        deal = await DealRevision.select(DealRevision.deal_date).where(DealRevision.id == current.revision_id).first()
        check_realisation_date(data.realised_on, deal_date=_as_date(deal["deal_date"]))  # not before the deal
        rows = await Realisation.insert(
            Realisation(
                deal=deal_id, kind=data.kind.value, realised_on=data.realised_on, amount_rp=data.amount_rp,
                note=data.note, recorded_by=actor.user_id, recorded_at=now_utc(),
            )
        ).returning(Realisation.id)
        snapshot = await _revision_snapshot(current.revision_id, current.state)
        await _append_event(
            deal_id=deal_id, version=current.version + 1, action=DealAction.realisasi, state=current.state,
            revision_id=current.revision_id, actor=actor,
            reason=f"{data.kind.value.capitalize()} {format_rupiah(data.amount_rp)} tanggal {format_date(data.realised_on)}",
            before=snapshot, after=snapshot, offer=current.offer_revision_id, offer_by=current.offer_by,
        )
    return next(r for r in await list_realisations(actor=actor, deal_id=deal_id) if r.id == rows[0]["id"])


async def void_realisation(
    *, actor: Actor | None, deal_id: int, realisation_id: int, data: schemas.RealisationVoid
) -> schemas.Realisation:
    """A wrong realisation is corrected by a voiding row; the original stays."""
    actor = require_actor(actor)
    async with write_transaction():
        current = await _current(deal_id)
        _check(actor, current, DealAction.koreksi_realisasi, None)
        target = await Realisation.select().where(
            (Realisation.id == realisation_id) & (Realisation.deal == deal_id)
        ).first()
        if target is None or target["voids"] is not None:
            raise NotFound(f"Realisasi {realisation_id} tidak ada pada transaksi ini.")
        if await Realisation.exists().where(Realisation.voids == realisation_id):
            raise Conflict("Realisasi ini sudah dikoreksi.")
        rows = await Realisation.insert(
            Realisation(
                deal=deal_id, kind=target["kind"], realised_on=target["realised_on"], amount_rp=0,
                note=data.reason, voids=realisation_id, recorded_by=actor.user_id, recorded_at=now_utc(),
            )
        ).returning(Realisation.id)
        snapshot = await _revision_snapshot(current.revision_id, current.state)
        await _append_event(
            deal_id=deal_id, version=current.version + 1, action=DealAction.koreksi_realisasi, state=current.state,
            revision_id=current.revision_id, actor=actor, reason=data.reason, before=snapshot, after=snapshot,
            offer=current.offer_revision_id, offer_by=current.offer_by,
        )
    return next(r for r in await list_realisations(actor=actor, deal_id=deal_id) if r.id == rows[0]["id"])


async def follow_up(*, actor: Actor | None, days: int = 30, as_of: datetime | None = None,
                    event_slug: str | None = None) -> list[schemas.FollowUp]:
    """Confirmed deals older than `days` with nothing realised: what Dinas staff must chase."""
    actor = require_role(actor, Role.admin)
    moment = as_of or now_utc()
    cutoff = moment.date() - timedelta(days=days)
    # Nothing realised: no realisation (recorded by `as_of`) that was not voided (by then); amounts are > 0.
    at = " AND z.recorded_at <= {}" if as_of else ""
    unvoided = "NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id" + (" AND v.recorded_at <= {}" if as_of else "")
    where = [
        "cur.state IN ('dikonfirmasi', 'diverifikasi')",
        "r.deal_date <= {}",
        f"NOT EXISTS (SELECT 1 FROM realisation z WHERE z.deal = d.id AND z.voids IS NULL{at} AND {unvoided}))",
    ]
    args: list[Any] = [cutoff, *([as_of, as_of] if as_of else [])]
    if event_slug:
        where.append("ev.slug = {}")
        args.append(event_slug)
    rows = await _deal_rows(" AND ".join(where), args, order="r.deal_date, d.id", as_of=as_of, limit=1000)
    deals = await _to_schemas(rows, actor)
    return [schemas.FollowUp(deal=d, days_since=(moment.date() - d.deal_date).days) for d in deals]


# -- the WhatsApp confirmation link ------------------------------------------------------------------------


def _sign(nonce: str, deal_id: int) -> str:
    """HMAC of the link's nonce and deal with the server secret; expiry and use live in the link's row."""
    message = f"confirm-link.{nonce}.{deal_id}".encode()
    digest = hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


async def create_confirm_link(*, actor: Actor | None, deal_id: int) -> schemas.ConfirmLinkOut:
    """The seller gets a signed, single-use, expiring link for the buyer, and the `wa.me` link that sends it
    with a prefilled Indonesian message. Earlier unused links of the deal stop working."""
    actor = require_actor(actor)
    current = await _current(deal_id)
    if not (_is_seller(actor, current) or actor.is_admin):
        raise Forbidden("Hanya pesantren penjual yang mengirim tautan konfirmasi.")
    change = current.state is DealState.perubahan and current.offer_by == SELLER_SIDE
    if current.state is not DealState.dicatat and not change:
        raise Conflict(
            "Tautan konfirmasi hanya untuk transaksi berstatus dicatat atau perubahan yang diajukan pesantren "
            f"(kini {STATE_LABELS[current.state].lower()})."
        )
    link_revision = current.offer_revision_id if change else current.revision_id
    settings = get_settings()
    nonce = secrets.token_urlsafe(18)
    now = now_utc()
    expires_at = (now + timedelta(hours=settings.link_ttl_hours)).replace(microsecond=0)
    async with write_transaction():
        await ConfirmLink.update({ConfirmLink.used_at: now, ConfirmLink.used_action: "diganti"}).where(
            (ConfirmLink.deal == deal_id) & ConfirmLink.used_at.is_null()
        )
        await ConfirmLink.insert(
            ConfirmLink(deal=deal_id, revision=link_revision, nonce=nonce, expires_at=expires_at,
                        created_by=actor.user_id)
        )
    token = f"{nonce}.{_sign(nonce, deal_id)}"
    url = f"{settings.base_url}/konfirmasi/{token}"
    deal = await get_deal(actor=actor, deal_id=deal_id)
    buyer = await Buyer.select(Buyer.whatsapp, Buyer.contact_person).where(Buyer.id == current.buyer_id).first()
    greeting = f"Assalamu'alaikum {buyer['contact_person']}".strip() if buyer["contact_person"] else "Assalamu'alaikum"
    if change and deal.offer is not None:
        message = (
            f"{greeting},\n{deal.pesantren.name} mengajukan perubahan transaksi {deal.number} dengan "
            f"{deal.buyer.name}: dari {format_rupiah(deal.total_rp)} menjadi {format_rupiah(deal.offer.total_rp)} "
            f"({deal.event_name}).\nMohon setujui atau tolak melalui tautan ini (berlaku sampai "
            f"{format_datetime(expires_at)}):\n{url}"
        )
    else:
        message = (
            f"{greeting},\n{deal.pesantren.name} mencatat transaksi {deal.number} dengan {deal.buyer.name} "
            f"senilai {format_rupiah(deal.total_rp)} pada {format_date(deal.deal_date)} ({deal.event_name}).\n"
            f"Mohon konfirmasi atau sanggah melalui tautan ini (berlaku sampai {format_datetime(expires_at)}):\n{url}"
        )
    # Without the buyer's number, wa.me opens WhatsApp's contact picker with the message ready.
    whatsapp_url = wa_link(buyer["whatsapp"] or "", message)
    return schemas.ConfirmLinkOut(url=url, whatsapp_url=whatsapp_url, message=message, expires_at=expires_at)


async def _link(token: str) -> tuple[dict[str, Any], _Current]:
    nonce, _, signature = token.partition(".")
    if not nonce or not signature or len(token) > 120:
        raise NotFound("Tautan konfirmasi tidak sah.")
    row = await ConfirmLink.select().where(ConfirmLink.nonce == nonce).first()
    if row is None:
        raise NotFound("Tautan konfirmasi tidak sah.")
    if not hmac.compare_digest(signature, _sign(nonce, row["deal"])):
        raise NotFound("Tautan konfirmasi tidak sah.")
    return row, await _current(row["deal"])


def _link_usable(row: dict[str, Any], current: _Current) -> str | None:
    if row["used_at"] is not None:
        return "Tautan ini sudah dipakai. Minta tautan baru kepada pesantren bila perlu."
    if _as_datetime(row["expires_at"]) <= now_utc():
        return "Tautan ini sudah kedaluwarsa. Minta tautan baru kepada pesantren."
    if current.state is DealState.perubahan and current.offer_by == SELLER_SIDE:
        on_table = current.offer_revision_id
    elif current.state is DealState.dicatat:
        on_table = current.revision_id
    else:
        on_table = None
    if on_table != row["revision"]:
        return "Transaksi sudah berubah sejak tautan dibuat. Minta tautan baru kepada pesantren."
    return None


async def open_link(*, token: str) -> schemas.PublicDeal:
    """What the buyer sees from the WhatsApp link: this deal only."""
    row, current = await _link(token)
    info = (
        await raw(
            "SELECT ev.name AS event_name, p.name AS pesantren_name, b.name AS buyer_name, r.kind, "
            "r.deal_date FROM deal d JOIN deal_revision r ON r.id = {} "
            "JOIN event ev ON ev.id = d.event JOIN pesantren p ON p.id = d.pesantren JOIN buyer b ON b.id = d.buyer "
            "WHERE d.id = {}",
            row["revision"],
            current.deal_id,
        )
    )[0]
    lines = (await _lines([row["revision"]])).get(row["revision"], [])
    return schemas.PublicDeal(
        number=deal_number(current.deal_id),
        event_name=info["event_name"],
        pesantren_name=info["pesantren_name"],
        buyer_name=info["buyer_name"],
        state=current.state,
        state_label=STATE_LABELS[current.state],
        kind=DealKind(info["kind"]),
        deal_date=_as_date(info["deal_date"]),
        lines=lines,
        total_rp=sum(line.value_rp for line in lines),
        expires_at=_as_datetime(row["expires_at"]),
        can_act=_link_usable(row, current) is None,
        is_change=current.state is DealState.perubahan,
        agreed_total_rp=(
            sum(line.value_rp for line in (await _lines([current.revision_id])).get(current.revision_id, []))
            if current.state is DealState.perubahan else None
        ),
    )


async def act_on_link(*, token: str, action: DealAction, reason: str = "") -> schemas.PublicDeal:
    """Confirm or dispute through the link, once: the link is spent in the same transaction as the change."""
    if action not in (DealAction.konfirmasi, DealAction.sanggah):
        raise InvalidInput.field("action", "hanya konfirmasi atau sanggah")
    if action is DealAction.sanggah and len(reason.strip()) < 3:
        raise InvalidInput.field("reason", "tuliskan alasan sanggahan (minimal 3 karakter)")
    async with write_transaction():
        row, current = await _link(token)
        problem = _link_usable(row, current)
        if problem:
            raise Gone(problem)
        spent = await ConfirmLink.update(
            {ConfirmLink.used_at: now_utc(), ConfirmLink.used_action: action.value}
        ).where((ConfirmLink.id == row["id"]) & ConfirmLink.used_at.is_null()).returning(ConfirmLink.id)
        if not spent:
            raise Gone("Tautan ini sudah dipakai.")
        # The link stands in for the buyer: act with the buyer's rights, recorded as "via tautan".
        buyer_proxy = Actor(user_id=0, email="", name="", role=Role.buyer, buyer_id=current.buyer_id)
        buyer = await Buyer.select(Buyer.name).where(Buyer.id == current.buyer_id).first()
        change = current.state is DealState.perubahan
        if change and action is DealAction.sanggah:
            action, to_state = DealAction.tolak_ubah, DealState.dikonfirmasi  # the agreed terms stand
        else:
            to_state = DealState.dikonfirmasi if action is DealAction.konfirmasi else DealState.disanggah
        await _transition(
            actor=None,
            check_actor=buyer_proxy,
            deal_id=current.deal_id,
            action=action,
            to_state=to_state,
            expected_version=current.version,
            reason=reason.strip(),
            actor_label=f"{buyer['name']} (via tautan WhatsApp)",
            accept_offer=change and action is DealAction.konfirmasi,
        )
    return await open_link(token=token)


# -- imports ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedLine:
    """A deal line read from a Dinas workbook (already validated: exact quantity text, integer rupiah)."""

    description: str
    category: str
    quantity: str
    unit: str
    unit_price_rp: int
    value_rp: int
    product_id: int | None = None


_IMPORT_PATH = {
    DealState.dicatat: ((DealAction.catat, DealState.dicatat),),
    DealState.dikonfirmasi: ((DealAction.catat, DealState.dicatat), (DealAction.konfirmasi, DealState.dikonfirmasi)),
    DealState.diverifikasi: (
        (DealAction.catat, DealState.dicatat),
        (DealAction.konfirmasi, DealState.dikonfirmasi),
        (DealAction.verifikasi, DealState.diverifikasi),
    ),
}


async def import_deal(
    *,
    actor: Actor,
    event_id: int,
    pesantren_id: int,
    buyer_id: int,
    kind: DealKind,
    deal_date: date,
    lines: list[ImportedLine],
    state: DealState,
    source: str,
) -> int:
    """Write one deal from an Excel import, with the history rows a deal logged by hand would have (each
    labelled with `source`, e.g. "impor Excel: rekap.xlsx, baris 12"). Call inside the import's transaction."""
    require_role(actor, Role.admin, Role.organizer)
    if state not in _IMPORT_PATH:
        raise InvalidInput.field("status", "status impor hanya dicatat, dikonfirmasi atau diverifikasi")
    clean = [
        _CleanLine(
            product_id=line.product_id, description=line.description, category=line.category,
            quantity=line.quantity, unit=line.unit, unit_price_rp=line.unit_price_rp, value_rp=line.value_rp,
        )
        for line in lines
    ]
    rows = await Deal.insert(
        Deal(event=event_id, pesantren=pesantren_id, buyer=buyer_id, origin=Origin.impor.value,
             created_by=actor.user_id)
    ).returning(Deal.id)
    deal_id = rows[0]["id"]
    revision_id = await _new_revision(deal_id, kind.value, deal_date, "", clean)
    previous = ""
    for version, (action, step_state) in enumerate(_IMPORT_PATH[state], start=1):
        after = _snapshot(step_state, kind.value, deal_date, "", clean)
        await _append_event(
            deal_id=deal_id, version=version, action=action, state=step_state, revision_id=revision_id,
            actor=actor, actor_label=source[:200], before=previous, after=after,
        )
        previous = after
    return deal_id


@dataclass(frozen=True)
class ImportedDeal:
    """One deal of a bulk import: the parties, what was agreed, the state reached and the source label."""

    pesantren_id: int
    buyer_id: int
    kind: DealKind
    deal_date: date
    lines: list[ImportedLine]
    state: DealState
    source: str


async def _reserve_ids(table: str, count: int) -> list[int]:
    """`count` fresh ids for `table`, inside the current write transaction. SQLite: the transaction holds the
    write lock (BEGIN IMMEDIATE), so max(id)+1… are exactly the ids SQLite would give. PostgreSQL: taken from
    the table's own sequence, so concurrent writers never collide."""
    if not count:
        return []
    if is_postgres():
        rows = await raw(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, {{}})",
                         count)
        return [r["id"] for r in rows]
    rows = await raw(f'SELECT COALESCE(MAX(id), 0) AS top FROM "{table}"')
    top = rows[0]["top"]
    return list(range(top + 1, top + 1 + count))


async def _copy_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain tuples fast, in the current transaction: COPY on PostgreSQL, multi-row INSERTs of at most
    4,000 rows (and under SQLite's 32,766 bound parameters) on SQLite. Skips Piccolo's per-row objects, which
    cost more than the database at 100,000 deals."""
    if not rows:
        return
    transaction = get_engine().current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk inserts must run inside write_transaction()")
    connection = transaction.connection
    if is_postgres():
        await connection.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    size = max(1, min(4_000, 30_000 // len(columns)))
    names = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([one] * len(chunk))
        cursor = await connection.execute(sql, [value for row in chunk for value in row])
        await cursor.close()


async def import_deals(*, actor: Actor, event_id: int, deals: list[ImportedDeal]) -> list[int]:
    """The bulk form of `import_deal`: the same deals, revisions, lines and history rows (same snapshots,
    actions, states, actor and labels), written with reserved ids in chunked multi-row inserts (SQLite) or COPY
    (PostgreSQL). Call inside the import's `write_transaction()`; returns the new deal ids in input order."""
    require_role(actor, Role.admin, Role.organizer)
    for deal in deals:
        if deal.state not in _IMPORT_PATH:
            raise InvalidInput.field("status", "status impor hanya dicatat, dikonfirmasi atau diverifikasi")
    now = now_utc()
    deal_ids = await _reserve_ids("deal", len(deals))
    revision_ids = await _reserve_ids("deal_revision", len(deals))
    line_ids = await _reserve_ids("deal_line", sum(len(d.lines) for d in deals))
    event_ids = await _reserve_ids("deal_event", sum(len(_IMPORT_PATH[d.state]) for d in deals))
    deal_rows, revision_rows, line_rows, event_rows = [], [], [], []
    next_line = iter(line_ids)
    next_event = iter(event_ids)
    for deal_id, revision_id, d in zip(deal_ids, revision_ids, deals, strict=True):
        deal_rows.append((deal_id, event_id, d.pesantren_id, d.buyer_id, Origin.impor.value, None, actor.user_id, now))
        revision_rows.append((revision_id, deal_id, d.kind.value, d.deal_date, "", now))
        for position, line in enumerate(d.lines, start=1):
            line_rows.append((next(next_line), revision_id, position, line.product_id, line.description,
                              line.category, line.quantity, line.unit, line.unit_price_rp, line.value_rp))
        previous = ""
        for version, (action, step_state) in enumerate(_IMPORT_PATH[d.state], start=1):
            after = _snapshot(step_state, d.kind.value, d.deal_date, "", d.lines)
            event_rows.append((next(next_event), deal_id, version, action.value, step_state.value, revision_id,
                               actor.user_id, d.source[:200], "", now, previous, after))
            previous = after
    await _copy_rows("deal", ("id", "event", "pesantren", "buyer", "origin", "meeting_id", "created_by",
                              "created_at"), deal_rows)
    await _copy_rows("deal_revision", ("id", "deal", "kind", "deal_date", "note", "created_at"), revision_rows)
    await _copy_rows("deal_line", ("id", "revision", "position", "product", "description", "category", "quantity",
                                   "unit", "unit_price_rp", "value_rp"), line_rows)
    await _copy_rows("deal_event", ("id", "deal", "version", "action", "state", "revision", "actor", "actor_label",
                                    "reason", "at", "before", "after"), event_rows)
    return deal_ids


# -- web forms: choices and once-only creation ---------------------------------------------------------------


async def deal_form_choices(*, pesantren_id: int) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """For the pesantren's "Catat transaksi" form: each event it is registered at and that takes deals (not a
    draft), newest first, as (slug, name, [(buyer id, buyer name) registered at that event]). Reads only."""
    events = await raw(
        "SELECT ev.id, ev.slug, ev.name FROM event ev JOIN registration g ON g.event = ev.id "
        "WHERE g.pesantren = {} AND g.status = 'terdaftar' AND ev.status <> 'draft' "
        "ORDER BY ev.starts_on DESC, ev.id DESC",
        pesantren_id,
    )
    out = []
    for ev in events:
        buyers = await raw(
            "SELECT b.id, b.name FROM buyer b JOIN registration g ON g.buyer = b.id "
            "WHERE g.event = {} AND g.status = 'terdaftar' ORDER BY b.name, b.id",
            ev["id"],
        )
        out.append((ev["slug"], ev["name"], [(b["id"], b["name"]) for b in buyers]))
    return out


async def interest_events(*, pesantren_id: int) -> list[tuple[str, str]]:
    """Events (slug, name) where a buyer may register interest in this pesantren's products. Reads only."""
    return [(slug, name) for slug, name, _ in await deal_form_choices(pesantren_id=pesantren_id)]


async def create_once(*, scope: str, key: str, create: Any) -> tuple[int, bool]:
    """Run `create()` (an async callable returning a Deal, e.g. `log_deal`) at most once per (scope, key):
    the web form's one-time key, stored as an `IdempotencyRecord` in the same write transaction as the deal.
    Returns (deal id, True when created now / False when this key already made it). Side effects: the deal
    and the record, together or not at all."""
    from opop_events.deals.tables import IdempotencyRecord

    scope_hash = hashlib.sha256(f"web:{scope}".encode()).hexdigest()
    key = key[:200]

    async def earlier() -> int | None:
        row = await IdempotencyRecord.select(IdempotencyRecord.body).where(
            (IdempotencyRecord.scope == scope_hash) & (IdempotencyRecord.key == key)
        ).first()
        return int(json.loads(bytes(row["body"]))["deal_id"]) if row else None

    try:
        async with write_transaction():
            # Inside the transaction: on SQLite the write lock serialises a double submit, so the second sees
            # the first; on PostgreSQL the unique (scope, key) index stops the loser below.
            found = await earlier()
            if found is not None:
                return found, False
            deal = await create()
            await IdempotencyRecord.insert(
                IdempotencyRecord(
                    scope=scope_hash, key=key, fingerprint=hashlib.sha256(b"web-form").hexdigest(), status=303,
                    content_type="application/json", body=json.dumps({"deal_id": deal.id}).encode(),
                )
            )
    except Exception as exc:
        if is_unique_violation(exc):
            found = await earlier()
            if found is not None:
                return found, False
        raise
    return deal.id, True
