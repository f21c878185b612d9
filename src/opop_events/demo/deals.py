"""The 2020 event's deals: counted ones adding up to exactly the official figure, logged, disputed, interest-only
and one cancelled deal, realisations; then Dinas closes the books and a late deal arrives through the link."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from opop_events.catalog.tables import Buyer, Product
from opop_events.core.dates import WIB
from opop_events.core.errors import InvalidInput
from opop_events.db import raw
from opop_events.deals.rules import deal_problems, realisation_date_problem
from opop_events.deals.tables import Deal, DealEvent, DealLine, DealRevision, EventClosing, Realisation
from opop_events.demo.common import at_minutes, insert_chunked
from opop_events.demo.meetings import load_meetings

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


def _check_rules(plan: dict[str, Any], *, starts_on: date) -> None:
    """The demo obeys the deal rules of every other door (deals/rules.py: date window, amount caps); a fixture
    or setting that breaks them stops the load (inside its transaction, so nothing is written)."""
    lines = [(Decimal(line["quantity"]), line["unit_price_rp"], line["value_rp"]) for line in plan["lines"]]
    problems = deal_problems(deal_date=plan["day"], starts_on=starts_on, lines=lines)
    if problems:
        raise InvalidInput(f"Data demo melanggar aturan transaksi ({plan['lines'][0]['description']}, "
                           f"{plan['day'].isoformat()}): {'; '.join(problems)}.")


def _check_realisation(realised_on: date, deal_date: date) -> None:
    if problem := realisation_date_problem(realised_on, deal_date=deal_date):
        raise InvalidInput(f"Data demo melanggar aturan realisasi ({realised_on.isoformat()}): {problem}.")


async def load_deals(
    *,
    rng: random.Random,
    spec: dict[str, Any],
    event_id: int,
    pesantren_ids: list[int],
    buyer_ids: list[int],
    admin_id: int,
) -> int:
    """Deals of the demo event whose confirmed and verified lines add up to exactly `spec['confirmed_total_rp']`,
    plus logged, disputed, interest-only and one cancelled deal, and realisations on part of them.
    History rows carry plausible times on the event days so as-of reports differ through the day."""


    target_total = spec["confirmed_total_rp"]
    products_by_pesantren: dict[int, list[dict[str, Any]]] = {}
    for row in await Product.select(Product.id, Product.pesantren, Product.name, Product.category, Product.unit,
                                    Product.price_rp).where(Product.pesantren.is_in(pesantren_ids)):
        products_by_pesantren.setdefault(row["pesantren"], []).append(row)
    day_one = date.fromisoformat(spec["starts_on"])
    day_two = date.fromisoformat(spec["ends_on"])

    plans: list[dict[str, Any]] = []
    confirmed = 0
    while True:
        kind, _, low, high = rng.choices(_DEAL_PROFILES, weights=[p[1] for p in _DEAL_PROFILES])[0]
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
        for _ in range(count):
            kind, _, low, high = rng.choices(_DEAL_PROFILES, weights=[p[1] for p in _DEAL_PROFILES])[0]
            pid = rng.choice(pesantren_ids)
            plans.append({"kind": kind, "pesantren": pid, "lines": _deal_lines(rng, products_by_pesantren[pid],
                          rng.randint(low, high)), "counted": False, "state": state})
    rng.shuffle(plans)

    for plan in plans:
        plan["buyer"] = rng.choice(buyer_ids)
    meeting_of = await load_meetings(
        rng=rng, spec=spec, event_id=event_id, pairs=[(p["pesantren"], p["buyer"]) for p in plans],
        pesantren_ids=pesantren_ids, buyer_ids=buyer_ids,
    )
    deal_rows, deal_plans = [], []
    for plan in plans:
        origin = "buyer" if plan.get("state") == "minat" else "pesantren"
        deal_rows.append(Deal(event=event_id, pesantren=plan["pesantren"], buyer=plan["buyer"], origin=origin,
                              meeting_id=meeting_of.get((plan["pesantren"], plan["buyer"])),
                              created_at=at_minutes(day_one, 0)))
        deal_plans.append(plan)
    deal_ids = await insert_chunked(Deal, deal_rows)

    revision_rows = []
    for deal_id, plan in zip(deal_ids, deal_plans, strict=True):
        plan["day"] = day_one if rng.random() < 0.8 else day_two
        _check_rules(plan, starts_on=day_one)
        revision_rows.append(DealRevision(deal=deal_id, kind=plan["kind"], deal_date=plan["day"],
                                          created_at=at_minutes(plan["day"], 0)))
    revision_ids = await insert_chunked(DealRevision, revision_rows)

    line_rows, event_rows, realisation_rows = [], [], []
    verified_days = [date(2020, 12, d) for d in range(14, 31)]
    for deal_id, revision_id, plan in zip(deal_ids, revision_ids, deal_plans, strict=True):
        for position, line in enumerate(plan["lines"], start=1):
            line_rows.append(DealLine(revision=revision_id, position=position, **line))
        snapshot = {
            "kind": plan["kind"], "deal_date": plan["day"].isoformat(), "note": "",
            "total_rp": sum(line["value_rp"] for line in plan["lines"]),
            "lines": [{**line, "product_id": line["product"]} for line in plan["lines"]],
        }
        for line in snapshot["lines"]:
            line.pop("product")

        def snap(state: str) -> str:
            return json.dumps({**snapshot, "state": state}, ensure_ascii=False, sort_keys=True)

        logged_at = at_minutes(plan["day"], rng.randint(30, 7 * 60 + 30))
        first_state, first_action = ("minat", "minat") if plan.get("state") == "minat" else ("dicatat", "catat")
        history = [(first_action, first_state, logged_at, "")]
        if plan["counted"]:
            history.append(("konfirmasi", "dikonfirmasi", logged_at + timedelta(minutes=rng.randint(5, 180)), ""))
            if rng.random() < 0.7:
                verified_at = datetime.combine(rng.choice(verified_days), time(10, 0), tzinfo=WIB)
                history.append(("verifikasi", "diverifikasi", verified_at + timedelta(minutes=rng.randint(0, 360)), ""))
        elif plan["state"] == "disanggah":
            history.append(("sanggah", "disanggah", logged_at + timedelta(minutes=rng.randint(30, 600)),
                            rng.choice(["Jumlah tidak sesuai pesanan", "Harga belum disepakati", "Belum ada PO resmi"])))
        elif plan["state"] == "dibatalkan":
            history.append(("batal", "dibatalkan", logged_at + timedelta(days=3),
                            "Pembeli membatalkan pesanan karena anggaran dialihkan"))
        previous = ""
        for version, (action, state, at, reason) in enumerate(history, start=1):
            after = snap(state)
            event_rows.append(
                DealEvent(deal=deal_id, version=version, action=action, state=state, revision=revision_id,
                          actor=admin_id if action == "verifikasi" else None,
                          actor_label="" if action == "verifikasi" else ("pembeli" if action in ("konfirmasi", "sanggah", "minat") else "pesantren"),
                          reason=reason, at=at, before=previous, after=after)
            )
            previous = after
        if plan["counted"] and history[-1][1] == "diverifikasi" and rng.random() < 0.45:
            total = snapshot["total_rp"]
            paid = total if rng.random() < 0.5 else total * rng.randint(30, 90) // 100
            realised_on = date(2021, rng.randint(1, 3), rng.randint(1, 28))
            _check_realisation(realised_on, plan["day"])
            realisation_rows.append(
                Realisation(deal=deal_id, kind="pembayaran", realised_on=realised_on, amount_rp=paid,
                            note="Bukti transfer diterima", recorded_by=admin_id,
                            recorded_at=datetime.combine(realised_on, time(14, 0), tzinfo=WIB))
            )
            event_rows.append(
                DealEvent(deal=deal_id, version=len(history) + 1, action="realisasi", state="diverifikasi",
                          revision=revision_id, actor=admin_id, actor_label="",
                          reason=f"pembayaran {paid}", at=datetime.combine(realised_on, time(14, 0), tzinfo=WIB),
                          before=previous, after=previous)
            )
    await insert_chunked(DealLine, line_rows)
    await insert_chunked(DealEvent, event_rows)
    await insert_chunked(Realisation, realisation_rows)
    return len(deal_ids)


CLOSED_AT = datetime(2020, 12, 31, 16, 0, tzinfo=WIB)
LATE_DEAL_RP = 2_500_000


async def close_books_with_a_late_deal(*, spec: dict[str, Any], event_id: int, pesantren_id: int, buyer_id: int,
                                        admin_id: int, official_deals: int) -> None:
    """Dinas closed the event's books on 31 December 2020 at the official Rp21.000.000.000; afterwards a buyer
    confirmed, through the WhatsApp link, a deal logged on the event's last day: a late deal (susulan), shown
    apart and never moving the official figure."""

    counted = await raw(
        "SELECT COUNT(*) AS n FROM deal d JOIN deal_event e ON e.deal = d.id WHERE d.event = {} AND e.version = "
        "(SELECT MAX(x.version) FROM deal_event x WHERE x.deal = d.id AND x.at <= {}) "
        "AND e.state IN ('dikonfirmasi', 'diverifikasi')",
        event_id, CLOSED_AT,
    )
    newest = await raw("SELECT COALESCE(MAX(id), 0) AS id FROM deal_event")
    await EventClosing.insert(EventClosing(
        event=event_id, action="tutup", at=CLOSED_AT, actor=admin_id,
        reason="Berita acara rekapitulasi hasil temu bisnis OPOP 2020", confirmed_rp=str(spec["confirmed_total_rp"]),
        deals_confirmed=counted[0]["n"], last_event=newest[0]["id"],
    ))
    product = await Product.select(Product.id, Product.name, Product.category, Product.unit).where(
        Product.pesantren == pesantren_id
    ).first()
    day = date.fromisoformat(spec["ends_on"])
    line = {"product": product["id"], "description": product["name"], "category": product["category"],
            "quantity": "100", "unit": product["unit"], "unit_price_rp": LATE_DEAL_RP // 100,
            "value_rp": LATE_DEAL_RP}
    logged_at, confirmed_at = at_minutes(day, 6 * 60), datetime(2021, 1, 6, 10, 12, tzinfo=WIB)
    deal_id = (await Deal.insert(Deal(event=event_id, pesantren=pesantren_id, buyer=buyer_id, origin="pesantren",
                                      created_at=logged_at)).returning(Deal.id))[0]["id"]
    revision_id = (await DealRevision.insert(DealRevision(deal=deal_id, kind="transaksi", deal_date=day,
                                                          created_at=logged_at)).returning(DealRevision.id))[0]["id"]
    await DealLine.insert(DealLine(revision=revision_id, position=1, **line))
    snapshot = {"kind": "transaksi", "deal_date": day.isoformat(), "note": "", "total_rp": LATE_DEAL_RP,
                "lines": [{**{k: v for k, v in line.items() if k != "product"}, "product_id": product["id"]}]}
    logged = json.dumps({**snapshot, "state": "dicatat"}, ensure_ascii=False, sort_keys=True)
    confirmed = json.dumps({**snapshot, "state": "dikonfirmasi"}, ensure_ascii=False, sort_keys=True)
    buyer = await Buyer.select(Buyer.name).where(Buyer.id == buyer_id).first()
    await DealEvent.insert(
        DealEvent(deal=deal_id, version=1, action="catat", state="dicatat", revision=revision_id,
                  actor_label="pesantren", at=logged_at, before="", after=logged),
        DealEvent(deal=deal_id, version=2, action="konfirmasi", state="dikonfirmasi", revision=revision_id,
                  actor_label=f"{buyer['name']} (via tautan WhatsApp)", at=confirmed_at, before=logged,
                  after=confirmed),
    )


# -- meetings -----------------------------------------------------------------------------------------------
