"""Under the Content-Security-Policy (issue #13, finding 8) the pages still work in a real browser: forms, the
live board's htmx polling, the check-in list's htmx buttons, the buyer's confirmation link, the agenda, and the
API docs — with no CSP violation reported. And the API docs render with no internet at all (finding 10)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from opop_events.events.tables import Registration
from opop_events.matching.enums import Side
from opop_events.matching.services import make_agenda_token
from tests.deals.conftest import Market, market  # noqa: F401 - the shared ledger fixture
from tests.web.conftest import PASSWORD
from tests.web.test_browser import CHROMIUM, PHONE, browser, live_server  # noqa: F401 - shared fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]
DESKTOP = {"width": 1366, "height": 900}
SCREENSHOTS = os.environ.get("OPOP_SCREENSHOTS", "")
"""A folder to save screenshots of what the tests see into (none saved when unset)."""

# Every `securitypolicyviolation` event of every page goes to the console, where the test collects it (an init
# script is injected by the browser itself, so the policy does not block it).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} on ${location.pathname}`);
});
"""


class Violations:
    """CSP violations reported in any page of the browser contexts it watches (console and page errors)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.policies: set[str] = set()

    async def context(self, browser: Any, **options: Any) -> Any:
        context = await browser.new_context(locale="id-ID", **options)
        await context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)
        context.on("response", self._response)
        return context

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text:
            self.seen.append(text)

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document":
            self.policies.add(response.headers.get("content-security-policy", "(none)"))


async def _sign_in(context: Any, base: str, email: str) -> Any:
    page = await context.new_page()
    await page.goto(base + "/masuk")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Kata sandi").fill(PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_load_state()
    return page


async def test_main_pages_work_under_the_content_security_policy(live_server, browser, market: Market):
    await Registration.insert(
        Registration(event=market.event["id"], party_kind="buyer", buyer=market.buyer.actor.buyer_id)
    )
    watch = Violations()

    # The public pages, on a phone.
    visitor = await (await watch.context(browser, viewport=PHONE, is_mobile=True, has_touch=True)).new_page()
    await visitor.goto(live_server + "/")
    await visitor.get_by_label("Cari produk atau pesantren").fill("a")
    await visitor.get_by_role("button", name="Tampilkan").click()
    await visitor.wait_for_load_state()
    await visitor.goto(f"{live_server}/produk/{market.product['id']}")
    await visitor.goto(live_server + "/pesantren")

    # The live board polls its figures with htmx.
    board = await (await watch.context(browser, viewport=DESKTOP)).new_page()
    await board.goto(f"{live_server}/papan/{market.slug}")
    assert await board.locator(".board-total").inner_text() == "Rp0"

    # A pesantren logs a deal through the form and gets the WhatsApp link for the buyer.
    seller = await _sign_in(await watch.context(browser, viewport=PHONE, is_mobile=True, has_touch=True),
                            live_server, market.seller.actor.email)  # fmt: skip
    await seller.goto(live_server + "/transaksi/baru")
    await seller.get_by_label("Pilih pembeli").select_option(str(market.buyer.actor.buyer_id))
    await seller.get_by_label("Produk saya").select_option(str(market.product["id"]))
    await seller.get_by_label("Jumlah").fill("10")
    await seller.get_by_role("button", name="Simpan transaksi").click()
    await seller.wait_for_url(re.compile(r"/transaksi/\d+\?baru=1$"))
    await seller.get_by_role("button", name="Kirim tautan konfirmasi via WhatsApp").click()
    message = await seller.locator("#pesan-wa").input_value()
    link = re.search(r"https?://\S+/konfirmasi/\S+", message).group(0)

    # The buyer confirms from the link, without an account; the board updates itself.
    buyer = await (await watch.context(browser, viewport=PHONE, is_mobile=True, has_touch=True)).new_page()
    await buyer.goto(link)
    await buyer.get_by_role("button", name="Konfirmasi").click()
    await buyer.get_by_text("sudah Anda konfirmasi").wait_for()
    await board.locator(".board-total", has_text="Rp250.000").wait_for(timeout=15_000)

    # The organizer checks a participant in with the htmx button of the check-in list, and searches it.
    organizer = await _sign_in(await watch.context(browser, viewport=DESKTOP), live_server,
                               market.organizer.actor.email)  # fmt: skip
    await organizer.goto(f"{live_server}/acara/{market.slug}/kehadiran")
    await organizer.get_by_role("button", name="Tandai Pesantren Al-Ittifaq Uji hadir").click()
    await organizer.get_by_text("✓ Hadir").first.wait_for()
    assert organizer.url.endswith("/kehadiran")  # swapped in place by htmx, not a full form post
    # Every other main page of each role opens (2xx) with no violation.
    opened: dict[str, int] = {}
    tabs = ["", "/sesi", "/meja", "/peserta", "/permintaan", "/jadwal", "/jadwal/meja"]
    for path in [*(f"/acara/{market.slug}{tab}" for tab in tabs), "/acara", "/transaksi", "/akun/sandi"]:
        opened[path] = (await organizer.goto(live_server + path)).status
    admin = await _sign_in(await watch.context(browser, viewport=DESKTOP), live_server, market.admin.actor.email)
    for path in ["/dinas", "/dinas/verifikasi", "/dinas/tindak-lanjut", "/dinas/laporan", "/dinas/impor",
                 "/dinas/pengguna", "/dinas/tutup-buku", "/transaksi/baru"]:  # fmt: skip
        opened[path] = (await admin.goto(live_server + path)).status
    for path in ["/kelola", "/kelola/pesantren", "/kelola/produk/baru", f"/kelola/produk/{market.product['id']}",
                 "/pertemuan", f"/pertemuan/{market.slug}", f"/pertemuan/{market.slug}/katalog"]:  # fmt: skip
        opened[path] = (await seller.goto(live_server + path)).status
    assert {path: status for path, status in opened.items() if status != 200} == {}

    # A participant's agenda from the badge's QR code, and the API docs.
    token = make_agenda_token(event_id=market.event["id"], side=Side.buyer, party_id=market.buyer.actor.buyer_id)
    agenda = await (await watch.context(browser, viewport=PHONE, is_mobile=True, has_touch=True)).new_page()
    response = await agenda.goto(f"{live_server}/agenda/{token}")
    assert response.status == 200
    await agenda.goto(live_server + "/schema")
    await agenda.get_by_text("Pesantren mencatat transaksi (status dicatat)").first.wait_for()

    assert watch.seen == []
    assert watch.policies == {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    }
    # The watch does see a violation: an inline script is refused and reported.
    await visitor.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = 1';"
        " document.head.appendChild(s); }"
    )
    await visitor.wait_for_timeout(200)
    assert await visitor.evaluate("() => window.inlineRan") is None
    assert any("script-src" in text for text in watch.seen), watch.seen
    for page in (visitor, board, seller, buyer, organizer, admin, agenda):
        await page.context.close()


async def test_api_docs_render_without_internet(live_server, browser):
    """Every request that is not to this server is cut off, as at a venue without internet: Swagger UI still
    renders the API, from the server's own files."""
    watch = Violations()
    context = await watch.context(browser, viewport=DESKTOP)
    outside: list[str] = []

    async def offline(route: Any) -> None:
        if route.request.url.startswith(live_server + "/"):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort("internetdisconnected")

    await context.route("**/*", offline)
    page = await context.new_page()
    await page.goto(live_server + "/schema", wait_until="networkidle")
    operation = page.get_by_text("Pesantren mencatat transaksi (status dicatat)").first
    await operation.wait_for(timeout=15_000)

    assert await page.title() == "Dokumentasi API opop-events"
    assert await page.locator(".swagger-ui .info .title").first.inner_text() != ""
    assert outside == []
    assert watch.seen == []
    if SCREENSHOTS:
        await page.screenshot(path=str(Path(SCREENSHOTS) / "schema-offline.png"))
    await operation.click()  # the operation opens: its Idempotency-Key header is documented
    await page.get_by_text("Idempotency-Key").first.wait_for()
    if SCREENSHOTS:
        await page.screenshot(path=str(Path(SCREENSHOTS) / "schema-offline-operation.png"))
    # "Try it out" works under the policy (a same-origin fetch), with Swagger UI's labels in Indonesian.
    health = page.locator(".opblock").filter(has_text="/api/v1/health")
    await health.get_by_text("Cek hidup").click()
    await health.get_by_role("button", name="Coba").click()
    await health.get_by_role("button", name="Jalankan").click()
    await health.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
    assert '"status": "ok"' in await health.locator(".live-responses-table .microlight").first.inner_text()
    assert outside == [] and watch.seen == []
    await context.close()
