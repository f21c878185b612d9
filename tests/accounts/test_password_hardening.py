"""Passwords (issue #13): a password change ends every API token and web session (finding 4b); weak passwords are
refused at every door that sets one, naming why (finding 9); a production server refuses to start while an account
still has the published demo password. Through the real API, pages, CLI and ASGI lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from contextlib import asynccontextmanager

import httpx

from opop_events.accounts.enums import Role
from opop_events.accounts.passwords import DEMO_PASSWORD
from opop_events.accounts.services import create_user
from opop_events.core.errors import PROBLEM_MEDIA_TYPE
from opop_events.settings import Settings
from tests.factories import make_account, make_pesantren
from tests.web.conftest import PASSWORD, post_form, sign_in

STRONG = "kopi-tubruk-sore-hari"
SECRET = "rahasia-produksi-" + "x" * 40


@asynccontextmanager
async def browser(app, address: str = "192.0.2.10"):
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


def _field_errors(response) -> tuple[int, list[dict] | None]:
    if response.status_code < 400:
        return response.status_code, None
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.text
    return response.status_code, response.json().get("errors")


# -- finding 4b: a password change ends every token and session --------------------------------------------------


async def test_password_change_through_the_api_ends_every_token_and_web_session(app, client):
    account = await make_account("seller")  # holds one API token already
    second = await client.post(
        "/api/v1/auth/token", json={"email": account.actor.email, "password": PASSWORD}
    )
    second_token = {"Authorization": f"Bearer {second.json()['token']}"}
    async with browser(app) as web:
        await sign_in(web, account)
        before = await web.get("/kelola")
        changed = await client.post(
            "/api/v1/auth/password",
            json={"old_password": PASSWORD, "new_password": STRONG},
            headers=account.headers,
        )
        after = await web.get("/kelola")
    statuses = [
        (await client.get("/api/v1/me", headers=h)).status_code for h in (account.headers, second_token)
    ]
    fresh = await client.post("/api/v1/auth/token", json={"email": account.actor.email, "password": STRONG})

    assert (before.status_code, changed.status_code) == (200, 204)
    assert (after.status_code, after.headers["location"]) == (303, "/masuk?next=%2Fkelola")
    assert statuses == [401, 401]  # the token that made the change too: a script signs in again
    assert fresh.status_code == 201


async def test_password_change_on_the_web_page_keeps_only_this_browser(app, client):
    account = await make_account("buyer")  # and its API token
    async with browser(app, "192.0.2.11") as this, browser(app, "192.0.2.12") as other:
        await sign_in(this, account)
        await sign_in(other, account)
        old_device = this.cookies.get("opop_perangkat")
        changed = await post_form(
            this,
            "/akun/sandi",
            {"old_password": PASSWORD, "new_password": STRONG, "confirm_password": STRONG},
        )
        this_after = await this.get("/akun/sandi")
        other_after = await other.get("/akun/sandi")
        new_device = this.cookies.get("opop_perangkat")
    token_after = await client.get("/api/v1/me", headers=account.headers)

    assert (changed.status_code, changed.headers["location"]) == (303, "/akun/sandi?berhasil=1")
    assert this_after.status_code == 200  # the browser that changed it got a fresh session
    assert (other_after.status_code, other_after.headers["location"]) == (303, "/masuk?next=%2Fakun%2Fsandi")
    assert token_after.status_code == 401
    assert old_device and new_device and new_device != old_device  # a known device is bound to the password


# -- finding 9: the password policy at every door ------------------------------------------------------------------


async def test_weak_passwords_are_refused_by_api_user_creation_naming_why(client):
    admin = await make_account("admin")
    person = {"email": "siti.aminah@uji.test", "name": "Siti Rahmawati", "role": "organizer"}
    cases = {
        "password": "kata sandi minimal 10 karakter",
        "12345678": "kata sandi minimal 10 karakter",
        DEMO_PASSWORD: "kata sandi akun demo tidak boleh dipakai",
        "Siti.Aminah-2020": "kata sandi tidak boleh memuat alamat email Anda",
        "aminah-kebun-77": "kata sandi tidak boleh memuat alamat email Anda",
        "rahmawati-kebun-77": "kata sandi tidak boleh memuat nama Anda",
        "password123": "kata sandi ini termasuk yang paling sering dipakai orang; pilih yang lain",
        "1234567890": "kata sandi ini termasuk yang paling sering dipakai orang; pilih yang lain",
        "qwertyuiop": "kata sandi ini termasuk yang paling sering dipakai orang; pilih yang lain",
        "aaaaaaaaaaaa": "kata sandi berupa urutan, pengulangan atau pola papan ketik yang mudah ditebak",
        "pesantren2020!": (
            "kata sandi terlalu mudah ditebak (kata umum, nama, tahun atau urutan angka); "
            "gabungkan beberapa kata yang tidak berhubungan"
        ),
    }

    outcomes = {
        password: _field_errors(
            await client.post("/api/v1/users", json={**person, "password": password}, headers=admin.headers)
        )
        for password in cases
    }
    accepted = await client.post("/api/v1/users", json={**person, "password": STRONG}, headers=admin.headers)

    assert outcomes == {p: (422, [{"field": "password", "message": m}]) for p, m in cases.items()}
    assert accepted.status_code == 201


async def test_weak_passwords_are_refused_by_password_change_api_and_pages(app, client):
    account = await make_account("organizer")
    admin = await make_account("admin")
    url = "/api/v1/auth/password"

    own_email = await client.post(
        url, json={"old_password": PASSWORD, "new_password": account.actor.email}, headers=account.headers
    )
    common = await client.post(
        url, json={"old_password": PASSWORD, "new_password": "12345678"}, headers=account.headers
    )
    async with browser(app) as web:
        await sign_in(web, account)
        demo = await post_form(
            web,
            "/akun/sandi",
            {"old_password": PASSWORD, "new_password": DEMO_PASSWORD, "confirm_password": DEMO_PASSWORD},
        )
    async with browser(app, "192.0.2.20") as web:
        await sign_in(web, admin)
        pesantren = await make_pesantren()
        admin_page = await post_form(
            web,
            "/dinas/pengguna",
            {
                "email": "baru@pesantren.test",
                "role": "seller",
                "password": "password123",
                "pesantren_id": str(pesantren["id"]),
                "buyer_id": "",
            },
        )
    still = await client.get("/api/v1/me", headers=account.headers)

    assert _field_errors(own_email) == (
        422,
        [{"field": "password", "message": "kata sandi tidak boleh memuat alamat email Anda"}],
    )
    assert _field_errors(common) == (
        422,
        [{"field": "password", "message": "kata sandi minimal 10 karakter"}],
    )
    assert demo.status_code == 422
    assert (
        '<p class="error" id="new_password-galat">kata sandi akun demo tidak boleh dipakai</p>' in demo.text
    )
    assert admin_page.status_code == 422
    assert "kata sandi ini termasuk yang paling sering dipakai orang; pilih yang lain" in admin_page.text
    assert still.status_code == 200  # nothing was changed


def _cli(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "OPOP_DATABASE_URL": database_url, "OPOP_PASSWORD_HASH": "fast", **env}
    return subprocess.run(
        [sys.executable, "-m", "opop_events.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


async def test_cli_users_create_and_set_password_refuse_weak_passwords(database_url):
    weak = await asyncio.to_thread(
        _cli,
        ["users", "create", "--role", "admin", "--email", "staf@dinas.test", "--password", DEMO_PASSWORD],
        database_url,
    )
    created = await asyncio.to_thread(
        _cli,
        ["users", "create", "--role", "admin", "--email", "staf@dinas.test"],
        database_url,
        OPOP_NEW_PASSWORD=STRONG,
    )
    own_email = await asyncio.to_thread(
        _cli,
        ["users", "set-password", "--email", "staf@dinas.test"],
        database_url,
        OPOP_NEW_PASSWORD="staf-dinas-2026",
    )

    assert weak.returncode == 2
    assert weak.stderr.startswith("Galat: password: kata sandi akun demo tidak boleh dipakai")
    assert created.returncode == 0, created.stderr
    assert own_email.returncode == 2
    assert own_email.stderr.startswith("Galat: password: kata sandi tidak boleh memuat alamat email Anda")


# -- production refuses the demo password ------------------------------------------------------------------------


async def _lifespan_startup(app) -> dict:
    """Run the ASGI lifespan startup of `app` (and its shutdown when it started); the startup message."""
    inbox: asyncio.Queue[dict] = asyncio.Queue()
    answered = asyncio.Event()
    sent: list[dict] = []
    await inbox.put({"type": "lifespan.startup"})

    async def send(message: dict) -> None:
        sent.append(message)
        answered.set()

    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send)
    )
    await asyncio.wait_for(answered.wait(), 60)
    if sent[0]["type"] == "lifespan.startup.complete":
        await inbox.put({"type": "lifespan.shutdown"})
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 60)
    return sent[0]


async def test_production_refuses_to_start_while_an_account_has_the_demo_password(database_url):
    from opop_events.accounts.tables import User
    from opop_events.app import create_app

    # the demo loader's way in: past the policy, deliberately; and a seller account from before the policy
    await create_user(email="admin@opop.test", password=DEMO_PASSWORD, role=Role.admin, enforce_policy=False)
    pesantren = await make_pesantren()
    await create_user(
        email="pesantren.lama@dinas.test", password=DEMO_PASSWORD, role=Role.seller, pesantren_id=pesantren["id"],
        enforce_policy=False,
    )
    await create_user(email="lama.bersih@dinas.test", password=STRONG, role=Role.organizer, enforce_policy=False)
    policed = await make_account("buyer")
    production = {"OPOP_ENV": "production", "OPOP_SECRET_KEY": SECRET}
    app = create_app(Settings.from_env({**production, "OPOP_DATABASE_URL": database_url}))

    serve = await asyncio.to_thread(_cli, ["serve", "--port", "8117"], database_url, **production)
    refused = await _lifespan_startup(app)
    development = await _lifespan_startup(create_app(Settings.from_env({"OPOP_DATABASE_URL": database_url})))
    vetted = {r["email"]: r["password_vetted"] for r in await User.select(User.email, User.password_vetted)}
    for email in ("admin@opop.test", "pesantren.lama@dinas.test"):
        changed = await asyncio.to_thread(
            _cli, ["users", "set-password", "--email", email], database_url, OPOP_NEW_PASSWORD=STRONG
        )
        assert changed.returncode == 0, changed.stderr
    started = await _lifespan_startup(app)

    assert serve.returncode == 2
    assert serve.stderr.strip() == (
        "Galat: mode produksi (OPOP_ENV=production) tidak mau berjalan: akun admin@opop.test, "
        "pesantren.lama@dinas.test masih memakai kata sandi demo opop-demo-2020, yang tertulis di README. Ganti "
        "kata sandinya dengan 'opop-events users set-password --email admin@opop.test' (atau jalankan tanpa "
        "OPOP_ENV=production)."
    )
    assert "berjalan di" not in serve.stdout
    assert refused["type"] == "lifespan.startup.failed"
    assert "masih memakai kata sandi demo opop-demo-2020" in refused["message"]
    assert development["type"] == "lifespan.startup.complete"
    assert started["type"] == "lifespan.startup.complete"
    # verified once: an account found clean is not verified again at the next start
    assert vetted == {
        "admin@opop.test": False, "pesantren.lama@dinas.test": False, "lama.bersih@dinas.test": True,
        policed.actor.email: True,
    }
