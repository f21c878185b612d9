"""The worst amounts a ledger can hold never break a figure: caps stop them at the doors, and every sum is exact
whatever is stored. Rows past the caps are written straight to the database (as a bug or an old version might
have), enough that a 64-bit sum overflows: every figure, page and export still answers 200 with the exact sum."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
from pypdf import PdfReader

from opop_events.core.dates import now_utc
from opop_events.db import raw, write_transaction
from opop_events.deals.enums import DealAction, DealState
from tests.deals.conftest import Market
from tests.web.conftest import sign_in

LINE_RP = 10**15  # the largest line value the API ever accepted (quantity × price), far above today's caps
LINES_PER_DEAL = 100
DEALS = 100
TOTAL = DEALS * LINES_PER_DEAL * LINE_RP  # 10^19 > 2^63 - 1
REALISED_EACH, REALISATIONS = 5 * 10**18, 2  # 10^19 realised on one deal, also past 2^63 - 1


async def _store_worst_case(market: Market) -> list[int]:
    """DEALS confirmed deals of LINES_PER_DEAL lines of LINE_RP each, and REALISATIONS realisations, written
    with plain INSERTs (the API refuses such amounts, and would be too slow for this many rows)."""
    assert TOTAL > 2**63 - 1 and REALISED_EACH * REALISATIONS > 2**63 - 1
    at = now_utc()
    deal_ids = []
    async with write_transaction():
        for _ in range(DEALS):
            deal = await raw(
                "INSERT INTO deal (event, pesantren, buyer, origin, created_by, created_at) "
                "VALUES ({}, {}, {}, 'pesantren', {}, {}) RETURNING id",
                market.event["id"], market.seller.actor.pesantren_id, market.buyer.actor.buyer_id,
                market.seller.actor.user_id, at,
            )
            deal_id = deal[0]["id"]
            revision = await raw(
                "INSERT INTO deal_revision (deal, kind, deal_date, note, created_at) VALUES ({}, 'kontrak', {}, '', {}) "
                "RETURNING id",
                deal_id, date(2020, 12, 9), at,
            )
            revision_id = revision[0]["id"]
            values, args = [], []
            for position in range(1, LINES_PER_DEAL + 1):
                values.append("({}, {}, NULL, 'Kontrak besar', 'makanan', '1', 'paket', {}, {})")
                args += [revision_id, position, LINE_RP, LINE_RP]
            await raw(
                'INSERT INTO deal_line (revision, "position", product, description, category, quantity, unit, '
                f"unit_price_rp, value_rp) VALUES {', '.join(values)}",
                *args,
            )
            await raw(
                'INSERT INTO deal_event (deal, version, action, state, revision, actor, actor_label, reason, "at", '
                '"before", "after", offer, offer_by) VALUES ({}, 1, {}, {}, {}, NULL, \'uji\', \'\', {}, \'\', \'\', '
                "NULL, '')",
                deal_id, DealAction.konfirmasi.value, DealState.dikonfirmasi.value, revision_id, at,
            )
            deal_ids.append(deal_id)
        for _ in range(REALISATIONS):
            await raw("INSERT INTO realisation (deal, kind, realised_on, amount_rp, note, recorded_at) "
                      "VALUES ({}, 'pembayaran', {}, {}, '', {})", deal_ids[0], date(2021, 1, 5), REALISED_EACH, at)
    return deal_ids


def _digits(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


async def test_every_figure_page_and_export_is_exact_past_a_64_bit_sum(client, market):
    await _store_worst_case(market)

    totals = await client.get(f"/api/v1/events/{market.slug}/totals")
    assert totals.status_code == 200, totals.text
    figures = totals.json()
    assert (figures["confirmed_rp"], figures["realised_rp"], figures["deals_confirmed"]) == (TOTAL, TOTAL, DEALS)
    assert {k["kind"]: k["confirmed_rp"] for k in figures["by_kind"]} == {"transaksi": 0, "kontrak": TOTAL,
                                                                          "komitmen": 0}  # fmt: skip

    csv_report = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "csv"},
                                  headers=market.admin.headers)  # fmt: skip
    assert csv_report.status_code == 200, csv_report.text
    rows = list(csv.DictReader(io.StringIO(csv_report.text.lstrip("\ufeff"))))
    assert (len(rows), sum(int(r["nilai_rp"]) for r in rows)) == (DEALS * LINES_PER_DEAL, TOTAL)

    xlsx = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "xlsx"},
                            headers=market.admin.headers)  # fmt: skip
    assert xlsx.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    summary = {row[0]: row[1] for row in workbook["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Nilai transaksi terkonfirmasi (Rp)"] == TOTAL
    region = [row for row in workbook["Per Kabupaten-Kota"].iter_rows(min_row=2, values_only=True) if row]
    assert region[0][3] == TOTAL, region[:3]

    pdf = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "pdf"},
                           headers=market.admin.headers)  # fmt: skip
    assert pdf.status_code == 200
    assert _digits(TOTAL) in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace("\n", " ")

    year = await client.get("/api/v1/reports/years/2020", params={"format": "csv"}, headers=market.admin.headers)
    assert year.status_code == 200

    board = await client.get(f"/papan/{market.slug}")
    assert board.status_code == 200 and _digits(TOTAL) in board.text

    closed = await client.post(f"/api/v1/events/{market.slug}/closing", json={"reason": "Uji angka terbesar"},
                               headers=market.admin.headers)  # fmt: skip
    assert closed.status_code == 200, closed.text
    assert closed.json()["history"][0]["confirmed_rp"] == TOTAL

    await sign_in(client, market.admin)
    for url in ("/transaksi", "/dinas/verifikasi", "/dinas/tindak-lanjut", "/dinas/tutup-buku", "/dinas/laporan",
                "/transaksi/1"):
        page = await client.get(url)
        assert page.status_code == 200, (url, page.status_code)
    assert _digits(TOTAL) in (await client.get("/dinas/tutup-buku")).text
