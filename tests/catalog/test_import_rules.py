"""The Excel import refuses what the API refuses (issue #12 item 4) and survives hostile workbooks (issue #13
finding 6), through every door it has: the API, the Dinas page /dinas/impor and the CLI. Every refusal writes
nothing (no deal, no catalog row, no import_batch)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from opop_events.accounts.enums import Role
from opop_events.catalog.tables import ImportBatch
from opop_events.deals import rules
from opop_events.importing.parse import Limits, parse_workbook
from tests.catalog.test_import_helpers import HEADERS, WILAYAH, rewrite, workbook
from tests.factories import Account, data_tables, make_account, make_buyer, make_event, make_pesantren
from tests.web.conftest import csrf_from, sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EARLY = "tanggal transaksi paling awal 9 November 2020 (30 hari sebelum acara dimulai 9 Desember 2020)"


@dataclass
class Doors:
    """What each door answered for one workbook: the API response, the page response, the CLI run."""

    api: Any
    page: Any
    cli: subprocess.CompletedProcess[str]

    @property
    def api_errors(self) -> list[tuple[str, str]]:
        assert self.api.headers["content-type"].startswith("application/problem+json"), self.api.text
        return [(e["field"], e["message"]) for e in self.api.json()["errors"]]


@pytest.fixture
async def setup() -> tuple[Account, dict[str, Any]]:
    """An admin (the CLI acts as the first admin), an event on 9–10 Dec 2020, a pesantren and a buyer."""
    admin = await make_account(Role.admin)
    event = await make_event(status="live", slots=0, tables=0)
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    return admin, event


_SESSION_TABLES = ("web_session", "login_attempt", "idempotency_record")


async def _counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in data_tables() if t._meta.tablename not in _SESSION_TABLES}


def _cli(args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPOP_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "opop_events.cli", "import", *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


async def _every_door(client: Any, admin: Account, slug: str, content: bytes, tmp_path: Path, database_url: str,
                      *, dry_run: bool = False) -> Doors:
    """Send the same workbook through the API, the page and the CLI; each must write nothing (checked here)."""
    before = await _counts()
    api = await client.post(f"/api/v1/events/{slug}/imports", params={"dry_run": "true"} if dry_run else {},
                            files={"file": ("rekap.xlsx", content, XLSX)}, headers=admin.headers)
    await sign_in(client, admin)
    form = await client.get("/dinas/impor")
    page = await client.post("/dinas/impor", files={"berkas": ("rekap.xlsx", content, XLSX)}, data={
        "event_slug": slug, "_csrf_token": csrf_from(form.text), **({"dry_run": "1"} if dry_run else {})})
    path = tmp_path / "rekap.xlsx"
    path.write_bytes(content)
    cli = await asyncio.to_thread(_cli, [str(path), "--event", slug, *(["--dry-run"] if dry_run else [])],
                                  database_url)
    assert await _counts() == before, "an import that must write nothing wrote something"
    assert await ImportBatch.count() == 0
    assert "Traceback" not in cli.stderr
    return Doors(api=api, page=page, cli=cli)


def _deal_row(day: Any, **cells: Any) -> list[Any]:
    row = {"tanggal": day, "pesantren": "Pesantren Lama", "pembeli": "Pembeli Lama", "jenis": "transaksi",
           "uraian": "Beras", "jumlah": 10, "satuan": "kg", "harga_satuan": 12_000, "nilai": None,
           "status": "dikonfirmasi", **cells}
    return [row[name] for name in HEADERS["Transaksi"]]


# -- one set of rules: the deal date window -----------------------------------------------------------------


async def test_import_refuses_future_and_too_early_deal_dates_through_every_door(
    client: Any, setup: Any, tmp_path: Path, database_url: str
) -> None:
    admin, event = setup
    future = rules.today_wib() + timedelta(days=180)
    content = workbook({"Transaksi": [_deal_row(future.isoformat()), _deal_row("2020-10-01"),
                                      _deal_row("2020-12-09")]})

    doors = await _every_door(client, admin, event["slug"], content, tmp_path, database_url)

    expected = [
        ("Transaksi!baris 2!tanggal", f"'{future.isoformat()}' — tanggal transaksi tidak boleh di masa depan"),
        ("Transaksi!baris 3!tanggal", f"'2020-10-01' — {EARLY}"),
    ]
    assert (doors.api.status_code, doors.api_errors) == (422, expected)
    assert doors.page.status_code == 422
    assert "tanggal transaksi tidak boleh di masa depan" in doors.page.text and EARLY in doors.page.text
    assert doors.cli.returncode == 2
    assert doors.cli.stderr.splitlines() == [
        f"rekap.xlsx › Transaksi › baris 2 › kolom tanggal: '{future.isoformat()}' — tanggal transaksi tidak boleh "
        "di masa depan",
        f"rekap.xlsx › Transaksi › baris 3 › kolom tanggal: '2020-10-01' — {EARLY}",
        "Galat: rekap.xlsx: impor dibatalkan, 2 galat; tidak ada yang ditulis.",
    ]


async def test_import_of_deals_into_a_draft_event_is_refused_like_the_api_refuses_it(
    client: Any, setup: Any, tmp_path: Path, database_url: str
) -> None:
    admin, _ = setup
    draft = await make_event(status="draft", slots=0, tables=0)
    content = workbook({"Transaksi": [_deal_row("2020-12-09")]})

    doors = await _every_door(client, admin, draft["slug"], content, tmp_path, database_url)
    api = await client.post("/api/v1/deals", headers=admin.headers, json={
        "event_slug": draft["slug"], "kind": "transaksi", "deal_date": "2020-12-09", "pesantren_id": 1,
        "buyer_id": 1, "lines": [{"description": "Beras", "category": "pertanian", "quantity": "1",
                                  "unit_price_rp": 1000}]})

    message = "acara masih draf; transaksi belum bisa dicatat; ubah status acara lebih dulu"
    assert (doors.api.status_code, doors.api_errors) == (422, [("Transaksi", message)])
    assert doors.page.status_code == 422 and message in doors.page.text
    assert (doors.cli.returncode, doors.cli.stderr.splitlines()[0]) == (2, f"rekap.xlsx › Transaksi: {message}")
    assert api.status_code == 409 and "masih draf" in api.json()["detail"]


# -- unknown columns, no data, the dry run ------------------------------------------------------------------


async def test_an_unknown_column_is_refused_naming_the_nearest_known_one(
    client: Any, setup: Any, tmp_path: Path, database_url: str
) -> None:
    admin, event = setup
    headers = {"Transaksi": [h if h != "status" else "statuss" for h in HEADERS["Transaksi"]]}
    content = workbook({"Transaksi": [_deal_row("2020-12-09", status="diverifikasi")]}, headers=headers)

    doors = await _every_door(client, admin, event["slug"], content, tmp_path, database_url)

    message = "kolom 'statuss' tidak dikenal; maksud Anda 'status'?"
    assert (doors.api.status_code, doors.api_errors) == (422, [("Transaksi!baris 1!statuss", message)])
    assert doors.page.status_code == 422 and message.replace("'", "&#39;") in doors.page.text
    assert doors.cli.returncode == 2
    assert doors.cli.stderr.splitlines() == [
        f"rekap.xlsx › Transaksi › baris 1 › kolom statuss: {message}",
        "Galat: rekap.xlsx: impor dibatalkan, 1 galat; tidak ada yang ditulis.",
    ]


def test_unknown_columns_without_a_near_name_list_the_known_ones_and_near_sheet_names_are_refused() -> None:
    content = workbook({"Pembeli": [["Toko", "horeka", None, None, None]], "Transaksii": []},
                       headers={"Pembeli": ["nama", "jenis", "kota", "whatsapp", "kontak", "keterangan"],
                                "Transaksii": HEADERS["Transaksi"]})

    parsed = parse_workbook(content, wilayah=WILAYAH)

    assert [(e.field, e.message) for e in parsed.errors] == [
        ("Transaksii", "lembar 'Transaksii' tidak dikenal; maksud Anda 'Transaksi'?"),
        ("Pembeli!baris 1!keterangan",
         "kolom 'keterangan' tidak dikenal; kolom yang dikenal: jenis, kontak, kota, nama, whatsapp"),
    ]


async def test_a_workbook_with_headers_only_is_refused_and_writes_no_batch(
    client: Any, setup: Any, tmp_path: Path, database_url: str
) -> None:
    admin, event = setup
    content = workbook({"Pesantren": [], "Transaksi": []})

    doors = await _every_door(client, admin, event["slug"], content, tmp_path, database_url)

    message = "tidak ada baris data di lembar Pesantren, Transaksi; isi baris di bawah judul kolom"
    assert (doors.api.status_code, doors.api_errors) == (422, [("berkas", message)])
    assert doors.page.status_code == 422 and message in doors.page.text
    assert (doors.cli.returncode, doors.cli.stdout) == (2, "")
    assert doors.cli.stderr.splitlines() == [f"Galat: rekap.xlsx: {message}; tidak ada yang ditulis."]


async def test_a_dry_run_says_it_is_a_preview_and_stores_nothing(
    client: Any, setup: Any, tmp_path: Path, database_url: str
) -> None:
    admin, event = setup
    content = workbook({"Transaksi": [_deal_row("2020-12-09"), _deal_row("2020-12-10")]})

    doors = await _every_door(client, admin, event["slug"], content, tmp_path, database_url, dry_run=True)

    assert doors.api.status_code == 200, doors.api.text
    assert doors.api.json()["message"] == (
        "Pratinjau rekap.xlsx: tidak ada galat; bila diimpor, 2 transaksi akan dibuat. Tidak ada yang disimpan.")
    assert doors.api.json()["dry_run"] is True and doors.api.json()["created_deals"] == 2
    assert doors.page.status_code == 200
    assert "Pratinjau rekap.xlsx: tidak ada galat. Tidak ada yang disimpan" in doors.page.text
    assert "berhasil diimpor" not in doors.page.text
    assert doors.cli.returncode == 0, doors.cli.stderr
    first = doors.cli.stdout.splitlines()[0]
    assert first.startswith("rekap.xlsx: pratinjau (--dry-run) dalam ") and "tidak ada yang disimpan" in first
    assert "impor selesai" not in doors.cli.stdout and "transaksi   2" in doors.cli.stdout


# -- amount caps --------------------------------------------------------------------------------------------


async def test_import_applies_the_deal_caps_through_every_door(
    client: Any, setup: Any, tmp_path: Path, database_url: str
) -> None:
    admin, event = setup
    content = workbook({"Transaksi": [
        _deal_row("2020-12-09", jumlah=None, harga_satuan=None, nilai="Rp 150.000.000.000"),
        _deal_row("2020-12-09", jumlah=2, harga_satuan=60_000_000_000),
        _deal_row("2020-12-09", jumlah=20_000_000, harga_satuan=1),
        _deal_row("2020-12-09", jumlah=None, harga_satuan=None, nilai=100_000_000_000),  # at the cap: fine
    ]})

    doors = await _every_door(client, admin, event["slug"], content, tmp_path, database_url)

    assert (doors.api.status_code, doors.api_errors) == (422, [
        ("Transaksi!baris 2!nilai", "'Rp 150.000.000.000' — total transaksi Rp150.000.000.000 melebihi batas "
                                    "Rp100.000.000.000 per transaksi; periksa jumlah dan harga satuan"),
        ("Transaksi!baris 3!nilai", "'120000000000' — nilai baris Rp120.000.000.000 melebihi batas "
                                    "Rp100.000.000.000 per transaksi; periksa jumlah dan harga satuan"),
        ("Transaksi!baris 4!jumlah", "'20000000' — jumlah per baris paling banyak 10.000.000"),
    ])
    assert doors.page.status_code == 422 and "melebihi batas Rp100.000.000.000" in doors.page.text
    assert doors.cli.returncode == 2
    assert doors.cli.stderr.splitlines()[-1] == "Galat: rekap.xlsx: impor dibatalkan, 3 galat; tidak ada yang ditulis."


# -- hostile workbooks --------------------------------------------------------------------------------------


def _parsing_threads() -> list[str]:
    """Threads whose stack is inside the workbook parser or openpyxl right now."""
    frames = sys._current_frames()
    busy = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or -1)
        while frame is not None:
            name = frame.f_code.co_filename
            if "openpyxl" in name or name.endswith(os.path.join("importing", "parse.py")):
                busy.append(thread.name)
                break
            frame = frame.f_back
    return busy


@lru_cache(maxsize=1)
def _far_cell_workbook() -> bytes:
    """5 KB: one data row, and one cell at XFD1048576 (the sheet declares A1:XFD1048576)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Transaksi"
    sheet.append(HEADERS["Transaksi"])
    sheet.append(_deal_row("2020-12-09"))
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _zip_bomb_workbook() -> bytes:
    """About 100 KB that expands to 100 MB: blank space inside the Transaksi sheet's data."""
    import zipfile

    content = workbook({"Transaksi": [_deal_row("2020-12-09")]})
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    return rewrite(content, "xl/worksheets/sheet1.xml", xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 100 * 2**20))


async def test_a_cell_at_xfd1048576_is_refused_quickly_through_every_door(
    client: Any, setup: Any, tmp_path: Path, database_url: str
) -> None:
    admin, event = setup
    content = _far_cell_workbook()
    assert len(content) < 8_000

    started = time.monotonic()
    doors = await _every_door(client, admin, event["slug"], content, tmp_path, database_url)
    took = time.monotonic() - started

    assert took < 60, took
    assert _parsing_threads() == []
    [(field, message)] = doors.api_errors
    assert doors.api.status_code == 422 and field == "Transaksi"
    assert message.startswith("terlalu banyak baris (paling banyak 200.000); pecah menjadi beberapa berkas. "
                              "Lembar ini terpakai sampai sel XFD1048576")
    assert doors.page.status_code == 422 and "terpakai sampai sel XFD1048576" in doors.page.text
    assert doors.cli.returncode == 2
    assert doors.cli.stderr.splitlines()[-1] == "Galat: rekap.xlsx: impor dibatalkan, 1 galat; tidak ada yang ditulis."


async def test_a_zip_bomb_sheet_is_refused_before_parsing_through_the_api_and_the_cli(
    client: Any, setup: Any, tmp_path: Path, database_url: str
) -> None:
    admin, event = setup
    content = _zip_bomb_workbook()
    assert len(content) < 200_000

    started = time.monotonic()
    doors = await _every_door(client, admin, event["slug"], content, tmp_path, database_url)

    assert time.monotonic() - started < 60
    assert _parsing_threads() == []
    message = ("berkas mencurigakan: bagian xl/worksheets/sheet1.xml mengembang "
               f"{re.search(r'mengembang ([0-9.]+) kali', doors.api.text)[1]} kali saat dibuka (bom zip); "  # type: ignore[index]
               "simpan ulang dari Excel")
    assert (doors.api.status_code, doors.api_errors) == (422, [("berkas", message)])
    assert doors.page.status_code == 422 and "(bom zip)" in doors.page.text
    assert (doors.cli.returncode, doors.cli.stderr.splitlines()) == (
        2, [f"Galat: rekap.xlsx: {message}; tidak ada yang ditulis."])


def _without_dimension(content: bytes, sheet_xml: bytes) -> bytes:
    return rewrite(content, "xl/worksheets/sheet1.xml", re.sub(rb"<dimension[^>]*/>", b"", sheet_xml))


def test_a_far_row_without_a_declared_size_is_refused_after_a_run_of_empty_rows() -> None:
    """The declared size can lie or be missing: rows are counted as they come, empty ones too."""
    import zipfile

    content = _far_cell_workbook()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    hidden = _without_dimension(content, xml)
    in_column_a = _without_dimension(content, xml.replace(b'r="XFD1048576"', b'r="A1048576"'))
    past_excel = _without_dimension(content, xml.replace(b'r="1048576"', b'r="99999999999"').replace(
        b'r="XFD1048576"', b'r="A99999999999"'))

    for hostile in (hidden, in_column_a, past_excel):
        started = time.monotonic()
        parsed = parse_workbook(hostile, wilayah=WILAYAH)
        assert time.monotonic() - started < 10
        assert [(e.field, e.message) for e in parsed.errors] == [(
            "Transaksi", "10.000 baris kosong berturut-turut mulai baris 3; hapus baris dan sel di bawah tabel "
                         "(Ctrl+End di Excel menunjuk sel terakhir) lalu simpan ulang")]
    beyond = parse_workbook(hostile, wilayah=WILAYAH, limits=Limits(max_empty_run=10**9))
    assert [e.message for e in beyond.errors] == [
        "baris melewati batas Excel (1.048.576); berkas rusak atau dibuat dengan sengaja; simpan ulang dari Excel"]


def test_reading_stops_at_the_deadline_and_leaves_no_thread_running() -> None:
    rows = [_deal_row(date(2020, 12, 9), uraian=f"Baris {i}") for i in range(20_000)]
    content = workbook({"Transaksi": rows})
    result: list[Any] = []
    worker = threading.Thread(
        target=lambda: result.append(parse_workbook(content, wilayah=WILAYAH, limits=Limits(max_seconds=0.2))),
        name="uji-batas-waktu",
    )

    worker.start()
    worker.join(timeout=30)

    assert not worker.is_alive()
    [parsed] = result
    assert [e.message for e in parsed.errors] == [
        "berkas terlalu lama dibaca (lebih dari 0,2 detik); pecah menjadi beberapa berkas"]
    assert "uji-batas-waktu" not in [t.name for t in threading.enumerate()]


def test_the_deadline_also_stops_openpyxl_inside_one_enormous_row() -> None:
    """300,000 cells in one row take openpyxl seconds to build before the first row reaches us; the deadline
    is checked as the bytes are read, so reading stops within one chunk of it."""
    import zipfile

    content = workbook({"Transaksi": []})
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    row = b'<row r="2">' + b"".join(b'<c t="n"><v>%d</v></c>' % i for i in range(300_000)) + b"</row>"
    enormous = _without_dimension(content, xml.replace(b"</sheetData>", row + b"</sheetData>"))

    started = time.monotonic()
    parsed = parse_workbook(enormous, wilayah=WILAYAH, limits=Limits(max_seconds=0.5))
    took = time.monotonic() - started

    assert [e.message for e in parsed.errors] == [
        "berkas terlalu lama dibaca (lebih dari 0,5 detik); pecah menjadi beberapa berkas"]
    assert took < 3, took
    assert _parsing_threads() == []
