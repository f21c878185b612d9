"""One set of deal rules for every door (issue #12): the date window around the event, a realisation never
before its deal, the amount caps and the review flag, through the API, the web forms and the demo loader.
The Excel import's side is in tests/catalog/test_import_rules.py."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import msgspec
import pytest

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor
from opop_events.db import raw
from opop_events.deals import rules, schemas
from opop_events.deals import services as deals
from opop_events.deals.enums import DealState
from opop_events.deals.tables import Deal, Realisation
from opop_events.events.tables import Event, Registration
from opop_events.settings import Settings, SettingsError
from tests.deals.conftest import Market
from tests.web.conftest import post_form, sign_in, submit_form

EARLY = "tanggal transaksi paling awal 9 November 2020 (30 hari sebelum acara dimulai 9 Desember 2020)"


def _errors(response: Any) -> list[tuple[str, str]]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


async def _logged(m: Market, *, state: DealState = DealState.dicatat, **overrides: Any) -> schemas.Deal:
    deal = await deals.log_deal(actor=m.seller.actor, data=msgspec.convert(m.deal_body(**overrides), schemas.DealCreate))
    if state in (DealState.dikonfirmasi, DealState.diverifikasi):
        deal = await deals.confirm(actor=m.buyer.actor, deal_id=deal.id, data=schemas.Confirm(version=deal.version))
    if state is DealState.diverifikasi:
        deal = await deals.verify(actor=m.admin.actor, deal_id=deal.id, data=schemas.VersionIn(version=deal.version))
    return deal


# -- the pure rules -----------------------------------------------------------------------------------------


def test_date_window_is_thirty_days_before_the_start_up_to_tomorrow_in_west_java() -> None:
    start, today = date(2020, 12, 9), date(2021, 3, 1)
    problem = rules.deal_date_problem

    assert problem(date(2020, 11, 9), starts_on=start, today=today) is None  # pameran online, 30 days ahead
    assert problem(date(2020, 11, 8), starts_on=start, today=today) == EARLY
    assert problem(date(2021, 2, 28), starts_on=start, today=today) is None  # follow-up deal after the event
    assert problem(date(2021, 3, 2), starts_on=start, today=today) is None  # tomorrow: a phone hours off
    assert problem(date(2021, 3, 3), starts_on=start, today=today) == "tanggal transaksi tidak boleh di masa depan"
    assert problem(date(2017, 12, 31), starts_on=date(2018, 1, 5), today=today) == (
        "tanggal transaksi paling awal tahun 2018")
    # an event that has not started yet: from 30 days before it up to today, never beyond
    upcoming = today + timedelta(days=20)
    assert problem(today, starts_on=upcoming, today=today) is None
    assert problem(today, starts_on=today + timedelta(days=31), today=today) is not None
    assert problem(upcoming, starts_on=upcoming, today=today) == "tanggal transaksi tidak boleh di masa depan"


def test_caps_and_review_flag_follow_the_settings() -> None:
    cap = rules.max_deal_rp()
    assert (cap, rules.review_threshold_rp()) == (100_000_000_000, 5_000_000_000)
    assert rules.needs_review(4_999_999_999) is False and rules.needs_review(5_000_000_000) is True
    assert rules.line_problems(rules.MAX_QUANTITY, 10, 100_000_000) == []
    assert [part for part, _ in rules.line_problems(rules.MAX_QUANTITY + 1, 1, 10_000_001)] == ["quantity"]
    assert [part for part, _ in rules.line_problems(rules.Decimal(1), cap + 1, cap + 1)] == ["unit_price_rp"]
    assert rules.line_problems(rules.Decimal(2), cap // 2 + 1, cap + 2) == [
        ("value_rp", "nilai baris Rp100.000.000.002 melebihi batas Rp100.000.000.000 per transaksi; periksa "
                     "jumlah dan harga satuan")]
    assert rules.total_problem([cap, 0]) is None and rules.total_problem([cap, 1]) is not None


def test_cap_settings_are_read_from_the_environment_and_checked() -> None:
    settings = Settings.from_env({"OPOP_MAX_DEAL_RP": "2000000000", "OPOP_REVIEW_THRESHOLD_RP": "750000000"})
    assert (settings.max_deal_rp, settings.review_threshold_rp) == (2_000_000_000, 750_000_000)
    with pytest.raises(SettingsError, match="OPOP_MAX_DEAL_RP harus bilangan bulat"):
        Settings.from_env({"OPOP_MAX_DEAL_RP": "100 miliar"})


# -- the deal date window: API doors ------------------------------------------------------------------------


async def test_api_log_interest_and_amend_refuse_a_date_long_before_the_event(client: Any, market: Market) -> None:
    logged = await client.post("/api/v1/deals", json=market.deal_body(deal_date="2020-11-08"),
                               headers=market.seller.headers)
    in_window = await client.post("/api/v1/deals", json=market.deal_body(deal_date="2020-11-09"),
                                  headers=market.seller.headers)
    interest = await client.post("/api/v1/deals/interests", json={
        "event_slug": market.slug, "pesantren_id": market.seller.actor.pesantren_id, "deal_date": "2020-10-01",
        "lines": [{"product_id": market.product["id"], "quantity": "10"}]}, headers=market.buyer.headers)
    deal = in_window.json()
    amended = await client.post(f"/api/v1/deals/{deal['id']}/amend", json={"version": 1, "deal_date": "2019-12-31"},
                                 headers=market.seller.headers)

    assert (logged.status_code, _errors(logged)) == (422, [("deal_date", EARLY)])
    assert in_window.status_code == 201, in_window.text
    assert (interest.status_code, _errors(interest)) == (422, [("deal_date", EARLY)])
    assert (amended.status_code, _errors(amended)) == (422, [("deal_date", EARLY)])
    assert await Deal.count() == 1


async def test_api_a_deal_into_an_event_not_started_yet_only_from_thirty_days_before_it(
    client: Any, market: Market
) -> None:
    today = rules.today_wib()
    await Event.update({Event.starts_on: today + timedelta(days=45), Event.ends_on: today + timedelta(days=46)}).where(
        Event.id == market.event["id"])
    too_soon = await client.post("/api/v1/deals", json=market.deal_body(deal_date=today.isoformat()),
                                 headers=market.seller.headers)
    await Event.update({Event.starts_on: today + timedelta(days=10), Event.ends_on: today + timedelta(days=11)}).where(
        Event.id == market.event["id"])
    pre_event = await client.post("/api/v1/deals", json=market.deal_body(deal_date=today.isoformat()),
                                  headers=market.seller.headers)
    future = await client.post("/api/v1/deals",
                               json=market.deal_body(deal_date=(today + timedelta(days=10)).isoformat()),
                               headers=market.seller.headers)

    assert too_soon.status_code == 422
    [(field, message)] = _errors(too_soon)
    assert field == "deal_date" and message.startswith("tanggal transaksi paling awal ")
    assert pre_event.status_code == 201, pre_event.text
    assert (future.status_code, _errors(future)) == (422, [("deal_date", "tanggal transaksi tidak boleh di masa depan")])


# -- the deal date window: web forms ------------------------------------------------------------------------


@pytest.fixture
async def shop(market: Market) -> Market:
    await Registration.insert(
        Registration(event=market.event["id"], party_kind="buyer", buyer=market.buyer.actor.buyer_id))
    return market


def _deal_form(m: Market, **overrides: str) -> dict[str, str]:
    return {"baris": "1", "buyer_id": str(m.buyer.actor.buyer_id), "kind": "transaksi", "deal_date": "2020-12-09",
            "lines[0].product_id": str(m.product["id"]), "lines[0].quantity": "10", "lines[0].unit_price_rp": "",
            "aksi": "simpan", "event_slug": m.slug, "form_key": "k" * 20, **overrides}


async def test_web_deal_form_and_amend_form_refuse_a_date_long_before_the_event(client: Any, shop: Market) -> None:
    deal = await _logged(shop)
    await sign_in(client, shop.seller)

    logged = await post_form(client, "/transaksi/baru", _deal_form(shop, deal_date="2020-11-01"))
    amended = await post_form(
        client, f"/transaksi/{deal.id}/ubah",
        {"version": "1", "baris": "1", "kind": "transaksi", "deal_date": "2020-11-01",
         "lines[0].product_id": str(shop.product["id"]), "lines[0].quantity": "10", "lines[0].unit_price_rp": ""},
    )

    for response in (logged, amended):
        assert response.status_code == 422, response.text
        assert f'<p class="error" id="deal_date-galat">{EARLY}</p>' in response.text
    assert [d.id for d in (await deals.list_deals(actor=shop.admin.actor)).items] == [deal.id]
    assert (await deals.get_deal(actor=shop.admin.actor, deal_id=deal.id)).version == 1


# -- a realisation is never dated before its deal -----------------------------------------------------------


async def test_api_realisation_before_the_deal_date_is_refused(client: Any, market: Market) -> None:
    deal = await _logged(market, state=DealState.diverifikasi, deal_date="2020-12-10")
    url = f"/api/v1/deals/{deal.id}/realisations"

    early = await client.post(url, json={"kind": "pembayaran", "realised_on": "2019-01-16", "amount_rp": 250_000},
                              headers=market.admin.headers)
    day_before = await client.post(url, json={"kind": "pembayaran", "realised_on": "2020-12-09",
                                              "amount_rp": 250_000}, headers=market.admin.headers)
    same_day = await client.post(url, json={"kind": "pembayaran", "realised_on": "2020-12-10",
                                            "amount_rp": 250_000}, headers=market.admin.headers)

    message = "tanggal realisasi tidak boleh sebelum tanggal transaksi (10 Desember 2020)"
    assert (early.status_code, _errors(early)) == (422, [("realised_on", message)])
    assert (day_before.status_code, _errors(day_before)) == (422, [("realised_on", message)])
    assert same_day.status_code == 201, same_day.text
    assert [r["realised_on"] for r in await Realisation.select(Realisation.realised_on)] == [date(2020, 12, 10)]


async def test_web_realisation_form_refuses_a_date_before_the_deal(client: Any, shop: Market) -> None:
    deal = await _logged(shop, state=DealState.diverifikasi, deal_date="2020-12-10")
    await sign_in(client, shop.admin)

    response = await submit_form(client, f"/transaksi/{deal.id}", f"/transaksi/{deal.id}/realisasi",
                                 {"Jenis": "pembayaran", "Tanggal": "2019-01-16", "Nilai (Rp)": "250.000"})

    assert response.status_code == 422, response.text
    assert "tanggal realisasi tidak boleh sebelum tanggal transaksi (10 Desember 2020)" in response.text
    assert await Realisation.count() == 0


# -- amount caps --------------------------------------------------------------------------------------------


async def test_api_and_web_refuse_a_deal_over_the_cap(client: Any, shop: Market) -> None:
    free = {"description": "Kontrak pasokan beras", "category": "pertanian", "quantity": "1",
            "unit_price_rp": 60_000_000_000, "unit": "paket"}
    over_total = await client.post("/api/v1/deals", json=shop.deal_body(lines=[free, free]), headers=shop.seller.headers)
    over_line = await client.post("/api/v1/deals", json=shop.deal_body(lines=[{**free, "quantity": "2"}]),
                                  headers=shop.seller.headers)
    over_price = await client.post("/api/v1/deals", json=shop.deal_body(lines=[{**free, "unit_price_rp": 10**11 + 1}]),
                                   headers=shop.seller.headers)
    over_quantity = await client.post("/api/v1/deals", json=shop.deal_body(lines=[{**free, "quantity": "10000001",
                                                                                     "unit_price_rp": 1}]),
                                      headers=shop.seller.headers)
    at_cap = await client.post("/api/v1/deals", json=shop.deal_body(lines=[{**free, "unit_price_rp": 50_000_000_000},
                                                                           {**free, "unit_price_rp": 50_000_000_000}]),
                               headers=shop.seller.headers)
    await sign_in(client, shop.seller)
    web = await post_form(client, "/transaksi/baru", _deal_form(shop, **{
        "lines[0].product_id": "", "lines[0].description": "Kontrak pasokan beras", "lines[0].category": "pertanian",
        "lines[0].quantity": "2", "lines[0].unit_price_rp": "60.000.000.000"}))

    assert (over_total.status_code, _errors(over_total)) == (422, [(
        "lines", "total transaksi Rp120.000.000.000 melebihi batas Rp100.000.000.000 per transaksi; periksa jumlah "
                 "dan harga satuan")])
    assert (over_line.status_code, _errors(over_line)) == (422, [(
        "lines[0].quantity", "nilai baris Rp120.000.000.000 melebihi batas Rp100.000.000.000 per transaksi; periksa "
                             "jumlah dan harga satuan")])
    assert (over_price.status_code, _errors(over_price)) == (422, [(
        "lines[0].unit_price_rp", "harga satuan paling besar Rp100.000.000.000")])
    assert (over_quantity.status_code, _errors(over_quantity)) == (422, [(
        "lines[0].quantity", "jumlah per baris paling banyak 10.000.000")])
    assert at_cap.status_code == 201 and at_cap.json()["total_rp"] == 100_000_000_000
    assert rules.needs_review(at_cap.json()["total_rp"])
    assert web.status_code == 422
    assert 'id="lines[0].quantity-galat">nilai baris Rp120.000.000.000 melebihi batas' in web.text
    assert await Deal.count() == 1


# -- the demo loader ----------------------------------------------------------------------------------------


def _cli(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "opop_events.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "OPOP_DATABASE_URL": database_url, **env}, timeout=600, check=False)


async def test_demo_obeys_the_rules_and_refuses_to_load_when_a_cap_is_broken(database_url: str) -> None:
    from opop_events.reports import queries
    from opop_events.settings import get_settings

    capped = await asyncio.to_thread(_cli, ["demo"], database_url, OPOP_MAX_DEAL_RP="100000000")
    assert capped.returncode == 2, capped.stdout + capped.stderr
    [galat] = capped.stderr.strip().splitlines()
    assert galat.startswith("Galat: Data demo melanggar aturan transaksi (")
    assert "melebihi batas Rp100.000.000 per transaksi" in galat
    assert await Deal.count() == 0 and await Event.count() == 0

    loaded = await asyncio.to_thread(_cli, ["demo"], database_url)
    assert loaded.returncode == 0, loaded.stderr
    event = await Event.select(Event.id, Event.starts_on).where(Event.slug == "temu-bisnis-opop-bandung-2020").first()
    headline = await queries.headline(queries.Scope(event_id=event["id"]))
    assert headline.confirmed_rp == 21_000_000_000
    spec = json.loads((get_settings().fixtures_dir / "demo" / "event.json").read_text(encoding="utf-8"))
    assert event["starts_on"] == date.fromisoformat(spec["starts_on"])
    admin = Actor(user_id=0, email="sistem@uji.test", name="Sistem Uji", role=Role.admin)
    everything: list[schemas.Deal] = []
    page = 1
    while batch := (await deals.list_deals(actor=admin, event_slug=spec["slug"], per_page=200, page=page)).items:
        everything += batch
        page += 1
    assert len(everything) == await Deal.count() > 300
    for deal in everything:
        lines = [(rules.Decimal(x.quantity), x.unit_price_rp, x.value_rp) for x in deal.lines]
        assert rules.deal_problems(deal_date=deal.deal_date, starts_on=event["starts_on"], lines=lines) == []
    early = await raw("SELECT COUNT(*) AS n FROM realisation z JOIN deal_revision r ON r.deal = z.deal "
                      "WHERE z.realised_on < r.deal_date")
    assert early[0]["n"] == 0 and await Realisation.count() > 0


async def test_api_a_deal_date_cannot_be_amended_to_after_its_first_realisation(client: Any, market: Market) -> None:
    deal = await _logged(market, state=DealState.dikonfirmasi, deal_date="2020-12-09")
    realised = await client.post(f"/api/v1/deals/{deal.id}/realisations", headers=market.admin.headers,
                                 json={"kind": "pembayaran", "realised_on": "2020-12-20", "amount_rp": 100_000})
    sent_back = await client.post(f"/api/v1/deals/{deal.id}/send-back", headers=market.admin.headers,
                                  json={"version": 3, "reason": "Harga perlu dicek"})
    late = await client.post(f"/api/v1/deals/{deal.id}/amend", headers=market.seller.headers,
                             json={"version": 4, "deal_date": "2020-12-21"})
    same_day = await client.post(f"/api/v1/deals/{deal.id}/amend", headers=market.seller.headers,
                                 json={"version": 4, "deal_date": "2020-12-20"})

    assert (realised.status_code, sent_back.status_code) == (201, 200), sent_back.text
    assert (late.status_code, _errors(late)) == (422, [
        ("deal_date", "tanggal transaksi tidak boleh sesudah realisasi pertama (20 Desember 2020)")])
    assert same_day.status_code == 200, same_day.text
    assert same_day.json()["deal_date"] == "2020-12-20"


async def test_web_interest_form_refuses_an_event_more_than_thirty_days_ahead(client: Any, shop: Market) -> None:
    today = rules.today_wib()
    await Event.update({Event.starts_on: today + timedelta(days=45), Event.ends_on: today + timedelta(days=46)}).where(
        Event.id == shop.event["id"])
    await sign_in(client, shop.buyer)
    url = f"/transaksi/minat/{shop.product['id']}"

    refused = await post_form(client, url, {"event_slug": shop.slug, "quantity": "20", "kind": "kontrak",
                                            "form_key": "m" * 20})
    await Event.update({Event.starts_on: today + timedelta(days=20), Event.ends_on: today + timedelta(days=21)}).where(
        Event.id == shop.event["id"])
    accepted = await post_form(client, url, {"event_slug": shop.slug, "quantity": "20", "kind": "kontrak",
                                             "form_key": "n" * 20})

    earliest = rules.format_date(today + timedelta(days=15))
    assert refused.status_code == 422, refused.text
    assert f"tanggal transaksi paling awal {earliest} (30 hari sebelum acara dimulai" in refused.text
    assert accepted.status_code == 303, accepted.text
    assert await Deal.count() == 1
