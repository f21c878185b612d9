"""Reading a Dinas workbook (xlsx) into typed rows and cell errors: pure, no database, safe on hostile files.

Guards run before openpyxl sees the bytes: size, OLE magic (encrypted or old .xls), zip central directory
(uncompressed total, entry count, how much one part expands: a zip bomb), xlsx parts present. openpyxl then
reads in read-only mode with defusedxml, so DTD/entity tricks are refused. The work is bounded whatever a
sheet declares: a sheet whose declared size (`<dimension>`) exceeds the row limit is refused before its rows
are read; the declared size is then ignored and only the columns under known headers are read; every row
counts, empty or not (a run of `max_empty_run` empty rows, or a row past Excel's last, refuses the sheet);
and reading stops at a deadline (`max_seconds`, checked per row and as the bytes are read), so the worker
thread ends on its own. Every problem becomes a `CellError` in Bahasa Indonesia; nothing raises.
"""

from __future__ import annotations

import difflib
import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from opop_events.catalog.enums import (
    BUYER_TYPE_LABELS,
    CATEGORY_LABELS,
    CERTIFICATION_LABELS,
    BuyerType,
    Category,
    Certification,
    parse_label,
)
from opop_events.core.dates import MONTHS
from opop_events.core.money import (
    MoneyError,
    check_amount,
    format_number,
    format_rupiah,
    line_value,
    parse_quantity,
    parse_rupiah,
    quantity_to_text,
)
from opop_events.core.phone import PhoneError, normalize_whatsapp
from opop_events.deals import rules
from opop_events.deals.enums import KIND_LABELS, STATE_LABELS, DealKind, DealState

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
IMPORT_STATES = (DealState.dicatat, DealState.dikonfirmasi, DealState.diverifikasi)
_NUMBER_HINT = "tulis angka bulat seperti 1.500.000"
_FORMULA = "rumus tidak diterima, tulis nilainya"


@dataclass(frozen=True)
class Limits:
    """How much a workbook may hold; the defaults suit a Dinas list of a whole province."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_zip_entries: int = 2_000
    max_rows_per_sheet: int = 200_000
    max_errors: int = 1_000
    max_expansion: int = 200  # a part above 1 MB may expand at most this many times (ordinary sheets: ~10-20)
    max_empty_run: int = 10_000  # consecutive empty rows refusing a sheet (a stray cell far below the table)
    max_seconds: float = 180.0  # reading stops here, whatever the file holds


DEFAULT_LIMITS = Limits()


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
            parts.append(f"baris {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}")
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


class _Errors:
    """Collects errors up to a cap; beyond it only counts (a broken 100,000-row sheet must not build a
    100,000-line answer)."""

    def __init__(self, result: ParsedWorkbook, cap: int) -> None:
        self.result = result
        self.cap = cap

    def add(self, sheet: str, row: int | None, column: str, value: Any, expected: str) -> None:
        if len(self.result.errors) < self.cap:
            self.result.errors.append(CellError(sheet, row, column, _show(value), expected))
        else:
            self.result.errors_left_off += 1


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


class _Bad(ValueError):
    """A cell value that does not fit; the message says what was expected."""


EXCEL_MAX_ROW = 1_048_576


class _Deadline(Exception):
    """Reading took longer than `Limits.max_seconds`."""


class _TimedBytes(io.BytesIO):
    """The workbook's bytes, refusing to be read past the deadline. Every part openpyxl parses (shared
    strings, the sheet scan it makes when a sheet declares no size, one enormous row) is decompressed from here
    a few KB at a time, so no step of reading outlives the deadline by more than one such chunk."""

    def __init__(self, content: bytes, deadline: float) -> None:
        super().__init__(content)
        self.deadline = deadline

    def read(self, size: int | None = -1) -> bytes:
        if time.monotonic() > self.deadline:
            raise _Deadline
        return super().read(size)


# -- cell converters (pure, cached where the same text repeats thousands of times) --------------------------


def norm_name(text: str) -> str:
    """The key names are matched by: lower case, single spaces, no surrounding space."""
    return " ".join(text.lower().split())


def norm_header(text: Any) -> str:
    raw = str(text or "").strip().lower().rstrip("*").strip()
    return re.sub(r"[\s_\-]+", "_", raw)


def as_text(value: Any, *, max_length: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _Bad("tulis sebagai teks")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        raise _Bad("tulis sebagai teks, bukan tanggal")
    text = " ".join(str(value).split())
    if len(text) > max_length:
        raise _Bad(f"paling panjang {max_length} karakter")
    return text


def parse_amount(value: Any) -> int:
    """Integer rupiah from a numeric cell or Indonesian text (`Rp 1.500.000`, `1.500.000`, `1500000`)."""
    if isinstance(value, bool):
        raise _Bad(_NUMBER_HINT)
    if isinstance(value, float):
        if not value.is_integer():
            raise _Bad("rupiah harus bilangan bulat, tanpa sen")
        value = int(value)
    if isinstance(value, int):
        try:
            return check_amount(value)
        except MoneyError as exc:
            raise _Bad(str(exc)) from exc
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise _Bad("rupiah harus bilangan bulat, tanpa sen")
        return parse_amount(int(value))
    if not isinstance(value, str):
        raise _Bad(_NUMBER_HINT)
    return _amount_text(value)


@lru_cache(maxsize=4096)
def _amount_text(text: str) -> int:
    try:
        return parse_rupiah(text)
    except MoneyError as exc:
        message = str(exc)
        raise _Bad(_NUMBER_HINT if "bukan nilai rupiah" in message else message) from exc


_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")


def parse_count(value: Any) -> Decimal:
    """An exact positive quantity from a numeric cell or text (`12`, `12,5`)."""
    if isinstance(value, bool):
        raise _Bad("tulis jumlah seperti 12 atau 12,5")
    try:
        if isinstance(value, float):
            return parse_quantity(Decimal(repr(value)))
        if isinstance(value, int | Decimal):
            return parse_quantity(value)
        if isinstance(value, str):
            if _GROUPED.fullmatch(value.strip()):
                # parse_quantity would read `1.500` as 1.5; in an Indonesian sheet it usually means 1500
                raise _Bad("ambigu: tulis 1500 untuk seribu lima ratus, atau 1,5 untuk satu setengah")
            return parse_quantity(value)
    except MoneyError as exc:
        raise _Bad(str(exc)) from exc
    raise _Bad("tulis jumlah seperti 12 atau 12,5")


_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(MONTHS, start=1):
    _MONTHS[_name.lower()] = _number
    _MONTHS[_name.lower()[:3]] = _number
_MONTHS.update({"agt": 8, "ags": 8, "sept": 9, "okt": 10, "nop": 11, "pebruari": 2, "peb": 2, "nopember": 11})
_DATE_HINT = "tulis tanggal seperti 9/12/2020, 2020-12-09 atau 9 Desember 2020"
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_day(value: Any) -> date:
    """A date cell or `9/12/2020` (day first), `2020-12-09`, `9 Desember 2020`, `9 Des 2020`."""
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str):
        return _day_text(value)
    else:
        raise _Bad(_DATE_HINT)
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise _Bad(f"tahun harus antara {MIN_YEAR} dan {MAX_YEAR}")
    return result


@lru_cache(maxsize=4096)
def _day_text(text: str) -> date:
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    day = month = year = None
    if match := _DMY.match(cleaned):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _ISO.match(cleaned):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _WORDS.match(cleaned):
        month = _MONTHS.get(match[2])
        if month is None:
            raise _Bad(f"nama bulan '{match[2]}' tidak dikenal; {_DATE_HINT}")
        day, year = int(match[1]), int(match[3])
    else:
        raise _Bad(_DATE_HINT)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Bad(f"tahun harus antara {MIN_YEAR} dan {MAX_YEAR}")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _Bad(f"tanggal tidak ada di kalender; {_DATE_HINT}") from exc


class WilayahIndex:
    """kabupaten_kota as BPS code (`3273`) or name (`Kota Bandung`, `Kab. Bandung`, `Kabupaten Bandung`, or a
    bare `Garut` when only one kab/kota carries it)."""

    def __init__(self, wilayah: Mapping[str, str]) -> None:
        self.names = dict(wilayah)
        self.by_full: dict[str, str] = {}
        self.by_bare: dict[str, list[str]] = {}
        for code, name in wilayah.items():
            key = norm_name(name)
            self.by_full[key] = code
            bare = re.sub(r"^(kabupaten|kota)\s+", "", key)
            self.by_bare.setdefault(bare, []).append(code)

    def resolve(self, value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = norm_name(str(value)) if value is not None else ""
        if not text:
            raise _Bad("wajib diisi: kode BPS atau nama kabupaten/kota")
        if text in self.names:
            return text
        text = re.sub(r"^kab(?:upaten)?\.?\s*", "kabupaten ", text)
        if text in self.by_full:
            return self.by_full[text]
        codes = self.by_bare.get(text, [])
        if len(codes) == 1:
            return codes[0]
        if len(codes) > 1:
            options = " atau ".join(f"'{self.names[c]}'" for c in sorted(codes))
            raise _Bad(f"ambigu; tulis {options}")
        raise _Bad("kabupaten/kota Jawa Barat tidak dikenal; tulis kode BPS (mis. 3273) atau nama (mis. Kota Bandung)")


def _choice(
    enum: type[Any], labels: Mapping[Any, str], what: str, members: tuple[Any, ...] | None = None
) -> Callable[[Any], str]:
    allowed = members or tuple(enum)
    options = ", ".join(member.value for member in allowed)

    @lru_cache(maxsize=256)
    def convert(text: str) -> str:
        member = parse_label(enum, dict(labels), text)
        if member is None or member not in allowed:
            raise _Bad(f"{what} tidak dikenal; pilih salah satu: {options}")
        return member.value

    def parse(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _Bad(f"wajib diisi; pilih salah satu: {options}")
        return convert(value.strip())

    return parse


parse_buyer_type = _choice(BuyerType, BUYER_TYPE_LABELS, "jenis pembeli")
parse_category = _choice(Category, CATEGORY_LABELS, "kategori")
parse_certification = _choice(Certification, CERTIFICATION_LABELS, "sertifikasi")
parse_kind = _choice(DealKind, KIND_LABELS, "jenis transaksi")
parse_state = _choice(DealState, STATE_LABELS, "status impor", IMPORT_STATES)


def parse_phone(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        # A number cell loses the leading zero: 81234567890 is 081234567890.
        value = str(value)
        if not value.startswith("62"):
            value = "0" + value
    try:
        return normalize_whatsapp(str(value))
    except PhoneError as exc:
        raise _Bad(f"{exc}; tulis seperti 0812-3456-7890") from exc


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
_HEADER_ALIASES = {"kabupaten/kota": "kabupaten_kota", "kab/kota": "kabupaten_kota", "no_wa": "whatsapp", "wa": "whatsapp"}


class _Row:
    """One data row: cells by column name, with the formula check and error reporting built in."""

    __slots__ = ("cells", "errors", "failed", "number", "sheet")

    def __init__(self, sheet: str, number: int, cells: dict[str, Any], errors: _Errors) -> None:
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.errors = errors
        self.failed = False

    def get(self, column: str, convert: Callable[[Any], Any], *, required: bool = False, default: Any = None) -> Any:
        value = self.cells.get(column)
        if isinstance(value, str):
            if value.startswith("="):
                return self.fail(column, value, _FORMULA)
            if not value.strip():
                value = None
        if value is None:
            if required:
                return self.fail(column, value, "wajib diisi")
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


def _pesantren(row: _Row, wilayah: WilayahIndex) -> PesantrenRow | None:
    name = row.get("nama", _text(200), required=True)
    code = row.get("kabupaten_kota", wilayah.resolve, required=True)
    address = row.get("alamat", _text(500), default="")
    whatsapp = row.get("whatsapp", parse_phone, default="")
    contact = row.get("kontak", _text(120), default="")
    nspp = row.get("nspp", _text(20), default=None)
    if row.failed:
        return None
    return PesantrenRow(row.number, name, code, address, whatsapp, contact, nspp or None)


def _buyer(row: _Row) -> BuyerRow | None:
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
        raise _Bad("tulis kode dipisah koma, mis. halal, pirt")
    return frozenset(parse_certification(part.strip()) for part in value.split(",") if part.strip())


def _product(row: _Row) -> ProductRow | None:
    pesantren = row.get("pesantren", _text(200), required=True)
    name = row.get("nama", _text(200), required=True)
    category = row.get("kategori", parse_category, required=True)
    unit = row.get("satuan", _text(32), default="pcs")
    price = row.get("harga", parse_amount, required=True)
    certs = row.get("sertifikasi", _certifications, default=frozenset())
    if row.failed:
        return None
    return ProductRow(row.number, pesantren, name, category, unit, price, certs)


def _deal(row: _Row) -> DealRow | None:
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
        row.fail("harga_satuan", None, "isi harga_satuan (dengan jumlah) atau nilai")
        return None
    if price is None:
        if quantity is not None and quantity != 1:
            row.fail("harga_satuan", None, "isi harga_satuan bila jumlah lebih dari 1")
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
            f"tidak sama dengan jumlah × harga_satuan = {format_rupiah(computed)}",
        )
        return None
    return DealRow(
        row.number, deal_date, pesantren, buyer, kind, description, category, quantity_to_text(quantity),
        unit, price, computed, state,
    )


# -- the workbook -------------------------------------------------------------------------------------------


def check_container(content: bytes, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why these bytes are not an xlsx openpyxl may safely open, or None. Reads only the zip directory."""
    if len(content) > limits.max_file_bytes:
        return f"berkas terlalu besar (paling besar {limits.max_file_bytes // (1024 * 1024)} MB)"
    if content.startswith(OLE_MAGIC):
        return (
            "berkas dilindungi kata sandi (terenkripsi) atau berformat .xls lama; buka di Excel, hapus kata "
            "sandinya lalu simpan sebagai .xlsx"
        )
    if not content.startswith(ZIP_MAGIC):
        return "bukan berkas Excel .xlsx; simpan ulang sebagai Buku Kerja Excel (.xlsx)"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return "berkas .xlsx rusak (arsip zip tidak bisa dibaca); simpan ulang dari Excel"
    if len(entries) > limits.max_zip_entries:
        return f"berkas berisi terlalu banyak bagian ({len(entries)}); bukan daftar biasa"
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_uncompressed_bytes:
        return (
            f"isi berkas setelah dibuka terlalu besar ({total // (1024 * 1024)} MB, paling besar "
            f"{limits.max_uncompressed_bytes // (1024 * 1024)} MB); pecah menjadi beberapa berkas"
        )
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > limits.max_expansion * max(entry.compress_size, 1):
            return (
                f"berkas mencurigakan: bagian {entry.filename[:60]} mengembang "
                f"{format_number(entry.file_size // max(entry.compress_size, 1))} kali saat dibuka (bom zip); "
                "simpan ulang dari Excel"
            )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return "bukan berkas Excel .xlsx (bagian workbook tidak ada); simpan ulang sebagai .xlsx"
    return None


def _suggest(name: str, known: Any) -> str:
    """`; maksud Anda 'status'?` for a near miss, else the list of known names."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"; maksud Anda '{close[0]}'?"
    return f"; kolom yang dikenal: {', '.join(sorted(known))}"


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _read_sheet(
    worksheet: Any, spec: SheetSpec, sheet_title: str, errors: _Errors, limits: Limits, deadline: float
) -> Iterator[_Row]:
    """The data rows of one sheet, bounded in rows, columns and time whatever the sheet declares."""
    declared_rows = worksheet.max_row
    if declared_rows is not None and declared_rows > limits.max_rows_per_sheet + 1:
        last = f"{_column_letter(worksheet.max_column or 1)}{declared_rows}"
        errors.add(
            sheet_title, None, "", None,
            f"terlalu banyak baris (paling banyak {format_number(limits.max_rows_per_sheet)}); pecah menjadi "
            f"beberapa berkas. Lembar ini terpakai sampai sel {last}: bila datanya lebih sedikit, hapus isi dan "
            "format sel di bawah dan di kanan tabel (Ctrl+End di Excel menunjuk sel terakhir) lalu simpan ulang",
        )
        return
    worksheet.reset_dimensions()  # the declared size is not trusted: rows are read as they come
    header_rows = worksheet.iter_rows(min_row=1, max_row=1, values_only=True)
    try:
        header = next(header_rows, None)
    finally:
        header_rows.close()
    if header is None:
        return
    columns: dict[int, str] = {}
    known = set(spec.required) | set(spec.optional)
    for index, cell in enumerate(header):
        name = norm_header(cell)
        if not name:
            continue
        name = _HEADER_ALIASES.get(name, name)
        if name not in known:
            shown = _show(cell)
            errors.add(sheet_title, 1, shown, None, f"kolom '{shown}' tidak dikenal{_suggest(name, known)}")
            continue
        if name in columns.values():
            errors.add(sheet_title, 1, name, cell, "judul kolom ganda; hapus salah satu")
        columns[index] = name
    missing = [name for name in spec.required if name not in columns.values()]
    if spec.name == "Transaksi" and not {"harga_satuan", "nilai"} & set(columns.values()):
        missing.append("harga_satuan")
    for name in missing:
        errors.add(sheet_title, 1, name, None, f"kolom '{name}' tidak ada di baris judul")
    if missing:
        return
    count = 0
    empty_run = 0
    # only the columns under known headers: a cell at XFD1048576 no longer makes 16,384-wide rows
    rows = worksheet.iter_rows(min_row=2, max_col=max(columns) + 1, values_only=True)
    try:
        for number, values in enumerate(rows, start=2):
            if time.monotonic() > deadline:
                raise _Deadline
            if number > EXCEL_MAX_ROW:
                errors.add(sheet_title, None, "", None,
                           f"baris melewati batas Excel ({format_number(EXCEL_MAX_ROW)}); berkas rusak atau dibuat "
                           "dengan sengaja; simpan ulang dari Excel")
                return
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                empty_run += 1
                if empty_run >= limits.max_empty_run:
                    errors.add(
                        sheet_title, None, "", None,
                        f"{format_number(empty_run)} baris kosong berturut-turut mulai baris "
                        f"{format_number(number - empty_run + 1)}; hapus baris dan sel di bawah tabel (Ctrl+End "
                        "di Excel menunjuk sel terakhir) lalu simpan ulang",
                    )
                    return
                continue
            empty_run = 0
            count += 1
            if count > limits.max_rows_per_sheet:
                errors.add(
                    sheet_title, None, "", None,
                    f"terlalu banyak baris (paling banyak {format_number(limits.max_rows_per_sheet)}); pecah menjadi "
                    "beberapa berkas",
                )
                return
            cells = {name: values[i] for i, name in columns.items() if i < len(values)}
            yield _Row(sheet_title, number, cells, errors)
    finally:
        rows.close()


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """True when `exc` or an exception it wraps (openpyxl re-raises as ValueError) is a `kind`."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def parse_workbook(
    content: bytes, *, wilayah: Mapping[str, str], limits: Limits = DEFAULT_LIMITS
) -> ParsedWorkbook:
    """Read the four sheets (any may be absent) into typed rows; every problem becomes a CellError."""
    result = ParsedWorkbook()
    errors = _Errors(result, limits.max_errors)
    problem = check_container(content, limits)
    if problem:
        errors.add("", None, "", None, problem)
        return result
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        # Without defusedxml openpyxl's iterparse would expand entities: refuse rather than risk it.
        errors.add("", None, "", None, "impor tidak tersedia: pustaka defusedxml tidak terpasang di server")
        return result

    index = WilayahIndex(wilayah)
    deadline = time.monotonic() + limits.max_seconds
    workbook = None
    try:
        workbook = openpyxl.load_workbook(_TimedBytes(content, deadline), read_only=True, data_only=False)
        titles = {norm_header(title): title for title in workbook.sheetnames}
        wanted = {norm_header(spec.name): spec.name for spec in SHEETS}
        for key, title in titles.items():
            near = difflib.get_close_matches(key, list(wanted), n=1, cutoff=0.75)
            if key not in wanted and near:
                errors.add(title, None, "", None,
                           f"lembar '{_show(title)}' tidak dikenal; maksud Anda '{wanted[near[0]]}'?")
        for spec in SHEETS:
            title = titles.get(norm_header(spec.name))
            if title is None:
                continue
            result.sheets.append(spec.name)
            worksheet = workbook[title]
            if getattr(worksheet, "iter_rows", None) is None:
                errors.add(title, None, "", None, "lembar ini bukan tabel (mis. lembar grafik)")
                continue
            for row in _read_sheet(worksheet, spec, title, errors, limits, deadline):
                if spec.name == "Pesantren":
                    item = _pesantren(row, index)
                    if item:
                        result.pesantren.append(item)
                elif spec.name == "Pembeli":
                    item = _buyer(row)
                    if item:
                        result.buyers.append(item)
                elif spec.name == "Produk":
                    item = _product(row)
                    if item:
                        result.products.append(item)
                else:
                    item = _deal(row)
                    if item:
                        result.deals.append(item)
    except Exception as exc:  # noqa: BLE001 - hostile input: any failure inside openpyxl means a broken file
        _refused(exc, errors, limits)
    finally:
        if workbook is not None:
            workbook.close()
    if not result.sheets and not result.errors:
        errors.add("", None, "", None, "tidak ada lembar Pesantren, Pembeli, Produk atau Transaksi")
    if not result.errors and not (result.pesantren or result.buyers or result.products or result.deals):
        errors.add("", None, "", None,
                   f"tidak ada baris data di lembar {', '.join(result.sheets)}; isi baris di bawah judul kolom")
    if result.errors_left_off:
        result.errors.append(
            CellError("", None, "", "", f"dan {result.errors_left_off} galat lain tidak ditampilkan")
        )
    return result


def _refused(exc: Exception, errors: _Errors, limits: Limits) -> None:
    """The file-level error for a failure while reading: the deadline, a DTD, or a broken file."""
    from defusedxml import DefusedXmlException

    if _caused_by(exc, _Deadline):
        seconds = f"{limits.max_seconds:g}".replace(".", ",")
        errors.add("", None, "", None, f"berkas terlalu lama dibaca (lebih dari {seconds} detik); pecah menjadi "
                   "beberapa berkas")
    elif _caused_by(exc, DefusedXmlException):
        errors.add("", None, "", None, "berkas berisi deklarasi entitas XML (DTD) yang tidak diizinkan")
    else:
        errors.add("", None, "", None, "berkas .xlsx rusak atau tidak bisa dibaca; simpan ulang dari Excel")
