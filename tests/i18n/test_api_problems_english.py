"""API problems in the caller's language: `Accept-Language: en` gives English problem+json titles and details
(validation, permission refusals, the ledger's own refusals); without the header they stay in Bahasa Indonesia."""

from __future__ import annotations

from tests.deals import conftest as ledger
from tests.deals.conftest import Market

market = ledger.market
"""The ledger tests' market (an open event, a seller, a buyer, Dinas), as a fixture here too."""

ENGLISH = {"Accept-Language": "en"}


def _price_as_text(market: Market) -> dict:
    return market.deal_body(lines=[{"product_id": market.product["id"], "quantity": "10", "unit_price_rp": "25.000"}])


async def test_a_validation_error_is_english_when_asked_and_indonesian_by_default(client, market):
    english = await client.post("/api/v1/deals", json=_price_as_text(market), headers={**market.seller.headers, **ENGLISH})
    assert english.status_code == 422
    assert english.headers["content-type"].startswith("application/problem+json")
    problem = english.json()
    assert problem["title"] == "Invalid data"
    message = (
        "must be a whole number or null — write it as a JSON number, without quotes and without thousands separators"
    )
    assert problem["errors"] == [{"field": "lines[0].unit_price_rp", "message": message}]
    assert problem["detail"] == f"lines[0].unit_price_rp: {message}"

    indonesian = await client.post("/api/v1/deals", json=_price_as_text(market), headers=market.seller.headers)
    assert indonesian.json()["title"] == "Data tidak valid"
    assert indonesian.json()["detail"] == (
        "lines[0].unit_price_rp: harus berupa bilangan bulat atau null — tulis sebagai angka JSON, tanpa tanda kutip "
        "dan tanpa titik ribuan"
    )


async def test_a_permission_refusal_is_english_when_asked_and_indonesian_by_default(client, market):
    other = market.deal_body(pesantren_id=market.other_seller.actor.pesantren_id)
    english = await client.post("/api/v1/deals", json=other, headers={**market.seller.headers, **ENGLISH})
    assert english.status_code == 403
    assert english.json()["title"] == "Not allowed"
    assert english.json()["detail"] == "You may only log deals of your own pesantren."

    indonesian = await client.post("/api/v1/deals", json=other, headers=market.seller.headers)
    assert indonesian.json()["title"] == "Tidak diizinkan"
    assert indonesian.json()["detail"] == "Anda hanya boleh mencatat transaksi pesantren Anda sendiri."


async def test_the_ledgers_refusals_are_english_when_asked(client, market):
    logged = await client.post("/api/v1/deals", json=market.deal_body(), headers=market.seller.headers)
    deal = logged.json()

    own = await client.post(
        f"/api/v1/deals/{deal['id']}/confirm", json={"version": 1}, headers={**market.seller.headers, **ENGLISH}
    )
    assert own.status_code == 403
    assert own.json()["detail"] == "A deal the pesantren logged is confirmed by its buyer."

    too_early = await client.post(
        f"/api/v1/deals/{deal['id']}/verify", json={"version": 1}, headers={**market.admin.headers, **ENGLISH}
    )
    assert too_early.status_code == 409
    assert too_early.json()["title"] == "Conflict"
    assert too_early.json()["detail"] == "Only confirmed deals can be verified or sent back; this one is logged."


async def test_the_openapi_document_speaks_the_callers_language(client):
    english = (await client.get("/schema/openapi.json", headers=ENGLISH)).json()
    assert english["info"]["description"] == "Business matching API of OPOP West Java. Errors come back as application/problem+json."
    assert english["paths"]["/api/v1/deals"]["post"]["summary"] == "A pesantren logs a deal (state: logged)"
    assert english["paths"]["/api/v1/deals"]["post"]["tags"] == ["Deals"]

    indonesian = (await client.get("/schema/openapi.json")).json()
    assert indonesian["paths"]["/api/v1/deals"]["post"]["summary"] == "Pesantren mencatat transaksi (status dicatat)"
    assert indonesian["paths"]["/api/v1/deals"]["post"]["tags"] == ["Transaksi"]
