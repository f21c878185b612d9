"""Security: who may call every route (a table that must name each route of the app), login rate limits,
session cookies, CSRF on forms, no secrets in logs, and the production secret key.

Adding a route? Add a line to RULES: which callers may use it; the others get the default refusal (API:
401 anonymous / 403 signed in; pages: 303 to /masuk anonymous / 403 signed in) unless the rule says otherwise.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from opop_events.db import raw
from opop_events.settings import Settings, SettingsError
from tests.deals.conftest import Market, market  # noqa: F401 - the fixture is shared by name
from tests.factories import make_account
from tests.settings_env import settings_env  # noqa: F401 - the fixture

CALLERS = ("anon", "buyer", "organizer", "seller", "admin")  # weakest first: a write by an earlier caller that
# wrongly succeeded would show up before a later, allowed caller changes the state


@dataclass(frozen=True)
class Rule:
    """`allowed`: callers that pass authorization (any answer but 401/403/login redirect). Everyone else gets
    `anon` (anonymous) or `other` (signed in); None means the area's default."""

    allowed: frozenset[str]
    anon: int | None = None
    other: int | None = None
    note: str = ""


def r(allowed: str, *, anon: int | None = None, other: int | None = None, note: str = "") -> Rule:
    names = frozenset(CALLERS if allowed == "all" else ("buyer", "organizer", "seller", "admin") if allowed == "signed" else allowed.split())
    assert names <= set(CALLERS), names
    return Rule(names, anon, other, note)


ALL, SIGNED = r("all"), r("signed")
ADMIN, ADMIN_ORG = r("admin"), r("admin organizer")

RULES: dict[tuple[str, str], Rule] = {
    # system, OpenAPI, static files
    ("GET", "/api/v1/health"): ALL,
    ("GET", "/schema"): ALL,
    ("GET", "/schema/swagger"): ALL,
    ("GET", "/schema/openapi.json"): ALL,
    ("GET", "/schema/oauth2-redirect.html"): ALL,
    ("GET", "/schema/{path:str}"): ALL,
    ("GET", "/static/{file_path:path}"): ALL,
    # accounts
    ("POST", "/api/v1/auth/token"): ALL,
    ("DELETE", "/api/v1/auth/token"): SIGNED,
    ("POST", "/api/v1/auth/password"): SIGNED,
    ("GET", "/api/v1/me"): SIGNED,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    # catalog: reading is public, writing is Dinas (and a seller for its own pesantren and products)
    ("GET", "/api/v1/wilayah"): ALL,
    ("GET", "/api/v1/pesantren"): ALL,
    ("GET", "/api/v1/pesantren/{pesantren_id:int}"): ALL,
    ("POST", "/api/v1/pesantren"): ADMIN_ORG,
    ("PATCH", "/api/v1/pesantren/{pesantren_id:int}"): r("admin seller"),
    ("GET", "/api/v1/buyers"): r("admin organizer buyer", note="a buyer sees only itself"),
    ("GET", "/api/v1/buyers/{buyer_id:int}"): r("admin organizer buyer"),
    ("POST", "/api/v1/buyers"): ADMIN_ORG,
    ("PATCH", "/api/v1/buyers/{buyer_id:int}"): r("admin buyer"),
    ("GET", "/api/v1/products"): ALL,
    ("GET", "/api/v1/products/{product_id:int}"): ALL,
    ("POST", "/api/v1/products"): r("admin seller"),
    ("PATCH", "/api/v1/products/{product_id:int}"): r("admin seller"),
    # events
    ("GET", "/api/v1/events"): ALL,
    ("POST", "/api/v1/events"): ADMIN_ORG,
    ("GET", "/api/v1/events/{slug:str}"): ALL,
    ("PATCH", "/api/v1/events/{slug:str}"): ADMIN_ORG,
    ("POST", "/api/v1/events/{slug:str}/organizers"): ADMIN,
    ("GET", "/api/v1/events/{slug:str}/sessions"): ALL,
    ("POST", "/api/v1/events/{slug:str}/sessions"): ADMIN_ORG,
    ("POST", "/api/v1/events/{slug:str}/sessions/{session_id:int}/slots"): ADMIN_ORG,
    ("GET", "/api/v1/events/{slug:str}/tables"): ALL,
    ("POST", "/api/v1/events/{slug:str}/tables"): ADMIN_ORG,
    ("GET", "/api/v1/events/{slug:str}/registrations"): r("signed", note="participants: their own only"),
    ("POST", "/api/v1/events/{slug:str}/registrations"): SIGNED,
    ("POST", "/api/v1/events/{slug:str}/registrations/{registration_id:int}/check-in"): ADMIN_ORG,
    ("GET", "/api/v1/events/{slug:str}/totals"): ALL,
    ("GET", "/api/v1/events/{slug:str}/closing"): ALL,
    ("POST", "/api/v1/events/{slug:str}/closing"): ADMIN,
    ("POST", "/api/v1/events/{slug:str}/closing/reopen"): ADMIN,
    ("POST", "/api/v1/events/{slug:str}/imports"): ADMIN_ORG,
    # deal ledger (the world's deal: logged by `seller` with `buyer`, in `organizer`'s event)
    ("GET", "/api/v1/deals"): SIGNED,
    ("POST", "/api/v1/deals"): r("admin seller"),
    ("POST", "/api/v1/deals/interests"): r("buyer"),
    ("GET", "/api/v1/deals/follow-up"): ADMIN,
    ("GET", "/api/v1/deals/{deal_id:int}"): SIGNED,
    ("GET", "/api/v1/deals/{deal_id:int}/history"): SIGNED,
    ("POST", "/api/v1/deals/{deal_id:int}/amend"): r("seller"),
    ("POST", "/api/v1/deals/{deal_id:int}/confirm"): r("buyer"),
    ("POST", "/api/v1/deals/{deal_id:int}/dispute"): r("buyer"),
    ("POST", "/api/v1/deals/{deal_id:int}/decline-change"): r("seller buyer"),
    ("POST", "/api/v1/deals/{deal_id:int}/verify"): ADMIN,
    ("POST", "/api/v1/deals/{deal_id:int}/send-back"): ADMIN,
    ("POST", "/api/v1/deals/{deal_id:int}/cancel"): r("admin seller buyer"),
    ("GET", "/api/v1/deals/{deal_id:int}/realisations"): SIGNED,
    ("POST", "/api/v1/deals/{deal_id:int}/realisations"): ADMIN,
    ("POST", "/api/v1/deals/{deal_id:int}/realisations/{realisation_id:int}/void"): ADMIN,
    ("POST", "/api/v1/deals/{deal_id:int}/confirm-link"): r("seller"),
    ("GET", "/api/v1/links/{token:str}"): ALL,
    ("POST", "/api/v1/links/{token:str}/confirm"): ALL,
    ("POST", "/api/v1/links/{token:str}/dispute"): ALL,
    # matching
    ("GET", "/api/v1/events/{slug:str}/agenda"): SIGNED,
    ("GET", "/api/v1/events/{slug:str}/requests"): SIGNED,
    ("POST", "/api/v1/events/{slug:str}/requests"): r("buyer seller"),
    ("GET", "/api/v1/events/{slug:str}/funnel"): ADMIN_ORG,
    ("GET", "/api/v1/events/{slug:str}/meetings"): r("signed", note="participants: own, once published"),
    ("POST", "/api/v1/events/{slug:str}/schedule"): ADMIN_ORG,
    ("POST", "/api/v1/events/{slug:str}/schedule/publish"): ADMIN_ORG,
    ("PUT", "/api/v1/events/{slug:str}/availability"): r("buyer seller"),
    ("POST", "/api/v1/events/{slug:str}/meetings/walk-in"): ADMIN_ORG,
    ("POST", "/api/v1/requests/{request_id:int}/answer"): SIGNED,
    ("POST", "/api/v1/requests/{request_id:int}/cancel"): SIGNED,
    ("POST", "/api/v1/meetings/{meeting_id:int}/attendance"): SIGNED,
    ("POST", "/api/v1/meetings/{meeting_id:int}/move"): ADMIN_ORG,
    ("POST", "/api/v1/meetings/{meeting_id:int}/outcome"): SIGNED,
    ("GET", "/api/v1/events/{slug:str}/agenda.pdf"): SIGNED,
    ("GET", "/api/v1/events/{slug:str}/badges.pdf"): ADMIN_ORG,
    ("GET", "/api/v1/events/{slug:str}/grid.pdf"): ADMIN_ORG,
    ("GET", "/api/v1/events/{slug:str}/grid.xlsx"): ADMIN_ORG,
    ("GET", "/api/v1/events/{slug:str}/tables.pdf"): ADMIN_ORG,
    ("GET", "/api/v1/agenda/{token:str}"): ALL,
    ("GET", "/api/v1/agenda/{token:str}/pdf"): ALL,
    # reports
    ("GET", "/api/v1/reports/events/{slug:str}"): ADMIN_ORG,
    ("GET", "/api/v1/reports/years/{year:int}"): ADMIN,
    # web: public pages and signing in
    ("GET", "/"): ALL,
    ("GET", "/produk/{product_id:int}"): ALL,
    ("GET", "/pesantren"): ALL,
    ("GET", "/pesantren/{pesantren_id:int}"): ALL,
    ("GET", "/masuk"): ALL,
    ("POST", "/masuk"): ALL,
    ("POST", "/keluar"): ALL,
    ("POST", "/bahasa"): ALL,  # the language menu: anyone may choose, saved on the account when signed in
    ("GET", "/beranda"): SIGNED,
    ("GET", "/akun/sandi"): SIGNED,
    ("POST", "/akun/sandi"): SIGNED,
    ("GET", "/papan/{slug:str}"): ALL,
    ("GET", "/papan/{slug:str}/angka"): ALL,
    ("GET", "/konfirmasi/{token:str}"): ALL,
    ("POST", "/konfirmasi/{token:str}"): ALL,
    ("GET", "/agenda/{token:str}"): ALL,  # the signed token on a badge's QR code is the authority
    # web: the seller's own pesantren
    ("GET", "/kelola"): r("seller"),
    ("GET", "/kelola/pesantren"): r("seller"),
    ("POST", "/kelola/pesantren"): r("seller"),
    ("GET", "/kelola/produk/baru"): r("seller"),
    ("POST", "/kelola/produk/baru"): r("seller"),
    ("GET", "/kelola/produk/{product_id:int}"): r("seller"),
    ("POST", "/kelola/produk/{product_id:int}"): r("seller"),
    # web: organizers (and Dinas) run events
    ("GET", "/acara"): ADMIN_ORG,
    ("GET", "/acara/baru"): ADMIN_ORG,
    ("POST", "/acara/baru"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/status"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/sesi"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/sesi"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/meja"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/meja"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/peserta"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/peserta"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/kehadiran"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/kehadiran/{registration_id:int}"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/permintaan"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/jadwal"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/jadwal/susun"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/jadwal/terbitkan"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/jadwal/walk-in"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/jadwal/pertemuan/{meeting_id:int}"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/jadwal/pertemuan/{meeting_id:int}/pindah"): ADMIN_ORG,
    ("POST", "/acara/{slug:str}/jadwal/pertemuan/{meeting_id:int}/hadir"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/jadwal/meja"): ADMIN_ORG,
    ("GET", "/acara/{slug:str}/jadwal/cetak/{name:str}"): ADMIN_ORG,
    # web: Dinas
    ("GET", "/dinas"): ADMIN,
    ("GET", "/dinas/pengguna"): ADMIN,
    ("POST", "/dinas/pengguna"): ADMIN,
    ("GET", "/dinas/verifikasi"): ADMIN,
    ("GET", "/dinas/tindak-lanjut"): ADMIN,
    ("GET", "/dinas/tutup-buku"): ADMIN,
    ("POST", "/dinas/tutup-buku/{slug:str}"): ADMIN,
    ("GET", "/dinas/laporan"): ADMIN,
    ("GET", "/dinas/laporan/unduh"): ADMIN,
    ("GET", "/dinas/impor"): ADMIN,
    ("POST", "/dinas/impor"): ADMIN,
    # web: participants' meetings
    ("GET", "/pertemuan"): r("buyer seller"),
    ("GET", "/pertemuan/{slug:str}"): r("buyer seller"),
    ("GET", "/pertemuan/{slug:str}/katalog"): r("buyer seller"),
    ("GET", "/pertemuan/{slug:str}/minta"): r("buyer seller"),
    ("POST", "/pertemuan/{slug:str}/minta"): r("buyer seller"),
    ("POST", "/pertemuan/{slug:str}/permintaan/{request_id:int}/jawab"): r("buyer seller"),
    ("POST", "/pertemuan/{slug:str}/permintaan/{request_id:int}/batal"): r("buyer seller"),
    ("GET", "/pertemuan/{slug:str}/agenda"): r("buyer seller"),
    ("GET", "/pertemuan/{slug:str}/agenda.pdf"): r("buyer seller"),
    ("POST", "/pertemuan/{slug:str}/agenda/{meeting_id:int}/hasil"): r("buyer seller"),
    ("GET", "/pertemuan/{slug:str}/ketersediaan"): r("buyer seller"),
    ("POST", "/pertemuan/{slug:str}/ketersediaan"): r("buyer seller"),
    # web: the deal ledger
    ("GET", "/transaksi"): SIGNED,
    ("GET", "/transaksi/baru"): r("seller admin", note="Dinas logs for a pesantren it picks"),
    ("POST", "/transaksi/baru"): r("seller admin"),
    ("GET", "/transaksi/{deal_id:int}"): SIGNED,
    ("POST", "/transaksi/{deal_id:int}/konfirmasi"): r("buyer"),
    ("POST", "/transaksi/{deal_id:int}/sanggah"): r("buyer"),
    ("POST", "/transaksi/{deal_id:int}/batal"): r("admin seller buyer"),
    ("POST", "/transaksi/{deal_id:int}/tolak-ubah"): r("seller buyer"),
    ("POST", "/transaksi/{deal_id:int}/verifikasi"): ADMIN,
    ("POST", "/transaksi/{deal_id:int}/kembalikan"): ADMIN,
    ("POST", "/transaksi/{deal_id:int}/realisasi"): ADMIN,
    ("POST", "/transaksi/{deal_id:int}/realisasi/{realisation_id:int}/koreksi"): ADMIN,
    ("POST", "/transaksi/{deal_id:int}/tautan"): r("seller"),
    # the amend page answers 409 ("cannot be amended in this state") to other parties rather than 403
    ("GET", "/transaksi/{deal_id:int}/ubah"): r("seller", other=409),
    ("POST", "/transaksi/{deal_id:int}/ubah"): r("seller", other=409),
    ("GET", "/transaksi/minat/{product_id:int}"): r("buyer"),
    ("POST", "/transaksi/minat/{product_id:int}"): r("buyer"),
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    out = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method not in ("HEAD", "OPTIONS"):
                    out.add((method, route.path))
    return out


def test_every_route_has_a_rule(app):
    routes = app_routes(app)
    missing = sorted(routes - set(RULES))
    stale = sorted(set(RULES) - routes)
    assert (missing, stale) == ([], []), "add the new routes to RULES in tests/test_security.py (and drop stale ones)"


def test_api_routes_open_to_anonymous_callers_are_exactly_those_marked_public(app):
    """The `signed_in` guard answers 401 to anonymous callers of every /api route not marked PUBLIC, before the
    body is read; the table says which routes anonymous callers may use. The two must agree."""
    marked = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/"):
            for handler in route.route_handlers:
                marked |= {(m, route.path) for m in handler.http_methods if handler.opt.get("public")}
    open_to_anon = {key for key, rule in RULES.items() if key[1].startswith("/api/") and "anon" in rule.allowed}
    assert marked - {("HEAD", path) for _, path in marked} == open_to_anon


async def test_anonymous_write_is_401_before_its_body_is_judged(client, market):
    for path, body in [
        ("/api/v1/deals", {}),
        ("/api/v1/deals", {"event_slug": "x", "lines": "bukan daftar"}),
        ("/api/v1/users", {"email": "a@b.test"}),
        ("/api/v1/deals/1/verify", {"version": "satu"}),
    ]:
        for headers in ({}, {"Authorization": "Bearer salah"}):
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code == 401, (path, headers, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "Bearer" in response.json()["detail"]
    # a signed-in caller still gets the body checked, with the offending field named
    response = await client.post("/api/v1/deals", json={}, headers=market.seller.headers)
    assert response.status_code == 422
    assert "event_slug" in [e["field"] for e in response.json()["errors"]]


# -- executing the table ------------------------------------------------------------------------------------------


@dataclass
class World:
    market: Market
    params: dict[str, Any]
    callers: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
async def world(client, market: Market) -> World:
    from opop_events.events.tables import EventSession, Registration

    logged = await client.post("/api/v1/deals", json=market.deal_body(), headers=market.seller.headers)
    assert logged.status_code == 201, logged.text
    registration = await Registration.select(Registration.id).where(
        Registration.pesantren == market.seller.actor.pesantren_id
    ).first()
    session = await EventSession.select(EventSession.id).first()
    await Registration.insert(Registration(event=market.event["id"], party_kind="buyer", buyer=market.buyer.actor.buyer_id))
    params = {
        "slug": market.slug,
        "deal_id": logged.json()["id"],
        "product_id": market.product["id"],
        "pesantren_id": market.seller.actor.pesantren_id,
        "buyer_id": market.buyer.actor.buyer_id,
        "registration_id": registration["id"],
        "session_id": session["id"],
        "request_id": 999_999,
        "meeting_id": 999_999,
        "realisation_id": 999_999,
        "token": "bukan.tautan",
        "name": "agenda",
        "file_path": "app.css",
        "year": 2020,
        "path": "tidak-ada",
    }
    callers = {"anon": None, "buyer": market.buyer, "organizer": market.organizer, "seller": market.seller,
               "admin": market.admin}
    return World(market, params, callers)


def fill(path: str, params: dict[str, Any]) -> str:
    import re

    return re.sub(r"\{(\w+):\w+\}", lambda m: str(params[m.group(1)]), path)


# Minimal valid bodies, so that a refusal is decided by who asks and not by a malformed body.
def bodies(world: World) -> dict[tuple[str, str], Any]:
    m = world.market
    return {
        ("POST", "/api/v1/deals"): m.deal_body(),
        ("POST", "/api/v1/deals/interests"): {
            "event_slug": m.slug, "pesantren_id": world.params["pesantren_id"],
            "lines": [{"product_id": m.product["id"], "quantity": "1", "unit_price_rp": 25_000}],
        },
        ("POST", "/api/v1/deals/{deal_id:int}/amend"): {"version": 1, "note": "ubah"},
        ("POST", "/api/v1/deals/{deal_id:int}/confirm"): {"version": 1},
        ("POST", "/api/v1/deals/{deal_id:int}/dispute"): {"version": 1, "reason": "tidak sesuai"},
        ("POST", "/api/v1/deals/{deal_id:int}/decline-change"): {"version": 1, "reason": "tidak setuju"},
        ("POST", "/api/v1/events/{slug:str}/closing"): {"reason": "tutup buku uji"},
        ("POST", "/api/v1/events/{slug:str}/closing/reopen"): {"reason": "buka buku uji"},
        ("POST", "/api/v1/deals/{deal_id:int}/verify"): {"version": 1},
        ("POST", "/api/v1/deals/{deal_id:int}/send-back"): {"version": 1, "reason": "periksa lagi"},
        ("POST", "/api/v1/deals/{deal_id:int}/cancel"): {"version": 1, "reason": "batal saja"},
        ("POST", "/api/v1/deals/{deal_id:int}/realisations"): {
            "kind": "pembayaran", "realised_on": "2020-12-20", "amount_rp": 1000,
        },
        ("POST", "/api/v1/deals/{deal_id:int}/realisations/{realisation_id:int}/void"): {"reason": "salah catat"},
        ("POST", "/api/v1/users"): {"email": "baru@uji.test", "password": "rahasia-baru-1", "role": "organizer"},
        ("POST", "/api/v1/pesantren"): {"name": "Pesantren Baru", "wilayah_code": "3273"},
        ("PATCH", "/api/v1/pesantren/{pesantren_id:int}"): {"description": "diubah"},
        ("POST", "/api/v1/buyers"): {"name": "Pembeli Baru", "buyer_type": "ritel_modern"},
        ("PATCH", "/api/v1/buyers/{buyer_id:int}"): {"city": "Bandung"},
        ("POST", "/api/v1/products"): {
            "pesantren_id": world.params["pesantren_id"], "name": "Produk Baru", "category": "makanan",
            "unit": "kg", "price_rp": 1000,
        },
        ("PATCH", "/api/v1/products/{product_id:int}"): {"price_rp": 2000},
        ("POST", "/api/v1/events"): {
            "slug": "acara-baru", "name": "Acara Baru", "wilayah_code": "3273", "starts_on": "2021-01-01",
            "ends_on": "2021-01-02",
        },
        ("PATCH", "/api/v1/events/{slug:str}"): {"venue": "Aula"},
        ("POST", "/api/v1/events/{slug:str}/tables"): {"count": 1},
        ("POST", "/api/v1/auth/password"): {"old_password": "salah-sekali", "new_password": "rahasia-baru-1"},
        ("POST", "/api/v1/auth/token"): {"email": m.seller.actor.email, "password": "rahasia-123"},
    }


DENIED = {401, 403}


async def _csrf(client: Any) -> str:
    await client.get("/masuk")
    return client.cookies.get("opop_csrf", "")


async def test_route_access_follows_the_rules(client, world: World):
    """Every route, called by each kind of caller, in one pass over one world (a few seconds, not minutes)."""
    client.follow_redirects = False
    token = await _csrf(client)
    table = bodies(world)
    wrong: dict[str, dict[str, str]] = {}
    for method, path in sorted(RULES, key=lambda k: (k[0] != "GET", k[1])):  # reads before writes
        problems = await _check_route(client, world, table, token, method, path)
        if problems:
            wrong[f"{method} {path}"] = problems
    assert wrong == {}, "\n".join(f"{route}: {problems}" for route, problems in wrong.items())


async def _check_route(client: Any, world: World, table: dict, token: str, method: str, path: str) -> dict[str, str]:
    rule = RULES[(method, path)]
    api = path.startswith("/api/")
    body = table.get((method, path))
    url = fill(path, world.params)
    wrong: dict[str, str] = {}
    for name in CALLERS:
        account = world.callers[name]
        headers = {"x-csrftoken": token}
        if account is not None:
            headers["Authorization"] = f"Bearer {account.token}"
        if account is not None and (method, path) == ("DELETE", "/api/v1/auth/token"):
            headers["Authorization"] = f"Bearer {(await make_account(account.actor.role)).token}"  # keep the world's
        kwargs: dict[str, Any] = {"headers": headers}
        if method in ("POST", "PUT", "PATCH"):
            if api:
                kwargs["json"] = body if body is not None else {}
            else:
                kwargs["data"] = {}
        response = await client.request(method, url, **kwargs)
        status = response.status_code
        to_login = status == 303 and response.headers.get("location", "").startswith("/masuk")
        if name in rule.allowed:
            if status in DENIED or (to_login and name != "anon"):
                wrong[name] = f"allowed but got {status}"
            elif status >= 500:
                wrong[name] = f"server error {status}"
            continue
        expected = (rule.anon or (401 if api else 303)) if name == "anon" else (rule.other or 403)
        # without a valid body (no entry in `bodies`), a refusal may come from validation before authorization
        validation_first = body is None and method in ("POST", "PUT", "PATCH") and status in (400, 422)
        if 200 <= status < 300:
            wrong[name] = f"denied but succeeded with {status}"
        elif status != expected and not validation_first:
            wrong[name] = f"expected {expected}, got {status}"
        elif name == "anon" and not api and expected == 303 and not to_login:
            wrong[name] = f"expected a redirect to /masuk, got {response.headers.get('location')}"
    return wrong


# -- signing in: rate limits, cookies, CSRF, logs -----------------------------------------------------------------


async def test_token_requests_are_rate_limited_per_email(client, market: Market, settings_env):
    settings_env(OPOP_LOGIN_DELAY_SECONDS="600")  # tests/accounts/test_signin_limiter.py has the whole design
    body = {"email": market.seller.actor.email, "password": "salah-sekali"}
    statuses = [(await client.post("/api/v1/auth/token", json=body)).status_code for _ in range(5)]
    limited = await client.post("/api/v1/auth/token", json=body)
    correct = await client.post("/api/v1/auth/token", json={**body, "password": "rahasia-123"})

    assert statuses == [401] * 5
    assert (limited.status_code, correct.status_code) == (429, 429)  # a new client waits out the delay
    assert limited.headers["content-type"].startswith("application/problem+json")


async def test_web_login_is_rate_limited(client, market: Market, settings_env):
    from tests.web.conftest import post_form

    settings_env(OPOP_LOGIN_DELAY_SECONDS="600")
    client.follow_redirects = False
    form = {"email": market.buyer.actor.email, "password": "salah-sekali"}
    statuses = [(await post_form(client, "/masuk", form)).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]


async def test_session_cookie_is_httponly_and_samesite(client, market: Market):
    from tests.web.conftest import sign_in

    client.follow_redirects = False
    response = await sign_in(client, market.seller)
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("opop_session="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in attributes  # http://127.0.0.1 in tests


def test_cookies_are_secure_when_the_site_is_https(monkeypatch):
    from opop_events.web import account
    from opop_events.web.routes import csrf_config

    https = Settings.from_env({"OPOP_BASE_URL": "https://opop.jabarprov.go.id"})
    http = Settings.from_env({"OPOP_BASE_URL": "http://127.0.0.1:8000"})
    monkeypatch.setattr(account, "get_settings", lambda: https)

    cookie = account.session_cookie("nilai")
    assert (cookie.secure, cookie.httponly, cookie.samesite) == (True, True, "lax")
    assert (https.cookie_secure, http.cookie_secure) == (True, False)
    assert (csrf_config(https).cookie_secure, csrf_config(https).cookie_httponly) == (True, True)


async def test_form_post_without_csrf_token_is_refused(client, market: Market):
    client.follow_redirects = False
    await client.get("/masuk")  # the CSRF cookie alone is not enough: the form must carry the token
    without_token = await client.post("/masuk", data={"email": market.seller.actor.email, "password": "rahasia-123"})
    foreign = await client.post(
        "/masuk", data={"email": market.seller.actor.email, "password": "rahasia-123", "_csrf_token": "palsu"}
    )
    assert (without_token.status_code, foreign.status_code) == (403, 403)
    assert "opop_session" not in client.cookies


async def test_no_password_or_token_in_logs(client, market: Market, caplog):
    from tests.web.conftest import sign_in

    client.follow_redirects = False
    caplog.set_level(logging.DEBUG)
    await sign_in(client, market.seller)
    issued = await client.post(
        "/api/v1/auth/token", json={"email": market.buyer.actor.email, "password": "rahasia-123", "label": "uji"}
    )
    token = issued.json()["token"]
    await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    failed = await client.post("/api/v1/auth/token", json={"email": market.buyer.actor.email, "password": "Sandi-Rahasia-99"})
    session = client.cookies.get("opop_session")

    assert (issued.status_code, failed.status_code) == (201, 401)
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    for secret in ("rahasia-123", "Sandi-Rahasia-99", token, session, market.seller.token):
        assert secret and secret not in logged
    stored = await raw("SELECT token_hash FROM api_token") + await raw("SELECT session_hash FROM web_session")
    assert all(token not in str(row) and session not in str(row) for row in stored)  # only hashes are kept


# -- production configuration ---------------------------------------------------------------------------------------


def test_production_requires_a_secret_key():
    with pytest.raises(SettingsError, match="OPOP_SECRET_KEY wajib diisi"):
        Settings.from_env({"OPOP_ENV": "production"})
    with pytest.raises(SettingsError, match="minimal 32 karakter"):
        Settings.from_env({"OPOP_ENV": "production", "OPOP_SECRET_KEY": "pendek"})
    assert Settings.from_env({"OPOP_ENV": "production", "OPOP_SECRET_KEY": "k" * 48}).production


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OPOP_LINK_TTL_HOURS", "abc", "OPOP_LINK_TTL_HOURS harus bilangan bulat antara 1 dan 2160 (diterima: 'abc')"),
        ("OPOP_LINK_TTL_HOURS", "-1", "OPOP_LINK_TTL_HOURS harus antara 1 dan 2160 (diterima: -1)"),
        ("OPOP_FOLLOW_UP_DAYS", "x", "OPOP_FOLLOW_UP_DAYS harus bilangan bulat antara 1 dan 3650 (diterima: 'x')"),
        ("OPOP_LOGIN_ATTEMPTS_PER_MINUTE", "0", "OPOP_LOGIN_ATTEMPTS_PER_MINUTE harus antara 1 dan 10000 (diterima: 0)"),
        ("OPOP_BASE_URL", "opop.jabarprov.go.id", "OPOP_BASE_URL harus berawalan http:// atau https://"),
    ],
)
def test_bad_settings_are_named_not_a_traceback(name, value, message):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: value})
    assert str(caught.value).startswith(message)
    assert Settings.from_env({name: ""}).link_ttl_hours == 168  # empty means the default


def test_cli_names_a_bad_setting_and_exits_2(database_url):
    env = {**os.environ, "OPOP_DATABASE_URL": database_url, "OPOP_LINK_TTL_HOURS": "abc"}
    result = subprocess.run(
        [sys.executable, "-m", "opop_events.cli", "report", "--year", "2020"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "Galat: OPOP_LINK_TTL_HOURS harus bilangan bulat antara 1 dan 2160 (diterima: 'abc')"


def test_cli_refuses_production_without_secret_key(database_url):
    env = {k: v for k, v in os.environ.items() if k != "OPOP_SECRET_KEY"}
    env.update(OPOP_ENV="production", OPOP_DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "-m", "opop_events.cli", "db", "upgrade"], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )
    assert result.returncode != 0
    assert result.stderr.startswith("Galat: OPOP_SECRET_KEY wajib diisi pada mode produksi")
    assert "Traceback" not in result.stderr


# -- exports never run user text as a formula -------------------------------------------------------------------------


async def test_exports_never_emit_a_formula_from_user_text(client, market: Market):
    import csv
    import io

    from openpyxl import load_workbook

    from opop_events.events.tables import Registration
    from tests.factories import make_pesantren, make_product

    hostile = '=HYPERLINK("http://evil.example","klik")'
    pesantren = await make_pesantren(name=hostile)
    await Registration.insert(Registration(event=market.event["id"], party_kind="pesantren", pesantren=pesantren["id"]))
    seller = await make_account("seller", pesantren_id=pesantren["id"])
    product = await make_product(pesantren_id=pesantren["id"], name="@SUM(1+1)")
    body = market.deal_body(lines=[{"product_id": product["id"], "quantity": "2", "unit_price_rp": 10_000}])
    logged = await client.post("/api/v1/deals", json=body, headers=seller.headers)
    assert logged.status_code == 201, logged.text
    confirmed = await client.post(
        f"/api/v1/deals/{logged.json()['id']}/confirm", json={"version": 1}, headers=market.buyer.headers
    )
    assert confirmed.status_code == 200

    xlsx = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "xlsx"}, headers=market.admin.headers)
    csv_file = await client.get(f"/api/v1/reports/events/{market.slug}", params={"format": "csv"}, headers=market.admin.headers)
    assert (xlsx.status_code, csv_file.status_code) == (200, 200)

    book = load_workbook(io.BytesIO(xlsx.content))
    hits = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert hits, "the hostile name must appear in the workbook"
    assert all(cell.data_type == "s" and cell.value == hostile for cell in hits)  # text, not a formula
    text = csv_file.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row if "HYPERLINK" in cell]
    assert cells and all(cell == "'" + hostile for cell in cells)
