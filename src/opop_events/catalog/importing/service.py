"""Importing a Dinas workbook: match names against the database, check references, write all in one transaction.

Rules (also in the template's Petunjuk sheet):
- A Pesantren row is the existing pesantren with the same name (case and spacing ignored) in the same
  kabupaten/kota, else a new one. A Pembeli row likewise by name and kota. Two identical rows are an error.
- A `pesantren` / `pembeli` cell in Produk or Transaksi names one pesantren/buyer, from the database or the
  workbook. When several share the name, the one listed in this workbook wins; otherwise the cell must say
  which, as `Nama (Kota Bandung)` / `Nama (Kota)`, and the error lists the candidates in that form.
- A Produk row is skipped (reused) when its pesantren already has a product of that name.
- Each Transaksi row becomes ONE deal with ONE line, attached to the event; the line links the pesantren's
  product whose name equals `uraian`, which also supplies category and unit when those cells are empty.
- Every pesantren and buyer of the workbook is registered to the event if it is not already.
- The deal rules of every other door apply (`deals/rules.py`): the date window around the event (not in the
  future, not more than 30 days before the event starts) and the amount caps. An unknown column, a workbook
  without data rows, or a hostile file is refused.
- All or nothing: any error and nothing is written; a dry run (a preview) checks everything and writes
  nothing, not even the `ImportBatch` record.
- Once per event: every import is recorded as an `ImportBatch` with a fingerprint of its rows (row numbers
  left out, so a re-saved copy counts as the same file). Content already imported into the event is refused,
  naming when and what it made; a Transaksi row identical to a deal already in the event (same pesantren,
  buyer, date, kind and lines; cancelled deals aside) or to an earlier row of the file is an error too. Both
  are lifted only by `force=True` (CLI `--force`, API `force=true`), and then reported as warnings.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import PurePath
from typing import Any

import anyio.to_thread

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor
from opop_events.catalog.enums import Category
from opop_events.catalog.importing.parse import (
    DEFAULT_LIMITS,
    SHEETS,
    CellError,
    Limits,
    ParsedWorkbook,
    WilayahIndex,
    _Bad,
    norm_name,
    parse_workbook,
)
from opop_events.catalog.services import CERT_COLUMNS
from opop_events.catalog.tables import Buyer, ImportBatch, Pesantren, Product, Wilayah
from opop_events.core.dates import format_datetime, today_wib
from opop_events.core.money import format_number
from opop_events.db import is_postgres, raw, write_transaction
from opop_events.deals import rules
from opop_events.deals.enums import DealKind, DealState
from opop_events.deals.queries import current_event_join
from opop_events.deals.services import ImportedDeal, ImportedLine, deal_number, import_deals
from opop_events.events.enums import PartyKind
from opop_events.events.services import get_event, require_organizer
from opop_events.events.tables import Event, Registration

CATALOG_CHUNK = 500
IMPORT_LOCK_KEY = 7_160_001  # pg_advisory_xact_lock key serialising imports


@dataclass(frozen=True)
class PriorImport:
    """The latest earlier import of the same content into the same event."""

    batch_id: int
    filename: str
    imported_at: datetime
    actor_label: str
    created_deals: int
    times: int  # how many imports of this content the event has had

    def describe(self) -> str:
        """`isi berkas ini sudah diimpor ke acara ini pada 9 Desember 2020 16.00 WIB oleh Staf (rekap.xlsx;
        24 transaksi dibuat)`."""
        times = f" {self.times} kali, terakhir" if self.times > 1 else ""
        who = f" oleh {self.actor_label}" if self.actor_label else ""
        when = format_datetime(self.imported_at)
        return (f"isi berkas ini sudah diimpor ke acara ini{times} pada {when}{who} "
                f"({self.filename}; {self.created_deals} transaksi dibuat)")


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do); `errors` non-empty means nothing was written.

    `duplicates` are the refusals `force=True` lifts (content imported before, or Transaksi rows identical to
    a deal of the event or to an earlier row): without force they are also in `errors`, with force they are
    warnings of what was written anyway."""

    created_pesantren: int = 0
    created_buyers: int = 0
    created_products: int = 0
    created_deals: int = 0
    created_registrations: int = 0
    total_rp_by_status: dict[str, int] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    dry_run: bool = False
    previous: PriorImport | None = None
    duplicates: list[CellError] = field(default_factory=list)
    forced: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def warnings(self) -> list[CellError]:
        return self.duplicates if self.forced else []

    def headline(self, filename: str) -> str:
        """One line for the person importing: a dry run says plainly it is a preview that stored nothing."""
        if self.dry_run:
            return (f"Pratinjau {filename}: tidak ada galat; bila diimpor, {format_number(self.created_deals)} "
                    "transaksi akan dibuat. Tidak ada yang disimpan.")
        return f"{filename} diimpor: {format_number(self.created_deals)} transaksi dibuat."

    @property
    def only_duplicates(self) -> bool:
        """Refused, and `force=True` alone would have let it through."""
        return bool(self.errors) and not self.forced and len(self.errors) == len(self.duplicates)


@dataclass(eq=False)
class _Party:
    """A pesantren or buyer the workbook refers to: existing (id known) or to be created (`new` row)."""

    id: int | None
    label: str
    place: str  # wilayah code (pesantren) or normalised city (buyer)
    place_label: str = ""
    in_workbook: bool = False
    new: Any = None
    registered: str | None = None  # registration status at this event, if any


@dataclass(eq=False)
class _ProductRef:
    id: int | None
    category: str
    unit: str
    new: Any = None
    owner: _Party | None = None


@dataclass
class _Plan:
    errors: list[CellError] = field(default_factory=list)
    new_pesantren: list[_Party] = field(default_factory=list)
    new_buyers: list[_Party] = field(default_factory=list)
    new_products: list[_ProductRef] = field(default_factory=list)
    register: list[tuple[PartyKind, _Party]] = field(default_factory=list)
    deals: list[tuple[int, _Party, _Party, _ProductRef | None, Any]] = field(default_factory=list)
    duplicates: list[CellError] = field(default_factory=list)

    def fail(self, sheet: str, row: int, column: str, value: Any, expected: str) -> None:
        self.errors.append(CellError(sheet, row, column, str(value) if value is not None else "", expected))


_SUFFIX = re.compile(r"^(?P<name>.*?)\s*\((?P<place>[^()]*)\)\s*$")


class _Directory:
    """Name → candidates for one kind of party, with the `Nama (Tempat)` disambiguation."""

    def __init__(self, place_of: Any) -> None:
        self.by_name: dict[str, list[_Party]] = {}
        self.place_of = place_of  # text inside brackets -> place key (may raise _Bad)
        self._cache: dict[str, _Party | str] = {}

    def add(self, name: str, party: _Party) -> None:
        self.by_name.setdefault(norm_name(name), []).append(party)

    @staticmethod
    def describe(party: _Party) -> str:
        """`Nama (Tempat)`, the form a cell may use to pick this party."""
        return f"{party.label} ({party.place_label})" if party.place_label else party.label

    def find(self, name: str, place: str) -> list[_Party]:
        return [p for p in self.by_name.get(norm_name(name), []) if p.place == place]

    def resolve(self, text: str, what: str) -> _Party | str:
        """The party `text` names, or the Indonesian reason it names none or several."""
        if text not in self._cache:
            self._cache[text] = self._resolve(text, what)
        return self._cache[text]

    def _resolve(self, text: str, what: str) -> _Party | str:
        candidates = self.by_name.get(norm_name(text), [])
        if not candidates and (match := _SUFFIX.match(text)):
            try:
                place = self.place_of(match["place"])
            except _Bad as exc:
                return f"keterangan dalam kurung: {exc}"
            candidates = [p for p in self.by_name.get(norm_name(match["name"]), []) if p.place == place]
        if len(candidates) > 1:
            listed = [p for p in candidates if p.in_workbook]
            if len(listed) == 1:
                return listed[0]
            names = "; ".join(f"'{self.describe(p)}'" for p in candidates[:10])
            return f"{what} ambigu, ada {len(candidates)} dengan nama ini: {names}; tulis salah satu persis seperti itu"
        if not candidates:
            return f"{what} tidak ditemukan di basis data maupun di lembar {'Pesantren' if what == 'pesantren' else 'Pembeli'}"
        return candidates[0]


async def _plan(parsed: ParsedWorkbook, *, event_id: int, starts_on: date, event_status: str, importer: Role,
                wilayah: dict[str, tuple[int, str]], check_duplicates: bool = True) -> _Plan:
    """Match every name, check every reference (and, with `check_duplicates`, look for Transaksi rows that
    repeat a deal of the event or an earlier row); reads the database, writes nothing."""
    plan = _Plan()
    names = {code: name for code, (_, name) in wilayah.items()}
    index = WilayahIndex(names)
    registrations = await Registration.select(Registration.pesantren, Registration.buyer, Registration.status).where(
        Registration.event == event_id
    )
    reg_pesantren = {r["pesantren"]: r["status"] for r in registrations if r["pesantren"]}
    reg_buyer = {r["buyer"]: r["status"] for r in registrations if r["buyer"]}

    # -- pesantren
    pesantren = _Directory(index.resolve)
    by_nspp: dict[str, _Party] = {}
    for row in await Pesantren.select(
        Pesantren.id, Pesantren.name, Pesantren.nspp, Pesantren.wilayah.code.as_alias("code")
    ):
        party = _Party(row["id"], row["name"], row["code"], names[row["code"]], registered=reg_pesantren.get(row["id"]))
        pesantren.add(row["name"], party)
        if row["nspp"]:
            by_nspp[row["nspp"]] = party
    seen: dict[tuple[str, str], int] = {}
    for item in parsed.pesantren:
        key = (norm_name(item.name), item.wilayah_code)
        if key in seen:
            plan.fail("Pesantren", item.row, "nama", item.name, f"ganda dengan baris {seen[key]}")
            continue
        seen[key] = item.row
        found = pesantren.find(item.name, item.wilayah_code)
        if len(found) > 1:
            plan.fail("Pesantren", item.row, "nama", item.name,
                      f"ada {len(found)} pesantren bernama ini di {names[item.wilayah_code]} (id "
                      f"{', '.join(str(p.id) for p in found)}); rapikan data lebih dulu")
            continue
        if found:
            party = found[0]
        else:
            party = _Party(None, item.name, item.wilayah_code, names[item.wilayah_code], new=item)
            pesantren.add(item.name, party)
            plan.new_pesantren.append(party)
        party.in_workbook = True
        if item.nspp:
            owner = by_nspp.get(item.nspp)
            if owner is not None and owner is not party:
                where = f"baris {owner.new.row}" if owner.new is not None else f"'{pesantren.describe(owner)}'"
                plan.fail("Pesantren", item.row, "nspp", item.nspp, f"NSPP sudah dipakai {where}")
            by_nspp[item.nspp] = party

    # -- buyers
    buyers = _Directory(norm_name)
    for row in await Buyer.select(Buyer.id, Buyer.name, Buyer.city):
        buyers.add(row["name"], _Party(row["id"], row["name"], norm_name(row["city"]), row["city"],
                                       registered=reg_buyer.get(row["id"])))
    seen = {}
    for item in parsed.buyers:
        key = (norm_name(item.name), norm_name(item.city))
        if key in seen:
            plan.fail("Pembeli", item.row, "nama", item.name, f"ganda dengan baris {seen[key]}")
            continue
        seen[key] = item.row
        found = buyers.find(item.name, norm_name(item.city))
        if len(found) > 1:
            plan.fail("Pembeli", item.row, "nama", item.name,
                      f"ada {len(found)} pembeli bernama ini (id {', '.join(str(p.id) for p in found)}); "
                      "rapikan data lebih dulu")
            continue
        if found:
            party = found[0]
        else:
            party = _Party(None, item.name, norm_name(item.city), item.city, new=item)
            buyers.add(item.name, party)
            plan.new_buyers.append(party)
        party.in_workbook = True

    # -- products
    products: dict[tuple[int, str], _ProductRef] = {}  # (id(party), normalised name)
    existing = {p.id: p for group in pesantren.by_name.values() for p in group if p.id is not None}
    for row in await Product.select(Product.id, Product.pesantren, Product.name, Product.category, Product.unit):
        party = existing.get(row["pesantren"])
        if party is not None:
            products[(id(party), norm_name(row["name"]))] = _ProductRef(row["id"], row["category"], row["unit"])
    seen_products: dict[tuple[int, str], int] = {}
    for item in parsed.products:
        owner = pesantren.resolve(item.pesantren, "pesantren")
        if isinstance(owner, str):
            plan.fail("Produk", item.row, "pesantren", item.pesantren, owner)
            continue
        key = (id(owner), norm_name(item.name))
        if key in seen_products:
            plan.fail("Produk", item.row, "nama", item.name, f"ganda dengan baris {seen_products[key]}")
            continue
        seen_products[key] = item.row
        if key not in products:
            ref = _ProductRef(None, item.category, item.unit, new=item, owner=owner)
            products[key] = ref
            plan.new_products.append(ref)

    # -- deals (one row = one deal with one line)
    to_register: dict[int, tuple[PartyKind, _Party]] = {}
    for party in [p for group in pesantren.by_name.values() for p in group if p.in_workbook]:
        to_register[id(party)] = (PartyKind.pesantren, party)
    for party in [p for group in buyers.by_name.values() for p in group if p.in_workbook]:
        to_register[id(party)] = (PartyKind.buyer, party)
    today = today_wib()
    if parsed.deals and (closed := rules.event_status_problem(event_status)):
        plan.errors.append(CellError("Transaksi", None, "", "", f"{closed}; ubah status acara lebih dulu"))
    for item in parsed.deals:
        # an agreed or verified row states that both sides agreed (and Dinas checked): only Dinas, whose own
        # rekap it is, may import that; an organizer's list comes in as logged deals the buyers then confirm
        if importer is not Role.admin and item.state != DealState.dicatat.value:
            plan.fail("Transaksi", item.row, "status", item.state,
                      "hanya staf Dinas yang boleh mengimpor transaksi berstatus dikonfirmasi atau diverifikasi; "
                      "panitia mengimpor transaksi berstatus dicatat")
        # the same date rule as the API and the forms: not in the future, not long before the event
        if problem := rules.deal_date_problem(item.deal_date, starts_on=starts_on, today=today):
            plan.fail("Transaksi", item.row, "tanggal", item.deal_date.isoformat(), problem)
        seller = pesantren.resolve(item.pesantren, "pesantren")
        buyer = buyers.resolve(item.buyer, "pembeli")
        if isinstance(seller, str):
            plan.fail("Transaksi", item.row, "pesantren", item.pesantren, seller)
        if isinstance(buyer, str):
            plan.fail("Transaksi", item.row, "pembeli", item.buyer, buyer)
        if isinstance(seller, str) or isinstance(buyer, str) or problem:
            continue
        if seller.registered == "dibatalkan":
            plan.fail("Transaksi", item.row, "pesantren", item.pesantren,
                      "pendaftaran pesantren ini di acara dibatalkan; daftarkan ulang lebih dulu")
            continue
        to_register.setdefault(id(seller), (PartyKind.pesantren, seller))
        to_register.setdefault(id(buyer), (PartyKind.buyer, buyer))
        plan.deals.append((item.row, seller, buyer, products.get((id(seller), norm_name(item.description))), item))
    plan.register = [(kind, party) for kind, party in to_register.values() if party.registered is None]
    if check_duplicates:
        plan.duplicates = await _duplicate_rows(plan, event_id=event_id)
    return plan


def _line(item: Any, product: _ProductRef | None) -> ImportedLine:
    """The one line a Transaksi row becomes; an empty category or unit comes from the linked product."""
    return ImportedLine(
        description=item.description,
        category=item.category or (product.category if product else Category.lainnya.value),
        quantity=item.quantity,
        unit=item.unit or (product.unit if product else "unit"),
        unit_price_rp=item.unit_price_rp, value_rp=item.value_rp,
        product_id=product.id if product else None,
    )


def _quantity_key(text: str) -> str:
    try:
        return str(Decimal(text).normalize())
    except (InvalidOperation, ValueError):
        return text.strip()


def _line_key(description: str, category: str, quantity: str, unit: str, unit_price_rp: int,
              value_rp: int) -> tuple[Any, ...]:
    return (norm_name(description), category, _quantity_key(quantity), norm_name(unit), int(unit_price_rp),
            int(value_rp))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


_DUPLICATE = "(pesantren, pembeli, tanggal, jenis dan barang sama)"


async def _duplicate_rows(plan: _Plan, *, event_id: int) -> list[CellError]:
    """Transaksi rows identical to a deal already in the event (its current revision; cancelled deals aside)
    or to an earlier row of the workbook. Identical means same pesantren, buyer, date, kind and lines."""
    known = {(seller.id, buyer.id) for _, seller, buyer, _, _ in plan.deals if seller.id and buyer.id}
    existing: dict[tuple[Any, ...], str] = {}
    if known:
        cur, cur_args = current_event_join(None)
        rows = await raw(
            "SELECT d.id, d.pesantren, d.buyer, r.kind, r.deal_date, logged.actor_label, l.description, "
            "l.category, l.quantity, l.unit, l.unit_price_rp, l.value_rp FROM deal d " + cur
            + "JOIN deal_revision r ON r.id = cur.revision JOIN deal_line l ON l.revision = r.id "
            "JOIN deal_event logged ON logged.deal = d.id AND logged.version = 1 "
            "WHERE d.event = {} AND cur.state <> {} ORDER BY d.id, l.position",
            *cur_args, event_id, DealState.dibatalkan.value,
        )
        deals: dict[int, dict[str, Any]] = {}
        for row in rows:
            if (row["pesantren"], row["buyer"]) not in known:
                continue
            deal = deals.setdefault(row["id"], {**row, "lines": []})
            deal["lines"].append(_line_key(row["description"], row["category"], row["quantity"], row["unit"],
                                           row["unit_price_rp"], row["value_rp"]))
        for deal_id, deal in deals.items():
            key = (deal["pesantren"], deal["buyer"], _as_date(deal["deal_date"]), deal["kind"],
                   tuple(sorted(deal["lines"])))
            source = f" (asal: {deal['actor_label']})" if deal["actor_label"] else ""
            existing.setdefault(key, f"{deal_number(deal_id)} yang sudah ada di acara ini{source}")
    found: list[CellError] = []
    earlier: dict[tuple[Any, ...], int] = {}
    for row, seller, buyer, product, item in plan.deals:
        line = _line(item, product)
        lines = (_line_key(line.description, line.category, line.quantity, line.unit, line.unit_price_rp,
                           line.value_rp),)
        same = None
        if seller.id and buyer.id:
            same = existing.get((seller.id, buyer.id, item.deal_date, item.kind, lines))
        key = (id(seller), id(buyer), item.deal_date, item.kind, lines)
        if same is None and key in earlier:
            same = f"baris {earlier[key]} berkas ini"
        earlier.setdefault(key, row)
        if same is not None:
            found.append(CellError("Transaksi", row, "", "", f"sama persis dengan {same} {_DUPLICATE}"))
    return found


def _sort_key(error: CellError) -> tuple[int, int]:
    order = {spec.name: i for i, spec in enumerate(SHEETS, start=1)}
    return (order.get(error.sheet, 0) if error.sheet else 0, error.row or 0)


async def _write(plan: _Plan, *, actor: Actor, event_id: int, wilayah: dict[str, tuple[int, str]],
                 filename: str) -> None:
    async def insert(table: Any, parties: list[Any], build: Any) -> None:
        for start in range(0, len(parties), CATALOG_CHUNK):
            chunk = parties[start : start + CATALOG_CHUNK]
            rows = await table.insert(*[build(p) for p in chunk]).returning(table.id)
            for party, row in zip(chunk, rows, strict=True):
                party.id = row["id"]

    await insert(Pesantren, plan.new_pesantren, lambda p: Pesantren(
        name=p.new.name, wilayah=wilayah[p.new.wilayah_code][0], address=p.new.address, whatsapp=p.new.whatsapp,
        contact_person=p.new.contact_person, nspp=p.new.nspp,
    ))
    await insert(Buyer, plan.new_buyers, lambda p: Buyer(
        name=p.new.name, buyer_type=p.new.buyer_type, city=p.new.city, whatsapp=p.new.whatsapp,
        contact_person=p.new.contact_person,
    ))
    await insert(Product, plan.new_products, lambda ref: Product(
        pesantren=ref.owner.id, name=ref.new.name, category=ref.new.category, unit=ref.new.unit,
        price_rp=ref.new.price_rp,
        **{column._meta.name: cert.value in ref.new.certifications for cert, column in CERT_COLUMNS.items()},
    ))
    registrations = [
        Registration(event=event_id, party_kind=kind.value,
                     pesantren=party.id if kind is PartyKind.pesantren else None,
                     buyer=party.id if kind is PartyKind.buyer else None)
        for kind, party in plan.register
    ]
    for start in range(0, len(registrations), CATALOG_CHUNK):
        await Registration.insert(*registrations[start : start + CATALOG_CHUNK])
    source = f"impor Excel: {filename}"
    deals = [
        ImportedDeal(
            pesantren_id=seller.id, buyer_id=buyer.id, kind=DealKind(item.kind), deal_date=item.deal_date,
            state=DealState(item.state), source=f"{source}, baris {row}",
            lines=[_line(item, product)],
        )
        for row, seller, buyer, product, item in plan.deals
    ]
    await import_deals(actor=actor, event_id=event_id, deals=deals)


def _result(parsed: ParsedWorkbook, plan: _Plan | None, *, dry_run: bool, previous: PriorImport | None = None,
            force: bool = False) -> ImportResult:
    duplicates = [CellError("", None, "", "", previous.describe())] if previous else []
    duplicates += plan.duplicates if plan else []
    refused = [] if force else duplicates
    errors = sorted([*parsed.errors, *(plan.errors if plan else []), *refused], key=_sort_key)
    if errors or plan is None:
        return ImportResult(errors=errors, dry_run=dry_run, previous=previous, duplicates=duplicates,
                            forced=force)
    totals = {state.value: 0 for state in (DealState.dicatat, DealState.dikonfirmasi, DealState.diverifikasi)}
    for *_, item in plan.deals:
        totals[item.state] += item.value_rp
    return ImportResult(
        created_pesantren=len(plan.new_pesantren),
        created_buyers=len(plan.new_buyers),
        created_products=len(plan.new_products),
        created_deals=len(plan.deals),
        created_registrations=len(plan.register),
        total_rp_by_status=totals,
        dry_run=dry_run,
        previous=previous,
        duplicates=duplicates,
        forced=force,
    )


def content_fingerprint(parsed: ParsedWorkbook) -> str:
    """SHA-256 of the parsed rows of every sheet, in order, without their row numbers: the same list re-saved
    from Excel (new bytes) or with blank rows added is the same content."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, frozenset):
            return sorted(value)
        raise TypeError(type(value).__name__)

    digest = hashlib.sha256()
    sheets = (("Pesantren", parsed.pesantren), ("Pembeli", parsed.buyers), ("Produk", parsed.products),
              ("Transaksi", parsed.deals))
    for sheet, items in sheets:
        for item in items:
            values = [getattr(item, f.name) for f in fields(item) if f.name != "row"]
            digest.update(json.dumps([sheet, values], default=plain, ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _previous_import(*, event_id: int, fingerprint: str) -> PriorImport | None:
    """The latest import of this content into the event. Batches older than the event itself are ignored: the
    id may have been reused after the event's rows were deleted (e.g. `demo --reset`)."""
    batches = await ImportBatch.select(
        ImportBatch.id, ImportBatch.filename, ImportBatch.imported_at, ImportBatch.actor_label,
        ImportBatch.created_deals,
    ).where((ImportBatch.event_id == event_id) & (ImportBatch.content_sha256 == fingerprint)).order_by(
        ImportBatch.id, ascending=False)
    created = await Event.select(Event.created_at).where(Event.id == event_id).first()
    if created is not None:
        batches = [b for b in batches if _aware(b["imported_at"]) >= _aware(created["created_at"])]
    if not batches:
        return None
    last = batches[0]
    return PriorImport(batch_id=last["id"], filename=last["filename"], imported_at=last["imported_at"],
                       actor_label=last["actor_label"], created_deals=last["created_deals"],
                       times=len(batches))


def display_name(filename: str) -> str:
    """The file's own name (no folders), shortened: it goes into history labels and error lines."""
    name = PurePath(filename.replace("\\", "/")).name or "berkas.xlsx"
    return name if len(name) <= 100 else name[:97] + "…"


async def import_workbook(
    *,
    actor: Actor | None,
    event_slug: str,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    force: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportResult:
    """Import a Dinas workbook into an event (admin or the event's organizer). Side effects unless `dry_run`
    or errors: creates pesantren, buyers, products, registrations and deals (with history) and the
    `ImportBatch` record in ONE transaction. Content already imported into the event, and Transaksi rows
    identical to a deal of the event or to an earlier row, are refused unless `force` (then they are
    `warnings`). The CLI, the API and the web upload all come through here. The parse runs in a worker
    thread."""
    event = await get_event(slug=event_slug)
    checked = await require_organizer(actor, event)
    wilayah = {r["code"]: (r["id"], r["name"]) for r in await Wilayah.select(Wilayah.id, Wilayah.code, Wilayah.name)}
    parsed = await anyio.to_thread.run_sync(
        partial(parse_workbook, content, wilayah={c: n for c, (_, n) in wilayah.items()}, limits=limits)
    )
    if any(error.row is None and not error.sheet for error in parsed.errors) and not parsed.sheets:
        return _result(parsed, None, dry_run=dry_run)
    fingerprint = content_fingerprint(parsed)

    async def check() -> tuple[ImportResult, _Plan | None]:
        # Content with errors was never imported, so only a clean parse is looked up. A known re-import is
        # reported once for the whole file rather than once per row.
        previous = None
        if not parsed.errors:
            previous = await _previous_import(event_id=event.id, fingerprint=fingerprint)
        if previous is not None and not force:
            return _result(parsed, None, dry_run=dry_run, previous=previous), None
        plan = await _plan(parsed, event_id=event.id, starts_on=event.starts_on, event_status=event.status.value,
                           importer=checked.role,
                           wilayah=wilayah, check_duplicates=previous is None)
        return _result(parsed, plan, dry_run=dry_run, previous=previous, force=force), plan

    if dry_run:
        return (await check())[0]
    name = display_name(filename)
    async with write_transaction():
        if is_postgres():
            # One import at a time: two imports of the same list must not both create the same new pesantren
            # nor both pass the "already imported" check (SQLite gets this from BEGIN IMMEDIATE).
            await raw("SELECT pg_advisory_xact_lock({})", IMPORT_LOCK_KEY)
        result, plan = await check()
        if result.ok and plan is not None:
            await _write(plan, actor=checked, event_id=event.id, wilayah=wilayah, filename=name)
            await ImportBatch.insert(ImportBatch(
                event_id=event.id, content_sha256=fingerprint,
                file_sha256=hashlib.sha256(content).hexdigest(), filename=name, actor_id=checked.user_id,
                actor_label=(checked.name or checked.email)[:200], created_pesantren=result.created_pesantren,
                created_buyers=result.created_buyers, created_products=result.created_products,
                created_registrations=result.created_registrations, created_deals=result.created_deals,
                forced=bool(result.warnings),
            ))
    return result
