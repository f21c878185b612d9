"""Phone (390×844) and desktop (1280×800) screenshots of the main pages, and the exhibition home's page weight.

Run against a server with demo data:
    uv run opop-events demo && uv run opop-events serve --port 8050
    uv run python docs/screenshots/take_screenshots.py http://127.0.0.1:8050
"""

from __future__ import annotations

import asyncio
import gzip
import io
import sys
from pathlib import Path

from PIL import Image
from playwright.async_api import Page, async_playwright

OUT = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
SIZES = {"ponsel": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
PASSWORD = "opop-demo-2020"


def save(png: bytes, name: str) -> None:
    # A 64-colour palette keeps flat UI screenshots legible at a fraction of the size.
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    image.save(OUT / f"{name}.png", optimize=True)


async def sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(f"{base}/masuk")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_load_state()


async def page_weight(browser, base: str) -> None:
    context = await browser.new_context(viewport=SIZES["ponsel"])
    page = await context.new_page()
    sizes: list[tuple[str, int, int, int]] = []

    async def record(response) -> None:
        body = await response.body()
        info = await response.request.sizes()
        sizes.append(
            (
                response.url.removeprefix(base),
                info["responseHeadersSize"],
                len(body),
                len(gzip.compress(body)),
            )
        )

    page.on("response", record)
    await page.goto(f"{base}/", wait_until="networkidle")
    await context.close()
    total = sum(h + b for _, h, b, _ in sizes)
    print("Page weight of / (cold cache, uncompressed):")
    for url, headers, body, gz in sizes:
        print(f"  {url:<20} body {body:>7,} B  headers {headers:>4} B  (gzip body {gz:,} B)")
    print(f"  total transferred {total:,} B; with gzip {sum(h + g for _, h, _, g in sizes):,} B")


async def main(base: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        await page_weight(browser, base)
        for label, viewport in SIZES.items():
            context = await browser.new_context(
                viewport=viewport, locale="id-ID", is_mobile=label == "ponsel"
            )
            page = await context.new_page()

            async def shot(
                path: str, name: str, full: bool = False, page: Page = page, label: str = label
            ) -> None:
                await page.goto(base + path)
                save(await page.screenshot(full_page=full), f"{name}-{label}")

            await shot("/", "pameran", full=label == "desktop")
            await shot("/?kategori=minuman&sertifikasi=halal", "pameran-saring")
            first = await page.locator(".card h3 a").first.get_attribute("href")
            await shot(first, "produk")
            await shot("/pesantren", "pesantren-daftar")
            await shot("/pesantren/1", "pesantren")
            await shot("/masuk", "masuk")
            await shot("/produk/999999", "galat-404")

            await sign_in(page, base, "pesantren@opop.test")
            await shot("/kelola", "kelola")
            await page.goto(base + "/kelola/produk/baru")
            await page.get_by_label("Harga (Rp)").fill("1,5 juta")
            await page.get_by_role("button", name="Simpan produk").click()
            save(await page.screenshot(full_page=True), f"produk-galat-{label}")
            await context.clear_cookies()

            await sign_in(page, base, "panitia@opop.test")
            await shot("/acara", "acara")
            slug = (await page.locator(".rows a").first.get_attribute("href")).rsplit("/", 1)[1]
            await shot(f"/acara/{slug}", "acara-ringkasan")
            await shot(f"/acara/{slug}/sesi", "acara-sesi")
            await shot(f"/acara/{slug}/peserta?jenis=buyer&cari=hotel", "peserta")
            await shot(f"/acara/{slug}/kehadiran", "kehadiran")
            await context.clear_cookies()

            await sign_in(page, base, "admin@opop.test")
            await shot("/dinas", "dinas")
            await shot("/dinas/pengguna", "pengguna")
            await context.close()
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8050"))
