"""The deal ledger end to end in Chromium: a pesantren logs a deal on a phone and sends the WhatsApp link, the buyer
confirms through it, the live board moves, Dinas staff verify, download the xlsx and record the payment."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from opop_events.deals import services as deals
from opop_events.deals.enums import DealState
from opop_events.events.tables import Registration
from opop_events.reports import queries
from tests.deals.conftest import Market, market  # noqa: F401 - the shared ledger fixture
from tests.web.conftest import PASSWORD
from tests.web.test_browser import CHROMIUM, PHONE, browser, live_server  # noqa: F401 - shared fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]
DESKTOP = {"width": 1366, "height": 900}


async def _signed_in(browser: Any, base: str, email: str, viewport: dict[str, int]) -> Any:
    phone = viewport == PHONE
    context = await browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, locale="id-ID")
    page = await context.new_page()
    await page.goto(base + "/masuk")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_load_state()
    return page


async def test_deal_from_phone_to_whatsapp_link_to_board_to_dinas_xlsx(live_server, browser, market):
    import openpyxl

    await Registration.insert(
        Registration(event=market.event["id"], party_kind="buyer", buyer=market.buyer.actor.buyer_id)
    )
    board = await (await browser.new_context(viewport=DESKTOP)).new_page()
    await board.goto(f"{live_server}/papan/{market.slug}")
    assert await board.locator(".board-total").inner_text() == "Rp0"

    # A pesantren logs the deal one-handed on a phone, measuring what the form costs to load.
    seller = await _signed_in(browser, live_server, market.seller.actor.email, PHONE)
    loaded: list[Any] = []
    seller.on("requestfinished", lambda request: loaded.append(request))
    await seller.goto(live_server + "/transaksi/baru")
    await seller.wait_for_load_state("networkidle")
    weight = 0
    for request in loaded:
        sizes = await request.sizes()
        weight += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    print(f"\npage weight of /transaksi/baru: {weight} bytes in {len(loaded)} requests")
    assert weight < 60_000
    await seller.get_by_label("Pilih pembeli").select_option(str(market.buyer.actor.buyer_id))
    await seller.get_by_label("Produk saya").select_option(str(market.product["id"]))
    quantity = seller.get_by_label("Jumlah")
    assert await quantity.get_attribute("inputmode") == "decimal"
    await quantity.fill("10")
    save = seller.get_by_role("button", name="Simpan transaksi")
    box = await save.bounding_box()
    assert box["width"] > 300 and box["height"] >= 44
    await save.click()
    await seller.wait_for_url(re.compile(r"/transaksi/\d+\?baru=1$"))
    await seller.get_by_role("button", name="Kirim tautan konfirmasi via WhatsApp").click()
    whatsapp = seller.get_by_role("link", name="Kirim lewat WhatsApp")
    assert (await whatsapp.get_attribute("href")).startswith("https://wa.me/6281298765432?text=")
    message = await seller.locator("#pesan-wa").input_value()
    link = re.search(r"https?://\S+/konfirmasi/\S+", message).group(0)

    # The buyer opens the link on a phone, without an account, and confirms.
    buyer = await (await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)).new_page()
    await buyer.goto(link)
    assert "Rp250.000" in await buyer.locator(".deal-total").inner_text()
    await buyer.get_by_role("button", name="Konfirmasi").click()
    await buyer.get_by_text("sudah Anda konfirmasi").wait_for()

    # The board updates itself (htmx polling) to the ledger's headline.
    headline = await queries.headline(queries.Scope(event_id=market.event["id"]))
    assert headline.confirmed_rp == 250_000
    await board.locator(".board-total", has_text="Rp250.000").wait_for(timeout=12_000)

    # Dinas staff verify from the queue and download the event's xlsx.
    admin = await _signed_in(browser, live_server, market.admin.actor.email, DESKTOP)
    await admin.goto(live_server + "/dinas/verifikasi")
    await admin.get_by_role("button", name="Verifikasi").click()
    await admin.get_by_text("Transaksi diverifikasi.").wait_for()
    await admin.goto(live_server + "/dinas/laporan")
    await admin.get_by_label("Acara", exact=True).select_option(market.slug)
    async with admin.expect_download() as download_info:
        await admin.get_by_role("button", name="Unduh laporan").click()
    download = await download_info.value
    content = Path(await download.path()).read_bytes()
    summary = openpyxl.load_workbook(io.BytesIO(content))["Ringkasan"]
    figures = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert figures["Nilai transaksi terkonfirmasi (Rp)"] == 250_000
    [deal] = (await deals.list_deals(actor=market.admin.actor)).items
    assert deal.state is DealState.diverifikasi

    # After the event, the payment comes in: Dinas records it on the deal page's realisation form.
    await admin.goto(f"{live_server}/transaksi/{deal.id}")
    await admin.get_by_label("Jenis").select_option("pembayaran")  # labels of required fields end in " *"
    await admin.get_by_label("Tanggal").fill(deal.deal_date.isoformat())  # never before the deal (deals/rules.py)
    await admin.get_by_label("Nilai (Rp)").fill("Rp 250.000")
    await admin.get_by_role("button", name="Simpan realisasi").click()
    await admin.get_by_text("Perubahan tersimpan.").wait_for()
    [realisation] = await deals.list_realisations(actor=market.admin.actor, deal_id=deal.id)
    assert (str(realisation.kind), realisation.amount_rp) == ("pembayaran", 250_000)
    assert (await deals.get_deal(actor=market.admin.actor, deal_id=deal.id)).realised_rp == 250_000
    for page in (board, seller, buyer, admin):
        await page.context.close()
