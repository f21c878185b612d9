"""Time the Excel import of 100,000 Transaksi lines (plus the pesantren and buyers they use) into a fresh database.

    uv run python benchmarks/import_100k.py [--lines 100000]
    OPOP_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test uv run python benchmarks/import_100k.py

SQLite always (a temporary file); PostgreSQL too when OPOP_DATABASE_URL names a server (a fresh database is
created next to the one named and dropped after). Prints seconds and rows/s per phase; the target is < 60 s on
SQLite. Results are recorded by hand in benchmarks/results/import.md.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

PESANTREN = 500
BUYERS = 1_000
PRODUCTS_PER_PESANTREN = 2


def make_workbook(lines: int) -> bytes:
    """A Dinas-style workbook: Pesantren, Pembeli, Produk and `lines` Transaksi rows, mixed cell styles.

    Written in openpyxl's normal mode, which (like Excel, LibreOffice and Google Sheets) writes each sheet's
    <dimension>; openpyxl's write_only mode omits it, and openpyxl's read-only reader then scans a sheet once
    more just to size it. Text goes into inline strings (openpyxl 3.1), a little slower to read than Excel's
    shared strings."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("Pesantren")
    sheet.append(["nama", "kabupaten_kota", "alamat", "whatsapp", "kontak", "nspp"])
    codes = ["3273", "Kabupaten Garut", "Kota Bogor", "3204", "Kab. Tasikmalaya"]
    for i in range(PESANTREN):
        sheet.append([f"Pesantren Uji {i}", codes[i % len(codes)], f"Jl. Uji {i}", f"0812{i:08d}", f"Ust. {i}", None])
    sheet = book.create_sheet("Pembeli")
    sheet.append(["nama", "jenis", "kota", "whatsapp", "kontak"])
    for i in range(BUYERS):
        sheet.append([f"Pembeli Uji {i}", ["ritel_modern", "Hotel/restoran/katering", "koperasi"][i % 3], "Bandung",
                      None, None])
    sheet = book.create_sheet("Produk")
    sheet.append(["pesantren", "nama", "kategori", "satuan", "harga", "sertifikasi"])
    for i in range(PESANTREN):
        for j in range(PRODUCTS_PER_PESANTREN):
            sheet.append([f"Pesantren Uji {i}", f"Produk {j}", "makanan", "kg", 25_000 + j * 1000, "halal"])
    sheet = book.create_sheet("Transaksi")
    sheet.append(["tanggal", "pesantren", "pembeli", "jenis", "uraian", "jumlah", "satuan", "harga_satuan", "nilai",
                  "status"])
    start = date(2020, 12, 9)
    states = ["dicatat", "dikonfirmasi", "diverifikasi"]
    for i in range(lines):
        day = start + timedelta(days=i % 2)
        quantity = 1 + i % 50
        price = 25_000 + i  # every row distinct: identical rows are refused as duplicates
        sheet.append([
            day if i % 3 else f"{day.day} Desember {day.year}",
            f"Pesantren Uji {i % PESANTREN}",
            f"Pembeli Uji {i % BUYERS}",
            ["transaksi", "kontrak", "komitmen"][i % 3],
            f"Produk {i % 2}",
            quantity,
            "kg",
            price if i % 2 else f"Rp {price:,}".replace(",", "."),
            quantity * price if i % 4 == 0 else None,
            states[i % 3],
        ])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def _run(content: bytes) -> dict[str, float]:
    from opop_events.accounts.enums import Role
    from opop_events.accounts.services import create_user
    from opop_events.bootstrap import upgrade
    from opop_events.catalog.tables import Wilayah
    from opop_events.db import close_pool, open_pool
    from opop_events.deals.tables import DealEvent
    from opop_events.events import schemas
    from opop_events.events.services import create_event
    from opop_events.importing import service
    from opop_events.importing.parse import parse_workbook
    from opop_events.settings import get_settings

    await upgrade(get_settings().fixtures_dir)
    await open_pool()
    try:
        admin = await create_user(email="bench@uji.test", password="rahasia-123", role=Role.admin, name="Bench")
        await create_event(actor=admin, data=schemas.EventCreate(
            slug="bench", name="Bench", wilayah_code="3273", starts_on=date(2020, 12, 9), ends_on=date(2020, 12, 10)))
        wilayah = {r["code"]: r["name"] for r in await Wilayah.select(Wilayah.code, Wilayah.name)}
        started, cpu = time.perf_counter(), time.process_time()
        parsed = parse_workbook(content, wilayah=wilayah)
        parse_s, parse_cpu = time.perf_counter() - started, time.process_time() - cpu
        assert not parsed.errors, parsed.errors[:5]
        started, cpu = time.perf_counter(), time.process_time()
        result = await service.import_workbook(actor=admin, event_slug="bench", content=content, filename="bench.xlsx")
        total_s, total_cpu = time.perf_counter() - started, time.process_time() - cpu
        assert result.ok, result.errors[:5]
        return {"parse_s": parse_s, "parse_cpu": parse_cpu, "import_s": total_s, "import_cpu": total_cpu,
                "deals": result.created_deals, "history": await DealEvent.count()}
    finally:
        await close_pool()


def _child(url: str, workbook_path: str) -> None:
    os.environ["OPOP_DATABASE_URL"] = url
    os.environ["OPOP_PASSWORD_HASH"] = "fast"
    content = Path(workbook_path).read_bytes()
    numbers = asyncio.run(_run(content))
    print(f"RESULT {numbers['parse_s']:.2f} {numbers['parse_cpu']:.2f} {numbers['import_s']:.2f} "
          f"{numbers['import_cpu']:.2f} {numbers['deals']} {numbers['history']}")


def _measure(engine: str, url: str, workbook_path: str) -> None:
    # A child process per engine: settings and the engine are read once per process from the environment.
    out = subprocess.run([sys.executable, __file__, "--child", url, workbook_path], capture_output=True, text=True,
                         check=False)
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT")]
    if out.returncode or not lines:
        print(out.stdout, out.stderr, file=sys.stderr)
        raise SystemExit(f"{engine}: benchmark failed")
    parse_s, parse_cpu, import_s, import_cpu, deals, history = (float(v) for v in lines[-1].split()[1:])
    print(f"{engine:<10} parse only {parse_s:5.1f} s (CPU {parse_cpu:5.1f} s) | full import (parse + match + write) "
          f"{import_s:5.1f} s (CPU of this process {import_cpu:5.1f} s) = {deals / import_s:,.0f} lines/s | "
          f"{deals:.0f} deals, {history:.0f} history rows | load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")


def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    content = make_workbook(args.lines)
    print(f"workbook: {args.lines:,} Transaksi lines, {len(content) / 1e6:.1f} MB, built in "
          f"{time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory(prefix="opop-bench-") as tmp:
        path = Path(tmp) / "bench.xlsx"
        path.write_bytes(content)
        _measure("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite'}", str(path))
        base = os.environ.get("OPOP_DATABASE_URL", "")
        if base.startswith(("postgres://", "postgresql://")):
            name = f"opop_bench_{uuid.uuid4().hex[:8]}"
            _pg_admin(base, f'CREATE DATABASE "{name}"')
            try:
                _measure("postgresql", base.rsplit("/", 1)[0] + f"/{name}", str(path))
            finally:
                _pg_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
