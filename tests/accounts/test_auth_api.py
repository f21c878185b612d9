"""Accounts API: tokens, rate limiting, /me, password change, admin-only user creation and link rules.

Tables of cases run inside one test each and compare the whole outcome: every test empties the database after
it, which is the dominant cost on PostgreSQL."""

from __future__ import annotations

from opop_events.core.errors import PROBLEM_MEDIA_TYPE
from opop_events.settings import get_settings
from tests.factories import auth, make_account, make_buyer, make_pesantren
from tests.settings_env import settings_env  # noqa: F401 - the fixture


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    return response.json()


def _outcome(response) -> tuple[int, list[dict] | None]:
    """(status, field errors) of a problem response; the content type must be problem+json."""
    if response.status_code < 400:
        return response.status_code, None
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.text
    return response.status_code, response.json().get("errors")


async def test_issue_token_returns_bearer_token_that_authenticates(client):
    account = await make_account("organizer", password="rahasia-123")

    response = await client.post(
        "/api/v1/auth/token", json={"email": account.actor.email.upper(), "password": "rahasia-123", "label": "skrip"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "Bearer" and body["token"].startswith("opop_")
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json() == {
        "id": account.actor.user_id, "email": account.actor.email, "name": account.actor.name,
        "role": "organizer", "pesantren_id": None, "buyer_id": None,
    }


async def test_issue_token_wrong_password_or_unknown_email_is_401_problem(client):
    account = await make_account("admin")

    responses = [
        await client.post("/api/v1/auth/token", json={"email": email, "password": "salah-sekali"})
        for email in (account.actor.email, "tidak-ada@uji.test")
    ]

    expected = {
        "type": "https://opop-events.jabarprov.go.id/problems/unauthorized",
        "title": "Belum masuk",
        "status": 401,
        "detail": "Email atau kata sandi salah.",
        "instance": "/api/v1/auth/token",
    }
    assert [_problem(r, 401) for r in responses] == [expected, expected]


async def test_issue_token_rate_limited_per_email_after_configured_attempts(client, settings_env):
    settings_env(OPOP_LOGIN_DELAY_SECONDS="600", OPOP_LOGIN_DELAY_MAX_SECONDS="600")
    blocked = await make_account("admin", password="rahasia-123")
    other = await make_account("admin", password="rahasia-123")
    free = get_settings().login_free_attempts

    statuses = [
        (await client.post("/api/v1/auth/token", json={"email": blocked.actor.email, "password": "salah-123"})).status_code
        for _ in range(free)
    ]
    right_password = await client.post(
        "/api/v1/auth/token", json={"email": blocked.actor.email, "password": "rahasia-123"}
    )
    other_email = await client.post("/api/v1/auth/token", json={"email": other.actor.email, "password": "rahasia-123"})

    assert free == 5  # OPOP_LOGIN_FREE_ATTEMPTS default
    assert statuses == [401] * free
    # a new client (no known-device cookie, no earlier success from this address) waits out the delay
    wait = right_password.headers["retry-after"]
    assert _problem(right_password, 429)["detail"] == f"Terlalu banyak percobaan masuk. Coba lagi dalam {wait} detik."
    assert 1 <= int(wait) <= 600
    assert other_email.status_code == 201


async def test_issue_token_invalid_body_names_field(client):
    cases = {
        "no email": {"password": "x"},
        "no password": {"email": "a@b.c"},
        "empty password": {"email": "a@b.c", "password": ""},
        "long email": {"email": "a" * 255, "password": "x"},
        "long password": {"email": "a@b.c", "password": "x" * 129},
        "unknown field": {"email": "a@b.c", "password": "x", "role": "admin"},
        "wrong type": {"email": 5, "password": "x"},
    }

    outcomes = {name: _outcome(await client.post("/api/v1/auth/token", json=body)) for name, body in cases.items()}

    assert outcomes == {
        "no email": (422, [{"field": "email", "message": "wajib diisi"}]),
        "no password": (422, [{"field": "password", "message": "wajib diisi"}]),
        "empty password": (422, [{"field": "password", "message": "paling sedikit 1 karakter"}]),
        "long email": (422, [{"field": "email", "message": "paling panjang 254 karakter"}]),
        "long password": (422, [{"field": "password", "message": "paling panjang 128 karakter"}]),
        "unknown field": (422, [{"field": "role", "message": "kolom tidak dikenal"}]),
        "wrong type": (422, [{"field": "email", "message": "harus berupa teks"}]),
    }


async def test_revoke_token_stops_it_working(client):
    account = await make_account("seller")

    anonymous = await client.delete("/api/v1/auth/token")
    revoked = await client.delete("/api/v1/auth/token", headers=account.headers)
    after = await client.get("/api/v1/me", headers=account.headers)

    assert (anonymous.status_code, revoked.status_code) == (401, 204)
    assert _problem(after, 401)["detail"] == "Silakan masuk terlebih dahulu: kirim header Authorization: Bearer <token>."


async def test_me_with_bad_authorization_header_is_401(client):
    headers = ["Bearer opop_tidak-ada", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer " + "x" * 300, "opop_x"]

    statuses = [(await client.get("/api/v1/me", headers={"Authorization": h})).status_code for h in headers]
    anonymous = await client.get("/api/v1/me")

    assert statuses == [401] * len(headers)
    assert _problem(anonymous, 401)["title"] == "Belum masuk"


async def test_me_shows_seller_and_buyer_links(client):
    seller = await make_account("seller")
    buyer = await make_account("buyer")

    seller_me = (await client.get("/api/v1/me", headers=seller.headers)).json()
    buyer_me = (await client.get("/api/v1/me", headers=buyer.headers)).json()

    assert (seller_me["role"], seller_me["pesantren_id"], seller_me["buyer_id"]) == (
        "seller", seller.actor.pesantren_id, None,
    )
    assert (buyer_me["role"], buyer_me["pesantren_id"], buyer_me["buyer_id"]) == ("buyer", None, buyer.actor.buyer_id)


async def test_change_password(client):
    account = await make_account("organizer", password="rahasia-123")
    url = "/api/v1/auth/password"

    anonymous = await client.post(url, json={"old_password": "rahasia-123", "new_password": "baru-rahasia-456"})
    wrong_old = await client.post(
        url, json={"old_password": "salah-123", "new_password": "baru-rahasia-456"}, headers=account.headers
    )
    too_short = await client.post(
        url, json={"old_password": "rahasia-123", "new_password": "pendek"}, headers=account.headers
    )
    changed = await client.post(
        url, json={"old_password": "rahasia-123", "new_password": "baru-rahasia-456"}, headers=account.headers
    )
    old = await client.post("/api/v1/auth/token", json={"email": account.actor.email, "password": "rahasia-123"})
    new = await client.post("/api/v1/auth/token", json={"email": account.actor.email, "password": "baru-rahasia-456"})

    assert [_outcome(r) for r in (anonymous, wrong_old, too_short)] == [
        (401, None),
        (422, [{"field": "old_password", "message": "kata sandi lama salah"}]),
        (422, [{"field": "password", "message": "kata sandi minimal 10 karakter"}]),
    ]
    assert (changed.status_code, old.status_code, new.status_code) == (204, 401, 201)


async def test_users_endpoints_are_admin_only(client):
    callers = {role: await make_account(role) for role in ("admin", "organizer", "seller", "buyer")}
    callers["anonymous"] = None

    statuses = {}
    for name, caller in callers.items():
        created = await client.post(
            "/api/v1/users",
            json={"email": f"Baru-{name}@Uji.Test", "password": "rahasia-123", "role": "organizer", "name": "Panitia"},
            headers=auth(caller),
        )
        listed = await client.get("/api/v1/users", headers=auth(caller))
        statuses[name] = (_outcome(created)[0], _outcome(listed)[0])

    assert statuses == {
        "admin": (201, 200), "organizer": (403, 403), "seller": (403, 403), "buyer": (403, 403),
        "anonymous": (401, 401),
    }
    users = (await client.get("/api/v1/users", headers=callers["admin"].headers)).json()
    assert {k: v for k, v in users[-1].items() if k != "id"} == {
        "email": "baru-admin@uji.test", "name": "Panitia", "role": "organizer", "pesantren_id": None, "buyer_id": None,
    }


async def test_create_user_duplicate_email_is_409(client):
    admin = await make_account("admin")
    body = {"email": "dobel@uji.test", "password": "rahasia-123", "role": "organizer"}
    await client.post("/api/v1/users", json=body, headers=admin.headers)

    response = await client.post("/api/v1/users", json={**body, "email": "DOBEL@uji.test"}, headers=admin.headers)

    assert _problem(response, 409)["detail"] == "Email dobel@uji.test sudah terdaftar."


async def test_create_user_seller_and_buyer_link_rules(client):
    admin = await make_account("admin")
    pesantren_id = (await make_pesantren())["id"]
    buyer_id = (await make_buyer())["id"]
    cases = {
        "seller without pesantren": {"role": "seller"},
        "buyer without buyer": {"role": "buyer"},
        "seller linked to a buyer": {"role": "seller", "buyer_id": buyer_id},
        "organizer linked to pesantren": {"role": "organizer", "pesantren_id": pesantren_id},
        "admin linked to buyer": {"role": "admin", "buyer_id": buyer_id},
        "seller of missing pesantren": {"role": "seller", "pesantren_id": 999_999},
        "buyer of missing buyer": {"role": "buyer", "buyer_id": 999_999},
        "seller linked": {"role": "seller", "pesantren_id": pesantren_id},
        "buyer linked": {"role": "buyer", "buyer_id": buyer_id},
    }

    outcomes = {}
    for n, (name, link) in enumerate(cases.items()):
        response = await client.post(
            "/api/v1/users", json={"email": f"tautan{n}@uji.test", "password": "rahasia-123", **link},
            headers=admin.headers,
        )
        body = response.json()
        outcomes[name] = _outcome(response) if response.status_code >= 400 else (
            response.status_code, body["pesantren_id"], body["buyer_id"],
        )

    assert outcomes == {
        "seller without pesantren": (
            422, [{"field": "pesantren_id", "message": "akun pesantren wajib terhubung ke satu pesantren"}]
        ),
        "buyer without buyer": (422, [{"field": "buyer_id", "message": "akun pembeli wajib terhubung ke satu pembeli"}]),
        "seller linked to a buyer": (
            422, [{"field": "pesantren_id", "message": "akun pesantren wajib terhubung ke satu pesantren"}]
        ),
        "organizer linked to pesantren": (
            422, [{"field": "pesantren_id", "message": "hanya akun pesantren yang terhubung ke pesantren"}]
        ),
        "admin linked to buyer": (422, [{"field": "buyer_id", "message": "hanya akun pembeli yang terhubung ke pembeli"}]),
        "seller of missing pesantren": (422, [{"field": "pesantren_id", "message": "pesantren 999999 tidak ada"}]),
        "buyer of missing buyer": (422, [{"field": "buyer_id", "message": "pembeli 999999 tidak ada"}]),
        "seller linked": (201, pesantren_id, None),
        "buyer linked": (201, None, buyer_id),
    }


async def test_create_user_invalid_input_names_field(client):
    admin = await make_account("admin")
    ok = {"email": "x@uji.test", "password": "rahasia-123", "role": "admin"}
    cases = {
        "role": {**ok, "role": "raja"},
        "short password": {**ok, "password": "pendek"},
        "email": {**ok, "email": "tanpa-at"},
        "name": {**ok, "name": "n" * 121},
        "zero id": {**ok, "role": "seller", "pesantren_id": 0},
        "huge id": {**ok, "role": "seller", "pesantren_id": 2**70},
    }

    outcomes = {name: _outcome(await client.post("/api/v1/users", json=body, headers=admin.headers))
                for name, body in cases.items()}

    assert outcomes == {
        "role": (422, [{"field": "role", "message": "nilai 'raja' tidak termasuk pilihan"}]),
        "short password": (422, [{"field": "password", "message": "kata sandi minimal 10 karakter"}]),
        "email": (422, [{"field": "email", "message": "alamat email tidak sah"}]),
        "name": (422, [{"field": "name", "message": "paling panjang 120 karakter"}]),
        "zero id": (422, [{"field": "pesantren_id", "message": "paling kecil 1"}]),
        "huge id": (422, [{"field": "pesantren_id", "message": "paling besar 2147483647"}]),
    }
