"""Signing in and out, role homes, password change, CSRF refusal, and HTML errors for the web only."""

from __future__ import annotations

import pytest

from opop_events.api import SESSION_COOKIE
from tests.factories import make_account, make_event
from tests.settings_env import settings_env  # noqa: F401 - the fixture
from tests.web.conftest import PASSWORD, csrf_from, post_form, sign_in


@pytest.mark.parametrize(
    ("role", "home"),
    [("admin", "/dinas"), ("organizer", "/acara"), ("seller", "/kelola"), ("buyer", "/")],
)
async def test_login_lands_each_role_on_its_home(client, role, home):
    account = await make_account(role)

    response = await sign_in(client, account)

    assert response.headers["location"] == home
    assert (await client.get("/beranda")).headers["location"] == home


async def test_login_sets_a_hardened_session_cookie(client):
    account = await make_account("seller")

    response = await sign_in(client, account)

    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # OPOP_BASE_URL is http in tests; https turns Secure on


async def test_login_follows_a_local_next_but_not_an_external_one(client):
    account = await make_account("organizer")

    local = await post_form(
        client, "/masuk", {"email": account.actor.email, "password": PASSWORD, "next": "/acara/baru"}
    )
    await client.post("/keluar", data={"_csrf_token": csrf_from((await client.get("/acara")).text)})
    external = await post_form(
        client, "/masuk", {"email": account.actor.email, "password": PASSWORD, "next": "//evil.example/"}
    )

    assert local.headers["location"] == "/acara/baru"
    assert external.headers["location"] == "/acara"


async def test_wrong_password_shows_indonesian_error_on_the_form(client):
    account = await make_account("seller")

    response = await post_form(client, "/masuk", {"email": account.actor.email, "password": "salah-sekali"})

    assert response.status_code == 401
    assert "Email atau kata sandi salah." in response.text
    assert f'value="{account.actor.email}"' in response.text


async def test_login_is_rate_limited_with_a_friendly_message(client, settings_env):
    settings_env(OPOP_LOGIN_DELAY_SECONDS="600")
    account = await make_account("seller")
    for _ in range(5):
        await post_form(client, "/masuk", {"email": account.actor.email, "password": "salah-sekali"})

    response = await post_form(client, "/masuk", {"email": account.actor.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.text


async def test_logout_ends_the_session(client):
    account = await make_account("seller")
    await sign_in(client, account)
    page = await client.get("/kelola")

    response = await client.post("/keluar", data={"_csrf_token": csrf_from(page.text)})

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    client.cookies.clear()
    assert (await client.get("/kelola")).status_code == 303


async def test_stolen_cookie_is_useless_after_logout(client):
    account = await make_account("seller")
    await sign_in(client, account)
    token = client.cookies.get(SESSION_COOKIE)
    page = await client.get("/kelola")
    await client.post("/keluar", data={"_csrf_token": csrf_from(page.text)})

    client.cookies.set(SESSION_COOKIE, token)
    response = await client.get("/kelola")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/masuk?next=")


async def test_signed_out_visitor_is_sent_to_login_with_next(client):
    response = await client.get("/kelola/produk/baru")

    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?next=%2Fkelola%2Fproduk%2Fbaru"


async def test_password_change_keeps_this_browser_signed_in_and_the_new_password_works(client):
    account = await make_account("buyer")
    await sign_in(client, account)

    response = await post_form(
        client,
        "/akun/sandi",
        {"old_password": PASSWORD, "new_password": "sandi-baru-456", "confirm_password": "sandi-baru-456"},
    )

    assert response.status_code == 303
    assert "Kata sandi berhasil diganti." in (await client.get("/akun/sandi?berhasil=1")).text
    client.cookies.clear()
    assert (await sign_in(client, account, password="sandi-baru-456")).headers["location"] == "/"


async def test_password_change_errors_sit_next_to_their_fields(client):
    account = await make_account("buyer")
    await sign_in(client, account)

    wrong_old = await post_form(
        client,
        "/akun/sandi",
        {
            "old_password": "keliru-123",
            "new_password": "sandi-baru-456",
            "confirm_password": "sandi-baru-456",
        },
    )
    short = await post_form(
        client,
        "/akun/sandi",
        {"old_password": PASSWORD, "new_password": "pendek", "confirm_password": "pendek"},
    )
    mismatch = await post_form(
        client,
        "/akun/sandi",
        {"old_password": PASSWORD, "new_password": "sandi-baru-456", "confirm_password": "sandi-lain-789"},
    )

    assert wrong_old.status_code == 422
    assert '<p class="error" id="old_password-galat">kata sandi lama salah</p>' in wrong_old.text
    assert '<p class="error" id="new_password-galat">kata sandi minimal 10 karakter</p>' in short.text
    assert 'id="confirm_password-galat">ulangan kata sandi baru tidak sama' in mismatch.text
    assert 'aria-invalid="true"' in mismatch.text


async def test_form_post_without_csrf_token_is_refused(client):
    account = await make_account("seller")
    await client.get("/masuk")

    response = await client.post("/masuk", data={"email": account.actor.email, "password": PASSWORD})

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Formulir kedaluwarsa" in response.text
    assert SESSION_COOKIE not in client.cookies


async def test_form_post_with_forged_csrf_token_is_refused(client):
    await client.get("/masuk")

    response = await client.post(
        "/masuk", data={"email": "a@b.test", "password": "x", "_csrf_token": "f" * 128}
    )

    assert response.status_code == 403


async def test_api_is_not_subject_to_csrf_and_keeps_problem_json(client):
    account = await make_account("admin")

    created = await client.post(
        "/api/v1/pesantren", json={"name": "Pesantren API", "wilayah_code": "3273"}, headers=account.headers
    )
    missing = await client.get("/api/v1/products/999999")

    assert created.status_code == 201
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_session_cookie_does_not_authenticate_the_api(client):
    account = await make_account("admin")
    await sign_in(client, account)

    response = await client.get("/api/v1/me")

    assert response.status_code == 401


def test_csrf_exclusion_covers_only_paths_starting_with_api():
    from litestar.middleware._utils import build_exclude_path_pattern

    from opop_events.settings import get_settings
    from opop_events.web.routes import csrf_config

    pattern = build_exclude_path_pattern(exclude=csrf_config(get_settings()).exclude)

    # Litestar tests exclusions with re.findall (anywhere in the path), hence the anchor.
    assert [
        bool(pattern.findall(p)) for p in ("/api/v1/deals", "/kelola/api/v1", "/acara/api-2021/peserta")
    ] == [
        True,
        False,
        False,
    ]


async def test_expired_session_on_an_htmx_call_sends_the_whole_page_to_login(client):
    organizer = await make_account("organizer")
    await make_event(organizer=organizer, slug="acara-x")
    await sign_in(client, organizer)
    page = await client.get("/acara")
    token = csrf_from(page.text)
    client.cookies.delete(SESSION_COOKIE)

    response = await client.post(
        "/acara/acara-x/kehadiran/1",
        data={"_csrf_token": token},
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver.local/acara/acara-x/kehadiran?q=al",
        },
    )

    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/masuk?next=%2Facara%2Facara-x%2Fkehadiran%3Fq%3Dal"
