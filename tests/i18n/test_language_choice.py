"""Each user reads the app in the language they chose: saved on the account from the footer's language menu,
kept in a cookie before signing in, named per request in `Accept-Language` for the API."""

from __future__ import annotations

from opop_events.accounts.tables import User
from tests.factories import make_account
from tests.web.conftest import post_form, sign_in


async def test_a_signed_in_user_switches_to_english_and_it_is_saved_on_the_account(client):
    account = await make_account("seller")
    await sign_in(client, account)
    before = await client.get("/transaksi")
    assert 'lang="id"' in before.text and ">Keluar<" in before.text

    switched = await post_form(client, "/bahasa", {"language": "en", "next": "/transaksi"}, form_page="/transaksi")

    assert switched.status_code == 303 and switched.headers["location"] == "/transaksi"
    after = await client.get("/transaksi")
    assert 'lang="en"' in after.text and ">Sign out<" in after.text and ">Keluar<" not in after.text
    saved = await User.select(User.language).where(User.id == account.actor.user_id).first()
    assert saved["language"] == "en"

    # another browser of the same user: the saved choice follows the account, not the cookie
    client.cookies.delete("opop_lang")
    assert ">Sign out<" in (await client.get("/transaksi")).text

    await post_form(client, "/bahasa", {"language": "id", "next": "/transaksi"}, form_page="/transaksi")
    assert ">Keluar<" in (await client.get("/transaksi")).text


async def test_before_signing_in_the_choice_is_a_cookie_and_a_browser_language_alone_changes_nothing(client):
    english_phone = {"Accept-Language": "en-US,en;q=0.9"}
    assert ">Masuk<" in (await client.get("/masuk", headers=english_phone)).text

    await post_form(client, "/bahasa", {"language": "en", "next": "/masuk"}, form_page="/masuk")

    assert ">Sign in<" in (await client.get("/masuk")).text


async def test_an_unknown_language_or_an_outside_next_changes_nothing(client):
    response = await post_form(client, "/bahasa", {"language": "fr", "next": "https://evil.example/"}, form_page="/masuk")

    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "opop_lang" not in response.headers.get("set-cookie", "")
