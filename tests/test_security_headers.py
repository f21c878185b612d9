"""Browser security headers (issue #13, finding 8) on every kind of answer — pages, API, static files, the API
docs, redirects and errors (404, 401, 403, 422, problem+json, 503) — and the stricter pair on URLs carrying a
token; HSTS only over https. Plus the offline API docs (finding 10): /schema uses only same-origin files and
`OPOP_API_DOCS` turns it off."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from litestar import get

from opop_events.api import PUBLIC
from opop_events.app import create_app
from opop_events.matching.enums import Side
from opop_events.matching.services import make_agenda_token
from opop_events.settings import Settings
from tests.deals.conftest import Market, market  # noqa: F401 - the fixture is shared by name
from tests.web.conftest import PASSWORD, csrf_from, sign_in

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
COMMON = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}
TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "opop_events" / "web" / "templates"


def _security_headers(response: httpx.Response) -> dict[str, str | None]:
    names = [*COMMON, "referrer-policy"]
    return {name: response.headers.get(name) for name in names}


def _expected(referrer: str = "strict-origin-when-cross-origin") -> dict[str, str]:
    return {**COMMON, "referrer-policy": referrer}


async def _outage_app() -> object:
    """The app with one extra route whose database is gone (as in tests/test_db.py): a 503 on each side."""

    @get(["/api/v1/uji-gangguan", "/uji-gangguan"], opt=PUBLIC, include_in_schema=False)
    async def outage() -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    app = create_app()
    app.register(outage)
    return app


async def test_every_kind_of_answer_carries_the_browser_security_headers(client, market: Market):
    client.follow_redirects = False
    admin = market.admin.headers
    deal_key = str(uuid.uuid4())
    answers: dict[str, httpx.Response] = {
        "page": await client.get("/"),
        "product page": await client.get(f"/produk/{market.product['id']}"),
        "login page": await client.get("/masuk"),
        "board": await client.get(f"/papan/{market.slug}"),
        "board figures (htmx)": await client.get(f"/papan/{market.slug}/angka"),
        "redirect to login": await client.get("/beranda"),
        "unknown page (404)": await client.get("/tidak-ada"),
        "form without CSRF (403 page)": await client.post("/masuk", data={"email": "a@b.c", "password": "x"}),
        "static file": await client.get("/static/app.css"),
        "api": await client.get("/api/v1/events"),
        "api 401": await client.get("/api/v1/deals"),
        "api 404": await client.get("/api/v1/tidak-ada"),
        "api 405": await client.delete("/api/v1/events"),
        "api 422": await client.post("/api/v1/deals", json={"kind": "transaksi"}, headers=admin),
        "api write": await client.post(
            "/api/v1/deals", json=market.deal_body(), headers={**market.seller.headers, "Idempotency-Key": deal_key}
        ),
        "api idempotent replay": await client.post(
            "/api/v1/deals", json=market.deal_body(), headers={**market.seller.headers, "Idempotency-Key": deal_key}
        ),
        "api bad idempotency key": await client.post(
            "/api/v1/deals", json=market.deal_body(), headers={**market.seller.headers, "Idempotency-Key": "x" * 201}
        ),
        "docs": await client.get("/schema"),
        "openapi document": await client.get("/schema/openapi.json"),
        "unknown docs path": await client.get("/schema/tidak-ada"),
    }
    app = await _outage_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as outage:
        answers["api 503"] = await outage.get("/api/v1/uji-gangguan")
        answers["page 503"] = await outage.get("/uji-gangguan")

    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {
        "page": 200, "product page": 200, "login page": 200, "board": 200, "board figures (htmx)": 200,
        "redirect to login": 303, "unknown page (404)": 404, "form without CSRF (403 page)": 403,
        "static file": 200, "api": 200, "api 401": 401, "api 404": 404, "api 405": 405, "api 422": 422,
        "api write": 201, "api idempotent replay": 201, "api bad idempotency key": 422, "docs": 200,
        "openapi document": 200, "unknown docs path": 404, "api 503": 503, "page 503": 503,
    }  # fmt: skip
    assert answers["api idempotent replay"].headers["idempotent-replayed"] == "true"
    assert answers["api 404"].headers["content-type"].startswith("application/problem+json")
    assert {name: _security_headers(response) for name, response in answers.items()} == {
        name: _expected() for name in answers
    }
    # Over plain http (the test set-up) there is no HSTS; the static files keep their own day of caching.
    assert [name for name, response in answers.items() if "strict-transport-security" in response.headers] == []
    assert answers["static file"].headers["cache-control"] == "max-age=86400, public"


async def test_token_urls_are_never_sent_as_referrer_nor_cached(client, market: Market):
    client.follow_redirects = False
    deal = (await client.post("/api/v1/deals", json=market.deal_body(), headers=market.seller.headers)).json()
    link = await client.post(f"/api/v1/deals/{deal['id']}/confirm-link", headers=market.seller.headers)
    token = link.json()["url"].rsplit("/", 1)[1]
    agenda = make_agenda_token(event_id=market.event["id"], side=Side.pesantren, party_id=market.product["pesantren_id"])

    answers = {
        "confirm page": await client.get(f"/konfirmasi/{token}"),
        "confirm page, tampered": await client.get(f"/konfirmasi/{token}x"),
        "agenda page": await client.get(f"/agenda/{agenda}"),
        "agenda page, tampered": await client.get("/agenda/1.p1.AAAAAAAAAAAAAAAA"),
        "link api": await client.get(f"/api/v1/links/{token}"),
        "agenda api": await client.get(f"/api/v1/agenda/{agenda}"),
        "agenda pdf": await client.get(f"/api/v1/agenda/{agenda}/pdf"),
        "signed link answer": link,
        "bearer token answer": await client.post("/api/v1/auth/token", json={
            "email": market.buyer.actor.email, "password": PASSWORD}),
    }
    page = await client.get(f"/konfirmasi/{token}")
    answers["confirm form posted"] = await client.post(
        f"/konfirmasi/{token}", data={"_csrf_token": csrf_from(page.text), "aksi": "konfirmasi"}
    )

    assert {name: (r.headers.get("referrer-policy"), r.headers.get("cache-control")) for name, r in answers.items()} == dict.fromkeys(answers, ("no-referrer", "no-store"))
    assert all(r.headers["content-security-policy"] == CSP for r in answers.values())
    assert answers["confirm page"].status_code == 200 and answers["link api"].status_code == 200
    assert answers["confirm page, tampered"].status_code == 404
    assert answers["agenda pdf"].headers["content-type"] == "application/pdf"


async def test_page_showing_a_freshly_signed_link_is_not_cached(client, market: Market):
    client.follow_redirects = False
    deal = (await client.post("/api/v1/deals", json=market.deal_body(), headers=market.seller.headers)).json()
    await sign_in(client, market.seller)
    page = await client.get(f"/transaksi/{deal['id']}")
    response = await client.post(f"/transaksi/{deal['id']}/tautan", data={"_csrf_token": csrf_from(page.text)})

    assert response.status_code == 200
    assert "/konfirmasi/" in response.text
    assert (response.headers["cache-control"], response.headers["referrer-policy"]) == ("no-store", "no-referrer")
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"  # the deal page itself: default


@pytest.mark.parametrize(
    ("base_url", "hsts"),
    [("https://opop.jabarprov.go.id", "max-age=31536000; includeSubDomains"), ("http://127.0.0.1:8000", None)],
)
async def test_hsts_only_when_served_over_https(base_url: str, hsts: str | None, database_url: str):
    settings = Settings.from_env({"OPOP_DATABASE_URL": database_url, "OPOP_BASE_URL": base_url})
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answers = [await client.get("/"), await client.get("/api/v1/health"), await client.get("/api/v1/tidak-ada")]

    assert [r.headers.get("strict-transport-security") for r in answers] == [hsts] * 3


def test_templates_need_no_inline_script_or_style():
    """`script-src 'self'` and `style-src 'self'` hold only while no template writes a script or a style inline."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style[\s>]|javascript:", re.IGNORECASE
    )
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if inline.search(line)
    ]
    assert found == []
    # htmx would add its own indicator <style> unless its configuration says not to
    htmx = (TEMPLATES / "_htmx.html").read_text()
    assert '"includeIndicatorStyles":false' in htmx


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img") and a.get("src"):
            self.urls.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"] or "")


async def test_api_docs_use_only_same_origin_files_and_they_are_served(client):
    page = await client.get("/schema")
    parser = _Assets()
    parser.feed(page.text)
    loaded = {url: (await client.get(url)).status_code for url in parser.urls if not url.startswith("data:")}

    assert page.status_code == 200
    assert "cdn" not in page.text and "https://" not in page.text and "<script>" not in page.text
    assert all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded
    assert any(url.endswith("/swagger-ui-bundle.js") for url in loaded)
    assert any(url.endswith("/swagger-ui.css") for url in loaded)
    assert set(loaded.values()) == {200}, loaded
    assert (await client.get("/schema/swagger")).status_code == 200


@pytest.mark.parametrize(
    ("env", "docs"),
    [({}, True), ({"OPOP_API_DOCS": "0"}, False), ({"OPOP_ENV": "production"}, False),
     ({"OPOP_ENV": "production", "OPOP_API_DOCS": "1"}, True)],
)  # fmt: skip
async def test_api_docs_setting(env: dict[str, str], docs: bool, database_url: str):
    secret = {"OPOP_SECRET_KEY": "k" * 40} if env.get("OPOP_ENV") == "production" else {}
    settings = Settings.from_env({"OPOP_DATABASE_URL": database_url, **secret, **env})
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        statuses = [(await client.get(path)).status_code for path in ("/schema", "/schema/swagger")]
        document = await client.get("/schema/openapi.json")
        off = await client.get("/schema")

    assert settings.api_docs is docs
    assert statuses == ([200, 200] if docs else [404, 404])
    assert document.status_code == 200  # scripts keep the OpenAPI document either way
    if not docs:
        assert off.headers["content-type"].startswith("application/problem+json")
        assert off.json()["detail"] == "Alamat tidak ditemukan."


def test_api_docs_setting_refuses_a_typo():
    from opop_events.settings import SettingsError

    with pytest.raises(SettingsError, match="OPOP_API_DOCS harus 1"):
        Settings.from_env({"OPOP_API_DOCS": "mati"})
