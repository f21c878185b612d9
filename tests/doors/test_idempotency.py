"""`Idempotency-Key` (issue #13): a retry is recognised by who asks (the user behind a *valid* credential, or the
signed WhatsApp link) plus the key, never by the raw Authorization header; sign-in replies are never stored (so
their rate limit cannot be rolled back and no token is kept); no stored reply holds a secret."""

from __future__ import annotations

import httpx
import pytest

from opop_events.db import raw
from opop_events.settings import get_settings
from tests.deals.conftest import Market
from tests.factories import Account
from tests.settings_env import settings_env  # noqa: F401 - the fixture

PASSWORD = "rahasia-123"


async def _sign_in(client: httpx.AsyncClient, account: Account, **headers: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", json={"email": account.actor.email, "password": PASSWORD}, headers=headers
    )


async def _bearer(client: httpx.AsyncClient, account: Account) -> dict[str, str]:
    response = await _sign_in(client, account)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _deal_count(client: httpx.AsyncClient, market: Market) -> int:
    listed = await client.get(f"/api/v1/deals?event_slug={market.slug}", headers=market.admin.headers)
    return listed.json()["total"]


async def _records() -> list[dict]:
    return await raw("SELECT scope, status, body FROM idempotency_record")


async def test_retry_after_signing_in_again_replays_the_first_deal(client, market):
    """The phone lost its session, signed in again (a new token) and resent its pending deal with its key."""
    first_token = await _bearer(client, market.seller)
    first = await client.post(
        "/api/v1/deals", json=market.deal_body(), headers={**first_token, "Idempotency-Key": "hp-antre-1"}
    )
    assert first.status_code == 201, first.text

    second_token = await _bearer(client, market.seller)
    assert second_token != first_token
    again = await client.post(
        "/api/v1/deals", json=market.deal_body(), headers={**second_token, "Idempotency-Key": "hp-antre-1"}
    )

    assert again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert await _deal_count(client, market) == 1
    # the same user and key with another body is still refused, as before
    other = await client.post(
        "/api/v1/deals", json=market.deal_body(kind="kontrak"), headers={**second_token, "Idempotency-Key": "hp-antre-1"}
    )
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await _deal_count(client, market) == 1


async def test_the_same_key_from_another_user_is_a_different_request(client, market):
    headers = {"Idempotency-Key": "kunci-bersama"}
    mine = await client.post("/api/v1/deals", json=market.deal_body(), headers={**market.seller.headers, **headers})
    line = {"description": "Kopi robusta", "category": "makanan", "quantity": "2", "unit": "kg", "unit_price_rp": 90_000}
    theirs = await client.post(
        "/api/v1/deals", json=market.deal_body(lines=[line]), headers={**market.other_seller.headers, **headers}
    )
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    assert theirs.headers.get("idempotent-replayed") is None
    assert mine.json()["id"] != theirs.json()["id"]


async def test_a_replay_needs_a_caller_that_is_still_signed_in(client, market):
    """The scope is the user resolved from a valid credential: a revoked token replays nothing (401)."""
    token = await _bearer(client, market.seller)
    first = await client.post("/api/v1/deals", json=market.deal_body(), headers={**token, "Idempotency-Key": "k-cabut"})
    assert first.status_code == 201
    assert (await client.delete("/api/v1/auth/token", headers=token)).status_code == 204

    replay = await client.post("/api/v1/deals", json=market.deal_body(), headers={**token, "Idempotency-Key": "k-cabut"})

    assert replay.status_code == 401
    assert replay.headers["content-type"].startswith("application/problem+json")
    assert "masuk" in replay.json()["detail"]
    assert replay.headers.get("idempotent-replayed") is None


async def _link_token(client: httpx.AsyncClient, market: Market, deal_id: int) -> str:
    link = await client.post(f"/api/v1/deals/{deal_id}/confirm-link", headers=market.seller.headers)
    assert link.status_code == 201, link.text
    return link.json()["url"].rsplit("/", 1)[1]


async def test_link_actions_are_scoped_by_their_signed_link(client, market):
    """Two buyers without accounts, each from their own WhatsApp link, happen to send the same key."""
    deals = []
    for _ in range(2):
        response = await client.post("/api/v1/deals", json=market.deal_body(), headers=market.seller.headers)
        deals.append(response.json()["id"])
    tokens = [await _link_token(client, market, deal_id) for deal_id in deals]

    first = await client.post(f"/api/v1/links/{tokens[0]}/confirm", headers={"Idempotency-Key": "wa-1"})
    second = await client.post(f"/api/v1/links/{tokens[1]}/confirm", headers={"Idempotency-Key": "wa-1"})
    retry = await client.post(f"/api/v1/links/{tokens[0]}/confirm", headers={"Idempotency-Key": "wa-1"})

    assert (first.status_code, second.status_code) == (200, 200), second.text
    assert second.headers.get("idempotent-replayed") is None
    assert (retry.status_code, retry.headers.get("idempotent-replayed")) == (200, "true")
    assert retry.json() == first.json()
    for deal_id in deals:
        deal = await client.get(f"/api/v1/deals/{deal_id}", headers=market.admin.headers)
        assert deal.json()["state"] == "dikonfirmasi"


async def test_failed_sign_ins_sent_with_an_idempotency_key_still_count(client, market, settings_env):
    """The failed attempt is written by the sign-in itself, not rolled back with the 401 by the middleware."""
    settings_env(OPOP_LOGIN_DELAY_SECONDS="600")  # the limiter's delay per e-mail (accounts/limiter.py)
    limit = get_settings().login_free_attempts
    statuses = []
    for attempt in range(limit + 1):
        response = await client.post(
            "/api/v1/auth/token",
            json={"email": market.seller.actor.email, "password": "salah-sandi-1"},
            headers={"Idempotency-Key": f"coba-{attempt}"},
        )
        assert response.headers["content-type"].startswith("application/problem+json")
        statuses.append(response.status_code)

    assert statuses[:limit] == [401] * limit
    assert statuses[limit] == 429
    # even the right password is refused now, with or without a key
    right = await _sign_in(client, market.seller, **{"Idempotency-Key": "coba-benar"})
    assert right.status_code == 429
    assert await _records() == []


async def test_sign_in_replies_are_never_stored_nor_replayed(client, market):
    """A token is not kept in plain text, and a key replayed after `DELETE /auth/token` hands back no token."""
    key = {"Idempotency-Key": "masuk-hp-1"}
    first = await _sign_in(client, market.seller, **key)
    assert first.status_code == 201
    token = first.json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.delete("/api/v1/auth/token", headers={**bearer, **key})).status_code == 204

    again = await _sign_in(client, market.seller, **key)

    assert again.status_code == 201
    assert again.headers.get("idempotent-replayed") is None
    assert again.json()["token"] != token
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401  # the revoked one stays revoked
    assert await _records() == []


async def test_stored_replies_hold_no_secret(client, market):
    """Every kind of write sent with a key; then no idempotency record may contain a bearer token, a signed
    confirmation link or its signature."""
    signed_in = await _sign_in(client, market.seller, **{"Idempotency-Key": "r-0"})
    token = signed_in.json()["token"]
    seller = {"Authorization": f"Bearer {token}"}
    deal = await client.post("/api/v1/deals", json=market.deal_body(), headers={**seller, "Idempotency-Key": "r-1"})
    assert deal.status_code == 201
    deal_id = deal.json()["id"]
    links = []
    for _attempt in range(2):  # the same key twice: a link is never replayed, the second replaces the first
        link = await client.post(
            f"/api/v1/deals/{deal_id}/confirm-link", headers={**seller, "Idempotency-Key": "r-2"}
        )
        assert link.status_code == 201, link.text
        assert link.headers.get("idempotent-replayed") is None
        links.append(link.json()["url"].rsplit("/", 1)[1])
    assert links[0] != links[1]
    opened = await client.post(f"/api/v1/links/{links[1]}/confirm", headers={"Idempotency-Key": "r-3"})
    assert opened.status_code == 200, opened.text
    password = await client.post(
        "/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": "rahasia-baru-1"},
        headers={**seller, "Idempotency-Key": "r-4"},
    )
    assert password.status_code == 204

    records = await _records()
    assert len(records) == 2  # the deal and the link confirmation; sign-in, link creation, password: not stored
    secrets = [token, token.removeprefix("opop_"), *links, *(link.split(".", 1)[1] for link in links),
               "rahasia-baru-1", PASSWORD]
    for record in records:
        body = bytes(record["body"])
        assert not [s for s in secrets if s.encode() in body], body
        assert b"opop_" not in body and b"/konfirmasi/" not in body
        assert record["scope"] not in (token, links[0], links[1])


@pytest.mark.parametrize("path", ["/api/v1/auth/token"])
async def test_a_sign_in_body_is_bounded_like_every_json_body(client, path):
    """Sign-in is kept out of the idempotency transaction, not out of the body limit."""
    body = b'{"email": "a@b.c", "password": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = await client.post(
        path, content=body, headers={"Content-Type": "application/json", "Idempotency-Key": "besar"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_web_form_key_belongs_to_the_user_not_to_the_session(app, market):
    """The deal form's one-time key (`create_once`) is scoped by the user: the same form sent again from a new
    session of the same seller (signed in again) logs no second deal."""
    from opop_events.events.tables import Registration
    from tests.web.conftest import csrf_from, sign_in

    await Registration.insert(
        Registration(event=market.event["id"], party_kind="buyer", buyer=market.buyer.actor.buyer_id)
    )
    form = {
        "baris": "1", "buyer_id": str(market.buyer.actor.buyer_id), "kind": "transaksi", "deal_date": "2020-12-09",
        "lines[0].product_id": str(market.product["id"]), "lines[0].quantity": "10", "lines[0].unit_price_rp": "",
        "aksi": "simpan", "event_slug": market.slug, "form_key": "satu-kali-kunci-0001",
    }  # fmt: skip
    locations = []
    for _ in range(2):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as browser:
            await sign_in(browser, market.seller)
            page = (await browser.get("/transaksi/baru")).text
            response = await browser.post("/transaksi/baru", data={**form, "_csrf_token": csrf_from(page)})
            assert response.status_code == 303, response.text
            locations.append(response.headers["location"])

    deal_id = int(locations[0].split("/")[2].split("?")[0])
    assert locations == [f"/transaksi/{deal_id}?baru=1", f"/transaksi/{deal_id}?sudah=1"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as api:
        assert await _deal_count(api, market) == 1


async def test_every_write_documents_its_body_limit_in_openapi(client):
    spec = (await client.get("/schema/openapi.json")).json()
    limits = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/") and method in ("post", "put", "patch", "delete"):
                documented = operation["responses"].get("413")
                assert documented, f"{method.upper()} {path} documents no 413"
                assert "application/problem+json" in documented["content"]
                limits[(method.upper(), path)] = documented["description"]
    assert limits[("POST", "/api/v1/deals")].startswith("Isi permintaan lebih dari 1 MiB")
    assert limits[("POST", "/api/v1/events/{slug}/imports")].startswith("Isi permintaan lebih dari 21 MiB")


async def test_the_same_key_on_another_query_string_is_another_request(client, market):
    """`?dry_run=true` and the real call are different requests: the key's replay must not hand one the other's
    answer (here: a deal list filter that differs only in its query string)."""
    headers = {**market.seller.headers, "Idempotency-Key": "kunci-query-0001"}
    first = await client.post("/api/v1/deals?x=1", json=market.deal_body(), headers=headers)
    second = await client.post("/api/v1/deals?x=2", json=market.deal_body(), headers=headers)
    assert first.status_code == 201
    assert second.status_code == 422 and second.headers.get("idempotent-replayed") is None
