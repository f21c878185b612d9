"""The deal ledger through the API: logging, the state machine per role, versions, idempotency, history."""

from __future__ import annotations

import asyncio

import pytest

from tests.deals.conftest import Market
from tests.factories import make_event


async def _log(client, market: Market, **overrides) -> dict:
    response = await client.post("/api/v1/deals", json=market.deal_body(**overrides), headers=market.seller.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_seller_logs_deal_with_exact_line_values(client, market):
    deal = await _log(
        client,
        market,
        lines=[
            {"product_id": market.product["id"], "quantity": "12.5", "unit_price_rp": 15_001},
            {"description": "Ongkos kirim", "category": "jasa", "quantity": "1", "unit_price_rp": 150_000, "unit": "paket"},
        ],
    )
    assert deal["state"] == "dicatat"
    assert deal["version"] == 1
    assert [(line["quantity"], line["unit_price_rp"], line["value_rp"]) for line in deal["lines"]] == [
        ("12.5", 15_001, 187_513),  # 187 512,5 rounded half up
        ("1", 150_000, 150_000),
    ]
    assert deal["total_rp"] == 337_513
    assert deal["number"] == f"TRX-{deal['id']:06d}"
    assert deal["pesantren"]["wilayah_code"] == "3204"


async def test_line_over_the_bound_is_refused_with_its_field(client, market):
    body = market.deal_body(lines=[{"product_id": market.product["id"], "quantity": "1000000000", "unit_price_rp": 10**15}])
    response = await client.post("/api/v1/deals", json=body, headers=market.seller.headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    # both caps of deals/rules.py are broken: 10^9 pieces (cap 10^7) at Rp10^15 (cap OPOP_MAX_DEAL_RP)
    assert [e["field"] for e in response.json()["errors"]] == ["lines[0].quantity", "lines[0].unit_price_rp"]
    body = market.deal_body(lines=[{"product_id": market.product["id"], "quantity": "1", "unit_price_rp": 10**15 + 1}])
    response = await client.post("/api/v1/deals", json=body, headers=market.seller.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines[0].unit_price_rp"


async def test_a_deal_worth_nothing_is_refused(client, market):
    body = market.deal_body(lines=[{"product_id": market.product["id"], "quantity": "0.001", "unit_price_rp": 1}])
    response = await client.post("/api/v1/deals", json=body, headers=market.seller.headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "lines", "message": "nilai transaksi Rp0; periksa jumlah dan harga satuan"}
    ]
    free_sample = market.deal_body(lines=[
        {"product_id": market.product["id"], "quantity": "10", "unit_price_rp": 25_000},
        {"description": "Sampel gratis", "category": "makanan", "quantity": "2", "unit_price_rp": 0},
    ])
    assert (await client.post("/api/v1/deals", json=free_sample, headers=market.seller.headers)).status_code == 201


async def test_seller_cannot_log_for_another_pesantren_or_foreign_product(client, market):
    other_pid = market.other_seller.actor.pesantren_id
    response = await client.post(
        "/api/v1/deals", json=market.deal_body(pesantren_id=other_pid), headers=market.seller.headers
    )
    assert response.status_code == 403
    response = await client.post("/api/v1/deals", json=market.deal_body(), headers=market.other_seller.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines[0].product_id"


@pytest.mark.parametrize("who", ["buyer", "organizer", None])
async def test_only_sellers_and_admin_log_deals(client, market, who):
    headers = getattr(market, who).headers if who else {}
    response = await client.post("/api/v1/deals", json=market.deal_body(), headers=headers)
    assert response.status_code == (401 if who is None else 403)


async def test_new_buyer_can_be_added_while_logging(client, market):
    body = market.deal_body(buyer_id=None, new_buyer={"name": "Warung Bu Entin", "buyer_type": "lainnya", "whatsapp": "0813-2222-3333"})
    body.pop("buyer_id")
    response = await client.post("/api/v1/deals", json=body, headers=market.seller.headers)
    assert response.status_code == 201, response.text
    assert response.json()["buyer"]["name"] == "Warung Bu Entin"


async def test_answer_to_a_new_deal_is_what_reading_it_back_gives(client, market):
    """Logging answers without re-reading the deal; the answer must still equal a later GET, field by field."""
    logged = await _log(
        client,
        market,
        note="Kopi arabika Malabar",
        lines=[
            {"product_id": market.product["id"], "quantity": "2.5", "unit_price_rp": 30_001},
            {"description": "Ongkos kirim", "category": "jasa", "quantity": "1", "unit_price_rp": 75_000, "unit": "paket"},
        ],
    )
    read = await client.get(f"/api/v1/deals/{logged['id']}", headers=market.seller.headers)
    assert read.status_code == 200
    assert logged == read.json()
    body = market.deal_body(new_buyer={"name": "Toko Baru Uji", "buyer_type": "horeka"})
    body.pop("buyer_id")
    added = (await client.post("/api/v1/deals", json=body, headers=market.seller.headers)).json()
    assert added == (await client.get(f"/api/v1/deals/{added['id']}", headers=market.seller.headers)).json()
    interest = await client.post(
        "/api/v1/deals/interests",
        json={"event_slug": market.slug, "pesantren_id": market.seller.actor.pesantren_id,
              "lines": [{"product_id": market.product["id"], "quantity": "3"}]},
        headers=market.buyer.headers,
    )
    assert interest.status_code == 201, interest.text
    again = await client.get(f"/api/v1/deals/{interest.json()['id']}", headers=market.buyer.headers)
    assert interest.json() == again.json()


async def test_logging_names_what_is_wrong_with_event_pesantren_or_buyer(client, market):
    unknown = await client.post("/api/v1/deals", json=market.deal_body(event_slug="tidak-ada"), headers=market.seller.headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"field": "event_slug", "message": "acara 'tidak-ada' tidak ditemukan"}]
    draft = await make_event(organizer=market.organizer, status="draft")
    refused = await client.post("/api/v1/deals", json=market.deal_body(event_slug=draft["slug"]), headers=market.seller.headers)
    assert refused.status_code == 409
    other_event = await make_event(organizer=market.organizer, status="live")
    unregistered = await client.post(
        "/api/v1/deals", json=market.deal_body(event_slug=other_event["slug"]), headers=market.seller.headers
    )
    assert unregistered.status_code == 422
    assert [e["field"] for e in unregistered.json()["errors"]] == ["event_slug"]
    no_buyer = await client.post("/api/v1/deals", json=market.deal_body(buyer_id=999_999), headers=market.seller.headers)
    assert no_buyer.status_code == 422
    assert [e["field"] for e in no_buyer.json()["errors"]] == ["buyer_id"]
    no_pesantren = await client.post(
        "/api/v1/deals", json=market.deal_body(pesantren_id=999_999), headers=market.admin.headers
    )
    assert no_pesantren.status_code == 422
    assert [e["field"] for e in no_pesantren.json()["errors"]] == ["event_slug"]
    interest = await client.post(
        "/api/v1/deals/interests",
        json={"event_slug": other_event["slug"], "pesantren_id": market.seller.actor.pesantren_id,
              "lines": [{"product_id": market.product["id"], "quantity": "3"}]},
        headers=market.buyer.headers,
    )
    assert interest.status_code == 422
    assert [e["field"] for e in interest.json()["errors"]] == ["pesantren_id"]
    counts = await client.get(f"/api/v1/deals?event_slug={market.slug}", headers=market.admin.headers)
    assert counts.json()["total"] == 0


async def test_bad_query_parameters_are_named_as_the_client_sent_them(client, market):
    cases = {
        f"/api/v1/reports/events/{market.slug}?format=docx": ("query.format", "pilih salah satu: xlsx, pdf, csv"),
        "/api/v1/deals?state=lunas": ("query.state", "nilai 'lunas' tidak termasuk pilihan"),
        "/api/v1/deals?page=satu": ("query.page", "harus berupa bilangan bulat"),
    }
    for url, (field, message) in cases.items():
        response = await client.get(url, headers=market.admin.headers)
        assert response.status_code == 422, url
        assert response.json()["errors"] == [{"field": field, "message": message}], url


# (action, who acts, expected status) from state `dicatat`
DICATAT_MATRIX = [
    ("confirm", "buyer", 200),
    ("confirm", "seller", 403),
    ("confirm", "other_buyer", 403),
    ("confirm", "admin", 403),
    ("confirm", "organizer", 403),
    ("dispute", "buyer", 200),
    ("dispute", "seller", 403),
    ("dispute", "other_buyer", 403),
    ("verify", "admin", 409),
    ("verify", "seller", 403),
    ("verify", "buyer", 403),
    ("send-back", "admin", 409),
    ("cancel", "seller", 200),
    ("cancel", "buyer", 200),
    ("cancel", "admin", 200),
    ("cancel", "other_seller", 403),
    ("cancel", "organizer", 403),
    ("amend", "seller", 200),
    ("amend", "buyer", 403),
    ("amend", "other_seller", 403),
]


def _body(action: str, version: int, market: Market) -> dict:
    if action in ("dispute", "cancel", "send-back"):
        return {"version": version, "reason": "Jumlah tidak sesuai"}
    if action == "amend":
        return {"version": version, "lines": [{"product_id": market.product["id"], "quantity": "20", "unit_price_rp": 24_000}]}
    return {"version": version}


@pytest.mark.parametrize(("action", "who", "expected"), DICATAT_MATRIX)
async def test_transitions_from_dicatat_per_role(client, market, action, who, expected):
    deal = await _log(client, market)
    response = await client.post(
        f"/api/v1/deals/{deal['id']}/{action}", json=_body(action, 1, market), headers=getattr(market, who).headers
    )
    assert response.status_code == expected, response.text
    after = await client.get(f"/api/v1/deals/{deal['id']}", headers=market.admin.headers)
    expected_state = {
        ("confirm", 200): "dikonfirmasi",
        ("dispute", 200): "disanggah",
        ("cancel", 200): "dibatalkan",
        ("amend", 200): "dicatat",
    }.get((action, expected), "dicatat")
    assert after.json()["state"] == expected_state
    assert after.json()["version"] == (2 if expected == 200 else 1)


async def _confirmed(client, market: Market) -> dict:
    deal = await _log(client, market)
    response = await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 1}, headers=market.buyer.headers)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    ("action", "who", "expected", "state"),
    [
        ("verify", "admin", 200, "diverifikasi"),
        ("verify", "organizer", 403, "dikonfirmasi"),
        ("send-back", "admin", 200, "dicatat"),
        ("amend", "seller", 200, "perubahan"),  # a proposed change; the agreed terms still count
        ("amend", "buyer", 200, "perubahan"),
        ("amend", "organizer", 403, "dikonfirmasi"),
        ("dispute", "buyer", 409, "dikonfirmasi"),
        ("confirm", "buyer", 409, "dikonfirmasi"),
        ("cancel", "seller", 200, "dibatalkan"),
        ("cancel", "other_buyer", 403, "dikonfirmasi"),
    ],
)
async def test_transitions_from_dikonfirmasi(client, market, action, who, expected, state):
    deal = await _confirmed(client, market)
    response = await client.post(
        f"/api/v1/deals/{deal['id']}/{action}", json=_body(action, 2, market), headers=getattr(market, who).headers
    )
    assert response.status_code == expected, response.text
    after = await client.get(f"/api/v1/deals/{deal['id']}", headers=market.admin.headers)
    assert after.json()["state"] == state


async def test_verified_deal_only_admin_cancels(client, market):
    deal = await _confirmed(client, market)
    await client.post(f"/api/v1/deals/{deal['id']}/verify", json={"version": 2}, headers=market.admin.headers)
    seller = await client.post(f"/api/v1/deals/{deal['id']}/cancel", json={"version": 3, "reason": "salah catat"}, headers=market.seller.headers)
    assert seller.status_code == 409
    admin = await client.post(f"/api/v1/deals/{deal['id']}/cancel", json={"version": 3, "reason": "salah catat"}, headers=market.admin.headers)
    assert admin.status_code == 200
    assert admin.json()["state"] == "dibatalkan"
    again = await client.post(f"/api/v1/deals/{deal['id']}/cancel", json={"version": 4, "reason": "lagi"}, headers=market.admin.headers)
    assert again.status_code == 409


async def test_interest_with_adjusted_price_becomes_the_pesantrens_offer(client, market):
    response = await client.post(
        "/api/v1/deals/interests",
        json={"event_slug": market.slug, "pesantren_id": market.seller.actor.pesantren_id, "deal_date": "2020-12-09",
              "lines": [{"product_id": market.product["id"], "quantity": "100", "unit_price_rp": 20_000}]},
        headers=market.buyer.headers,
    )
    assert response.status_code == 201, response.text
    interest = response.json()
    assert (interest["state"], interest["origin"], interest["total_rp"]) == ("minat", "buyer", 2_000_000)
    refused = await client.post(f"/api/v1/deals/{interest['id']}/confirm", json={"version": 1}, headers=market.buyer.headers)
    assert refused.status_code == 403
    confirmed = await client.post(
        f"/api/v1/deals/{interest['id']}/confirm",
        json={"version": 1, "lines": [{"product_id": market.product["id"], "quantity": "80", "unit_price_rp": 22_500}]},
        headers=market.seller.headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    # changed terms the buyer has not seen are an offer awaiting the buyer, not a confirmation
    assert (confirmed.json()["state"], confirmed.json()["total_rp"], confirmed.json()["awaiting"]) == (
        "dicatat", 1_800_000, "pembeli")
    accepted = await client.post(f"/api/v1/deals/{interest['id']}/confirm", json={"version": 2},
                                 headers=market.buyer.headers)  # fmt: skip
    assert (accepted.json()["state"], accepted.json()["total_rp"]) == ("dikonfirmasi", 1_800_000)


async def test_an_interest_must_reach_the_products_minimum_order(client, market):
    await client.patch(f"/api/v1/products/{market.product['id']}", json={"min_order": "2.5"},
                       headers=market.admin.headers)  # fmt: skip
    body = {"event_slug": market.slug, "pesantren_id": market.seller.actor.pesantren_id,
            "lines": [{"product_id": market.product["id"], "quantity": "2"}]}
    small = await client.post("/api/v1/deals/interests", json=body, headers=market.buyer.headers)
    assert small.status_code == 422
    assert small.json()["errors"] == [{"field": "lines[0].quantity", "message": "pesanan minimal 2,5 kg"}]
    body["lines"][0]["quantity"] = "2.5"
    assert (await client.post("/api/v1/deals/interests", json=body, headers=market.buyer.headers)).status_code == 201
    # the pesantren itself may log a smaller sale of its own product
    assert (await client.post("/api/v1/deals", json=market.deal_body(lines=[
        {"product_id": market.product["id"], "quantity": "1", "unit_price_rp": 25_000}]),
        headers=market.seller.headers)).status_code == 201  # fmt: skip


async def test_every_bad_field_of_a_body_is_named_at_once(client, market):
    body = {"event_slug": "x", "kind": "uang", "deal_date": "kemarin", "zz": 1,
            "lines": [{"quantity": "1", "unit_price_rp": "5.000"}, {"quantity": "abc"}]}
    response = await client.post("/api/v1/deals", json=body, headers=market.seller.headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "event_slug", "kind", "deal_date", "lines[0].unit_price_rp", "lines[1].quantity", "zz",
    ]
    missing = await client.post("/api/v1/deals", json={"lines": []}, headers=market.seller.headers)
    assert [e["field"] for e in missing.json()["errors"]] == ["event_slug", "kind", "deal_date", "lines"]


async def test_stale_version_is_a_conflict_naming_the_current_one(client, market):
    deal = await _log(client, market)
    await client.post(f"/api/v1/deals/{deal['id']}/amend", json=_body("amend", 1, market), headers=market.seller.headers)
    stale = await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 1}, headers=market.buyer.headers)
    assert stale.status_code == 409
    assert stale.json()["errors"] == [{"field": "version", "message": "versi terbaru 2"}]


async def test_concurrent_confirm_and_cancel_never_both_win(client, market):
    deal = await _log(client, market)
    results = await asyncio.gather(
        client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 1}, headers=market.buyer.headers),
        client.post(f"/api/v1/deals/{deal['id']}/cancel", json={"version": 1, "reason": "batal saja"}, headers=market.seller.headers),
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409]
    history = await client.get(f"/api/v1/deals/{deal['id']}/history", headers=market.admin.headers)
    assert [h["version"] for h in history.json()] == [1, 2]


async def test_idempotent_retry_returns_the_first_response_and_one_deal(client, market):
    headers = {**market.seller.headers, "Idempotency-Key": "hp-retry-0001"}
    first = await client.post("/api/v1/deals", json=market.deal_body(), headers=headers)
    second = await client.post("/api/v1/deals", json=market.deal_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get("idempotent-replayed") == "true"
    listed = await client.get(f"/api/v1/deals?event_slug={market.slug}", headers=market.admin.headers)
    assert listed.json()["total"] == 1


async def test_idempotency_key_reused_for_other_body_is_refused(client, market):
    headers = {**market.seller.headers, "Idempotency-Key": "hp-retry-0002"}
    assert (await client.post("/api/v1/deals", json=market.deal_body(), headers=headers)).status_code == 201
    other = await client.post("/api/v1/deals", json=market.deal_body(kind="kontrak"), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_concurrent_identical_retries_create_one_deal(client, market):
    headers = {**market.seller.headers, "Idempotency-Key": "hp-burst-0003"}
    responses = await asyncio.gather(*[client.post("/api/v1/deals", json=market.deal_body(), headers=headers) for _ in range(5)])
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    listed = await client.get(f"/api/v1/deals?event_slug={market.slug}", headers=market.admin.headers)
    assert listed.json()["total"] == 1


async def test_failed_request_with_key_is_not_stored(client, market):
    headers = {**market.seller.headers, "Idempotency-Key": "hp-retry-0004"}
    bad = market.deal_body(lines=[{"product_id": market.product["id"], "quantity": "-1", "unit_price_rp": 1}])
    assert (await client.post("/api/v1/deals", json=bad, headers=headers)).status_code == 422
    assert (await client.post("/api/v1/deals", json=market.deal_body(), headers={**market.seller.headers, "Idempotency-Key": "hp-retry-0004"})).status_code == 201


async def test_history_records_actor_before_and_after(client, market):
    deal = await _log(client, market)
    await client.post(f"/api/v1/deals/{deal['id']}/amend", json=_body("amend", 1, market), headers=market.seller.headers)
    await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 2}, headers=market.buyer.headers)
    history = (await client.get(f"/api/v1/deals/{deal['id']}/history", headers=market.seller.headers)).json()
    assert [(h["version"], h["action"], h["state"]) for h in history] == [
        (1, "catat", "dicatat"), (2, "ubah", "dicatat"), (3, "konfirmasi", "dikonfirmasi"),
    ]
    assert history[1]["before"]["total_rp"] == 250_000
    assert history[1]["after"]["total_rp"] == 480_000
    assert history[2]["actor"] == market.buyer.actor.name


async def test_visibility_of_deals_per_role(client, market):
    deal = await _log(client, market)
    for who, status in [("seller", 200), ("buyer", 200), ("admin", 200), ("organizer", 200),
                        ("other_seller", 403), ("other_buyer", 403), ("outsider_organizer", 403)]:
        response = await client.get(f"/api/v1/deals/{deal['id']}", headers=getattr(market, who).headers)
        assert response.status_code == status, who
    assert (await client.get(f"/api/v1/deals/{deal['id']}")).status_code == 401
    assert (await client.get("/api/v1/deals", headers=market.other_seller.headers)).json()["total"] == 0
    assert (await client.get("/api/v1/deals", headers=market.buyer.headers)).json()["total"] == 1


async def test_realisations_append_and_void(client, market):
    deal = await _confirmed(client, market)
    paid = await client.post(
        f"/api/v1/deals/{deal['id']}/realisations",
        json={"kind": "pembayaran", "realised_on": "2021-01-15", "amount_rp": 100_000},
        headers=market.admin.headers,
    )
    assert paid.status_code == 201, paid.text
    assert (await client.post(
        f"/api/v1/deals/{deal['id']}/realisations",
        json={"kind": "pembayaran", "realised_on": "2021-01-15", "amount_rp": 5},
        headers=market.seller.headers,
    )).status_code == 403
    assert (await client.get(f"/api/v1/deals/{deal['id']}", headers=market.admin.headers)).json()["realised_rp"] == 100_000
    void = await client.post(
        f"/api/v1/deals/{deal['id']}/realisations/{paid.json()['id']}/void",
        json={"reason": "salah nominal"},
        headers=market.admin.headers,
    )
    assert void.status_code == 201
    listed = (await client.get(f"/api/v1/deals/{deal['id']}/realisations", headers=market.admin.headers)).json()
    assert [(r["amount_rp"], r["voided"], r["voids"]) for r in listed] == [(100_000, True, None), (0, False, paid.json()["id"])]
    assert (await client.get(f"/api/v1/deals/{deal['id']}", headers=market.admin.headers)).json()["realised_rp"] == 0


async def test_event_totals_count_confirmed_and_verified(client, market):
    kinds = ["transaksi", "kontrak", "komitmen"]
    ids = []
    for i, kind in enumerate(kinds):
        deal = await _log(client, market, kind=kind, lines=[{"product_id": market.product["id"], "quantity": str(i + 1), "unit_price_rp": 1_000_000}])
        ids.append(deal["id"])
    await client.post(f"/api/v1/deals/{ids[0]}/confirm", json={"version": 1}, headers=market.buyer.headers)
    await client.post(f"/api/v1/deals/{ids[1]}/confirm", json={"version": 1}, headers=market.buyer.headers)
    await client.post(f"/api/v1/deals/{ids[1]}/verify", json={"version": 2}, headers=market.admin.headers)
    await client.post(f"/api/v1/deals/{ids[1]}/realisations", json={"kind": "pembayaran", "realised_on": "2021-01-02", "amount_rp": 500_000}, headers=market.admin.headers)
    totals = (await client.get(f"/api/v1/events/{market.slug}/totals")).json()
    assert totals == {
        "event_slug": market.slug,
        "as_of": None,
        "confirmed_rp": 3_000_000,
        "logged_rp": 3_000_000,
        "realised_rp": 500_000,
        "by_kind": [
            {"kind": "transaksi", "confirmed_rp": 1_000_000, "logged_rp": 0, "deals_confirmed": 1, "deals_logged": 0},
            {"kind": "kontrak", "confirmed_rp": 2_000_000, "logged_rp": 0, "deals_confirmed": 1, "deals_logged": 0},
            {"kind": "komitmen", "confirmed_rp": 0, "logged_rp": 3_000_000, "deals_confirmed": 0, "deals_logged": 1},
        ],
        "deals_confirmed": 2,
        "deals_logged": 1,
        "pesantren": 1,
        "buyers": 1,
        "closed": False,
        "closed_at": None,
        "official_confirmed_rp": 3_000_000,
        "late_confirmed_rp": 0,
        "late_deals": 0,
    }


async def test_a_deal_sent_back_by_dinas_waits_for_the_pesantren_not_the_buyer(client, market):
    deal = await _confirmed(client, market)
    back = await client.post(f"/api/v1/deals/{deal['id']}/send-back", json={"version": 2, "reason": "Nota belum ada"},
                             headers=market.admin.headers)  # fmt: skip
    assert (back.json()["state"], back.json()["awaiting"], back.json()["state_hint"]) == (
        "dicatat", "pesantren", "dikembalikan Dinas; menunggu pesantren memperbaikinya")
    again = await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 3}, headers=market.buyer.headers)
    assert again.status_code == 409 and "dikembalikan Dinas" in again.json()["detail"]
    fixed = await client.post(f"/api/v1/deals/{deal['id']}/amend", json={"version": 3, "note": "nota dilampirkan"},
                              headers=market.seller.headers)  # fmt: skip
    assert (fixed.json()["state"], fixed.json()["awaiting"]) == ("dicatat", "pembeli")
    ok = await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 4}, headers=market.buyer.headers)
    assert ok.json()["state"] == "dikonfirmasi"


async def test_accepting_a_proposed_date_after_the_first_realisation_is_refused(client, market):
    deal = await _confirmed(client, market)  # dated 2020-12-09
    proposed = await client.post(f"/api/v1/deals/{deal['id']}/amend", json={"version": 2, "deal_date": "2020-12-20"},
                                 headers=market.seller.headers)  # fmt: skip
    assert proposed.json()["state"] == "perubahan"
    paid = await client.post(f"/api/v1/deals/{deal['id']}/realisations", headers=market.admin.headers,
                             json={"kind": "pembayaran", "realised_on": "2020-12-15", "amount_rp": 100_000})
    assert paid.status_code == 201, paid.text
    accepted = await client.post(f"/api/v1/deals/{deal['id']}/confirm", json={"version": 4},
                                 headers=market.buyer.headers)  # fmt: skip
    assert accepted.status_code == 422, accepted.text
    assert "realisasi pertama" in accepted.json()["detail"]
    after = (await client.get(f"/api/v1/deals/{deal['id']}", headers=market.admin.headers)).json()
    assert (after["state"], after["deal_date"]) == ("perubahan", "2020-12-09")
