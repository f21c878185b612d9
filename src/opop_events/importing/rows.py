"""The sheets of a Dinas workbook and their typed rows: what each sheet holds, one parser per kind of row,
and the errors they collect (`CellError`, in Bahasa Indonesia).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from opop_events.core.i18n import N_, _
from opop_events.core.money import format_rupiah, line_value, quantity_to_text
from opop_events.deals import rules
from opop_events.deals.enums import DealKind, DealState
from opop_events.importing.cells import (
    WilayahIndex,
    _Bad,
    as_text,
    parse_amount,
    parse_buyer_type,
    parse_category,
    parse_certification,
    parse_count,
    parse_day,
    parse_kind,
    parse_phone,
    parse_state,
    show_value,
)

_FORMULA = N_("rumus tidak diterima, tulis nilainya")


@dataclass(frozen=True, slots=True)
class CellError:
    """One problem, located as precisely as it can be: sheet, row (1-based, as Excel shows it), column.

    Named CellError rather than ImportError so it does not shadow the Python builtin."""

    sheet: str
    row: int | None
    column: str
    value: str
    expected: str

    @property
    def field(self) -> str:
        """`Transaksi!baris 12!harga_satuan` (the problem+json field path)."""
        parts = [self.sheet or "berkas"]
        if self.row is not None:
            parts.append(f"baris {self.row}")
        if self.column:
            parts.append(self.column)
        return "!".join(parts)

    @property
    def message(self) -> str:
        return f"'{self.value}' — {self.expected}" if self.value else self.expected

    def line(self, filename: str) -> str:
        """`rekap.xlsx › Transaksi › baris 12 › kolom harga_satuan: '1,5 juta' — tulis angka bulat …`"""
        parts = [filename]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(_("baris {row}").format(row=self.row))
        if self.column:
            parts.append(_("kolom {column}").format(column=self.column))
        return " › ".join(parts) + f": {self.message}"


@dataclass(frozen=True, slots=True)
class PesantrenRow:
    row: int
    name: str
    wilayah_code: str
    address: str
    whatsapp: str
    contact_person: str
    nspp: str | None


@dataclass(frozen=True, slots=True)
class BuyerRow:
    row: int
    name: str
    buyer_type: str
    city: str
    whatsapp: str
    contact_person: str


@dataclass(frozen=True, slots=True)
class ProductRow:
    row: int
    pesantren: str
    name: str
    category: str
    unit: str
    price_rp: int
    certifications: frozenset[str]


@dataclass(frozen=True, slots=True)
class DealRow:
    """One Transaksi row: it becomes one deal with one line."""

    row: int
    deal_date: date
    pesantren: str
    buyer: str
    kind: str
    description: str
    category: str | None
    quantity: str
    unit: str
    unit_price_rp: int
    value_rp: int
    state: str


@dataclass
class ParsedWorkbook:
    pesantren: list[PesantrenRow] = field(default_factory=list)
    buyers: list[BuyerRow] = field(default_factory=list)
    products: list[ProductRow] = field(default_factory=list)
    deals: list[DealRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    errors_left_off: int = 0


class ErrorList:
    """Collects errors up to a cap; beyond it only counts (a broken 100,000-row sheet must not build a
    100,000-line answer)."""

    def __init__(self, result: ParsedWorkbook, cap: int) -> None:
        self.result = result
        self.cap = cap

    def add(self, sheet: str, row: int | None, column: str, value: Any, expected: str) -> None:
        if len(self.result.errors) < self.cap:
            self.result.errors.append(CellError(sheet, row, column, show_value(value), expected))
        else:
            self.result.errors_left_off += 1


# -- sheets -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]


SHEETS = (
    SheetSpec("Pesantren", ("nama", "kabupaten_kota"), ("alamat", "whatsapp", "kontak", "nspp")),
    SheetSpec("Pembeli", ("nama", "jenis"), ("kota", "whatsapp", "kontak")),
    SheetSpec("Produk", ("pesantren", "nama", "kategori", "harga"), ("satuan", "sertifikasi")),
    SheetSpec(
        "Transaksi",
        ("tanggal", "pesantren", "pembeli", "uraian"),
        ("jenis", "jumlah", "satuan", "harga_satuan", "nilai", "status", "kategori"),
    ),
)
HEADER_ALIASES = {"kabupaten/kota": "kabupaten_kota", "kab/kota": "kabupaten_kota", "no_wa": "whatsapp", "wa": "whatsapp"}


class SheetRow:
    """One data row: cells by column name, with the formula check and error reporting built in."""

    __slots__ = ("cells", "errors", "failed", "number", "sheet")

    def __init__(self, sheet: str, number: int, cells: dict[str, Any], errors: ErrorList) -> None:
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.errors = errors
        self.failed = False

    def get(self, column: str, convert: Callable[[Any], Any], *, required: bool = False, default: Any = None) -> Any:
        value = self.cells.get(column)
        if isinstance(value, str):
            if value.startswith("="):
                return self.fail(column, value, _(_FORMULA))
            if not value.strip():
                value = None
        if value is None:
            if required:
                return self.fail(column, value, _("wajib diisi"))
            return default
        try:
            return convert(value)
        except _Bad as exc:
            return self.fail(column, value, str(exc))

    def fail(self, column: str, value: Any, expected: str) -> None:
        self.failed = True
        self.errors.add(self.sheet, self.number, column, value, expected)


def _text(max_length: int) -> Callable[[Any], str]:
    return lambda value: as_text(value, max_length=max_length)


def pesantren_row(row: SheetRow, wilayah: WilayahIndex) -> PesantrenRow | None:
    name = row.get("nama", _text(200), required=True)
    code = row.get("kabupaten_kota", wilayah.resolve, required=True)
    address = row.get("alamat", _text(500), default="")
    whatsapp = row.get("whatsapp", parse_phone, default="")
    contact = row.get("kontak", _text(120), default="")
    nspp = row.get("nspp", _text(20), default=None)
    if row.failed:
        return None
    return PesantrenRow(row.number, name, code, address, whatsapp, contact, nspp or None)


def buyer_row(row: SheetRow) -> BuyerRow | None:
    name = row.get("nama", _text(200), required=True)
    buyer_type = row.get("jenis", parse_buyer_type, required=True)
    city = row.get("kota", _text(120), default="")
    whatsapp = row.get("whatsapp", parse_phone, default="")
    contact = row.get("kontak", _text(120), default="")
    if row.failed:
        return None
    return BuyerRow(row.number, name, buyer_type, city, whatsapp, contact)


def _certifications(value: Any) -> frozenset[str]:
    if not isinstance(value, str):
        raise _Bad(_("tulis kode dipisah koma, mis. halal, pirt"))
    return frozenset(parse_certification(part.strip()) for part in value.split(",") if part.strip())


def product_row(row: SheetRow) -> ProductRow | None:
    pesantren = row.get("pesantren", _text(200), required=True)
    name = row.get("nama", _text(200), required=True)
    category = row.get("kategori", parse_category, required=True)
    unit = row.get("satuan", _text(32), default="pcs")
    price = row.get("harga", parse_amount, required=True)
    certs = row.get("sertifikasi", _certifications, default=frozenset())
    if row.failed:
        return None
    return ProductRow(row.number, pesantren, name, category, unit, price, certs)


def deal_row(row: SheetRow) -> DealRow | None:
    deal_date = row.get("tanggal", parse_day, required=True)
    pesantren = row.get("pesantren", _text(200), required=True)
    buyer = row.get("pembeli", _text(200), required=True)
    kind = row.get("jenis", parse_kind, default=DealKind.transaksi.value)
    description = row.get("uraian", _text(300), required=True)
    category = row.get("kategori", parse_category, default=None)
    quantity = row.get("jumlah", parse_count, default=None)
    unit = row.get("satuan", _text(32), default="")
    price = row.get("harga_satuan", parse_amount, default=None)
    value = row.get("nilai", parse_amount, default=None)
    state = row.get("status", parse_state, default=DealState.dicatat.value)
    if row.failed:
        return None
    if price is None and value is None:
        row.fail("harga_satuan", None, _("isi harga_satuan (dengan jumlah) atau nilai"))
        return None
    if price is None:
        if quantity is not None and quantity != 1:
            row.fail("harga_satuan", None, _("isi harga_satuan bila jumlah lebih dari 1"))
            return None
        quantity, price = Decimal(1), value
    quantity = quantity if quantity is not None else Decimal(1)
    computed = line_value(quantity, price)
    # deals/rules.py: the caps every door applies (one row is one deal with one line)
    capped = [(part, reason) for part, reason in rules.line_problems(quantity, price, computed)]
    if row.cells.get("harga_satuan") in (None, "") and capped:  # only `nilai` given: it is the deal's total
        capped = [("value_rp", rules.total_problem([computed]) or capped[0][1])]
    for part, reason in capped:
        column = {"quantity": "jumlah", "unit_price_rp": "harga_satuan", "value_rp": "nilai"}[part]
        row.fail(column, row.cells.get(column) if column != "nilai" or row.cells.get("nilai") is not None
                 else computed, reason)
    if capped:
        return None
    if value is not None and value != computed:
        row.fail(
            "nilai",
            row.cells.get("nilai"),
            _("tidak sama dengan jumlah × harga_satuan = {value}").format(value=format_rupiah(computed)),
        )
        return None
    return DealRow(
        row.number, deal_date, pesantren, buyer, kind, description, category, quantity_to_text(quantity),
        unit, price, computed, state,
    )
