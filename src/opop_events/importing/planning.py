"""Planning a Dinas workbook import: match its names against the database, resolve every reference, find
duplicates; the errors it finds, in Bahasa Indonesia. Reads only; `service.py` writes the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.catalog.enums import Category
from opop_events.catalog.tables import Buyer, Pesantren, Product
from opop_events.core.dates import today_wib
from opop_events.core.i18n import N_, _
from opop_events.db import raw
from opop_events.deals import rules
from opop_events.deals.enums import DealState
from opop_events.deals.queries import current_event_join
from opop_events.deals.services import ImportedLine, deal_number
from opop_events.events.enums import PartyKind
from opop_events.events.tables import Registration
from opop_events.importing.cells import WilayahIndex, _Bad, norm_name
from opop_events.importing.rows import SHEETS, CellError, ParsedWorkbook


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
class ImportPlan:
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
                return _("keterangan dalam kurung: {problem}").format(problem=exc)
            candidates = [p for p in self.by_name.get(norm_name(match["name"]), []) if p.place == place]
        if len(candidates) > 1:
            listed = [p for p in candidates if p.in_workbook]
            if len(listed) == 1:
                return listed[0]
            names = "; ".join(f"'{self.describe(p)}'" for p in candidates[:10])
            label = _("pesantren") if what == "pesantren" else _("pembeli")
            return _("{what} ambigu, ada {count} dengan nama ini: {names}; tulis salah satu persis seperti itu").format(
                what=label, count=len(candidates), names=names
            )
        if not candidates:
            label = _("pesantren") if what == "pesantren" else _("pembeli")
            return _("{what} tidak ditemukan di basis data maupun di lembar {sheet}").format(
                what=label, sheet="Pesantren" if what == "pesantren" else "Pembeli"
            )
        return candidates[0]


async def plan_import(parsed: ParsedWorkbook, *, event_id: int, starts_on: date, event_status: str, importer: Role,
                wilayah: dict[str, tuple[int, str]], check_duplicates: bool = True) -> ImportPlan:
    """Match every name, check every reference (and, with `check_duplicates`, look for Transaksi rows that
    repeat a deal of the event or an earlier row); reads the database, writes nothing."""
    plan = ImportPlan()
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
            plan.fail("Pesantren", item.row, "nama", item.name, _("ganda dengan baris {row}").format(row=seen[key]))
            continue
        seen[key] = item.row
        found = pesantren.find(item.name, item.wilayah_code)
        if len(found) > 1:
            plan.fail("Pesantren", item.row, "nama", item.name,
                      _("ada {count} pesantren bernama ini di {place} (id {ids}); rapikan data lebih dulu").format(
                          count=len(found), place=names[item.wilayah_code], ids=", ".join(str(p.id) for p in found)))
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
                where = (_("baris {row}").format(row=owner.new.row) if owner.new is not None
                         else f"'{pesantren.describe(owner)}'")
                plan.fail("Pesantren", item.row, "nspp", item.nspp, _("NSPP sudah dipakai {where}").format(where=where))
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
            plan.fail("Pembeli", item.row, "nama", item.name, _("ganda dengan baris {row}").format(row=seen[key]))
            continue
        seen[key] = item.row
        found = buyers.find(item.name, norm_name(item.city))
        if len(found) > 1:
            plan.fail("Pembeli", item.row, "nama", item.name,
                      _("ada {count} pembeli bernama ini (id {ids}); rapikan data lebih dulu").format(
                          count=len(found), ids=", ".join(str(p.id) for p in found)))
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
            plan.fail("Produk", item.row, "nama", item.name,
                      _("ganda dengan baris {row}").format(row=seen_products[key]))
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
        plan.errors.append(CellError("Transaksi", None, "", "",
                                     _("{problem}; ubah status acara lebih dulu").format(problem=closed)))
    for item in parsed.deals:
        # an agreed or verified row states that both sides agreed (and Dinas checked): only Dinas, whose own
        # rekap it is, may import that; an organizer's list comes in as logged deals the buyers then confirm
        if importer is not Role.admin and item.state != DealState.dicatat.value:
            plan.fail("Transaksi", item.row, "status", item.state,
                      _("hanya staf Dinas yang boleh mengimpor transaksi berstatus dikonfirmasi atau diverifikasi; "
                        "panitia mengimpor transaksi berstatus dicatat"))
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
                      _("pendaftaran pesantren ini di acara dibatalkan; daftarkan ulang lebih dulu"))
            continue
        to_register.setdefault(id(seller), (PartyKind.pesantren, seller))
        to_register.setdefault(id(buyer), (PartyKind.buyer, buyer))
        plan.deals.append((item.row, seller, buyer, products.get((id(seller), norm_name(item.description))), item))
    plan.register = [(kind, party) for kind, party in to_register.values() if party.registered is None]
    if check_duplicates:
        plan.duplicates = await _duplicate_rows(plan, event_id=event_id)
    return plan


def imported_line(item: Any, product: _ProductRef | None) -> ImportedLine:
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


_DUPLICATE = N_("(pesantren, pembeli, tanggal, jenis dan barang sama)")


async def _duplicate_rows(plan: ImportPlan, *, event_id: int) -> list[CellError]:
    """Transaksi rows identical to a deal already in the event (its current revision; cancelled deals aside)
    or to an earlier row of the workbook. Identical means same pesantren, buyer, date, kind and lines."""
    known = {(seller.id, buyer.id) for _row, seller, buyer, _product, _item in plan.deals if seller.id and buyer.id}
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
            if deal["actor_label"]:
                known_as = _("{number} yang sudah ada di acara ini (asal: {source})").format(
                    number=deal_number(deal_id), source=deal["actor_label"])
            else:
                known_as = _("{number} yang sudah ada di acara ini").format(number=deal_number(deal_id))
            existing.setdefault(key, known_as)
    found: list[CellError] = []
    earlier: dict[tuple[Any, ...], int] = {}
    for row, seller, buyer, product, item in plan.deals:
        line = imported_line(item, product)
        lines = (_line_key(line.description, line.category, line.quantity, line.unit, line.unit_price_rp,
                           line.value_rp),)
        same = None
        if seller.id and buyer.id:
            same = existing.get((seller.id, buyer.id, item.deal_date, item.kind, lines))
        key = (id(seller), id(buyer), item.deal_date, item.kind, lines)
        if same is None and key in earlier:
            same = _("baris {row} berkas ini").format(row=earlier[key])
        earlier.setdefault(key, row)
        if same is not None:
            found.append(CellError("Transaksi", row, "", "", _("sama persis dengan {same} {why}").format(
                same=same, why=_(_DUPLICATE))))
    return found


def error_order(error: CellError) -> tuple[int, int]:
    order = {spec.name: i for i, spec in enumerate(SHEETS, start=1)}
    return (order.get(error.sheet, 0) if error.sheet else 0, error.row or 0)
