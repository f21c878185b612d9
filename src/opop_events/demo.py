"""Deterministic demo data from `fixtures/demo/`: pesantren with products across the 27 kabupaten/kota, buyers of
every type, the Bandung temu bisnis of December 2020 with sessions, slots, tables and registrations, and four
demo accounts. Bulk rows go in chunked multi-row inserts."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from piccolo.table import Table

from opop_events.accounts.enums import Role
from opop_events.accounts.passwords import DEMO_PASSWORD
from opop_events.accounts.services import create_user
from opop_events.catalog.enums import BuyerType
from opop_events.catalog.tables import Buyer, Pesantren, Product, Wilayah
from opop_events.core.dates import WIB
from opop_events.db import raw, write_transaction
from opop_events.deals.projection import rebuild as rebuild_projection
from opop_events.events.tables import Event, EventOrganizer, EventSession, MeetingTable, Registration, TimeSlot

CHUNK = 500
DEMO_ACCOUNTS = (
    ("admin@opop.test", Role.admin, "Staf Dinas KUK"),
    ("panitia@opop.test", Role.organizer, "Panitia Temu Bisnis"),
    ("pesantren@opop.test", Role.seller, "Admin Pesantren"),
    ("pembeli@opop.test", Role.buyer, "Bagian Pembelian"),
)

# Tables cleared by `demo --reset`, children first.
RESET_ORDER = (
    "import_batch",
    "event_closing",
    "meeting_outcome",
    "meeting_change",
    "schedule_run",
    "unavailability",
    "idempotency_record",
    "confirm_link",
    "ledger_stamp",
    "deal_line_current",
    "deal_current",
    "realisation",
    "attachment",
    "deal_event",
    "deal_line",
    "deal_revision",
    "deal",
    "meeting",
    "meeting_request",
    "login_attempt",
    "web_session",
    "api_token",
    "registration",
    "time_slot",
    "event_session",
    "meeting_table",
    "event_organizer",
    "event",
    "app_user",
    "product",
    "buyer",
    "pesantren",
)


@dataclass(frozen=True)
class DemoSummary:
    pesantren: int
    products: int
    buyers: int
    event_slug: str
    registrations: int
    deals: int


async def insert_chunked(table: type[Table], rows: Sequence[Table], *, chunk: int = CHUNK) -> list[int]:
    """Insert rows a chunk at a time (one multi-row statement each); returns the new ids in order."""
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        result = await table.insert(*rows[start : start + chunk]).returning(table.id)
        ids.extend(r["id"] for r in result)
    return ids


def _phone(rng: random.Random) -> str:
    return f"628{rng.choice('1257')}{rng.randint(1, 9)}{rng.randint(10_000_000, 99_999_999)}"


def _spread(rng: random.Random, items: Sequence[Any], count: int) -> Iterable[Any]:
    for i in range(count):
        yield items[i % len(items)] if i < len(items) else rng.choice(items)


async def _insert_layout(event_id: int, spec: dict[str, Any]) -> None:
    """An event's sessions with their consecutive slots (WIB) and its numbered tables, from a fixture spec."""
    for position, session in enumerate(spec["sessions"]):
        day = date.fromisoformat(session["day"])
        rows = await EventSession.insert(
            EventSession(event=event_id, name=session["name"], day=day, position=position)
        ).returning(EventSession.id)
        hour, minute = (int(x) for x in session["start"].split(":"))
        start = datetime.combine(day, time(hour, minute), tzinfo=WIB)
        length = timedelta(minutes=session["minutes"])
        await TimeSlot.insert(
            *[
                TimeSlot(session=rows[0]["id"], starts_at=start + n * length, ends_at=start + (n + 1) * length)
                for n in range(session["count"])
            ]
        )
    await insert_chunked(
        MeetingTable,
        [MeetingTable(event=event_id, code=f"M{n:02d}", label=f"Meja M{n:02d}") for n in range(1, spec["tables"] + 1)],
    )


async def has_demo_data(slug: str) -> bool:
    return await Event.exists().where(Event.slug == slug)


async def reset() -> None:
    """Delete every row of the demo's tables (keeps wilayah and the schema)."""
    async with write_transaction():
        for table in RESET_ORDER:
            await raw(f"DELETE FROM {table}")


async def load(fixtures_dir: Path) -> DemoSummary:
    """Load the demo catalog and event; deterministic for a given fixtures folder."""
    catalog = json.loads((fixtures_dir / "demo" / "catalog.json").read_text(encoding="utf-8"))
    spec = json.loads((fixtures_dir / "demo" / "event.json").read_text(encoding="utf-8"))
    rng = random.Random(spec["seed"])
    regions = await Wilayah.select(Wilayah.id, Wilayah.code, Wilayah.name).order_by(Wilayah.code)
    region_by_code = {r["code"]: r for r in regions}

    async with write_transaction():
        # pesantren: every kabupaten/kota gets some, then the rest at random
        pesantren_rows: list[Pesantren] = []
        used_names: set[str] = set()
        for region in _spread(rng, regions, spec["pesantren_total"]):
            while True:
                place = rng.choice(catalog["place_suffixes"])
                base = rng.choice(catalog["pesantren_names"])
                short_region = region["name"].removeprefix("Kabupaten ").removeprefix("Kota ")
                name = f"{rng.choice(catalog['pesantren_prefixes'])} {base} {place}"
                if name not in used_names:
                    used_names.add(name)
                    break
            contact = f"{rng.choice(catalog['first_names'])} {rng.choice(catalog['last_names'])}"
            pesantren_rows.append(
                Pesantren(
                    name=name,
                    nspp=f"5{rng.randint(10, 99)}032{region['code'][2:]}{len(pesantren_rows) + 1:04d}",
                    wilayah=region["id"],
                    address=f"Kp. {place} RT 0{rng.randint(1, 9)}/0{rng.randint(1, 9)}, {short_region}",
                    business_unit=f"{rng.choice(catalog['business_units'])} {base}",
                    cohort_year=rng.choice([2019, 2020, 2021]),
                    track=rng.choice(["start_up", "start_up", "scale_up"]),
                    whatsapp=_phone(rng),
                    contact_person=contact,
                )
            )
        pesantren_ids = await insert_chunked(Pesantren, pesantren_rows)

        # products: 2–4 per pesantren, prices rounded to Rp500
        categories = list(catalog["products"])
        product_rows: list[Product] = []
        for pid in pesantren_ids:
            main = rng.choice(categories)
            names_used: set[str] = set()
            for n in range(rng.randint(2, 4)):
                category = main if n < 2 else rng.choice(categories)
                # a pesantren never lists two products of the same name
                choices = [p for p in catalog["products"][category] if p[0] not in names_used]
                if not choices:
                    continue
                name, unit, low, high = rng.choice(choices)
                names_used.add(name)
                food = category in ("makanan", "minuman", "peternakan", "perikanan", "herbal_kosmetik")
                product_rows.append(
                    Product(
                        pesantren=pid,
                        name=name,
                        category=category,
                        unit=unit,
                        price_rp=rng.randint(low // 500, high // 500) * 500,
                        min_order=str(rng.choice([1, 5, 10, 20, 50])),
                        monthly_capacity=str(rng.choice([100, 250, 500, 1000, 2000])),
                        cert_halal=food and rng.random() < 0.8,
                        cert_bpom=food and rng.random() < 0.25,
                        cert_pirt=food and rng.random() < 0.6,
                        cert_sni=not food and rng.random() < 0.1,
                        cert_hki=rng.random() < 0.2,
                    )
                )
        product_ids = await insert_chunked(Product, product_rows)

        # buyers: every type, branches where names repeat
        buyer_rows: list[Buyer] = []
        types = [t.value for t in BuyerType]
        for i in range(spec["buyers_registered"] + 10):
            buyer_type = types[i % len(types)]
            names = catalog["buyers"][buyer_type]
            round_no, index = divmod(i // len(types), len(names))
            city = catalog["cities"][(i * 7) % len(catalog["cities"])]
            name = names[index] + (f" Cabang {city.removeprefix('Kota ').removeprefix('Kabupaten ')}" if round_no else "")
            buyer_rows.append(
                Buyer(
                    name=name,
                    buyer_type=buyer_type,
                    city=city,
                    province="DKI Jakarta" if city == "DKI Jakarta" else "Jawa Barat",
                    whatsapp=_phone(rng),
                    contact_person=f"{rng.choice(catalog['first_names'])} {rng.choice(catalog['last_names'])}",
                    email=f"pembelian{i + 1}@contoh.co.id",
                )
            )
        buyer_ids = await insert_chunked(Buyer, buyer_rows)

        # the event
        event_rows = await Event.insert(
            Event(
                slug=spec["slug"],
                name=spec["name"],
                venue=spec["venue"],
                wilayah=region_by_code[spec["wilayah_code"]]["id"],
                starts_on=date.fromisoformat(spec["starts_on"]),
                ends_on=date.fromisoformat(spec["ends_on"]),
                status=spec["status"],
                description=spec["description"],
            )
        ).returning(Event.id)
        event_id = event_rows[0]["id"]
        await _insert_layout(event_id, spec)
        registered_pesantren = pesantren_ids[: spec["pesantren_registered"]]
        registered_buyers = buyer_ids[: spec["buyers_registered"]]
        checked_in = datetime.combine(date.fromisoformat(spec["starts_on"]), time(8, 15), tzinfo=WIB)
        await insert_chunked(
            Registration,
            [
                Registration(event=event_id, party_kind="pesantren", pesantren=pid, checked_in_at=checked_in)
                for pid in registered_pesantren
            ]
            + [
                Registration(event=event_id, party_kind="buyer", buyer=bid, checked_in_at=checked_in)
                for bid in registered_buyers
            ],
        )

        # demo accounts: Dinas admin, the event's organizer, one pesantren and one buyer. They get the published demo
        # password past the password policy, deliberately; a production server refuses to start while they have it.
        accounts = {}
        for email, role, name in DEMO_ACCOUNTS:
            accounts[role] = await create_user(
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                name=name,
                pesantren_id=pesantren_ids[0] if role is Role.seller else None,
                buyer_id=buyer_ids[0] if role is Role.buyer else None,
                enforce_policy=False,
            )
        await EventOrganizer.insert(EventOrganizer(event=event_id, user=accounts[Role.organizer].user_id))
        deals = await _load_deals(
            rng=rng,
            spec=spec,
            event_id=event_id,
            pesantren_ids=registered_pesantren,
            buyer_ids=registered_buyers,
            admin_id=accounts[Role.admin].user_id,
        )
        await _close_books_with_a_late_deal(
            spec=spec, event_id=event_id, pesantren_id=registered_pesantren[0], buyer_id=registered_buyers[0],
            admin_id=accounts[Role.admin].user_id, official_deals=deals,
        )
        deals += 1
        await _load_upcoming_event(
            rng=rng, fixtures_dir=fixtures_dir, organizer_id=accounts[Role.organizer].user_id,
            pesantren_ids=pesantren_ids, buyer_ids=buyer_ids,
        )
        await rebuild_projection()  # the demo writes ledger rows itself: derive the projection from them

    return DemoSummary(
        pesantren=len(pesantren_ids),
        products=len(product_ids),
        buyers=len(buyer_ids),
        event_slug=spec["slug"],
        registrations=len(registered_pesantren) + len(registered_buyers),
        deals=deals,
    )


# -- deals --------------------------------------------------------------------------------------------------

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
    from decimal import Decimal

    from opop_events.core.errors import InvalidInput
    from opop_events.deals.rules import deal_problems

    lines = [(Decimal(line["quantity"]), line["unit_price_rp"], line["value_rp"]) for line in plan["lines"]]
    problems = deal_problems(deal_date=plan["day"], starts_on=starts_on, lines=lines)
    if problems:
        raise InvalidInput(f"Data demo melanggar aturan transaksi ({plan['lines'][0]['description']}, "
                           f"{plan['day'].isoformat()}): {'; '.join(problems)}.")


def _check_realisation(realised_on: date, deal_date: date) -> None:
    from opop_events.core.errors import InvalidInput
    from opop_events.deals.rules import realisation_date_problem

    if problem := realisation_date_problem(realised_on, deal_date=deal_date):
        raise InvalidInput(f"Data demo melanggar aturan realisasi ({realised_on.isoformat()}): {problem}.")


def _at(day: date, minutes_after_nine: int) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=WIB) + timedelta(minutes=minutes_after_nine)


async def _load_deals(
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

    from opop_events.deals.tables import Deal, DealEvent, DealLine, DealRevision, Realisation

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
    meeting_of = await _load_meetings(
        rng=rng, spec=spec, event_id=event_id, pairs=[(p["pesantren"], p["buyer"]) for p in plans],
        pesantren_ids=pesantren_ids, buyer_ids=buyer_ids,
    )
    deal_rows, deal_plans = [], []
    for plan in plans:
        origin = "buyer" if plan.get("state") == "minat" else "pesantren"
        deal_rows.append(Deal(event=event_id, pesantren=plan["pesantren"], buyer=plan["buyer"], origin=origin,
                              meeting_id=meeting_of.get((plan["pesantren"], plan["buyer"])),
                              created_at=_at(day_one, 0)))
        deal_plans.append(plan)
    deal_ids = await insert_chunked(Deal, deal_rows)

    revision_rows = []
    for deal_id, plan in zip(deal_ids, deal_plans, strict=True):
        plan["day"] = day_one if rng.random() < 0.8 else day_two
        _check_rules(plan, starts_on=day_one)
        revision_rows.append(DealRevision(deal=deal_id, kind=plan["kind"], deal_date=plan["day"],
                                          created_at=_at(plan["day"], 0)))
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

        logged_at = _at(plan["day"], rng.randint(30, 7 * 60 + 30))
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


async def _close_books_with_a_late_deal(*, spec: dict[str, Any], event_id: int, pesantren_id: int, buyer_id: int,
                                        admin_id: int, official_deals: int) -> None:
    """Dinas closed the event's books on 31 December 2020 at the official Rp21.000.000.000; afterwards a buyer
    confirmed, through the WhatsApp link, a deal logged on the event's last day: a late deal (susulan), shown
    apart and never moving the official figure."""
    from opop_events.deals.tables import Deal, DealEvent, DealLine, DealRevision, EventClosing

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
    logged_at, confirmed_at = _at(day, 6 * 60), datetime(2021, 1, 6, 10, 12, tzinfo=WIB)
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


async def _load_meetings(
    *,
    rng: random.Random,
    spec: dict[str, Any],
    event_id: int,
    pairs: list[tuple[int, int]],
    pesantren_ids: list[int],
    buyer_ids: list[int],
) -> dict[tuple[int, int], int]:
    """The 2020 event's matchmaking as it happened: accepted requests (most deals came from a meeting, plus
    meetings that led nowhere), placed without clashes in the event's slots and tables, mostly held.
    Returns the held meeting of each (pesantren, buyer) pair."""
    from opop_events.matching.tables import Meeting, MeetingOutcome, MeetingRequest

    wanted: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for pair in pairs:
        if pair not in seen and rng.random() < 0.7:
            seen.add(pair)
            wanted.append(pair)
    while len(wanted) < spec["demo_meetings"]:
        pair = (rng.choice(pesantren_ids), rng.choice(buyer_ids))
        if pair not in seen:
            seen.add(pair)
            wanted.append(pair)
    slots = await raw(
        "SELECT s.id, s.starts_at FROM time_slot s JOIN event_session es ON es.id = s.session "
        "WHERE es.event = {} ORDER BY s.starts_at",
        event_id,
    )
    tables = [t["id"] for t in await MeetingTable.select(MeetingTable.id).where(MeetingTable.event == event_id).order_by(MeetingTable.code)]
    busy: set[tuple[int, str, int]] = set()
    used_tables: dict[int, int] = {}
    priorities = ["wajib", "penting", "penting", "opsional"]
    request_rows = [
        MeetingRequest(event=event_id, requested_by="buyer", buyer=b, pesantren=p, priority=rng.choice(priorities),
                       status="diterima", message="Kami tertarik dengan produk Anda.",
                       created_at=datetime(2020, 12, 1, 10, tzinfo=WIB), responded_at=datetime(2020, 12, 2, 10, tzinfo=WIB))
        for p, b in wanted
    ]
    request_ids = await insert_chunked(MeetingRequest, request_rows)
    meeting_rows: list[Meeting] = []
    placed: list[tuple[int, int]] = []
    for (p, b), request_id in zip(wanted, request_ids, strict=True):
        for slot in slots:
            if (slot["id"], "p", p) in busy or (slot["id"], "b", b) in busy:
                continue
            table_index = used_tables.get(slot["id"], 0)
            if table_index >= len(tables):
                continue
            used_tables[slot["id"]] = table_index + 1
            busy.add((slot["id"], "p", p))
            busy.add((slot["id"], "b", b))
            held = rng.random() < 0.88
            meeting_rows.append(
                Meeting(event=event_id, request=request_id, buyer=b, pesantren=p, slot=slot["id"],
                        table=tables[table_index], status="hadir" if held else "tidak_hadir", source="jadwal",
                        held_at=slot["starts_at"] if held else None)
            )
            placed.append((p, b))
            break
    meeting_ids = await insert_chunked(Meeting, meeting_rows)
    held_of = {
        pair: mid for pair, mid, row in zip(placed, meeting_ids, meeting_rows, strict=True) if row.status == "hadir"
    }
    deal_pairs = set(pairs)
    outcomes = []
    for pair, meeting_id in held_of.items():
        outcome = "sepakat" if pair in deal_pairs else rng.choice(["tidak_berlanjut", "perlu_tindak_lanjut", "potensi_kerja_sama"])
        outcomes.append(MeetingOutcome(meeting=meeting_id, side="pesantren", outcome=outcome))
    await insert_chunked(MeetingOutcome, outcomes)
    return held_of


async def _load_upcoming_event(*, rng: random.Random, fixtures_dir: Path, organizer_id: int,
                               pesantren_ids: list[int], buyer_ids: list[int]) -> None:
    """A second, upcoming event with registrations and accepted meeting requests, ready for the organizer to
    run the scheduler, publish and print agendas."""
    from opop_events.matching.tables import MeetingRequest

    spec = json.loads((fixtures_dir / "demo" / "upcoming.json").read_text(encoding="utf-8"))
    region = await Wilayah.select(Wilayah.id).where(Wilayah.code == spec["wilayah_code"]).first()
    event_rows = await Event.insert(
        Event(slug=spec["slug"], name=spec["name"], venue=spec["venue"], wilayah=region["id"],
              starts_on=date.fromisoformat(spec["starts_on"]), ends_on=date.fromisoformat(spec["ends_on"]),
              status="open", description=spec["description"], meeting_quota=spec["meeting_quota"])
    ).returning(Event.id)
    event_id = event_rows[0]["id"]
    await EventOrganizer.insert(EventOrganizer(event=event_id, user=organizer_id))
    await _insert_layout(event_id, spec)
    # The demo seller's and buyer's organisations take part, so their accounts see this event too.
    sellers = [pesantren_ids[0], *rng.sample(pesantren_ids[1:], spec["pesantren"] - 1)]
    buyers = [buyer_ids[0], *rng.sample(buyer_ids[1:], spec["buyers"] - 1)]
    await insert_chunked(
        Registration,
        [Registration(event=event_id, party_kind="pesantren", pesantren=p) for p in sellers]
        + [Registration(event=event_id, party_kind="buyer", buyer=b) for b in buyers],
    )
    load: dict[int, int] = {}
    seen: set[tuple[int, int]] = set()
    requests = []
    for buyer in buyers:
        for pesantren in rng.sample(sellers, spec["requests_per_buyer"]):
            if load.get(pesantren, 0) >= spec["meeting_quota"] or (pesantren, buyer) in seen:
                continue
            seen.add((pesantren, buyer))
            load[pesantren] = load.get(pesantren, 0) + 1
            status = "diterima" if rng.random() < 0.85 else "menunggu"
            requests.append(
                MeetingRequest(event=event_id, requested_by="buyer", buyer=buyer, pesantren=pesantren,
                               priority=rng.choice(["wajib", "penting", "penting", "opsional"]), status=status,
                               message="Mohon waktu untuk membahas pasokan.")
            )
    await insert_chunked(MeetingRequest, requests)
