"""The `opop-events` console script, run for real in a subprocess against the test database."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys

from opop_events.db import raw
from opop_events.reports import queries
from opop_events.settings import get_settings

COMMANDS = [
    [], ["db"], ["db", "upgrade"], ["demo"], ["serve"], ["users"], ["users", "create"], ["users", "set-password"],
    ["report"], ["import"], ["schedule"], ["backup"], ["restore"],
]


def _cli(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "OPOP_DATABASE_URL": database_url, "OPOP_PASSWORD_HASH": "fast", **env}
    return subprocess.run(
        [sys.executable, "-m", "opop_events.cli", *args],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )


async def _run(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    # off the event loop, so a PostgreSQL pool in this process is not starved while the child works
    return await asyncio.to_thread(_cli, args, database_url, **env)


async def test_help_on_every_command_and_group(database_url):
    results = await asyncio.gather(*(_run([*command, "--help"], database_url) for command in COMMANDS))

    assert [(r.returncode, r.stderr) for r in results] == [(0, "")] * len(COMMANDS)
    assert all(r.stdout.startswith("Pemakaian: opop-events") for r in results)
    assert all("Opsi:" in r.stdout and "Show this message" not in r.stdout for r in results)
    english = re.compile(r"\b(TEXT|INTEGER|FLOAT|RANGE|PATH|OPTIONS|COMMAND|Usage|Options|Commands|default|required)\b")
    assert [english.findall(r.stdout) for r in results] == [[]] * len(COMMANDS)
    assert "Muat data demo" in results[COMMANDS.index(["demo"])].stdout


async def test_db_upgrade_twice_then_users_create(database_url):
    first = await _run(["db", "upgrade"], database_url)
    second = await _run(["db", "upgrade"], database_url)
    created = await _run(
        ["users", "create", "--role", "admin", "--email", "Staf@Dinas.test", "--name", "Staf"], database_url,
        OPOP_NEW_PASSWORD="rahasia-dinas-1",
    )
    duplicate = await _run(
        ["users", "create", "--role", "organizer", "--email", "staf@dinas.test", "--password", "rahasia-dinas-2"],
        database_url,
    )

    engine = "postgres" if database_url.startswith("postgres") else "sqlite"
    assert (first.returncode, first.stdout.splitlines()[-1]) == (0, f"Basis data mutakhir ({engine}).")
    assert (second.returncode, second.stdout.splitlines()[-1]) == (0, f"Basis data mutakhir ({engine}).")
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("Akun staf@dinas.test (admin) dibuat dengan id ")
    assert (duplicate.returncode, duplicate.stderr.strip()) == (2, "Galat: Email staf@dinas.test sudah terdaftar.")
    assert "Traceback" not in duplicate.stderr
    rows = await raw("SELECT email, role FROM app_user")
    assert [(r["email"], r["role"]) for r in rows] == [("staf@dinas.test", "admin")]
    assert len(await raw("SELECT code FROM wilayah")) == 27


async def test_demo_loads_once_then_says_data_exists(database_url):
    loaded = await _run(["demo"], database_url)
    again = await _run(["demo"], database_url)

    spec = json.loads((get_settings().fixtures_dir / "demo" / "event.json").read_text(encoding="utf-8"))
    buyers = spec["buyers_registered"] + 10  # demo.load adds ten buyers who did not register
    assert loaded.returncode == 0, loaded.stderr
    assert f"{spec['pesantren_total']} pesantren" in loaded.stdout and f"{buyers} pembeli" in loaded.stdout
    counts = {
        table: (await raw(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"] for table in ("pesantren", "buyer", "wilayah")
    }
    assert counts == {"pesantren": spec["pesantren_total"], "buyer": buyers, "wilayah": 27}
    assert (spec["slug"], spec["pesantren_total"], buyers) == ("temu-bisnis-opop-bandung-2020", 400, 160)
    event = await raw("SELECT id, status FROM event WHERE slug = {}", spec["slug"])
    assert [e["status"] for e in event] == [spec["status"]]
    # the 2020 figure is closed at exactly Rp21.000.000.000; one late deal is summed apart
    scope = queries.Scope(event_id=event[0]["id"])
    closings, late = await queries.closings(scope), await queries.late_figures(scope)
    assert (await queries.headline(scope)).confirmed_rp == spec["confirmed_total_rp"] == 21_000_000_000
    assert [(c.confirmed_rp, c.closed_by) for c in closings] == [(21_000_000_000, "Staf Dinas KUK")]
    assert (late.confirmed_rp, late.deals) == (2_500_000, 1)
    registered = await raw("SELECT COUNT(*) AS n FROM registration WHERE event = {}", event[0]["id"])
    assert registered[0]["n"] == spec["pesantren_registered"] + spec["buyers_registered"]
    duplicate_names = await raw(
        "SELECT pesantren, name, COUNT(*) AS n FROM product GROUP BY pesantren, name HAVING COUNT(*) > 1"
    )
    assert duplicate_names == []
    assert (again.returncode, again.stdout.splitlines()[0]) == (
        0, "Data demo sudah ada (pakai --reset untuk memuat ulang).",
    )
    assert (await raw("SELECT COUNT(*) AS n FROM pesantren"))[0]["n"] == spec["pesantren_total"]


async def test_usage_errors_are_in_indonesian(database_url):
    cases = {
        ("report", "--format", "docx"): "Galat: Nilai '--format' tidak sah: 'docx' bukan salah satu dari 'xlsx', "
        "'pdf', 'csv'.",
        ("import",): "Galat: Argumen wajib belum diisi 'BERKAS'.",
        ("laporan",): "Galat: Perintah 'laporan' tidak ada.",
        ("serve", "--port", "0"): "Galat: Nilai '--port' tidak sah: 0 di luar rentang 1<=x<=65535.",
        ("schedule", "--time-limit", "lama", "--input", "a", "--output", "b"): "Galat: Nilai '--time-limit' tidak "
        "sah: 'lama' bukan angka yang sah.",
        ("report", "--bulan", "12"): "Galat: Opsi '--bulan' tidak ada.",
    }
    results = await asyncio.gather(*(_run(list(args), database_url) for args in cases))
    for (args, expected), result in zip(cases.items(), results, strict=True):
        assert result.returncode == 2, args
        lines = result.stderr.strip().splitlines()
        assert lines[0].startswith("Pemakaian: opop-events"), args
        assert lines[1] == f"Lihat 'opop-events {args[0]} --help' untuk bantuan." or args == ("laporan",), args
        assert lines[-1] == expected, args


async def test_invalid_database_url_is_a_clear_error():
    result = await _run(["db", "upgrade"], "mysql://root@localhost/opop")

    assert (result.returncode, result.stderr.strip()) == (
        2, "Galat: OPOP_DATABASE_URL harus berawalan sqlite:/// atau postgresql:// (diterima: mysql://…)"
    )


# -- import: every refusal ends like the rest of the CLI, with one `Galat: …` line and exit code 2 ---------------


def _workbook_with_deals() -> bytes:
    from tests.catalog.test_import_helpers import workbook

    return workbook({
        "Pesantren": [["Pesantren Cli", "3273", None, None, None, None]],
        "Pembeli": [["Toko Cli", "koperasi", "Bandung", None, None]],
        "Transaksi": [
            ["2020-12-09", "Pesantren Cli", "Toko Cli", "transaksi", "Kopi", 2, "kg", 50_000, None, "dikonfirmasi"],
            ["2020-12-09", "Pesantren Cli", "Toko Cli", "kontrak", "Teh", 10, "kg", 10_000, None, "diverifikasi"],
        ],
    })


async def _import_setup() -> tuple[str, int]:
    from opop_events.accounts.enums import Role
    from tests.factories import make_account, make_event

    await make_account(Role.admin)
    event = await make_event(status="live", slots=0, tables=0)
    return event["slug"], event["id"]


async def _confirmed(event_id: int) -> int:
    return (await queries.headline(queries.Scope(event_id=event_id))).confirmed_rp


async def test_import_broken_workbook_lists_each_error_then_ends_with_galat_and_exit_2(tmp_path, database_url):
    from tests.catalog.test_import_helpers import workbook

    slug, _ = await _import_setup()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(workbook({"Transaksi": [
        ["kemarin", "Pesantren X", "Toko X", "hibah", "Kopi", "dua", "kg", "1,5 juta", None, "lunas"],
    ]}))

    result = await _run(["import", str(broken), "--event", slug, "--dry-run"], database_url)

    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert lines[-1] == f"Galat: broken.xlsx: impor dibatalkan, {len(lines) - 1} galat; tidak ada yang ditulis."
    assert len(lines) - 1 >= 4
    assert all(line.startswith("broken.xlsx › Transaksi › baris 2 › kolom ") for line in lines[:-1])
    assert "broken.xlsx › Transaksi › baris 2 › kolom harga_satuan: '1,5 juta' — tulis angka bulat seperti " \
           "1.500.000" in lines
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert (await raw("SELECT COUNT(*) AS n FROM deal"))[0]["n"] == 0


async def test_import_of_a_file_that_is_not_xlsx_is_one_galat_line_and_exit_2(tmp_path, database_url):
    slug, _ = await _import_setup()
    notes = tmp_path / "catatan.txt"
    notes.write_text("nama,kota\nPesantren X,Bandung\n", encoding="utf-8")

    result = await _run(["import", str(notes), "--event", slug], database_url)

    assert (result.returncode, result.stderr.splitlines()) == (2, [
        "Galat: catatan.txt: bukan berkas Excel .xlsx; simpan ulang sebagai Buku Kerja Excel (.xlsx); "
        "tidak ada yang ditulis."])


async def test_import_of_the_same_file_again_is_refused_naming_when_and_how_many_deals(tmp_path, database_url):
    from opop_events.catalog.tables import ImportBatch
    from opop_events.core.dates import format_datetime

    slug, event_id = await _import_setup()
    path = tmp_path / "impor_opop.xlsx"
    path.write_bytes(_workbook_with_deals())

    first = await _run(["import", str(path), "--event", slug], database_url)
    confirmed = await _confirmed(event_id)
    again = await _run(["import", str(path), "--event", slug], database_url)
    dry = await _run(["import", str(path), "--event", slug, "--dry-run"], database_url)

    [batch] = await ImportBatch.select(ImportBatch.imported_at, ImportBatch.actor_label)
    when = format_datetime(batch["imported_at"])
    refusal = (f"Galat: impor_opop.xlsx: isi berkas ini sudah diimpor ke acara ini pada {when} "
               f"oleh {batch['actor_label']} (impor_opop.xlsx; 2 transaksi dibuat); tidak ada yang ditulis. "
               "Pakai --force bila memang ingin mengimpornya.")
    assert first.returncode == 0, first.stderr
    assert (again.returncode, again.stderr.splitlines()) == (2, [refusal])
    assert (dry.returncode, dry.stderr.splitlines()) == (2, [refusal])
    assert again.stdout == "" and "Traceback" not in again.stderr
    assert (await raw("SELECT COUNT(*) AS n FROM deal"))[0]["n"] == 2
    assert await _confirmed(event_id) == confirmed == 200_000


async def test_import_with_force_imports_again_and_warns(tmp_path, database_url):
    slug, event_id = await _import_setup()
    path = tmp_path / "impor_opop.xlsx"
    path.write_bytes(_workbook_with_deals())
    await _run(["import", str(path), "--event", slug], database_url)

    forced = await _run(["import", str(path), "--event", slug, "--force"], database_url)

    assert forced.returncode == 0, forced.stderr
    [warning] = forced.stderr.splitlines()
    assert warning.startswith("Peringatan: impor_opop.xlsx: isi berkas ini sudah diimpor ke acara ini pada ")
    assert "  transaksi   2" in forced.stdout.splitlines()
    assert (await raw("SELECT COUNT(*) AS n FROM deal"))[0]["n"] == 4
    assert await _confirmed(event_id) == 2 * 200_000
    assert [r["forced"] for r in await raw("SELECT forced FROM import_batch ORDER BY id")] in ([0, 1], [False, True])


async def test_import_of_rows_already_in_the_event_lists_them_and_names_force(tmp_path, database_url):
    from tests.catalog.test_import_helpers import workbook

    slug, _ = await _import_setup()
    day_one = tmp_path / "hari1.xlsx"
    day_one.write_bytes(_workbook_with_deals())
    both_days = tmp_path / "rekap.xlsx"
    both_days.write_bytes(workbook({"Transaksi": [
        ["2020-12-09", "Pesantren Cli", "Toko Cli", "transaksi", "Kopi", 2, "kg", 50_000, None, "dikonfirmasi"],
        ["2020-12-10", "Pesantren Cli", "Toko Cli", "transaksi", "Gula", 1, "kg", 20_000, None, "dikonfirmasi"],
    ]}))
    await _run(["import", str(day_one), "--event", slug], database_url)

    result = await _run(["import", str(both_days), "--event", slug], database_url)

    [deal] = await raw("SELECT id FROM deal WHERE id = (SELECT MIN(id) FROM deal)")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"rekap.xlsx › Transaksi › baris 2: sama persis dengan TRX-{deal['id']:06d} yang sudah ada di acara ini "
        "(asal: impor Excel: hari1.xlsx, baris 2) (pesantren, pembeli, tanggal, jenis dan barang sama)",
        "Galat: rekap.xlsx: impor dibatalkan, 1 galat; tidak ada yang ditulis. Pakai --force bila memang ingin "
        "mengimpornya.",
    ]
    assert (await raw("SELECT COUNT(*) AS n FROM deal"))[0]["n"] == 2


async def test_demo_reset_reloads_the_demo_over_itself(database_url):
    first = await _run(["demo"], database_url)
    counts = {t: (await raw(f"SELECT COUNT(*) AS n FROM {t}"))[0]["n"] for t in ("deal", "event_closing", "app_user")}
    again = await _run(["demo", "--reset"], database_url)

    assert (first.returncode, again.returncode) == (0, 0), again.stderr
    assert "Traceback" not in again.stderr
    assert {t: (await raw(f"SELECT COUNT(*) AS n FROM {t}"))[0]["n"] for t in counts} == counts
