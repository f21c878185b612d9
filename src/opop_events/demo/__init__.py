"""Deterministic demo data from `fixtures/demo/`: pesantren with products across the 27 kabupaten/kota, buyers of
every type, the Bandung temu bisnis of December 2020 with sessions, slots, tables and registrations, and four
demo accounts. Catalog and event rows go in chunked multi-row inserts; the deals' history goes through the deals
and closing services (`deals.py`), the matchmaking is in `meetings.py`."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from opop_events.accounts.enums import Role
from opop_events.accounts.passwords import DEMO_PASSWORD
from opop_events.accounts.services import create_user
from opop_events.catalog.enums import BuyerType
from opop_events.catalog.tables import Buyer, Pesantren, Product, Wilayah
from opop_events.core.dates import WIB
from opop_events.db import raw, write_transaction
from opop_events.demo.common import insert_chunked, insert_layout, phone_number, spread
from opop_events.demo.deals import close_books_with_a_late_deal, load_deals
from opop_events.demo.meetings import load_upcoming_event
from opop_events.events.tables import Event, EventOrganizer, Registration

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
    "projection_dirty",
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
        for region in spread(rng, regions, spec["pesantren_total"]):
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
                    whatsapp=phone_number(rng),
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
                    whatsapp=phone_number(rng),
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
        await insert_layout(event_id, spec)
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
        deals = await load_deals(
            rng=rng,
            spec=spec,
            event_id=event_id,
            pesantren_ids=registered_pesantren,
            buyer_ids=registered_buyers,
            admin=accounts[Role.admin],
        )
        # the demo seller's pesantren and the demo buyer's organisation come first among the registered ones
        await close_books_with_a_late_deal(
            spec=spec, admin=accounts[Role.admin], seller=accounts[Role.seller], buyer_id=registered_buyers[0],
        )
        deals += 1
        await load_upcoming_event(
            rng=rng, fixtures_dir=fixtures_dir, organizer_id=accounts[Role.organizer].user_id,
            pesantren_ids=pesantren_ids, buyer_ids=buyer_ids,
        )

    return DemoSummary(
        pesantren=len(pesantren_ids),
        products=len(product_ids),
        buyers=len(buyer_ids),
        event_slug=spec["slug"],
        registrations=len(registered_pesantren) + len(registered_buyers),
        deals=deals,
    )


# -- deals --------------------------------------------------------------------------------------------------
