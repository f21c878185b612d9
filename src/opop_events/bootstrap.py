"""Bring a database up to date: run every Piccolo migration forward, then load reference data (wilayah)."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from opop_events.catalog.tables import Wilayah
from opop_events.core.i18n import _
from opop_events.db import raw, write_transaction


async def run_migrations(*, quiet: bool = True) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise RuntimeError(
            _("migrasi gagal: {reason}").format(reason=result.message) + "\n" + sink.getvalue()
        )


async def seed_wilayah(fixtures_dir: Path) -> int:
    """Insert the 27 kabupaten/kota of Jawa Barat that are missing (idempotent)."""
    with (fixtures_dir / "wilayah_jabar.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    async with write_transaction():
        existing = {r["code"] for r in await Wilayah.select(Wilayah.code)}
        missing = [Wilayah(code=r["kode_bps"], name=r["nama"], kind=r["jenis"]) for r in rows if r["kode_bps"] not in existing]
        if missing:
            await Wilayah.insert(*missing)
    return len(missing)


async def is_empty() -> bool:
    """True when the schema has never been created (no migration table yet)."""
    try:
        rows = await raw("SELECT COUNT(*) AS n FROM migration")
    except Exception:  # noqa: BLE001 - any engine error here means "no migration table"
        return True
    return rows[0]["n"] == 0


async def upgrade(fixtures_dir: Path, *, quiet: bool = True) -> None:
    await run_migrations(quiet=quiet)
    await seed_wilayah(fixtures_dir)
