"""The sign-in limiter (issue #13, findings 2 and 7): a progressive delay per e-mail, a hard limit per client
address, the owner's ways past both (known-device cookie, last successful address), X-Forwarded-For only from
trusted proxies, and attempt rows that no surrounding rollback can undo. Through the real API and pages, with
each caller's address set on its own ASGI transport (no network).

No assertion depends on how fast a request runs: a test that expects a refusal makes the delay ten minutes."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import httpx
import pytest

from opop_events.accounts import limiter
from opop_events.accounts.services import authenticate
from opop_events.accounts.tables import LoginAttempt
from opop_events.core.errors import PROBLEM_MEDIA_TYPE, Unauthorized
from opop_events.db import write_transaction
from opop_events.settings import Settings
from tests.factories import make_account
from tests.settings_env import settings_env  # noqa: F401 - the fixture
from tests.web.conftest import PASSWORD, post_form

LONG_DELAY = {"OPOP_LOGIN_DELAY_SECONDS": "600", "OPOP_LOGIN_DELAY_MAX_SECONDS": "600"}


@asynccontextmanager
async def caller(app, address: str):
    """A client whose requests come from `address` (the ASGI scope's client)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


async def _token(client, email: str, password: str, **kwargs) -> httpx.Response:
    return await client.post("/api/v1/auth/token", json={"email": email, "password": password}, **kwargs)


def test_login_delay_grows_from_the_free_attempts_and_is_capped():
    settings = Settings.from_env({})

    delays = [limiter.login_delay(n, settings) for n in range(14)]

    assert (settings.login_free_attempts, settings.login_delay_seconds, settings.login_delay_max_seconds) == (
        5,
        2,
        120,
    )
    assert delays == [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 120, 120, 120]
    assert settings.login_attempts_per_minute == 20
    assert settings.trusted_proxies == ()


def test_client_address_believes_forwarded_for_only_from_trusted_proxies():
    proxies = (ip_network("10.0.0.0/8"), ip_network("2001:db8::/32"))
    cases = {
        "no proxy configured": limiter.client_address("10.1.1.1", ["198.51.100.7"], ()),
        "untrusted peer spoofs": limiter.client_address("203.0.113.5", ["198.51.100.7"], proxies),
        "trusted peer": limiter.client_address("10.1.1.1", ["198.51.100.7"], proxies),
        "chain of proxies": limiter.client_address("10.1.1.1", ["1.2.3.4, 198.51.100.7, 10.2.2.2"], proxies),
        "client spoofs the left": limiter.client_address("10.1.1.1", ["6.6.6.6", "198.51.100.7"], proxies),
        "garbage hop": limiter.client_address("10.1.1.1", ["198.51.100.7, bukan-ip"], proxies),
        "no header": limiter.client_address("10.1.1.1", [], proxies),
        "ipv6 proxy": limiter.client_address("2001:db8::1", ["2001:DB8:0:0::2, [2a00:1450::1]"], proxies),
        "not an ip peer": limiter.client_address("testclient", ["198.51.100.7"], proxies),
    }

    assert cases == {
        "no proxy configured": "10.1.1.1",
        "untrusted peer spoofs": "203.0.113.5",
        "trusted peer": "198.51.100.7",
        "chain of proxies": "198.51.100.7",
        "client spoofs the left": "198.51.100.7",
        "garbage hop": "10.1.1.1",
        "no header": "10.1.1.1",
        "ipv6 proxy": "2a00:1450::1",
        "not an ip peer": "testclient",
    }


def test_trusted_proxies_setting_parses_ips_and_ranges_and_refuses_garbage():
    from opop_events.settings import SettingsError

    parsed = Settings.from_env({"OPOP_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8 ,::1"}).trusted_proxies

    assert [str(n) for n in parsed] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    with pytest.raises(SettingsError, match="OPOP_TRUSTED_PROXIES harus berisi alamat IP atau rentang CIDR"):
        Settings.from_env({"OPOP_TRUSTED_PROXIES": "proxy.local"})


def test_known_device_cookie_is_bound_to_user_password_secret_and_age():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    value = limiter.known_device_value(secret="s" * 40, user_id=7, password_hash="hash-a", now=now)

    def valid(v=value, *, secret="s" * 40, user_id=7, password_hash="hash-a", at=now):
        return limiter.known_device_valid(
            v, secret=secret, user_id=user_id, password_hash=password_hash, now=at
        )

    assert valid()
    assert valid(at=now + timedelta(days=179))
    assert not valid(at=now + timedelta(days=181))
    assert not valid(user_id=8)
    assert not valid(password_hash="hash-b")  # a password change ends every known device
    assert not valid(secret="t" * 40)
    assert not valid(value.replace("7.", "8.", 1), user_id=8)
    assert not valid(value[:-1] + ("0" if value[-1] != "0" else "1"))
    assert not valid("")
    assert not valid("x" * 300)


async def test_a_stranger_slows_the_email_but_the_owner_still_gets_in(app, settings_env):
    settings_env(**LONG_DELAY)
    owner = await make_account("organizer")
    email = owner.actor.email

    async with caller(app, "203.0.113.10") as home:
        first = await _token(home, email, PASSWORD)  # the owner's usual address
    async with caller(app, "203.0.113.20") as browser:
        signed_in = await post_form(browser, "/masuk", {"email": email, "password": PASSWORD})
    device = browser.cookies.get(limiter.KNOWN_DEVICE_COOKIE)
    attacker = []
    for n in range(6):  # a different address each time: no per-address limit is reached
        async with caller(app, f"198.51.100.{n + 1}") as stranger:
            attacker.append(await _token(stranger, email, f"tebakan-salah-{n}"))
    async with caller(app, "192.0.2.50") as new_place:
        owner_elsewhere = await _token(new_place, email, PASSWORD)
    async with caller(app, "203.0.113.10") as home:
        owner_at_home = await _token(home, email, PASSWORD)
    async with caller(app, "192.0.2.60") as travelling:
        # the browser that signed in before (its known-device cookie only), now on another network
        travelling.cookies.set(limiter.KNOWN_DEVICE_COOKIE, device, path="/masuk")
        owner_known_device = await post_form(travelling, "/masuk", {"email": email, "password": PASSWORD})

    assert (first.status_code, signed_in.status_code) == (201, 303)
    assert [r.status_code for r in attacker] == [401] * 5 + [429]
    refused = attacker[-1]
    assert refused.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert 1 <= int(refused.headers["retry-after"]) <= 600
    assert (
        refused.json()["detail"]
        == f"Terlalu banyak percobaan masuk. Coba lagi dalam {refused.headers['retry-after']} detik."
    )
    # the owner from an address and a device never used before waits like anyone (a delay, not a lock) …
    assert owner_elsewhere.status_code == 429
    # … but from the address of a recent successful sign-in, or from a known device, gets in at once
    assert owner_at_home.status_code == 201
    assert owner_known_device.status_code == 303


async def test_a_successful_sign_in_ends_the_delay_and_refused_attempts_are_not_counted(app, settings_env):
    settings_env(OPOP_LOGIN_FREE_ATTEMPTS="2", **LONG_DELAY)
    owner = await make_account("seller")
    email = owner.actor.email

    async with caller(app, "198.51.100.1") as stranger:
        wrong = [(await _token(stranger, email, "salah-sekali")).status_code for _ in range(4)]
    async with caller(app, "192.0.2.1") as owner_client:
        owner_client.cookies.set(limiter.KNOWN_DEVICE_COOKIE, await _known_device(owner), path="/")
        through_device = await _token(owner_client, email, PASSWORD)
    async with caller(app, "198.51.100.2") as stranger:
        after_success = [(await _token(stranger, email, "salah-lagi")).status_code for _ in range(3)]
    rows = await LoginAttempt.select(LoginAttempt.success, LoginAttempt.trusted).where(
        LoginAttempt.email == email
    )

    assert wrong == [401, 401, 429, 429]
    assert through_device.status_code == 201
    assert after_success == [401, 401, 429]  # the owner's success started the count again
    # refused (429) attempts never reached the password check and left no row
    assert sorted((r["success"], r["trusted"]) for r in rows) == [(False, False)] * 4 + [(True, True)]


async def _known_device(account) -> str:
    from opop_events.accounts.services import known_device_cookie_value

    return await known_device_cookie_value(actor=account.actor)


async def test_hard_limit_per_client_address_spans_emails_but_not_known_devices(app, settings_env):
    settings_env(OPOP_LOGIN_ATTEMPTS_PER_MINUTE="4")
    owner = await make_account("buyer")

    async with caller(app, "198.51.100.77") as shared_address:
        spraying = [
            (await _token(shared_address, f"korban{n}@uji.test", "Sandi-Tebakan-1")).status_code
            for n in range(5)
        ]
        limited = await _token(shared_address, owner.actor.email, PASSWORD)
        shared_address.cookies.set(limiter.KNOWN_DEVICE_COOKIE, await _known_device(owner), path="/")
        known_device = await _token(shared_address, owner.actor.email, PASSWORD)
    async with caller(app, "198.51.100.78") as other_address:
        elsewhere = await _token(other_address, "korban9@uji.test", "Sandi-Tebakan-1")

    assert spraying == [401] * 4 + [429]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert known_device.status_code == 201
    assert elsewhere.status_code == 401


async def test_forwarded_for_decides_the_address_only_behind_a_trusted_proxy(app, settings_env):
    settings_env(OPOP_LOGIN_ATTEMPTS_PER_MINUTE="2", OPOP_TRUSTED_PROXIES="10.0.0.1")
    body = "Sandi-Tebakan-1"

    async with caller(app, "10.0.0.1") as proxy:
        same_client = [
            (
                await _token(proxy, f"a{n}@uji.test", body, headers={"X-Forwarded-For": "198.51.100.9"})
            ).status_code
            for n in range(3)
        ]
        other_client = await _token(proxy, "a9@uji.test", body, headers={"X-Forwarded-For": "198.51.100.10"})
    async with caller(app, "10.0.0.2") as not_a_proxy:  # spoofing a new address each time does not help
        spoofed = [
            (
                await _token(not_a_proxy, f"b{n}@uji.test", body, headers={"X-Forwarded-For": f"192.0.2.{n}"})
            ).status_code
            for n in range(3)
        ]
    rows = await LoginAttempt.select(LoginAttempt.ip).where(LoginAttempt.email.like("a%"))

    assert same_client == [401, 401, 429]
    assert other_client.status_code == 401
    assert spoofed == [401, 401, 429]
    assert sorted(r["ip"] for r in rows) == ["198.51.100.10", "198.51.100.9", "198.51.100.9"]


async def test_web_sign_in_page_is_limited_the_same_way(app, settings_env):
    settings_env(OPOP_LOGIN_FREE_ATTEMPTS="3", **LONG_DELAY)
    owner = await make_account("seller")
    form = {"email": owner.actor.email, "password": "salah-sekali"}

    async with caller(app, "198.51.100.40") as stranger:
        statuses = [(await post_form(stranger, "/masuk", form)).status_code for _ in range(3)]
        refused = await post_form(stranger, "/masuk", {**form, "password": PASSWORD})

    assert statuses == [401, 401, 401]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 600
    assert (
        f"Terlalu banyak percobaan masuk. Coba lagi dalam {refused.headers['retry-after']} detik."
        in refused.text
    )


async def test_a_known_device_cookie_is_set_on_sign_in_for_the_sign_in_page_only(client):
    account = await make_account("organizer")

    response = await post_form(client, "/masuk", {"email": account.actor.email, "password": PASSWORD})

    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(f"{limiter.KNOWN_DEVICE_COOKIE}=")
    )
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= set(attributes)
    assert attributes["path"] == "Path=/masuk"
    assert attributes["max-age"] == f"Max-Age={180 * 24 * 3600}"


async def test_failed_attempts_survive_a_surrounding_rollback(settings_env):
    settings_env(**LONG_DELAY)
    account = await make_account("admin")

    class Undo(Exception):
        pass

    with pytest.raises(Undo):  # noqa: PT012 - the rollback of the whole transaction is what is tested
        async with write_transaction():
            with pytest.raises(Unauthorized):
                await authenticate(email=account.actor.email, password="salah-sekali", ip="198.51.100.3")
            raise Undo
    await limiter.settle()

    rows = await LoginAttempt.select(LoginAttempt.ip, LoginAttempt.success).where(
        LoginAttempt.email == account.actor.email
    )
    assert rows == [{"ip": "198.51.100.3", "success": False}]


async def test_attempts_count_when_the_api_call_carries_an_idempotency_key(app, settings_env):
    settings_env(OPOP_LOGIN_FREE_ATTEMPTS="2", **LONG_DELAY)
    account = await make_account("admin")

    async with caller(app, "198.51.100.5") as client:
        statuses = [
            (
                await _token(
                    client, account.actor.email, "salah-sekali", headers={"Idempotency-Key": f"kunci-{n}"}
                )
            ).status_code
            for n in range(3)
        ]
    await limiter.settle()

    assert statuses == [401, 401, 429]
    assert await LoginAttempt.count().where(LoginAttempt.email == account.actor.email) == 2


async def test_a_burst_of_parallel_guesses_gets_no_more_than_guesses_in_a_row(app, settings_env):
    settings_env(**LONG_DELAY)
    account = await make_account("admin")

    async def guess(n: int) -> int:
        async with caller(app, f"198.51.100.{100 + n}") as stranger:
            return (await _token(stranger, account.actor.email, f"tebakan-serentak-{n}")).status_code

    statuses = await asyncio.gather(*(guess(n) for n in range(12)))
    rows = await LoginAttempt.count().where(LoginAttempt.email == account.actor.email)

    assert sorted(statuses) == [401] * 5 + [429] * 7
    assert rows == 5  # the refused ones were never checked and left no row
