"""Conditional requests on the polled figures (the live board's fragment and the totals endpoint): 200 with a
validator, 304 with no body while nothing changed, 200 with a new validator after any ledger change, closing or
reopening of the books."""

from __future__ import annotations

from tests.deals.conftest import Market


async def _log_and_confirm(client, market: Market, quantity: str = "4") -> int:
    body = market.deal_body(lines=[{"product_id": market.product["id"], "quantity": quantity,
                                    "unit_price_rp": 25_000}])
    logged = await client.post("/api/v1/deals", json=body, headers=market.seller.headers)
    assert logged.status_code == 201, logged.text
    deal_id = logged.json()["id"]
    confirmed = await client.post(f"/api/v1/deals/{deal_id}/confirm", json={"version": 1},
                                  headers=market.buyer.headers)
    assert confirmed.status_code == 200, confirmed.text
    return deal_id


async def _revalidate(client, url: str, tag: str) -> object:
    return await client.get(url, headers={"If-None-Match": tag})


async def test_totals_and_board_answer_304_until_the_ledger_changes(client, market: Market):
    totals_url, board_url = f"/api/v1/events/{market.slug}/totals", f"/papan/{market.slug}/angka"
    for url in (totals_url, board_url):
        first = await client.get(url)
        assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
        tag = first.headers["etag"]
        assert tag.startswith('W/"')
        again = await _revalidate(client, url, tag)
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
        assert (await _revalidate(client, url, 'W/"something-else"')).status_code == 200
        assert (await _revalidate(client, url, f'"x", {tag.removeprefix("W/")}')).status_code == 304

    first = await client.get(totals_url)
    tag = first.headers["etag"]
    deal_id = await _log_and_confirm(client, market)
    changed = await _revalidate(client, totals_url, tag)
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert changed.json()["confirmed_rp"] == 100_000
    board = await _revalidate(client, board_url, tag)
    assert board.status_code == 200 and "Rp100.000" in board.text

    # a realisation moves the realised figure: a new validator
    tag = changed.headers["etag"]
    realised = await client.post(f"/api/v1/deals/{deal_id}/realisations", headers=market.admin.headers,
                                 json={"kind": "pembayaran", "realised_on": "2020-12-20", "amount_rp": 40_000})
    assert realised.status_code in (200, 201), realised.text
    after = await _revalidate(client, totals_url, tag)
    assert after.status_code == 200 and after.json()["realised_rp"] == 40_000

    # closing the books changes what is shown (official figure, closing time) without a ledger change
    tag = after.headers["etag"]
    closed = await client.post(f"/api/v1/events/{market.slug}/closing", json={"reason": "Rekap akhir"},
                               headers=market.admin.headers)
    assert closed.status_code == 200, closed.text
    closed_totals = await _revalidate(client, totals_url, tag)
    assert closed_totals.status_code == 200 and closed_totals.json()["closed"] is True
    tag = closed_totals.headers["etag"]
    assert (await _revalidate(client, totals_url, tag)).status_code == 304
    # a late deal moves the late figure of a closed event
    await _log_and_confirm(client, market, quantity="2")
    late = await _revalidate(client, totals_url, tag)
    assert late.status_code == 200 and late.json()["late_confirmed_rp"] == 50_000
    reopened = await client.post(f"/api/v1/events/{market.slug}/closing/reopen", json={"reason": "Koreksi"},
                                 headers=market.admin.headers)
    assert reopened.status_code == 200, reopened.text
    assert (await _revalidate(client, totals_url, late.headers["etag"])).status_code == 200


async def test_as_of_totals_and_unknown_events_carry_no_validator(client, market: Market):
    as_of = await client.get(f"/api/v1/events/{market.slug}/totals", params={"as_of": "2020-12-09T16:00:00+07:00"},
                             headers={"If-None-Match": "*"})
    assert as_of.status_code == 200 and "etag" not in as_of.headers
    missing = await client.get("/api/v1/events/tidak-ada/totals", headers={"If-None-Match": "*"})
    assert missing.status_code == 404
    assert (await client.get("/papan/tidak-ada/angka", headers={"If-None-Match": "*"})).status_code == 404
