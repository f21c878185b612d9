"""Words built in Python follow the caller's language: the import's error list for an English-speaking API
caller, a page title and a notice for a user who chose English in the footer's language menu."""

from __future__ import annotations

from typing import Any

from opop_events.accounts.enums import Role
from opop_events.importing.controllers import CONTROLLERS
from tests.catalog.test_import_helpers import workbook
from tests.factories import auth, make_account, make_event
from tests.web.conftest import post_form, sign_in

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


async def test_an_import_error_list_comes_out_in_english_for_an_english_speaking_caller(app: Any, client: Any) -> None:
    if not any(route.path == "/api/v1/events/{slug:str}/imports" for route in app.routes):
        for controller in CONTROLLERS:
            app.register(controller)
    organizer = await make_account(Role.organizer)
    event = await make_event(organizer=organizer, status="live", slots=0, tables=0)
    content = workbook({"Transaksi": [["2020-12-09", "X", "Y", None, "x", 1, None, "1,5 juta", None, None]]})
    url = f"/api/v1/events/{event['slug']}/imports"

    english = await client.post(url, files={"file": ("rekap.xlsx", content)}, headers={**auth(organizer), **ENGLISH})
    indonesian = await client.post(url, files={"file": ("rekap.xlsx", content)}, headers=auth(organizer))

    assert english.status_code == 422
    assert english.json()["errors"] == [
        {"field": "Transaksi!baris 2!harga_satuan", "message": "'1,5 juta' — write a whole number such as 1.500.000"}]
    assert "nothing was written" in english.json()["detail"]
    assert indonesian.json()["errors"][0]["message"] == "'1,5 juta' — tulis angka bulat seperti 1.500.000"


async def test_a_page_title_and_a_notice_built_in_python_are_english_after_choosing_english(client: Any) -> None:
    account = await make_account("seller")
    await sign_in(client, account)
    assert "<title>Transaksi saya · " in (await client.get("/transaksi")).text

    await post_form(client, "/bahasa", {"language": "en", "next": "/transaksi"}, form_page="/transaksi")

    assert "<title>My deals · " in (await client.get("/transaksi")).text
    changed = (await client.get("/akun/sandi?berhasil=1")).text
    assert "Password changed." in changed and "Kata sandi berhasil diganti." not in changed
