"""Reading a Dinas workbook (xlsx) into typed rows and cell errors: pure, no database, safe on hostile files.

Guards run before openpyxl sees the bytes: size, OLE magic (encrypted or old .xls), zip central directory
(uncompressed total, entry count, how much one part expands: a zip bomb), xlsx parts present. openpyxl then
reads in read-only mode with defusedxml, so DTD/entity tricks are refused. The work is bounded whatever a
sheet declares: a sheet whose declared size (`<dimension>`) exceeds the row limit is refused before its rows
are read; the declared size is then ignored and only the columns under known headers are read; every row
counts, empty or not (a run of `max_empty_run` empty rows, or a row past Excel's last, refuses the sheet);
and reading stops at a deadline (`max_seconds`, checked per row and as the bytes are read), so the worker
thread ends on its own. Every problem becomes a `CellError` in Bahasa Indonesia; nothing raises.
The cell converters live in `cells.py`, the sheets and their row parsers in `rows.py`.
"""

from __future__ import annotations

import difflib
import io
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from opop_events.core.i18n import _
from opop_events.core.money import format_number
from opop_events.importing.cells import WilayahIndex, norm_header, show_value
from opop_events.importing.rows import (
    HEADER_ALIASES,
    SHEETS,
    CellError,
    ErrorList,
    ParsedWorkbook,
    SheetRow,
    SheetSpec,
    buyer_row,
    deal_row,
    pesantren_row,
    product_row,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


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


# -- the workbook -------------------------------------------------------------------------------------------


def check_container(content: bytes, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why these bytes are not an xlsx openpyxl may safely open, or None. Reads only the zip directory."""
    if len(content) > limits.max_file_bytes:
        return _("berkas terlalu besar (paling besar {size} MB)").format(size=limits.max_file_bytes // (1024 * 1024))
    if content.startswith(OLE_MAGIC):
        return _(
            "berkas dilindungi kata sandi (terenkripsi) atau berformat .xls lama; buka di Excel, hapus kata "
            "sandinya lalu simpan sebagai .xlsx"
        )
    if not content.startswith(ZIP_MAGIC):
        return _("bukan berkas Excel .xlsx; simpan ulang sebagai Buku Kerja Excel (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return _("berkas .xlsx rusak (arsip zip tidak bisa dibaca); simpan ulang dari Excel")
    if len(entries) > limits.max_zip_entries:
        return _("berkas berisi terlalu banyak bagian ({count}); bukan daftar biasa").format(count=len(entries))
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_uncompressed_bytes:
        return _(
            "isi berkas setelah dibuka terlalu besar ({size} MB, paling besar {limit} MB); pecah menjadi beberapa "
            "berkas"
        ).format(size=total // (1024 * 1024), limit=limits.max_uncompressed_bytes // (1024 * 1024))
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > limits.max_expansion * max(entry.compress_size, 1):
            return _(
                "berkas mencurigakan: bagian {part} mengembang {times} kali saat dibuka (bom zip); "
                "simpan ulang dari Excel"
            ).format(part=entry.filename[:60], times=format_number(entry.file_size // max(entry.compress_size, 1)))
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return _("bukan berkas Excel .xlsx (bagian workbook tidak ada); simpan ulang sebagai .xlsx")
    return None


def _suggest(name: str, known: Any) -> str:
    """`; maksud Anda 'status'?` for a near miss, else the list of known names."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    if close:
        return _("; maksud Anda '{name}'?").format(name=close[0])
    return _("; kolom yang dikenal: {names}").format(names=", ".join(sorted(known)))


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _read_sheet(
    worksheet: Any, spec: SheetSpec, sheet_title: str, errors: ErrorList, limits: Limits, deadline: float
) -> Iterator[SheetRow]:
    """The data rows of one sheet, bounded in rows, columns and time whatever the sheet declares."""
    declared_rows = worksheet.max_row
    if declared_rows is not None and declared_rows > limits.max_rows_per_sheet + 1:
        last = f"{_column_letter(worksheet.max_column or 1)}{declared_rows}"
        errors.add(
            sheet_title, None, "", None,
            _(
                "terlalu banyak baris (paling banyak {count}); pecah menjadi beberapa berkas. Lembar ini terpakai "
                "sampai sel {last}: bila datanya lebih sedikit, hapus isi dan format sel di bawah dan di kanan "
                "tabel (Ctrl+End di Excel menunjuk sel terakhir) lalu simpan ulang"
            ).format(count=format_number(limits.max_rows_per_sheet), last=last),
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
        name = HEADER_ALIASES.get(name, name)
        if name not in known:
            shown = show_value(cell)
            errors.add(
                sheet_title, 1, shown, None,
                _("kolom '{name}' tidak dikenal").format(name=shown) + _suggest(name, known),
            )
            continue
        if name in columns.values():
            errors.add(sheet_title, 1, name, cell, _("judul kolom ganda; hapus salah satu"))
        columns[index] = name
    missing = [name for name in spec.required if name not in columns.values()]
    if spec.name == "Transaksi" and not {"harga_satuan", "nilai"} & set(columns.values()):
        missing.append("harga_satuan")
    for name in missing:
        errors.add(sheet_title, 1, name, None, _("kolom '{name}' tidak ada di baris judul").format(name=name))
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
                           _("baris melewati batas Excel ({limit}); berkas rusak atau dibuat dengan sengaja; "
                             "simpan ulang dari Excel").format(limit=format_number(EXCEL_MAX_ROW)))
                return
            if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                empty_run += 1
                if empty_run >= limits.max_empty_run:
                    errors.add(
                        sheet_title, None, "", None,
                        _(
                            "{count} baris kosong berturut-turut mulai baris {first}; hapus baris dan sel di bawah "
                            "tabel (Ctrl+End di Excel menunjuk sel terakhir) lalu simpan ulang"
                        ).format(count=format_number(empty_run), first=format_number(number - empty_run + 1)),
                    )
                    return
                continue
            empty_run = 0
            count += 1
            if count > limits.max_rows_per_sheet:
                errors.add(
                    sheet_title, None, "", None,
                    _("terlalu banyak baris (paling banyak {count}); pecah menjadi beberapa berkas").format(
                        count=format_number(limits.max_rows_per_sheet)
                    ),
                )
                return
            cells = {name: values[i] for i, name in columns.items() if i < len(values)}
            yield SheetRow(sheet_title, number, cells, errors)
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
    errors = ErrorList(result, limits.max_errors)
    problem = check_container(content, limits)
    if problem:
        errors.add("", None, "", None, problem)
        return result
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        # Without defusedxml openpyxl's iterparse would expand entities: refuse rather than risk it.
        errors.add("", None, "", None, _("impor tidak tersedia: pustaka defusedxml tidak terpasang di server"))
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
                           _("lembar '{name}' tidak dikenal; maksud Anda '{suggestion}'?").format(
                               name=show_value(title), suggestion=wanted[near[0]]))
        for spec in SHEETS:
            title = titles.get(norm_header(spec.name))
            if title is None:
                continue
            result.sheets.append(spec.name)
            worksheet = workbook[title]
            if getattr(worksheet, "iter_rows", None) is None:
                errors.add(title, None, "", None, _("lembar ini bukan tabel (mis. lembar grafik)"))
                continue
            for row in _read_sheet(worksheet, spec, title, errors, limits, deadline):
                if spec.name == "Pesantren":
                    item = pesantren_row(row, index)
                    if item:
                        result.pesantren.append(item)
                elif spec.name == "Pembeli":
                    item = buyer_row(row)
                    if item:
                        result.buyers.append(item)
                elif spec.name == "Produk":
                    item = product_row(row)
                    if item:
                        result.products.append(item)
                else:
                    item = deal_row(row)
                    if item:
                        result.deals.append(item)
    except Exception as exc:  # noqa: BLE001 - hostile input: any failure inside openpyxl means a broken file
        _refused(exc, errors, limits)
    finally:
        if workbook is not None:
            workbook.close()
    if not result.sheets and not result.errors:
        errors.add("", None, "", None, _("tidak ada lembar Pesantren, Pembeli, Produk atau Transaksi"))
    if not result.errors and not (result.pesantren or result.buyers or result.products or result.deals):
        errors.add("", None, "", None,
                   _("tidak ada baris data di lembar {sheets}; isi baris di bawah judul kolom").format(
                       sheets=", ".join(result.sheets)))
    if result.errors_left_off:
        result.errors.append(
            CellError("", None, "", "", _("dan {count} galat lain tidak ditampilkan").format(
                count=result.errors_left_off))
        )
    return result


def _refused(exc: Exception, errors: ErrorList, limits: Limits) -> None:
    """The file-level error for a failure while reading: the deadline, a DTD, or a broken file."""
    from defusedxml import DefusedXmlException

    if _caused_by(exc, _Deadline):
        seconds = f"{limits.max_seconds:g}".replace(".", ",")
        errors.add("", None, "", None, _("berkas terlalu lama dibaca (lebih dari {seconds} detik); pecah menjadi "
                   "beberapa berkas").format(seconds=seconds))
    elif _caused_by(exc, DefusedXmlException):
        errors.add("", None, "", None, _("berkas berisi deklarasi entitas XML (DTD) yang tidak diizinkan"))
    else:
        errors.add("", None, "", None, _("berkas .xlsx rusak atau tidak bisa dibaca; simpan ulang dari Excel"))
