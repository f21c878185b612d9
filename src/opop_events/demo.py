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
from opop_events.accounts.services import create_user
from opop_events.catalog.enums import BuyerType
from opop_events.catalog.tables import Buyer, Pesantren, Product, Wilayah
from opop_events.core.dates import WIB
from opop_events.db import raw, write_transaction
from opop_events.events.tables import Event, EventOrganizer, EventSession, MeetingTable, Registration, TimeSlot

CHUNK = 500
DEMO_PASSWORD = "opop-demo-2020"
DEMO_ACCOUNTS = (
    ("admin@opop.test", Role.admin, "Staf Dinas KUK"),
    ("panitia@opop.test", Role.organizer, "Panitia Temu Bisnis"),
    ("pesantren@opop.test", Role.seller, "Admin Pesantren"),
    ("pembeli@opop.test", Role.buyer, "Bagian Pembelian"),
)

# Tables cleared by `demo --reset`, children first.
RESET_ORDER = (
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
            for n in range(rng.randint(2, 4)):
                category = main if n < 2 else rng.choice(categories)
                name, unit, low, high = rng.choice(catalog["products"][category])
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
        for position, session in enumerate(spec["sessions"]):
            day = date.fromisoformat(session["day"])
            session_rows = await EventSession.insert(
                EventSession(event=event_id, name=session["name"], day=day, position=position)
            ).returning(EventSession.id)
            hour, minute = (int(x) for x in session["start"].split(":"))
            start = datetime.combine(day, time(hour, minute), tzinfo=WIB)
            slots = []
            for _ in range(session["count"]):
                end = start + timedelta(minutes=session["minutes"])
                slots.append(TimeSlot(session=session_rows[0]["id"], starts_at=start, ends_at=end))
                start = end
            await TimeSlot.insert(*slots)
        await insert_chunked(
            MeetingTable,
            [MeetingTable(event=event_id, code=f"M{n:02d}", label=f"Meja M{n:02d}") for n in range(1, spec["tables"] + 1)],
        )
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

        # demo accounts: Dinas admin, the event's organizer, one pesantren and one buyer
        accounts = {}
        for email, role, name in DEMO_ACCOUNTS:
            accounts[role] = await create_user(
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                name=name,
                pesantren_id=pesantren_ids[0] if role is Role.seller else None,
                buyer_id=buyer_ids[0] if role is Role.buyer else None,
            )
        await EventOrganizer.insert(EventOrganizer(event=event_id, user=accounts[Role.organizer].user_id))

    return DemoSummary(
        pesantren=len(pesantren_ids),
        products=len(product_ids),
        buyers=len(buyer_ids),
        event_slug=spec["slug"],
        registrations=len(registered_pesantren) + len(registered_buyers),
    )
