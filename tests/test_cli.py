"""The `opop-events` console script, run for real in a subprocess against the test database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from opop_events.db import raw
from opop_events.settings import get_settings

COMMANDS = [[], ["db"], ["db", "upgrade"], ["demo"], ["serve"], ["users"], ["users", "create"]]


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
    assert all("Usage:" in r.stdout for r in results)
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


async def test_invalid_database_url_is_a_clear_error():
    result = await _run(["db", "upgrade"], "mysql://root@localhost/opop")

    assert (result.returncode, result.stderr.strip()) == (
        2, "Galat: OPOP_DATABASE_URL harus berawalan sqlite:/// atau postgresql:// (diterima: mysql://…)"
    )
