"""The signed, single-use, expiring WhatsApp confirmation link."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from opop_events.core.dates import now_utc
from opop_events.deals.tables import ConfirmLink
from tests.deals.conftest import Market


async def _logged_with_link(client, market: Market) -> tuple[dict, dict, str]:
    deal = (await client.post("/api/v1/deals", json=market.deal_body(), headers=market.seller.headers)).json()
    link = await client.post(f"/api/v1/deals/{deal['id']}/confirm-link", headers=market.seller.headers)
    assert link.status_code == 201, link.text
    body = link.json()
    return deal, body, body["url"].rsplit("/", 1)[1]


async def test_link_builds_whatsapp_message_to_the_buyer(client, market):
    deal, link, _token = await _logged_with_link(client, market)
    wa = urlparse(link["whatsapp_url"])
    assert (wa.scheme, wa.netloc, wa.path) == ("https", "wa.me", "/6281298765432")
    text = parse_qs(wa.query)["text"][0]
    assert deal["number"] in text and "Rp250.000" in text and link["url"] in text
    assert "Mohon konfirmasi" in text


async def test_buyer_confirms_once_through_the_link(client, market):
    deal, _, token = await _logged_with_link(client, market)
    shown = await client.get(f"/api/v1/links/{token}")
    assert shown.status_code == 200
    assert (shown.json()["total_rp"], shown.json()["can_act"]) == (250_000, True)
    confirmed = await client.post(f"/api/v1/links/{token}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "dikonfirmasi"
    reused = await client.post(f"/api/v1/links/{token}/confirm")
    assert reused.status_code == 410
    history = (await client.get(f"/api/v1/deals/{deal['id']}/history", headers=market.seller.headers)).json()
    assert history[-1]["actor"] == "Swalayan Uji (via tautan WhatsApp)"


async def test_buyer_disputes_with_reason_through_the_link(client, market):
    _, _, token = await _logged_with_link(client, market)
    assert (await client.post(f"/api/v1/links/{token}/dispute", json={"reason": ""})).status_code == 422
    disputed = await client.post(f"/api/v1/links/{token}/dispute", json={"reason": "Harga belum disepakati"})
    assert disputed.status_code == 200
    assert disputed.json()["state"] == "disanggah"


async def test_tampered_link_is_not_found(client, market):
    _, _, token = await _logged_with_link(client, market)
    nonce, signature = token.split(".")
    forged = f"{nonce}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    assert (await client.get(f"/api/v1/links/{forged}")).status_code == 404
    assert (await client.post(f"/api/v1/links/{forged}/confirm")).status_code == 404
    assert (await client.get("/api/v1/links/tidak-ada.sama-sekali")).status_code == 404


async def test_expired_link_is_gone(client, market):
    _, _, token = await _logged_with_link(client, market)
    row = await ConfirmLink.select().where(ConfirmLink.nonce == token.split(".")[0]).first()
    assert row["expires_at"] > now_utc() + timedelta(hours=24)
    await ConfirmLink.update({ConfirmLink.expires_at: now_utc() - timedelta(minutes=1)}).where(ConfirmLink.id == row["id"])
    assert (await client.get(f"/api/v1/links/{token}")).json()["can_act"] is False
    gone = await client.post(f"/api/v1/links/{token}/confirm")
    assert gone.status_code == 410
    assert "kedaluwarsa" in gone.json()["detail"]


async def test_new_link_replaces_the_old_one(client, market):
    deal, _, old = await _logged_with_link(client, market)
    new = (await client.post(f"/api/v1/deals/{deal['id']}/confirm-link", headers=market.seller.headers)).json()
    assert (await client.post(f"/api/v1/links/{old}/confirm")).status_code == 410
    assert (await client.post(f"/api/v1/links/{new['url'].rsplit('/', 1)[1]}/confirm")).status_code == 200


async def test_amended_deal_voids_the_old_link(client, market):
    deal, _, token = await _logged_with_link(client, market)
    await client.post(
        f"/api/v1/deals/{deal['id']}/amend",
        json={"version": 1, "lines": [{"product_id": market.product["id"], "quantity": "99", "unit_price_rp": 1_000}]},
        headers=market.seller.headers,
    )
    assert (await client.get(f"/api/v1/links/{token}")).json()["can_act"] is False
    assert (await client.post(f"/api/v1/links/{token}/confirm")).status_code == 410


async def test_link_reaches_nothing_else(client, market):
    deal, _, token = await _logged_with_link(client, market)
    for path in ("/api/v1/deals", f"/api/v1/deals/{deal['id']}", "/api/v1/buyers"):
        assert (await client.get(path, headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_only_the_seller_sends_links(client, market):
    deal = (await client.post("/api/v1/deals", json=market.deal_body(), headers=market.seller.headers)).json()
    for who in ("buyer", "other_seller", "organizer"):
        assert (await client.post(f"/api/v1/deals/{deal['id']}/confirm-link", headers=getattr(market, who).headers)).status_code == 403


async def test_the_link_never_answers_for_the_buyer_in_anyone_elses_hands(client, market):
    """The pesantren that sent the link (or any account but the buyer's) cannot use it to confirm its own deal;
    Dinas, who verifies, never holds a buyer's link."""
    body = market.deal_body()
    deal = (await client.post("/api/v1/deals", json=body, headers=market.seller.headers)).json()
    assert (await client.post(f"/api/v1/deals/{deal['id']}/confirm-link",
                              headers=market.admin.headers)).status_code == 403  # fmt: skip
    link = (await client.post(f"/api/v1/deals/{deal['id']}/confirm-link", headers=market.seller.headers)).json()
    token = link["url"].rsplit("/", 1)[1]
    for who in (market.seller, market.admin, market.organizer, market.other_buyer):
        refused = await client.post(f"/api/v1/links/{token}/confirm", json={}, headers=who.headers)
        assert refused.status_code == 403, refused.text
    assert (await client.get(f"/api/v1/events/{market.slug}/totals")).json()["confirmed_rp"] == 0
    # the buyer, signed in or not, still can
    done = await client.post(f"/api/v1/links/{token}/confirm", json={}, headers=market.buyer.headers)
    assert done.status_code == 200 and done.json()["state"] == "dikonfirmasi"
