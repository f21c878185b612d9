"""The ledger's row writers: clean lines (caps, exact values), revisions, snapshots and history rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from opop_events.accounts.services import Actor
from opop_events.catalog.tables import Product
from opop_events.core.dates import as_date, now_utc
from opop_events.core.errors import Conflict, FieldError, InvalidInput
from opop_events.core.i18n import _
from opop_events.core.money import (
    MoneyError,
    format_quantity,
    line_value,
    parse_quantity,
    quantity_to_text,
)
from opop_events.db import is_unique_violation, present, raw
from opop_events.deals import schemas
from opop_events.deals.enums import (
    DealAction,
    DealState,
)
from opop_events.deals.projection import refresh_deals
from opop_events.deals.rules import (
    check_deal_date,
    line_problems,
    total_problem,
)
from opop_events.deals.services.current import (
    _lines,
    deal_number,
)
from opop_events.deals.tables import DealRevision
from opop_events.events.services import event_starts_on

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
            errors.append(FieldError(field=f"{path}.product_id", message=_("produk tidak ada atau bukan milik pesantren ini")))
            continue
        description = (line.description or "").strip() or (product["name"] if product else "")
        if not description:
            errors.append(FieldError(field=f"{path}.description", message=_("isi uraian atau pilih produk")))
            continue
        category = line.category.value if line.category else (product["category"] if product else None)
        if category is None:
            errors.append(FieldError(field=f"{path}.category", message=_("pilih kategori untuk baris tanpa produk")))
            continue
        price = line.unit_price_rp if line.unit_price_rp is not None else (product["price_rp"] if product else None)
        if price is None:
            errors.append(FieldError(field=f"{path}.unit_price_rp", message=_("harga satuan wajib diisi")))
            continue
        try:
            quantity = parse_quantity(line.quantity)
        except MoneyError as exc:
            errors.append(FieldError(field=f"{path}.quantity", message=str(exc)))
            continue
        if min_order and product is not None and quantity < parse_quantity(product["min_order"] or "1"):
            minimum = format_quantity(parse_quantity(product["min_order"] or "1"))
            errors.append(FieldError(field=f"{path}.quantity", message=_("pesanan minimal {minimum} {unit}").format(minimum=minimum, unit=product["unit"])))
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
        errors.append(FieldError(field=field, message=_("nilai transaksi Rp0; periksa jumlah dan harga satuan")))
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
    revision_id = int(rows[0]["id"])
    values: list[str] = []
    args: list[Any] = []
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
    rev = present(await DealRevision.select().where(DealRevision.id == revision_id).first())
    lines = (await _lines([revision_id])).get(revision_id, [])
    return _snapshot(state, rev["kind"], as_date(rev["deal_date"]), rev["note"], lines)


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
            deal_id, version, action.value, state.value, revision_id, actor.recorded_user_id if actor else None,
            actor_label or (f"{actor.name or actor.email}" if actor else ""), reason[:1000], at or now_utc(),
            before, after, offer, offer_by,
        )
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(
                _(
                    "Transaksi {number} sedang diubah orang lain pada saat yang sama. Muat ulang lalu coba lagi."
                ).format(number=deal_number(deal_id))
            ) from exc
        raise
    await refresh_deals([deal_id])  # the current-state projection, in this same transaction


async def _check_deal_date(value: date, event_id: int, deal_id: int | None = None) -> None:
    """The one date rule of every door (deals/rules.py): not in the future, not long before the event (and for an
    existing deal, not after its first realisation). Reads the event (through its domain) and the realisations."""
    starts_on = await event_starts_on(event_id)
    if starts_on is None:
        raise InvalidInput.field("event_slug", _("acara tidak ditemukan"))
    first = None
    if deal_id is not None:
        rows = await raw(
            "SELECT MIN(z.realised_on) AS first FROM realisation z WHERE z.deal = {} AND z.voids IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id)",
            deal_id,
        )
        first = rows[0]["first"] if rows else None
    check_deal_date(value, starts_on=starts_on, first_realisation=first)


