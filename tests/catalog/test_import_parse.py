"""The import's pure parser: hostile and broken files, headers, Indonesian numbers and dates (no database)."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opop_events.core.dates import MONTHS, format_date
from opop_events.core.money import format_number, quantity_to_text
from opop_events.importing.cells import _Bad, parse_amount, parse_count, parse_day
from opop_events.importing.parse import Limits, parse_workbook
from tests.catalog.test_import_helpers import WILAYAH, rewrite, workbook


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Nothing to clean: these tests never touch the database (overrides the harness's per-test cleanup)."""


# -- hostile and broken files (pure parser: no database needed) ---------------------------------------------


def _file_errors(content: bytes, limits: Limits | None = None) -> list[str]:
    parsed = parse_workbook(content, wilayah=WILAYAH, **({"limits": limits} if limits else {}))
    return [f"{e.field}: {e.message}" for e in parsed.errors]


def test_parse_rejects_non_xlsx_ole_and_broken_zip() -> None:
    valid = workbook({"Pembeli": [["Toko", "horeka", None, None, None]]})
    assert _file_errors(b"%PDF-1.4 hello") == [
        "berkas: bukan berkas Excel .xlsx; simpan ulang sebagai Buku Kerja Excel (.xlsx)"]
    assert _file_errors(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)[0].startswith(
        "berkas: berkas dilindungi kata sandi (terenkripsi) atau berformat .xls lama")
    assert _file_errors(valid[: len(valid) // 2])[0].startswith("berkas: berkas .xlsx rusak")
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert _file_errors(plain_zip.getvalue())[0].startswith("berkas: bukan berkas Excel .xlsx (bagian workbook")
    assert _file_errors(valid, Limits(max_file_bytes=100)) == ["berkas: berkas terlalu besar (paling besar 0 MB)"]


def test_parse_rejects_zip_bomb_by_declared_size_and_by_real_size() -> None:
    valid = workbook({"Pembeli": [["Toko", "horeka", None, None, None]]})
    # declared: patch the uncompressed size of the first central-directory entry to 3 GB
    at = valid.index(b"PK\x01\x02")
    declared = valid[: at + 24] + struct.pack("<I", 3 * 1024**3) + valid[at + 28 :]
    assert _file_errors(declared)[0].startswith("berkas: isi berkas setelah dibuka terlalu besar (3072 MB")
    # real: a highly compressible 8 MB part against a 4 MB limit
    bomb = rewrite(valid, "docProps/app.xml", b" " * (8 * 1024 * 1024))
    assert len(bomb) < 100_000
    assert _file_errors(bomb, Limits(max_uncompressed_bytes=4 * 1024 * 1024))[0].startswith(
        "berkas: isi berkas setelah dibuka terlalu besar (8 MB, paling besar 4 MB)")


_LOL = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)


def test_parse_rejects_billion_laughs_in_shared_strings_and_sheets() -> None:
    valid = workbook({"Pembeli": [["Toko", "horeka", None, None, None]]})
    strings = _LOL + (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                      b'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    types = zipfile.ZipFile(io.BytesIO(valid)).read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
    )
    with_strings = rewrite(valid, "[Content_Types].xml", types)
    with_strings = rewrite(with_strings, "", b"", add={"xl/sharedStrings.xml": strings})
    sheet = zipfile.ZipFile(io.BytesIO(valid)).read("xl/worksheets/sheet1.xml")
    in_sheet = rewrite(valid, "xl/worksheets/sheet1.xml", _LOL + sheet[sheet.index(b"<worksheet"):])
    refused = ["berkas: berkas berisi deklarasi entitas XML (DTD) yang tidak diizinkan"]
    assert _file_errors(with_strings) == refused
    assert _file_errors(in_sheet) == refused


def test_parse_rejects_too_many_rows_naming_the_sheet() -> None:
    content = workbook({"Pembeli": [[f"Toko {i}", "horeka", None, None, None] for i in range(5)]})
    [error] = _file_errors(content, Limits(max_rows_per_sheet=3))  # refused on the declared size, E6
    assert error.startswith("Pembeli: terlalu banyak baris (paling banyak 3); pecah menjadi beberapa berkas.")
    assert "terpakai sampai sel E6" in error


def test_parse_headers_ignore_case_spacing_and_report_missing_columns() -> None:
    content = workbook(
        {"Pembeli": [["Toko", "HoReKa", "Garut", None, None]], "Produk": [["P", "Kopi", "minuman"]]},
        headers={"Pembeli": [" NAMA ", "Jenis", "Kota", "WhatsApp", "kontak*"], "Produk": ["Pesantren", "Nama", "Kategori"]},
    )
    parsed = parse_workbook(content, wilayah=WILAYAH)
    assert [b.buyer_type for b in parsed.buyers] == ["horeka"]
    assert [(e.field, e.message) for e in parsed.errors] == [
        ("Produk!baris 1!harga", "kolom 'harga' tidak ada di baris judul")]


def test_parse_caps_the_error_list() -> None:
    content = workbook({"Pembeli": [[f"Toko {i}", "tidak ada", None, None, None] for i in range(12)]})
    parsed = parse_workbook(content, wilayah=WILAYAH, limits=Limits(max_errors=10))
    assert len(parsed.errors) == 11 and parsed.errors[-1].expected == "dan 2 galat lain tidak ditampilkan"


# -- numbers and dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Rp 1.500.000", 1_500_000), ("1.500.000", 1_500_000), ("Rp1.500.000,00", 1_500_000), ("1500000", 1_500_000),
     (1_500_000, 1_500_000), (1_500_000.0, 1_500_000), (Decimal(25000), 25_000), (0, 0)],
)
def test_parse_amount_accepts_indonesian_forms(value: Any, expected: int) -> None:
    assert parse_amount(value) == expected


@pytest.mark.parametrize("value", ["1,5 juta", "1.5", "-5", 1500.5, True, "Rp", 10**16, "15.00.000"])
def test_parse_amount_refuses(value: Any) -> None:
    with pytest.raises(_Bad):
        parse_amount(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(datetime(2020, 12, 9, 0, 0), date(2020, 12, 9)), (date(2020, 12, 9), date(2020, 12, 9)),
     ("9/12/2020", date(2020, 12, 9)), ("09-12-2020", date(2020, 12, 9)), ("2020-12-09", date(2020, 12, 9)),
     ("9 Desember 2020", date(2020, 12, 9)), ("9 des 2020", date(2020, 12, 9)), ("17 Agustus 2021", date(2021, 8, 17)),
     ("1 Agt 2021", date(2021, 8, 1)), (" 9  DESEMBER 2020 ", date(2020, 12, 9))],
)
def test_parse_day_accepts_indonesian_forms(value: Any, expected: date) -> None:
    assert parse_day(value) == expected


@pytest.mark.parametrize("value", ["12/31/2020", "9 December 2020", "kemarin", 44174, "9/12/1990", "2020-13-01"])
def test_parse_day_refuses(value: Any) -> None:
    with pytest.raises(_Bad):
        parse_day(value)


@pytest.mark.parametrize(("value", "expected"), [(12, "12"), ("12,5", "12.5"), (12.5, "12.5"), ("0,125", "0.125")])
def test_parse_count_exact(value: Any, expected: str) -> None:
    assert quantity_to_text(parse_count(value)) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_parse_amount_roundtrips_indonesian_grouping(amount: int) -> None:
    assert parse_amount(format_number(amount)) == amount
    assert parse_amount(f"Rp {format_number(amount)}") == amount
    assert parse_amount(str(amount)) == amount


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_parse_day_roundtrips_every_written_form(day: date) -> None:
    short = f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"
    for text in (format_date(day), short, f"{day.day}/{day.month}/{day.year}", day.isoformat()):
        assert parse_day(text) == day


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_parsers_never_raise_anything_but_bad_input(text: str) -> None:
    for parse in (parse_amount, parse_day, parse_count):
        with contextlib.suppress(_Bad):
            parse(text)




def test_openpyxl_reads_through_defusedxml() -> None:
    import openpyxl
    from openpyxl.xml.functions import iterparse

    assert openpyxl.DEFUSEDXML is True
    assert iterparse.__module__.startswith("defusedxml")
