"""Matching journeys in a real browser: a buyer on a phone asks to meet a pesantren about a product; the
organizer runs the scheduler and publishes the schedule."""

from __future__ import annotations

import pytest

from opop_events.events.tables import Registration
from opop_events.matching import schemas
from opop_events.matching import services as matching
from tests.factories import make_account, make_buyer, make_event, make_pesantren, make_product
from tests.web.conftest import PASSWORD
from tests.web.test_browser import CHROMIUM, PHONE, browser, live_server  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]


async def _sign_in(page, base: str, email: str) -> None:
    await page.goto(base + "/masuk")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_load_state()


async def test_buyer_finds_a_product_and_requests_a_meeting_on_a_phone(live_server, browser):
    event = await make_event(status="open", slug="temu-ponsel")
    buyer_org = await make_buyer(name="Koperasi Karyawan Sate")
    buyer = await make_account("buyer", buyer_id=buyer_org["id"], password=PASSWORD)
    pesantren = await make_pesantren(name="Pesantren Al-Ittihad")
    await make_product(pesantren_id=pesantren["id"], name="Kopi Arabika Gunung Puntang", category="minuman")
    await Registration.insert(
        Registration(event=event["id"], party_kind="buyer", buyer=buyer_org["id"]),
        Registration(event=event["id"], party_kind="pesantren", pesantren=pesantren["id"]),
    )
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID")
    page = await context.new_page()

    await _sign_in(page, live_server, buyer.actor.email)
    await page.get_by_role("link", name="Temu bisnis").click()
    await page.get_by_role("link", name="Temu Bisnis Uji temu-ponsel").click()
    await page.get_by_role("link", name="Cari pesantren", exact=True).click()
    await page.get_by_label("Cari produk atau pesantren").fill("kopi")
    await page.get_by_role("button", name="Tampilkan").click()
    await page.get_by_role(
        "link", name="Minta pertemuan dengan Pesantren Al-Ittihad tentang Kopi Arabika Gunung Puntang"
    ).click()
    await page.get_by_label("Wajib").check()
    await page.get_by_label("Pesan", exact=True).fill("Kami ingin memasok 50 kg per bulan.")
    await page.get_by_role("button", name="Kirim permintaan").click()
    await page.wait_for_url("**/pertemuan/temu-ponsel?pesan=terkirim")

    assert await page.get_by_role("status").inner_text() == (
        "Permintaan pertemuan terkirim. Pihak yang Anda minta akan menjawabnya."
    )
    [request] = await matching.list_requests(actor=buyer.actor, slug="temu-ponsel")
    assert (request.pesantren_name, request.product_name, request.priority.value, request.message) == (
        "Pesantren Al-Ittihad", "Kopi Arabika Gunung Puntang", "wajib", "Kami ingin memasok 50 kg per bulan.",
    )  # fmt: skip
    await context.close()


async def test_organizer_schedules_and_publishes(live_server, browser):
    organizer = await make_account("organizer", password=PASSWORD)
    event = await make_event(organizer=organizer, status="open", slug="temu-jadwal", tables=2, slots=3)
    for i in range(2):
        buyer = await make_account("buyer", buyer_id=(await make_buyer(name=f"Pembeli {i}"))["id"])
        seller = await make_account(
            "seller", pesantren_id=(await make_pesantren(name=f"Pesantren {i}"))["id"]
        )
        await Registration.insert(
            Registration(event=event["id"], party_kind="buyer", buyer=buyer.actor.buyer_id),
            Registration(event=event["id"], party_kind="pesantren", pesantren=seller.actor.pesantren_id),
        )
        request = await matching.create_request(
            actor=buyer.actor,
            slug="temu-jadwal",
            data=schemas.RequestCreate(pesantren_id=seller.actor.pesantren_id),
        )
        await matching.answer_request(
            actor=seller.actor, request_id=request.id, data=schemas.RequestAnswer(accept=True)
        )
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = await context.new_page()

    await _sign_in(page, live_server, organizer.actor.email)
    await page.goto(live_server + "/acara/temu-jadwal")
    await page.get_by_role("link", name="Jadwal", exact=True).click()
    await page.get_by_label("Batas waktu (detik)").fill("1")
    await page.get_by_role("button", name="Jalankan penjadwal").click()
    await page.wait_for_url("**/jadwal?pesan=tersusun*")
    assert await page.get_by_text("2 / 2").is_visible()
    assert await page.get_by_role("link", name="Pembeli 0 Pesantren 0").is_visible()
    await page.get_by_role("button", name="Terbitkan jadwal").click()
    await page.wait_for_url("**/jadwal?pesan=terbit")

    assert (
        await page.get_by_role("status").inner_text()
        == "Jadwal terbit. Peserta sekarang melihat agenda mereka."
    )
    meetings = await matching.list_meetings(actor=organizer.actor, slug="temu-jadwal")
    assert [m.status.value for m in meetings] == ["terjadwal", "terjadwal"]
    await context.close()
