"""End-to-end journeys in a real browser (Chromium via Playwright) against the app served by uvicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from opop_events.catalog import services as catalog
from tests.factories import make_account, make_pesantren, make_product
from tests.web.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(database: None) -> Iterator[str]:
    """The app in a uvicorn subprocess on a free port, on the test database (the environment names it)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "opop_events.asgi:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        env={**os.environ, "OPOP_BASE_URL": f"http://127.0.0.1:{port}"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v1/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def test_buyer_finds_a_product_on_a_phone_and_sees_the_whatsapp_button(live_server, browser):
    pesantren = await make_pesantren(name="Pesantren Al-Ittihad", whatsapp="081234567890")
    await make_product(pesantren_id=pesantren["id"], name="Kopi Arabika Gunung Puntang", category="minuman")
    await make_product(pesantren_id=pesantren["id"], name="Keripik Tempe", category="makanan")
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID")
    page = await context.new_page()

    await page.goto(live_server + "/")
    await page.get_by_label("Cari produk atau pesantren").fill("kopi")
    await page.get_by_label("Kategori").select_option("minuman")
    await page.get_by_role("button", name="Tampilkan").click()
    await page.get_by_role("link", name="Kopi Arabika Gunung Puntang").click()
    button = page.get_by_role("link", name="Hubungi via WhatsApp")

    assert await page.title() == "Kopi Arabika Gunung Puntang · OPOP Jawa Barat"
    assert await button.is_visible()
    href = await button.get_attribute("href")
    assert href.startswith("https://wa.me/6281234567890?text=")
    assert quote("Kopi Arabika Gunung Puntang", safe="") in href
    box = await button.bounding_box()
    assert box["width"] > 300 and box["height"] >= 44  # full-width, thumb-sized on a phone
    await context.close()


async def test_seller_signs_in_and_adds_a_product(live_server, browser):
    seller = await make_account("seller", password=PASSWORD)
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID")
    page = await context.new_page()

    await page.goto(live_server + "/masuk")
    await page.get_by_label("Email").fill(seller.actor.email)
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/kelola")
    await page.get_by_role("link", name="+ Tambah produk").click()
    await page.get_by_label("Nama produk").fill("Rengginang Ketan Hitam")
    await page.get_by_label("Kategori").select_option("makanan")
    await page.get_by_label("Harga (Rp)").fill("18.000")
    await page.get_by_label("Satuan").fill("bungkus")
    await page.get_by_label("Halal").check()
    await page.get_by_role("button", name="Simpan produk").click()
    await page.wait_for_url("**/kelola?tersimpan=1*")

    assert await page.get_by_role("status").inner_text() == "Perubahan tersimpan."
    assert await page.get_by_role("link", name="Rengginang Ketan Hitam").is_visible()
    [product] = (await catalog.list_products(pesantren_id=seller.actor.pesantren_id)).items
    assert (product.name, product.price_rp, product.unit, [c.value for c in product.certifications]) == (
        "Rengginang Ketan Hitam",
        18_000,
        "bungkus",
        ["halal"],
    )
    await context.close()
