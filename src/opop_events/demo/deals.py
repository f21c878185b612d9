"""The 2020 event's deals: counted ones adding up to exactly the official figure, logged, disputed, interest-only
and one cancelled deal, realisations; then Dinas closes the books and a late deal arrives through the link."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor
from opop_events.catalog.enums import Category
from opop_events.catalog.tables import Product
from opop_events.core import clock
from opop_events.core.dates import WIB
from opop_events.core.errors import InvalidInput
from opop_events.core.i18n import _
from opop_events.deals import schemas
from opop_events.deals.enums import DealAction, DealKind, RealisationKind
from opop_events.deals.rules import deal_problems, realisation_date_problem
from opop_events.deals.services import (
    act_on_link,
    create_confirm_link,
    log_deal,
    record_realisation,
    register_interest,
)
from opop_events.deals.services.replay import Step, replay
from opop_events.demo.common import at_minutes
from opop_events.demo.meetings import load_meetings
from opop_events.reports import closing

# (kind, share of counted deals, deal value range in rupiah)
_DEAL_PROFILES = (
    ("transaksi", 0.45, 1_000_000, 25_000_000),
    ("kontrak", 0.35, 20_000_000, 150_000_000),
    ("komitmen", 0.20, 60_000_000, 250_000_000),
)


def _deal_lines(rng: random.Random, products: list[dict[str, Any]], target: int) -> list[dict[str, Any]]:
    """One to three lines from the pesantren's products whose values add up to about `target`."""
    chosen = rng.sample(products, k=min(len(products), rng.randint(1, 3)))
    lines = []
    share = target // len(chosen)
    for product in chosen:
        price = product["price_rp"] - product["price_rp"] % 500 if product["price_rp"] > 1000 else product["price_rp"]
        price = max(500, int(price * rng.choice([0.9, 0.95, 1.0, 1.0])) // 500 * 500)
        quantity = max(1, share // price)
        lines.append(
            {
                "product": product["id"],
                "description": product["name"],
                "category": product["category"],
                "quantity": str(quantity),
                "unit": product["unit"],
                "unit_price_rp": price,
                "value_rp": quantity * price,
            }
        )
    return lines


def _at_least_min_order(lines: list[dict[str, Any]], products: list[dict[str, Any]]) -> None:
    minimum = {product["id"]: int(product["min_order"] or 1) for product in products}
    for line in lines:
        if int(line["quantity"]) < minimum[line["product"]]:
            line["quantity"] = str(minimum[line["product"]])
            line["value_rp"] = minimum[line["product"]] * line["unit_price_rp"]


def _check_rules(plan: dict[str, Any], *, starts_on: date) -> None:
    """The demo obeys the deal rules of every other door (deals/rules.py: date window, amount caps); a fixture
    or setting that breaks them stops the load (inside its transaction, so nothing is written)."""
    lines = [(Decimal(line["quantity"]), line["unit_price_rp"], line["value_rp"]) for line in plan["lines"]]
    problems = deal_problems(deal_date=plan["day"], starts_on=starts_on, lines=lines)
    if problems:
        raise InvalidInput(_("Data demo melanggar aturan transaksi ({item}, {day}): {problems}.").format(
            item=plan["lines"][0]["description"], day=plan["day"].isoformat(), problems="; ".join(problems)
        ))


def _check_realisation(realised_on: date, deal_date: date) -> None:
    if problem := realisation_date_problem(realised_on, deal_date=deal_date):
        raise InvalidInput(_("Data demo melanggar aturan realisasi ({day}): {problem}.").format(
            day=realised_on.isoformat(), problem=problem
        ))


async def load_deals(
    *,
    rng: random.Random,
    spec: dict[str, Any],
    event_id: int,
    pesantren_ids: list[int],
    buyer_ids: list[int],
    admin: Actor,
) -> int:
    """Deals of the demo event whose confirmed and verified lines add up to exactly `spec['confirmed_total_rp']`,
    plus logged, disputed, interest-only and one cancelled deal, and realisations on part of them.
    History rows carry plausible times on the event days so as-of reports differ through the day."""
    target_total = spec["confirmed_total_rp"]
    products_by_pesantren: dict[int, list[dict[str, Any]]] = {}
    for row in await Product.select(Product.id, Product.pesantren, Product.name, Product.category, Product.unit,
                                    Product.price_rp, Product.min_order).where(Product.pesantren.is_in(pesantren_ids)):
        products_by_pesantren.setdefault(row["pesantren"], []).append(row)
    day_one = date.fromisoformat(spec["starts_on"])
    day_two = date.fromisoformat(spec["ends_on"])

    plans: list[dict[str, Any]] = []
    confirmed = 0
    while True:
        kind, _weight, low, high = rng.choices(_DEAL_PROFILES, weights=[p[1] for p in _DEAL_PROFILES])[0]
        pid = rng.choice(pesantren_ids)
        lines = _deal_lines(rng, products_by_pesantren[pid], rng.randint(low, high))
        value = sum(line["value_rp"] for line in lines)
        if confirmed + value > target_total - 40_000_000:
            break
        confirmed += value
        plans.append({"kind": kind, "pesantren": pid, "lines": lines, "counted": True})
    # The last counted deal is an annual supply contract for exactly the remainder.
    pid = rng.choice(pesantren_ids)
    product = rng.choice(products_by_pesantren[pid])
    remainder = target_total - confirmed
    plans.append(
        {
            "kind": "kontrak",
            "pesantren": pid,
            "counted": True,
            "lines": [
                {
                    "product": product["id"],
                    "description": f"Kontrak pasokan {product['name']} 2021 (paket)",
                    "category": product["category"],
                    "quantity": "1",
                    "unit": "paket",
                    "unit_price_rp": remainder,
                    "value_rp": remainder,
                }
            ],
        }
    )
    for state, count in (("dicatat", 48), ("disanggah", 9), ("minat", 14), ("dibatalkan", 1)):
        for _number in range(count):
            kind, _weight, low, high = rng.choices(_DEAL_PROFILES, weights=[p[1] for p in _DEAL_PROFILES])[0]
            pid = rng.choice(pesantren_ids)
            plans.append({"kind": kind, "pesantren": pid, "lines": _deal_lines(rng, products_by_pesantren[pid],
                          rng.randint(low, high)), "counted": False, "state": state})
            if state == "minat":  # a buyer's interest reaches each product's minimum order (deals/rules.py)
                _at_least_min_order(plans[-1]["lines"], products_by_pesantren[pid])
    rng.shuffle(plans)

    for plan in plans:
        plan["buyer"] = rng.choice(buyer_ids)
    meeting_of = await load_meetings(
        rng=rng, spec=spec, event_id=event_id, pairs=[(p["pesantren"], p["buyer"]) for p in plans],
        pesantren_ids=pesantren_ids, buyer_ids=buyer_ids,
    )
    # The history as it happened, drawn in the same order as ever (the same seed gives the same deals) ...
    for plan in plans:
        plan["day"] = day_one if rng.random() < 0.8 else day_two
        _check_rules(plan, starts_on=day_one)
    verified_days = [date(2020, 12, d) for d in range(14, 31)]
    for plan in plans:
        logged_at = at_minutes(plan["day"], rng.randint(30, 7 * 60 + 30))
        history = [("minat" if plan.get("state") == "minat" else "catat", logged_at, "")]
        if plan["counted"]:
            history.append(("konfirmasi", logged_at + timedelta(minutes=rng.randint(5, 180)), ""))
            if rng.random() < 0.7:
                verified_at = datetime.combine(rng.choice(verified_days), time(10, 0), tzinfo=WIB)
                history.append(("verifikasi", verified_at + timedelta(minutes=rng.randint(0, 360)), ""))
        elif plan["state"] == "disanggah":
            history.append(("sanggah", logged_at + timedelta(minutes=rng.randint(30, 600)),
                            rng.choice(["Jumlah tidak sesuai pesanan", "Harga belum disepakati", "Belum ada PO resmi"])))
        elif plan["state"] == "dibatalkan":
            history.append(("batal", logged_at + timedelta(days=3),
                            "Pembeli membatalkan pesanan karena anggaran dialihkan"))
        plan["history"] = history
        if plan["counted"] and history[-1][0] == "verifikasi" and rng.random() < 0.45:
            total = sum(line["value_rp"] for line in plan["lines"])
            paid = total if rng.random() < 0.5 else total * rng.randint(30, 90) // 100
            realised_on = date(2021, rng.randint(1, 3), rng.randint(1, 28))
            _check_realisation(realised_on, plan["day"])
            plan["realisation"] = (realised_on, paid)
    # ... then written through the deals services, deal after deal, each step at its own moment
    for plan in plans:
        await _write_deal(plan, slug=spec["slug"], meeting_id=meeting_of.get((plan["pesantren"], plan["buyer"])),
                          admin=admin)
    return len(plans)


async def _write_deal(plan: dict[str, Any], *, slug: str, meeting_id: int | None, admin: Actor) -> None:
    """One deal's history through the services: logged by the pesantren (or an interest by the buyer),
    confirmed or disputed by the buyer, verified by Dinas (those in one `replay`), realised. The pesantren and
    buyers of 2020 have no accounts: they act as their side without a user (`user_id` 0), recorded as
    `pesantren` / `pembeli`."""
    pesantren = Actor(user_id=0, email="", name="pesantren", role=Role.seller, pesantren_id=plan["pesantren"])
    buyer = Actor(user_id=0, email="", name="pembeli", role=Role.buyer, buyer_id=plan["buyer"])
    lines = [
        schemas.LineIn(quantity=line["quantity"], unit_price_rp=line["unit_price_rp"], product_id=line["product"],
                       description=line["description"], category=Category(line["category"]), unit=line["unit"])
        for line in plan["lines"]
    ]
    first, logged_at, _rest = plan["history"][0]
    with clock.at(logged_at):
        if first == "minat":
            deal = await register_interest(actor=buyer, data=schemas.InterestCreate(
                event_slug=slug, pesantren_id=plan["pesantren"], lines=lines, kind=DealKind(plan["kind"]),
                deal_date=plan["day"], meeting_id=meeting_id,
            ))
        else:
            deal = await log_deal(actor=pesantren, data=schemas.DealCreate(
                event_slug=slug, kind=DealKind(plan["kind"]), deal_date=plan["day"], lines=lines,
                buyer_id=plan["buyer"], meeting_id=meeting_id,
            ))
    by = {"konfirmasi": buyer, "sanggah": buyer, "verifikasi": admin, "batal": pesantren}
    await replay(deal=deal, steps=[
        Step(action=DealAction(action), actor=by[action], at=at, reason=reason)
        for action, at, reason in plan["history"][1:]
    ])
    if "realisation" in plan:
        realised_on, paid = plan["realisation"]
        with clock.at(datetime.combine(realised_on, time(14, 0), tzinfo=WIB)):
            await record_realisation(actor=admin, deal_id=deal.id, data=schemas.RealisationCreate(
                kind=RealisationKind.pembayaran, realised_on=realised_on, amount_rp=paid,
                note="Bukti transfer diterima",
            ))


CLOSED_AT = datetime(2020, 12, 31, 16, 0, tzinfo=WIB)
LATE_DEAL_RP = 2_500_000


async def close_books_with_a_late_deal(*, spec: dict[str, Any], admin: Actor, seller: Actor, buyer_id: int) -> None:
    """Dinas closed the event's books on 31 December 2020 at the official Rp21.000.000.000; afterwards a buyer
    confirmed, through the WhatsApp link, a deal logged on the event's last day: a late deal (susulan), shown
    apart and never moving the official figure. All through the services a user would go through, at the
    moments of 2020 and 2021 (`core.clock.at`). `seller` is the demo pesantren's account, `buyer_id` the demo
    buyer's organisation."""
    with clock.at(CLOSED_AT):
        await closing.close_books(
            actor=admin, slug=spec["slug"],
            data=closing.ClosingIn(reason="Berita acara rekapitulasi hasil temu bisnis OPOP 2020"),
        )
    product = await Product.select(Product.id).where(Product.pesantren == seller.pesantren_id).first()
    day = date.fromisoformat(spec["ends_on"])
    with clock.at(at_minutes(day, 6 * 60)):
        deal = await log_deal(actor=seller, data=schemas.DealCreate(
            event_slug=spec["slug"], kind=DealKind.transaksi, deal_date=day, buyer_id=buyer_id,
            lines=[schemas.LineIn(quantity="100", unit_price_rp=LATE_DEAL_RP // 100, product_id=product["id"])],
        ))
    # the pesantren sends the link that morning (links expire; the first one of December would have)
    with clock.at(datetime(2021, 1, 6, 9, 40, tzinfo=WIB)):
        link = await create_confirm_link(actor=seller, deal_id=deal.id)
    with clock.at(datetime(2021, 1, 6, 10, 12, tzinfo=WIB)):
        await act_on_link(token=link.url.rsplit("/", 1)[-1], action=DealAction.konfirmasi)
