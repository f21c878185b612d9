"""Closing the books (tutup buku): the official figure of a closed event never moves; late deals are summed apart
in every output; reopening needs Dinas and a reason. Through the real API, pages and exporters."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

import openpyxl
from pypdf import PdfReader

from opop_events.core.dates import now_utc
from opop_events.db import raw
from tests.deals.conftest import Market
from tests.web.conftest import post_form, sign_in


async def _deal(client, market: Market, *, quantity: str = "10", confirm: bool = True) -> dict:
    body = market.deal_body(lines=[{"product_id": market.product["id"], "quantity": quantity, "unit_price_rp": 25_000}])
    deal = (await client.post("/api/v1/deals", json=body, headers=market.seller.headers)).json()
    if confirm:
        deal = (await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 1},
                                  headers=market.buyer.headers)).json()  # fmt: skip
    return deal


async def _totals(client, market: Market, **params) -> dict:
    response = await client.get(f"/api/v1/events/{market.slug}/totals", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


async def test_closing_fixes_the_official_figure_and_late_deals_are_summed_apart(client, market):
    first = await _deal(client, market)  # Rp250.000, agreed before closing
    closed = await client.post(f"/api/v1/events/{market.slug}/closing", json={"reason": "Rekap akhir acara"},
                               headers=market.admin.headers)  # fmt: skip
    assert closed.status_code == 200, closed.text
    assert (closed.json()["closed"], [(h["action"], h["confirmed_rp"]) for h in closed.json()["history"]]) == (
        True, [("tutup", 250_000)])
    closed_at = closed.json()["closed_at"]

    late = await _deal(client, market, quantity="4")  # Rp100.000, agreed after closing
    await client.post(f"/api/v1/deals/{first['id']}/cancel", json={"version": 2, "reason": "Batal setelah tutup"},
                      headers=market.admin.headers)  # fmt: skip
    pending = await _deal(client, market, quantity="2", confirm=False)  # logged after closing, not agreed

    totals = await _totals(client, market)
    assert {k: totals[k] for k in ("closed", "confirmed_rp", "official_confirmed_rp", "late_confirmed_rp",
                                   "late_deals", "deals_confirmed")} == {
        "closed": True, "confirmed_rp": 250_000, "official_confirmed_rp": 250_000, "late_confirmed_rp": 100_000,
        "late_deals": 1, "deals_confirmed": 1,
    }
    assert totals["closed_at"] == closed_at

    # every output: the csv lists the official lines as at closing, then the late ones, marked
    report = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "csv"},
                              headers=market.admin.headers)  # fmt: skip
    assert report.status_code == 200, report.text
    rows = _csv(report.text)
    official = [r for r in rows if r["susulan"] == ""]
    late_rows = [r for r in rows if r["susulan"] == "ya"]
    assert [(r["no_transaksi"], r["status"], int(r["nilai_rp"])) for r in official] == [
        (f"TRX-{first['id']:06d}", "dikonfirmasi", 250_000)]
    assert [(r["no_transaksi"], int(r["nilai_rp"])) for r in late_rows] == [(f"TRX-{late['id']:06d}", 100_000)]
    assert f"TRX-{pending['id']:06d}" not in report.text

    xlsx = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "xlsx"},
                            headers=market.admin.headers)  # fmt: skip
    summary = {row[0]: row[1] for row in openpyxl.load_workbook(io.BytesIO(xlsx.content))["Ringkasan"].iter_rows(
        min_row=2, values_only=True)}  # fmt: skip
    assert (summary["Nilai transaksi terkonfirmasi (Rp)"], summary["Susulan setelah tutup buku (Rp)"]) == (
        250_000, 100_000)
    assert summary["Tutup buku"].startswith("Ditutup ") and "(Rekap akhir acara)" in summary["Tutup buku"]
    pdf = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "pdf"},
                           headers=market.admin.headers)  # fmt: skip
    first_page = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Susulan setelah tutup buku (1 transaksi; tidak termasuk angka utama) Rp100.000" in first_page
    assert "Rp250.000" in first_page and "Ditutup" in first_page

    board = await client.get(f"/papan/{market.slug}/angka")
    assert "Rp250.000" in board.text and "Rp100.000" in board.text and "susulan" in board.text.lower()

    year = await client.get("/api/v1/reports/years/2020", params={"format": "csv"}, headers=market.admin.headers)
    assert sorted((r["susulan"], int(r["nilai_rp"])) for r in _csv(year.text)
                  if r["status"] in ("dikonfirmasi", "diverifikasi")) == [("", 250_000), ("ya", 100_000)]  # fmt: skip

    # reopening needs a reason; then the headline follows the ledger again
    assert (await client.post(f"/api/v1/events/{market.slug}/closing/reopen", json={"reason": ""},
                              headers=market.admin.headers)).status_code == 422  # fmt: skip
    reopened = await client.post(f"/api/v1/events/{market.slug}/closing/reopen",
                                 json={"reason": "Koreksi data pesantren"}, headers=market.admin.headers)
    assert reopened.status_code == 200, reopened.text
    after = await _totals(client, market)
    assert (after["closed"], after["confirmed_rp"], after["late_confirmed_rp"]) == (False, 100_000, 0)
    # as of a moment while the books were closed, the figure is still the official one
    while_closed = await _totals(client, market, as_of=closed_at)
    assert (while_closed["closed"], while_closed["confirmed_rp"]) == (True, 250_000)
    history = (await client.get(f"/api/v1/events/{market.slug}/closing")).json()["history"]
    assert [(h["action"], h["reason"]) for h in history] == [
        ("tutup", "Rekap akhir acara"), ("buka", "Koreksi data pesantren")]


async def test_only_dinas_closes_and_reopens_and_never_twice(client, market):
    await _deal(client, market)
    url = f"/api/v1/events/{market.slug}/closing"
    for who in (market.seller, market.buyer, market.organizer):
        assert (await client.post(url, json={"reason": "tutup saja"}, headers=who.headers)).status_code == 403
    assert (await client.post(url, json={"reason": "tutup saja"})).status_code == 401
    assert (await client.post(url + "/reopen", json={"reason": "buka"}, headers=market.admin.headers)).status_code == 409
    assert (await client.post(url, json={"reason": "x"}, headers=market.admin.headers)).status_code == 422
    assert (await client.post(url, json={"reason": "Rekap akhir"}, headers=market.admin.headers)).status_code == 200
    again = await client.post(url, json={"reason": "Rekap lagi"}, headers=market.admin.headers)
    assert again.status_code == 409
    assert "sudah ditutup" in again.json()["detail"]
    rows = await raw("SELECT COUNT(*) AS n FROM event_closing")
    assert rows[0]["n"] == 1


async def test_dinas_closes_and_reopens_from_its_page(client, market):
    await _deal(client, market)
    await sign_in(client, market.admin)
    page = await client.get("/dinas/tutup-buku")
    assert page.status_code == 200 and f"acara-{market.slug}" in page.text

    done = await post_form(client, f"/dinas/tutup-buku/{market.slug}", {"aksi": "tutup", "reason": "Rekap final"},
                           form_page="/dinas/tutup-buku")  # fmt: skip
    assert done.status_code == 303
    shown = await client.get("/dinas/tutup-buku")
    assert "Rp250.000" in shown.text and "Rekap final" in shown.text and "Buka kembali" in shown.text

    empty = await post_form(client, f"/dinas/tutup-buku/{market.slug}", {"aksi": "buka", "reason": ""},
                            form_page="/dinas/tutup-buku")  # fmt: skip
    assert empty.status_code == 422 and "minimal 3 karakter" in empty.text
    status = (await client.get(f"/api/v1/events/{market.slug}/closing")).json()
    assert status["closed"] is True


async def test_a_deal_whose_history_reaches_past_the_closing_counts_as_it_stood_at_closing(client, market):
    deal = await _deal(client, market)
    await client.post(f"/api/v1/events/{market.slug}/closing", json={"reason": "Rekap akhir"},
                      headers=market.admin.headers)  # fmt: skip
    # the seller proposes a bigger deal and the buyer accepts it after closing: the official figure keeps the
    # terms agreed at closing; the change is not a late deal either (the deal was already counted)
    proposed = await client.post(f"/api/v1/deals/{deal['id']}/amend", json={"version": 2, "lines": [
        {"product_id": market.product["id"], "quantity": "30", "unit_price_rp": 25_000}]},
        headers=market.seller.headers)  # fmt: skip
    assert proposed.json()["state"] == "perubahan"
    accepted = await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 3},
                                 headers=market.buyer.headers)  # fmt: skip
    assert (accepted.json()["state"], accepted.json()["total_rp"]) == ("dikonfirmasi", 750_000)
    totals = await _totals(client, market)
    assert (totals["confirmed_rp"], totals["late_confirmed_rp"]) == (250_000, 0)
    # a moment before the closing reads the ledger as it was
    before = await _totals(client, market, as_of=(now_utc() - timedelta(days=3650)).isoformat())
    assert before["confirmed_rp"] == 0


async def test_a_deal_at_the_review_threshold_is_flagged_in_the_dinas_queue(client, market, monkeypatch):
    from opop_events.settings import get_settings

    monkeypatch.setenv("OPOP_REVIEW_THRESHOLD_RP", "1000000")
    get_settings.cache_clear()
    try:
        small = await _deal(client, market, quantity="10")  # Rp250.000: below
        large = await _deal(client, market, quantity="40")  # Rp1.000.000: at the threshold
        assert (small["needs_review"], large["needs_review"]) == (False, True)
        await sign_in(client, market.admin)
        queue = await client.get("/dinas/verifikasi")
        rows = {n: queue.text.split(f'id="trx-{n}"')[1].split("</li>")[0] for n in (small["id"], large["id"])}
        assert "Perlu diperiksa ulang" not in rows[small["id"]]
        assert "Perlu diperiksa ulang: nilai Rp1.000.000 atau lebih" in rows[large["id"]]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_a_deal_logged_before_closing_and_agreed_after_is_reported_once_as_late(client, market):
    await _deal(client, market)  # Rp250.000 agreed before closing
    pending = await _deal(client, market, quantity="4", confirm=False)  # Rp100.000 logged before closing
    await client.post(f"/api/v1/events/{market.slug}/closing", json={"reason": "Rekap akhir"},
                      headers=market.admin.headers)  # fmt: skip
    await client.post(f"/api/v1/deals/{pending['id']}/confirm", json={"version": 1}, headers=market.buyer.headers)

    totals = await _totals(client, market)
    assert {k: totals[k] for k in ("confirmed_rp", "logged_rp", "deals_logged", "late_confirmed_rp", "late_deals")} == {
        "confirmed_rp": 250_000, "logged_rp": 0, "deals_logged": 0, "late_confirmed_rp": 100_000, "late_deals": 1}
    report = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "csv"},
                              headers=market.admin.headers)  # fmt: skip
    rows = [(r["no_transaksi"], r["status"], r["susulan"]) for r in _csv(report.text)]
    assert rows.count((f"TRX-{pending['id']:06d}", "dikonfirmasi", "ya")) == 1
    assert [r for r in rows if r[0] == f"TRX-{pending['id']:06d}"] == [(f"TRX-{pending['id']:06d}", "dikonfirmasi", "ya")]


async def test_confirmations_racing_the_closing_never_move_the_recorded_figure(client, market):
    deals = [await _deal(client, market, quantity=str(n), confirm=False) for n in range(1, 13)]

    async def confirm(deal: dict) -> None:
        await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 1}, headers=market.buyer.headers)

    async def close() -> dict:
        await asyncio.sleep(0.01)
        response = await client.post(f"/api/v1/events/{market.slug}/closing", json={"reason": "Rekap akhir"},
                                     headers=market.admin.headers)  # fmt: skip
        return response.json()

    results = await asyncio.gather(*(confirm(d) for d in deals), close(), *(close() for _ in range(3)))
    closings = [r for r in results if r and r.get("closed")]
    recorded = (await client.get(f"/api/v1/events/{market.slug}/closing")).json()["history"]
    assert len(recorded) == 1 and len(closings) >= 1  # concurrent closings: one wins, the others get 409
    totals = await _totals(client, market)
    assert totals["confirmed_rp"] == recorded[0]["confirmed_rp"]
    assert totals["confirmed_rp"] + totals["late_confirmed_rp"] == sum(n * 25_000 for n in range(1, 13))
