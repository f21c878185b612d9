"""`opop-events backup` and `restore`: a SQLite round trip keeps every row of every table; PostgreSQL gets
pg_dump / pg_restore guidance."""

from __future__ import annotations

import sqlite3

import pytest

from tests.deals.conftest import Market, market  # noqa: F401 - the fixture is shared by name
from tests.test_cli import _run


def _dump(path: str) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}
    finally:
        conn.close()


@pytest.mark.engines_only("sqlite")
async def test_backup_then_restore_round_trips_every_table(client, market: Market, database_url, tmp_path):
    logged = await client.post("/api/v1/deals", json=market.deal_body(), headers=market.seller.headers)
    assert logged.status_code == 201
    confirmed = await client.post(
        f"/api/v1/deals/{logged.json()['id']}/confirm", json={"version": 1}, headers=market.buyer.headers
    )
    assert confirmed.status_code == 200
    live_path = database_url.removeprefix("sqlite:///")
    backup_path = tmp_path / "cadangan.sqlite"

    made = await _run(["backup", str(backup_path)], database_url)
    again = await _run(["backup", str(backup_path)], database_url)
    restored_url = f"sqlite:///{tmp_path / 'pulih.sqlite'}"
    restored = await _run(["restore", str(backup_path)], restored_url)

    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Cadangan SQLite ditulis ke {backup_path}")
    assert (again.returncode, again.stderr.strip()) == (
        1, f"Galat: {backup_path} sudah ada; pakai --force untuk menimpanya"
    )
    assert restored.returncode == 0, restored.stderr
    original = _dump(live_path)
    assert original["deal_event"] and original["deal_line"] and original["app_user"]
    assert _dump(str(tmp_path / "pulih.sqlite")) == original


@pytest.mark.engines_only("sqlite")
async def test_restore_refuses_a_database_with_data_unless_forced(market: Market, database_url, tmp_path):
    backup_path = tmp_path / "cadangan.sqlite"
    assert (await _run(["backup", str(backup_path)], database_url)).returncode == 0
    target = tmp_path / "berisi.sqlite"
    assert (await _run(["restore", str(backup_path)], f"sqlite:///{target}")).returncode == 0

    refused = await _run(["restore", str(backup_path)], f"sqlite:///{target}")
    forced = await _run(["restore", "--force", str(backup_path)], f"sqlite:///{target}")
    not_a_backup = tmp_path / "bukan.sqlite"
    not_a_backup.write_text("ini bukan basis data")
    garbage = await _run(["restore", str(not_a_backup)], f"sqlite:///{tmp_path / 'kosong.sqlite'}")
    missing = await _run(["restore", str(tmp_path / "tidak-ada.sqlite")], f"sqlite:///{tmp_path / 'kosong.sqlite'}")

    assert (refused.returncode, refused.stderr.strip()) == (
        1, f"Galat: basis data {target} sudah berisi data; pakai --force untuk menimpanya (cadangkan dulu)"
    )
    assert forced.returncode == 0, forced.stderr
    assert (garbage.returncode, garbage.stderr.strip()) == (1, f"Galat: {not_a_backup} bukan berkas cadangan SQLite")
    assert missing.returncode == 1 and "tidak ada" in missing.stderr
    assert _dump(str(target)) == _dump(database_url.removeprefix("sqlite:///"))


@pytest.mark.engines_only("postgres")
async def test_postgres_backup_and_restore_print_pg_dump_guidance(database_url, tmp_path):
    backup = await _run(["backup", str(tmp_path / "opop.dump")], database_url)
    restore = await _run(["restore", str(tmp_path / "opop.dump")], database_url)

    dbname = database_url.rsplit("/", 1)[1]
    assert backup.returncode == 0 and restore.returncode == 0
    assert f"pg_dump -h 127.0.0.1 -p 5432 -U postgres -Fc -f {tmp_path / 'opop.dump'} {dbname}" in backup.stdout
    assert f"pg_restore -h 127.0.0.1 -p 5432 -U postgres --no-owner -d {dbname}_pulih" in restore.stdout
    assert not (tmp_path / "opop.dump").exists()  # guidance only, nothing run
