"""The command line in the language asked for: `--lang en` or `OPOP_LANG=en` turns our help, messages and
Click's own words to English and writes English reports with the same figures; Indonesian stays the default."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys

import msgspec
from openpyxl import load_workbook

from opop_events.deals import schemas
from opop_events.deals import services as deals
from tests.deals.conftest import Market, market  # noqa: F401 - the shared ledger fixture


def _cli(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if k != "OPOP_LANG"}
    environment = {**inherited, "OPOP_DATABASE_URL": database_url, "OPOP_PASSWORD_HASH": "fast", **env}
    return subprocess.run(
        [sys.executable, "-m", "opop_events.cli", *args],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )


async def _run(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(_cli, args, database_url, **env)


async def test_lang_en_turns_the_help_and_clicks_own_words_to_english(database_url):
    english, by_env, indonesian = await asyncio.gather(
        _run(["--lang", "en", "--help"], database_url),
        _run(["report", "--help"], database_url, OPOP_LANG="en"),
        _run(["report", "--help"], database_url),
    )

    assert english.returncode == 0 and english.stdout.startswith("Usage: opop-events [OPTIONS] COMMAND [ARGS]...")
    assert "Show this message and exit." in english.stdout and "Output language" in english.stdout
    assert "Pemakaian" not in english.stdout and "Tampilkan" not in english.stdout
    assert "Write the official report of an event (EVENT_SLUG)" in by_env.stdout
    assert "--year YEAR" in by_env.stdout and "Programme report for one year" in by_env.stdout
    assert indonesian.stdout.startswith("Pemakaian: opop-events report [OPSI] [SLUG_ACARA]")


async def test_lang_en_report_writes_an_english_workbook_with_the_same_figures(tmp_path, database_url, market):
    body = market.deal_body(lines=[{"product_id": market.product["id"], "quantity": "4", "unit_price_rp": 25_000}])
    deal = await deals.log_deal(actor=market.seller.actor, data=msgspec.convert(body, schemas.DealCreate))
    await deals.confirm(actor=market.buyer.actor, deal_id=deal.id, data=schemas.Confirm(version=deal.version))
    english_path, indonesian_path = tmp_path / "en.xlsx", tmp_path / "id.xlsx"

    english = await _run(
        ["--lang", "en", "report", market.slug, "--format", "xlsx", "--output", str(english_path)], database_url
    )
    indonesian = await _run(["report", market.slug, "--format", "xlsx", "--output", str(indonesian_path)], database_url)

    assert english.returncode == 0, english.stderr
    assert english.stdout.startswith(f"Report written to {english_path} (confirmed: Rp100,000)")
    assert indonesian.stdout.startswith(f"Laporan ditulis ke {indonesian_path} (terkonfirmasi: Rp100.000)")
    workbook = load_workbook(io.BytesIO(english_path.read_bytes()))
    assert workbook.sheetnames[0] == "Summary"
    summary = {r[0]: r[1] for r in workbook["Summary"].iter_rows(values_only=True) if r[0]}
    ringkasan = {r[0]: r[1] for r in load_workbook(indonesian_path)["Ringkasan"].iter_rows(values_only=True) if r[0]}
    assert summary["Confirmed deal value (Rp)"] == ringkasan["Nilai transaksi terkonfirmasi (Rp)"] == 100_000


async def test_an_english_error_line(database_url):
    result = await _run(["--lang", "en", "report"], database_url)

    assert (result.returncode, result.stderr.strip()) == (2, "Error: give exactly one: EVENT_SLUG or --year YEAR")
