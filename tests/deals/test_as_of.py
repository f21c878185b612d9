"""History reconstruction: the ledger answers "what was the total at 16:00 on the event day"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opop_events.deals.tables import DealEvent
from tests.deals.conftest import Market


async def _shift_history(deal_id: int, version: int, at: datetime) -> None:
    # Tests cannot wait for the clock; move one history row to a known moment (only tests touch history).
    await DealEvent.update({DealEvent.at: at}).where((DealEvent.deal == deal_id) & (DealEvent.version == version))


async def test_totals_as_of_past_moments(client, market: Market):
    wib = timedelta(hours=7)
    morning = datetime(2020, 12, 9, 10, 0, tzinfo=UTC) - wib
    afternoon = datetime(2020, 12, 9, 15, 0, tzinfo=UTC) - wib
    evening = datetime(2020, 12, 9, 17, 0, tzinfo=UTC) - wib
    a = (await client.post("/api/v1/deals", json=market.deal_body(lines=[{"product_id": market.product["id"], "quantity": "4", "unit_price_rp": 1_000_000}]), headers=market.seller.headers)).json()
    b = (await client.post("/api/v1/deals", json=market.deal_body(lines=[{"product_id": market.product["id"], "quantity": "7", "unit_price_rp": 1_000_000}]), headers=market.seller.headers)).json()
    await client.post(f"/api/v1/deals/{a['id']}/confirm", json={"version": 1}, headers=market.buyer.headers)
    await client.post(f"/api/v1/deals/{b['id']}/confirm", json={"version": 1}, headers=market.buyer.headers)
    await _shift_history(a["id"], 1, morning)
    await _shift_history(a["id"], 2, afternoon)
    await _shift_history(b["id"], 1, morning)
    await _shift_history(b["id"], 2, evening)

    async def confirmed(as_of: str) -> tuple[int, int]:
        body = (await client.get(f"/api/v1/events/{market.slug}/totals", params={"as_of": as_of})).json()
        return body["confirmed_rp"], body["logged_rp"]

    assert await confirmed("2020-12-09T09:00") == (0, 0)
    assert await confirmed("2020-12-09T12:00") == (0, 11_000_000)
    assert await confirmed("2020-12-09 16:00") == (4_000_000, 7_000_000)
    assert await confirmed("2020-12-09T18:00") == (11_000_000, 0)
    past = await client.get(f"/api/v1/deals/{a['id']}", params={"as_of": "2020-12-09T12:00"}, headers=market.admin.headers)
    assert (past.json()["state"], past.json()["version"]) == ("dicatat", 1)


async def test_a_moment_outside_any_calendar_the_databases_hold_is_a_clear_422(client, market):
    for moment in ("0001-01-01T00:00", "9999-12-31T23:59:59-12:00", "1999-12-31T23:00"):
        for url in (f"/api/v1/events/{market.slug}/totals", f"/api/v1/reports/events/{market.slug}"):
            response = await client.get(url, params={"as_of": moment}, headers=market.admin.headers)
            assert response.status_code == 422, (url, moment, response.text)
            assert response.json()["errors"][0]["field"] == "as_of"
