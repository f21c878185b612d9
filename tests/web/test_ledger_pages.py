"""Deal-ledger pages: the phone form and its one-time key, the deal page and its actions, the WhatsApp link page,
the live board, Dinas verification, realisations, follow-up and report downloads."""

from __future__ import annotations

import asyncio
import html
import io
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest

from opop_events.core.dates import now_utc
from opop_events.core.money import format_rupiah
from opop_events.db import raw
from opop_events.deals import schemas
from opop_events.deals import services as deals
from opop_events.deals.enums import DealState
from opop_events.deals.tables import ConfirmLink
from opop_events.events.tables import Registration
from opop_events.reports import queries
from tests.deals.conftest import Market, market  # noqa: F401 - the shared ledger fixture
from tests.factories import make_event
from tests.web.conftest import csrf_from, post_form, rendered_form, rendered_forms, sign_in, submit_form


@pytest.fixture
async def shop(market: Market) -> Market:
    """The ledger market with its buyer registered at the event (the form offers the event's buyers)."""
    await Registration.insert(
        Registration(event=market.event["id"], party_kind="buyer", buyer=market.buyer.actor.buyer_id)
    )
    return market


def _form_key(page: str) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', page)
    assert match, "form has no one-time key"
    return match.group(1)


def _deal_form(m: Market, **overrides: str) -> dict[str, str]:
    data = {
        "baris": "1",
        "buyer_id": str(m.buyer.actor.buyer_id),
        "kind": "transaksi",
        "deal_date": "2020-12-09",
        "lines[0].product_id": str(m.product["id"]),
        "lines[0].quantity": "10",
        "lines[0].unit_price_rp": "",
        "aksi": "simpan",
    }
    data.update(overrides)
    return data


async def _log(m: Market, *, state: DealState = DealState.dicatat, quantity: str = "10") -> schemas.Deal:
    body = m.deal_body(lines=[{"product_id": m.product["id"], "quantity": quantity, "unit_price_rp": 25_000}])
    deal = await deals.log_deal(actor=m.seller.actor, data=msgspec.convert(body, schemas.DealCreate))
    if state in (DealState.dikonfirmasi, DealState.diverifikasi):
        deal = await deals.confirm(actor=m.buyer.actor, deal_id=deal.id, data=schemas.Confirm(version=deal.version))
    if state is DealState.diverifikasi:
        deal = await deals.verify(actor=m.admin.actor, deal_id=deal.id, data=schemas.VersionIn(version=deal.version))
    return deal


async def _my_deals(m: Market) -> list[schemas.Deal]:
    return (await deals.list_deals(actor=m.seller.actor)).items


@pytest.fixture
async def stranger(app: Any) -> Any:
    """A second browser with no session: the buyer opening the WhatsApp link, or a projector."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as c:
        yield c


# -- the "Catat transaksi" form ---------------------------------------------------------------------------


async def test_deal_form_renders_for_a_phone_with_the_events_buyers_and_a_one_time_key(client, shop):
    await sign_in(client, shop.seller)

    response = await client.get("/transaksi/baru")

    assert response.status_code == 200
    page = response.text
    assert len(_form_key(page)) >= 16
    assert csrf_from(page)
    assert f'<input type="hidden" name="event_slug" value="{shop.slug}">' in page
    assert f'<option value="{shop.buyer.actor.buyer_id}">Swalayan Uji</option>' in page
    assert f'<option value="{shop.product["id"]}">' in page
    assert 'name="lines[0].quantity" type="text" value="" inputmode="decimal"' in page
    assert 'name="lines[0].unit_price_rp" type="text" value=""' in page and 'inputmode="numeric"' in page
    assert 'name="lines[1].quantity"' not in page
    assert "+ Tambah baris" in page


async def test_dinas_logs_a_deal_reported_by_phone_for_a_pesantren_it_picks(client, shop):
    await sign_in(client, shop.admin)
    picker = await client.get("/transaksi/baru?cari=Ittifaq")
    assert picker.status_code == 200
    assert "1 pesantren" in picker.text and "Pesantren Lain Uji" not in picker.text
    pid = shop.seller.actor.pesantren_id
    assert f'href="/transaksi/baru?pesantren={pid}"' in picker.text

    url = f"/transaksi/baru?pesantren={pid}"
    form = rendered_form((await client.get(url)).text, "/transaksi/baru")
    assert form.fields["pesantren_id"] == str(pid)
    filled = {**form.fields, "buyer_id": str(shop.buyer.actor.buyer_id),
              "lines[0].product_id": str(shop.product["id"]), "lines[0].quantity": "3", "aksi": "simpan"}
    done = await client.post("/transaksi/baru", data=filled)
    assert done.status_code == 303, done.text
    deal_id = int(done.headers["location"].split("/")[2].split("?")[0])
    deal = await deals.get_deal(actor=shop.admin.actor, deal_id=deal_id)
    assert (deal.pesantren.id, deal.state, deal.total_rp) == (pid, DealState.dicatat, 75_000)
    history = await deals.history(actor=shop.admin.actor, deal_id=deal_id)
    assert history[0].actor == shop.admin.actor.name
    # the seller sees it among its own deals, to send the buyer the confirmation link
    assert deal_id in [d.id for d in await _my_deals(shop)]


async def test_the_same_form_submitted_twice_creates_one_deal(client, shop):
    await sign_in(client, shop.seller)
    page = (await client.get("/transaksi/baru")).text
    data = {**_deal_form(shop), "form_key": _form_key(page), "event_slug": shop.slug, "_csrf_token": csrf_from(page)}

    first = await client.post("/transaksi/baru", data=data)
    again = await client.post("/transaksi/baru", data=data)

    [deal] = await _my_deals(shop)
    assert (first.status_code, first.headers["location"]) == (303, f"/transaksi/{deal.id}?baru=1")
    assert (again.status_code, again.headers["location"]) == (303, f"/transaksi/{deal.id}?sudah=1")
    assert (deal.state, deal.total_rp, deal.buyer.id) == (DealState.dicatat, 250_000, shop.buyer.actor.buyer_id)
    shown = await client.get(again.headers["location"])
    assert "tidak dicatat dua kali" in shown.text


async def test_two_copies_of_the_form_racing_each_other_create_one_deal(client, shop):
    await sign_in(client, shop.seller)
    page = (await client.get("/transaksi/baru")).text
    data = {**_deal_form(shop), "form_key": _form_key(page), "event_slug": shop.slug, "_csrf_token": csrf_from(page)}

    responses = await asyncio.gather(*(client.post("/transaksi/baru", data=data) for _ in range(3)))

    [deal] = await _my_deals(shop)
    assert sorted(r.headers["location"] for r in responses) == [
        f"/transaksi/{deal.id}?baru=1", f"/transaksi/{deal.id}?sudah=1", f"/transaksi/{deal.id}?sudah=1",
    ]  # fmt: skip


async def test_a_fresh_form_key_logs_a_second_deal(client, shop):
    await sign_in(client, shop.seller)
    for _ in range(2):
        page = (await client.get("/transaksi/baru")).text
        data = {**_deal_form(shop), "form_key": _form_key(page), "event_slug": shop.slug,
                "_csrf_token": csrf_from(page)}  # fmt: skip
        assert (await client.post("/transaksi/baru", data=data)).status_code == 303

    assert len(await _my_deals(shop)) == 2


async def test_deal_form_with_a_new_buyer_and_a_free_line(client, shop):
    await sign_in(client, shop.seller)
    form = _deal_form(
        shop,
        buyer_id="baru",
        **{
            "new_buyer.name": "Toko Berkah Baru", "new_buyer.buyer_type": "horeka",
            "new_buyer.whatsapp": "0812 1111 2222", "lines[0].product_id": "", "lines[0].description": "Kerupuk kulit",
            "lines[0].category": "makanan", "lines[0].quantity": "1.500", "lines[0].unit_price_rp": "Rp 2.000",
        },
    )  # fmt: skip

    response = await post_form(client, "/transaksi/baru", {**form, "event_slug": shop.slug, "form_key": "k" * 20})

    assert response.status_code == 303, response.text
    [deal] = await _my_deals(shop)
    assert (deal.buyer.name, deal.total_rp, [(x.description, x.quantity) for x in deal.lines]) == (
        "Toko Berkah Baru", 3_000_000, [("Kerupuk kulit", "1500")],
    )  # fmt: skip


async def test_deal_form_without_csrf_token_is_refused(client, shop):
    await sign_in(client, shop.seller)
    page = (await client.get("/transaksi/baru")).text

    response = await client.post("/transaksi/baru", data={**_deal_form(shop), "form_key": _form_key(page)})

    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.text
    assert await _my_deals(shop) == []


async def test_deal_form_errors_are_shown_next_to_their_fields_and_keep_the_key(client, shop):
    await sign_in(client, shop.seller)
    page = (await client.get("/transaksi/baru")).text
    key = _form_key(page)
    form = _deal_form(shop, buyer_id="", **{"lines[0].quantity": "", "lines[0].unit_price_rp": "dua ribu"})

    response = await client.post(
        "/transaksi/baru", data={**form, "form_key": key, "event_slug": shop.slug, "_csrf_token": csrf_from(page)}
    )

    assert response.status_code == 422
    assert '<p class="error" id="buyer_id-galat">pilih pembeli atau isi nama pembeli baru</p>' in response.text
    assert '<p class="error" id="lines[0].quantity-galat">wajib diisi</p>' in response.text
    assert 'id="lines[0].unit_price_rp-galat">&#39;dua ribu&#39; bukan nilai rupiah yang sah' in response.text
    assert 'value="dua ribu"' in response.text
    assert _form_key(response.text) == key
    assert await _my_deals(shop) == []


async def test_domain_errors_land_on_the_form_row_that_caused_them(client, shop):
    await sign_in(client, shop.seller)
    # Row 0 left empty (skipped), row 1 names another pesantren's product: the error belongs to row 1.
    other = await deals_product_of_other(shop)
    form = _deal_form(shop, baris="2", **{"lines[0].product_id": "", "lines[0].quantity": "",
                                          "lines[1].product_id": str(other), "lines[1].quantity": "2"})  # fmt: skip

    response = await post_form(client, "/transaksi/baru", {**form, "event_slug": shop.slug, "form_key": "k" * 20})

    assert response.status_code == 422
    assert 'id="lines[1].product_id-galat">produk tidak ada atau bukan milik pesantren ini' in response.text


async def deals_product_of_other(m: Market) -> int:
    from tests.factories import make_product

    return (await make_product(pesantren_id=m.other_seller.actor.pesantren_id))["id"]


async def test_tambah_baris_shows_one_more_row_without_javascript(client, shop):
    await sign_in(client, shop.seller)
    page = (await client.get("/transaksi/baru")).text
    key = _form_key(page)

    response = await client.post(
        "/transaksi/baru",
        data={**_deal_form(shop, aksi="tambah"), "form_key": key, "event_slug": shop.slug,
              "_csrf_token": csrf_from(page)},
    )  # fmt: skip

    assert response.status_code == 200
    assert 'name="lines[1].quantity"' in response.text
    assert 'name="lines[0].quantity" type="text" value="10"' in response.text
    assert _form_key(response.text) == key
    assert await _my_deals(shop) == []


# -- lists, the deal page and its actions ----------------------------------------------------------------


async def test_my_deals_lists_states_and_totals(client, shop):
    await _log(shop)
    await _log(shop, state=DealState.dikonfirmasi, quantity="4")
    await sign_in(client, shop.seller)

    everything = await client.get("/transaksi")
    confirmed = await client.get("/transaksi?status=dikonfirmasi")

    assert everything.status_code == 200
    assert "2 transaksi" in everything.text
    assert "Rp250.000" in everything.text and "Rp100.000" in everything.text
    assert "1 transaksi" in confirmed.text and "Rp250.000" not in confirmed.text


async def test_organizer_and_dinas_list_deals_by_event_and_state(client, shop):
    other = await make_event(organizer=shop.outsider_organizer, status="live")
    await Registration.insert(
        Registration(event=other["id"], party_kind="pesantren", pesantren=shop.seller.actor.pesantren_id)
    )
    await _log(shop)
    await _log(shop, state=DealState.dikonfirmasi, quantity="4")
    elsewhere = await deals.log_deal(
        actor=shop.seller.actor, data=msgspec.convert(shop.deal_body(event_slug=other["slug"]), schemas.DealCreate)
    )

    await sign_in(client, shop.organizer)
    own = await client.get("/transaksi")
    prying = await client.get(f"/transaksi?acara={other['slug']}")  # not this organizer's event: ignored
    assert own.status_code == prying.status_code == 200
    assert "Transaksi acara saya" in own.text and "2 transaksi" in own.text
    assert elsewhere.number not in own.text and elsewhere.number not in prying.text
    assert f"Temu Bisnis Uji {other['slug']}" not in own.text  # only its own events are offered as filters
    assert f"Temu Bisnis Uji {shop.slug}" in own.text

    await client.post("/keluar", data={"_csrf_token": csrf_from(own.text)})
    await sign_in(client, shop.admin)
    everything = await client.get("/transaksi")
    one_event = await client.get(f"/transaksi?acara={other['slug']}")
    confirmed_here = await client.get(f"/transaksi?acara={shop.slug}&status=dikonfirmasi")
    assert "Semua transaksi" in everything.text and "3 transaksi" in everything.text
    assert "1 transaksi" in one_event.text and elsewhere.number in one_event.text
    assert "1 transaksi" in confirmed_here.text and "Rp100.000" in confirmed_here.text
    assert f'href="/transaksi?acara={shop.slug}&amp;status=dikonfirmasi"' in confirmed_here.text


async def test_deal_page_shows_lines_history_and_allowed_actions(client, shop):
    deal = await _log(shop)
    await sign_in(client, shop.seller)

    response = await client.get(f"/transaksi/{deal.id}")

    assert response.status_code == 200
    text = response.text
    assert f"<h1>{deal.number}</h1>" in text
    assert "Rp250.000" in text and "Swalayan Uji" in text
    assert "Transaksi dicatat" in text  # history
    assert shop.seller.actor.name in text
    assert f'action="/transaksi/{deal.id}/tautan"' in text
    assert f'href="/transaksi/{deal.id}/ubah"' in text
    assert f'action="/transaksi/{deal.id}/batal"' in text
    assert f'action="/transaksi/{deal.id}/verifikasi"' not in text


async def test_seller_sends_the_whatsapp_link_and_the_buyer_confirms_through_it(client, shop, stranger):
    deal = await _log(shop)
    await sign_in(client, shop.seller)

    sent = await post_form(client, f"/transaksi/{deal.id}/tautan", {}, form_page=f"/transaksi/{deal.id}")

    assert sent.status_code == 200
    assert 'href="https://wa.me/6281298765432?text=' in sent.text
    message = html.unescape(re.search(r'<textarea id="pesan-wa"[^>]*>([^<]+)</textarea>', sent.text).group(1))
    assert "Rp250.000" in message
    token = re.search(r"/konfirmasi/([A-Za-z0-9_.-]+)", message).group(1)

    page = await stranger.get(f"/konfirmasi/{token}")
    assert page.status_code == 200
    assert "Swalayan Uji" in page.text and "Rp250.000" in page.text
    assert not re.search(r'href="/(?!static)', page.text)  # nothing else of the system is linked
    done = await stranger.post(f"/konfirmasi/{token}", data={"aksi": "konfirmasi", "_csrf_token": csrf_from(page.text)})

    assert done.status_code == 200
    assert "sudah Anda konfirmasi" in done.text
    assert (await deals.get_deal(actor=shop.seller.actor, deal_id=deal.id)).state is DealState.dikonfirmasi
    used = await stranger.get(f"/konfirmasi/{token}")
    assert used.status_code == 410 and "tidak berlaku lagi" in used.text


async def test_dispute_through_the_link_asks_for_a_reason(client, shop, stranger):
    deal = await _log(shop)
    link = await deals.create_confirm_link(actor=shop.seller.actor, deal_id=deal.id)
    path = link.url.split("testserver.local")[-1].split(":8000")[-1]
    path = path[path.index("/konfirmasi/"):]
    page = await stranger.get(path)

    empty = await stranger.post(path, data={"aksi": "sanggah", "reason": "", "_csrf_token": csrf_from(page.text)})
    given = await stranger.post(path, data={"aksi": "sanggah", "reason": "Harga belum disepakati",
                                            "_csrf_token": csrf_from(page.text)})  # fmt: skip

    assert empty.status_code == 422
    assert 'id="reason-galat">tuliskan alasan sanggahan' in empty.text
    assert given.status_code == 200 and "Sanggahan Anda" in given.text
    history = await deals.history(actor=shop.seller.actor, deal_id=deal.id)
    assert [(h.state, h.reason) for h in history][-1] == (DealState.disanggah, "Harga belum disepakati")


async def test_expired_and_tampered_links_show_a_friendly_page(shop, stranger):
    deal = await _log(shop)
    link = await deals.create_confirm_link(actor=shop.seller.actor, deal_id=deal.id)
    path = link.url[link.url.index("/konfirmasi/"):]
    await ConfirmLink.update({ConfirmLink.expires_at: now_utc() - timedelta(minutes=1)}).where(
        ConfirmLink.deal == deal.id
    )

    expired = await stranger.get(path)
    tampered = await stranger.get(path[:-4] + "AAAA")
    unknown = await stranger.get("/konfirmasi/bukan-tautan")

    assert expired.status_code == 410
    assert "sudah kedaluwarsa" in expired.text
    assert (tampered.status_code, unknown.status_code) == (404, 404)
    assert "Tautan tidak ditemukan" in tampered.text
    assert 'href="/masuk"' not in expired.text and 'href="/masuk"' not in tampered.text


async def test_buyer_confirms_and_disputes_from_my_deals(client, shop):
    first, second = await _log(shop), await _log(shop, quantity="2")
    await sign_in(client, shop.buyer)

    listed = await client.get("/transaksi")
    confirmed = await post_form(client, f"/transaksi/{first.id}/konfirmasi", {"version": "1"},
                                form_page=f"/transaksi/{first.id}")  # fmt: skip
    no_reason = await submit_form(client, f"/transaksi/{second.id}", f"/transaksi/{second.id}/sanggah",
                                  {"Alasan sanggahan": ""})  # fmt: skip
    disputed = await submit_form(client, f"/transaksi/{second.id}", f"/transaksi/{second.id}/sanggah",
                                 {"Alasan sanggahan": "Jumlah salah"})  # fmt: skip

    assert listed.status_code == 200 and first.number in listed.text
    assert (confirmed.status_code, disputed.status_code) == (303, 303)
    assert no_reason.status_code == 422
    assert 'id="sanggah.reason-galat"' in no_reason.text
    states = {d.id: d.state for d in await _my_deals(shop)}
    assert states == {first.id: DealState.dikonfirmasi, second.id: DealState.disanggah}


async def test_stale_version_is_refused_with_a_message(client, shop):
    deal = await _log(shop)
    await sign_in(client, shop.buyer)

    response = await post_form(client, f"/transaksi/{deal.id}/konfirmasi", {"version": "7"},
                               form_page=f"/transaksi/{deal.id}")  # fmt: skip

    assert response.status_code == 409
    assert "baru saja diubah" in response.text


async def test_seller_amends_and_cancels_with_a_reason(client, shop):
    deal = await _log(shop)
    await sign_in(client, shop.seller)

    form = await client.get(f"/transaksi/{deal.id}/ubah")
    amended = await post_form(
        client, f"/transaksi/{deal.id}/ubah",
        {"version": "1", "baris": "1", "kind": "kontrak", "deal_date": "2020-12-10",
         "lines[0].product_id": str(shop.product["id"]), "lines[0].quantity": "12", "lines[0].unit_price_rp": "25.000"},
        form_page=f"/transaksi/{deal.id}/ubah",
    )  # fmt: skip
    cancelled = await submit_form(client, f"/transaksi/{deal.id}", f"/transaksi/{deal.id}/batal",
                                  {"Alasan pembatalan": "Pembeli mundur"})  # fmt: skip

    assert form.status_code == 200 and 'name="lines[0].quantity" type="text" value="10"' in form.text
    assert (amended.status_code, cancelled.status_code) == (303, 303)
    now = await deals.get_deal(actor=shop.seller.actor, deal_id=deal.id)
    assert (now.state, now.kind.value, now.total_rp) == (DealState.dibatalkan, "kontrak", 300_000)
    page = await client.get(f"/transaksi/{deal.id}")
    assert "Pembeli mundur" in page.text and "Total Rp250.000 → Rp300.000" in page.text


async def test_another_pesantren_cannot_open_the_deal(client, shop):
    deal = await _log(shop)
    await sign_in(client, shop.other_seller)

    response = await client.get(f"/transaksi/{deal.id}")

    assert response.status_code == 403


async def test_buyer_registers_interest_from_the_product_page(client, shop):
    await sign_in(client, shop.buyer)

    product_page = await client.get(f"/produk/{shop.product['id']}")
    form = await client.get(f"/transaksi/minat/{shop.product['id']}")
    sent = await post_form(client, f"/transaksi/minat/{shop.product['id']}", {
        "event_slug": shop.slug, "quantity": "20", "kind": "kontrak", "note": "Untuk Ramadan",
        "form_key": _form_key(form.text),
    })  # fmt: skip

    assert f'href="/transaksi/minat/{shop.product["id"]}">Ajukan minat beli</a>' in product_page.text
    assert sent.status_code == 303, sent.text
    [deal] = (await deals.list_deals(actor=shop.buyer.actor)).items
    assert (deal.state, deal.total_rp, deal.note) == (DealState.minat, 500_000, "Untuk Ramadan")
    assert sent.headers["location"] == f"/transaksi/{deal.id}?minat=1"
    shown = await client.get(sent.headers["location"])
    assert "Minat beli terkirim" in shown.text and "Kirim tautan konfirmasi" not in shown.text
    assert deal.deal_date == datetime.now(ZoneInfo("Asia/Jakarta")).date()  # today in West Java, not in UTC


# -- the live board --------------------------------------------------------------------------------------


async def test_board_shows_the_ledger_headline_and_refreshes_itself(shop, stranger):
    await _log(shop, state=DealState.dikonfirmasi)
    await _log(shop, state=DealState.diverifikasi, quantity="3")
    await _log(shop)  # only logged: not in the headline
    headline = await queries.headline(queries.Scope(event_id=shop.event["id"]))

    board = await stranger.get(f"/papan/{shop.slug}")
    figures = await stranger.get(f"/papan/{shop.slug}/angka")

    assert headline.confirmed_rp == 325_000
    assert board.status_code == 200
    assert f'data-total="{headline.confirmed_rp}">{format_rupiah(headline.confirmed_rp)}</p>' in board.text
    assert f"<strong>{headline.deals_confirmed}</strong> transaksi" in board.text
    assert 'hx-trigger="every 5s"' in board.text and 'http-equiv="refresh"' in board.text
    assert figures.status_code == 200 and "<html" not in figures.text
    assert format_rupiah(headline.confirmed_rp) in figures.text
    assert (await stranger.get("/papan/tidak-ada")).status_code == 404


# -- Dinas -----------------------------------------------------------------------------------------------


async def test_admin_verifies_from_the_queue_and_sends_back_with_a_reason(client, shop):
    first = await _log(shop, state=DealState.dikonfirmasi)
    second = await _log(shop, state=DealState.dikonfirmasi, quantity="2")
    await sign_in(client, shop.admin)

    queue = await client.get("/dinas/verifikasi")
    verified = await post_form(client, f"/transaksi/{first.id}/verifikasi",
                               {"version": str(first.version), "kembali": "/dinas/verifikasi"},
                               form_page="/dinas/verifikasi")  # fmt: skip
    no_reason = await submit_form(client, f"/transaksi/{second.id}", f"/transaksi/{second.id}/kembalikan",
                                  {"Alasan dikembalikan": ""})  # fmt: skip
    sent_back = await submit_form(client, f"/transaksi/{second.id}", f"/transaksi/{second.id}/kembalikan",
                                  {"Alasan dikembalikan": "Harga tidak wajar"})  # fmt: skip

    assert queue.status_code == 200 and first.number in queue.text and second.number in queue.text
    assert (verified.status_code, verified.headers["location"]) == (303, "/dinas/verifikasi?ok=1")
    assert no_reason.status_code == 422 and 'id="kembalikan.reason-galat"' in no_reason.text
    assert sent_back.status_code == 303
    states = {d.id: d.state for d in await _my_deals(shop)}
    assert states == {first.id: DealState.diverifikasi, second.id: DealState.dicatat}
    assert first.number not in (await client.get("/dinas/verifikasi")).text


async def test_admin_records_and_voids_a_realisation(client, shop):
    deal = await _log(shop, state=DealState.diverifikasi)
    await sign_in(client, shop.admin)

    url, action = f"/transaksi/{deal.id}", f"/transaksi/{deal.id}/realisasi"
    bad = await submit_form(client, url, action,
                            {"Jenis": "pembayaran", "Tanggal": "2021-01-05", "Nilai (Rp)": "banyak"})  # fmt: skip
    recorded = await submit_form(client, url, action, {"Jenis": "pembayaran", "Tanggal": "2021-01-05",
                                                       "Nilai (Rp)": "100.000", "Catatan": "Transfer BJB"})
    [realisation] = await deals.list_realisations(actor=shop.admin.actor, deal_id=deal.id)
    voided = await submit_form(client, url, f"{action}/{realisation.id}/koreksi",
                               {"Alasan koreksi": "Salah transaksi"})  # fmt: skip

    assert bad.status_code == 422 and 'id="realisasi.amount_rp-galat"' in bad.text
    assert (recorded.status_code, voided.status_code) == (303, 303)
    assert realisation.amount_rp == 100_000
    assert (await deals.get_deal(actor=shop.admin.actor, deal_id=deal.id)).realised_rp == 0
    page = await client.get(f"/transaksi/{deal.id}")
    assert "Transfer BJB" in page.text and "dikoreksi" in page.text


# -- the action forms of the deal page, filled in and posted exactly as rendered -----------------------------------
# Several forms share the deal page, so each names its fields after itself (`batal.reason`); these tests read the
# names, the hidden version and the CSRF token from the page, never from the handler.


def _errors_by_form(page: str) -> dict[str, dict[str, str]]:
    """The error messages shown inside each form of a page, by form action and field name."""
    return {form.action: form.errors for form in rendered_forms(page) if form.errors}


async def _history(m: Market, deal_id: int) -> list[tuple[DealState, str]]:
    return [(h.state, h.reason) for h in await deals.history(actor=m.admin.actor, deal_id=deal_id)]


async def test_buyer_dispute_form_as_rendered_and_a_short_reason_shown_on_that_form(client, shop):
    deal = await _log(shop)
    await sign_in(client, shop.buyer)
    url, action = f"/transaksi/{deal.id}", f"/transaksi/{deal.id}/sanggah"

    short = await submit_form(client, url, action, {"Alasan sanggahan": "?"})
    sent = await submit_form(client, url, action, {"Alasan sanggahan": "Jumlah tidak sesuai pesanan"})

    assert short.status_code == 422
    # the page also holds the cancel form with its own reason: the error is on the dispute form only
    assert _errors_by_form(short.text) == {action: {"sanggah.reason": "paling sedikit 3 karakter"}}
    assert rendered_form(short.text, action).fields["sanggah.reason"] == "?"
    assert rendered_form(short.text, f"/transaksi/{deal.id}/batal").fields["batal.reason"] == ""
    assert (sent.status_code, sent.headers["location"]) == (303, f"/transaksi/{deal.id}?ok=1")
    assert (await _history(shop, deal.id))[-1] == (DealState.disanggah, "Jumlah tidak sesuai pesanan")


async def test_seller_cancel_form_as_rendered(client, shop):
    deal = await _log(shop)
    await sign_in(client, shop.seller)
    url, action = f"/transaksi/{deal.id}", f"/transaksi/{deal.id}/batal"

    empty = await submit_form(client, url, action, {"Alasan pembatalan": ""})
    sent = await submit_form(client, url, action, {"Alasan pembatalan": "Stok habis sebelum dikirim"})

    assert empty.status_code == 422
    assert _errors_by_form(empty.text) == {action: {"batal.reason": "paling sedikit 3 karakter"}}
    assert 'aria-invalid="true"' in empty.text and "<details class=\"act\" open>" in empty.text
    assert sent.status_code == 303
    assert (await _history(shop, deal.id))[-1] == (DealState.dibatalkan, "Stok habis sebelum dikirim")


async def test_admin_send_back_form_as_rendered(client, shop):
    deal = await _log(shop, state=DealState.dikonfirmasi)
    await sign_in(client, shop.admin)
    url, action = f"/transaksi/{deal.id}", f"/transaksi/{deal.id}/kembalikan"

    short = await submit_form(client, url, action, {"Alasan dikembalikan": "x"})
    sent = await submit_form(client, url, action, {"Alasan dikembalikan": "Harga satuan tidak wajar"})

    assert short.status_code == 422
    assert _errors_by_form(short.text) == {action: {"kembalikan.reason": "paling sedikit 3 karakter"}}
    assert sent.status_code == 303
    assert (await _history(shop, deal.id))[-1] == (DealState.dicatat, "Harga satuan tidak wajar")


async def test_admin_realisation_form_as_rendered(client, shop):
    deal = await _log(shop, state=DealState.diverifikasi)
    await sign_in(client, shop.admin)
    url, action = f"/transaksi/{deal.id}", f"/transaksi/{deal.id}/realisasi"
    later = (datetime.now(ZoneInfo("Asia/Jakarta")).date() + timedelta(days=2)).isoformat()  # past WIB tomorrow

    bad_amount = await submit_form(client, url, action,
                                   {"Jenis": "pengiriman", "Tanggal": "2021-01-05", "Nilai (Rp)": "dua ratus ribu"})
    future = await submit_form(client, url, action, {"Jenis": "pembayaran", "Tanggal": later,
                                                     "Nilai (Rp)": "200.000"})  # fmt: skip
    recorded = await submit_form(client, url, action, {"Jenis": "pembayaran", "Tanggal": "2021-01-05",
                                                       "Nilai (Rp)": "Rp 200.000", "Catatan": "Transfer BJB"})

    assert bad_amount.status_code == 422
    assert list(_errors_by_form(bad_amount.text)) == [action]
    assert list(_errors_by_form(bad_amount.text)[action]) == ["realisasi.amount_rp"]
    kept = rendered_form(bad_amount.text, action).fields
    assert (kept["realisasi.kind"], kept["realisasi.realised_on"]) == ("pengiriman", "2021-01-05")
    assert future.status_code == 422
    assert _errors_by_form(future.text) == {
        action: {"realisasi.realised_on": "tanggal realisasi tidak boleh di masa depan"}
    }
    assert recorded.status_code == 303
    [realisation] = await deals.list_realisations(actor=shop.admin.actor, deal_id=deal.id)
    assert (str(realisation.kind), realisation.realised_on.isoformat(), realisation.amount_rp, realisation.note) == (
        "pembayaran", "2021-01-05", 200_000, "Transfer BJB"
    )
    assert (await deals.get_deal(actor=shop.admin.actor, deal_id=deal.id)).realised_rp == 200_000


async def test_admin_realisation_correction_form_as_rendered(client, shop):
    deal = await _log(shop, state=DealState.diverifikasi)
    other, target = [
        await deals.record_realisation(actor=shop.admin.actor, deal_id=deal.id, data=msgspec.convert(
            {"kind": "pembayaran", "realised_on": "2021-01-05", "amount_rp": amount}, schemas.RealisationCreate
        ))
        for amount in (50_000, 70_000)
    ]
    await sign_in(client, shop.admin)
    url = f"/transaksi/{deal.id}"
    action = f"/transaksi/{deal.id}/realisasi/{target.id}/koreksi"

    short = await submit_form(client, url, action, {"Alasan koreksi": "-"})
    sent = await submit_form(client, url, action, {"Alasan koreksi": "Nominal salah ketik"})

    assert short.status_code == 422
    # two correction forms on the page, one per realisation: the error is on the one that was sent
    assert rendered_form(short.text, f"/transaksi/{deal.id}/realisasi/{other.id}/koreksi").errors == {}
    assert _errors_by_form(short.text) == {action: {f"koreksi{target.id}.reason": "paling sedikit 3 karakter"}}
    assert sent.status_code == 303
    assert (await deals.get_deal(actor=shop.admin.actor, deal_id=deal.id)).realised_rp == 50_000
    page = await client.get(url)
    assert "Nominal salah ketik" in page.text
    assert f"/realisasi/{target.id}/koreksi" not in page.text and f"/realisasi/{other.id}/koreksi" in page.text


async def test_a_field_under_another_forms_name_is_not_read(client, shop):
    """Each action reads only its own form's fields: the plain `reason`, or another form's, counts as empty."""
    deal = await _log(shop)
    await sign_in(client, shop.seller)
    page = await client.get(f"/transaksi/{deal.id}")
    token = csrf_from(page.text)

    plain = await client.post(f"/transaksi/{deal.id}/batal",
                              data={"version": "1", "reason": "Pembeli mundur", "_csrf_token": token})
    crossed = await client.post(f"/transaksi/{deal.id}/batal",
                                data={"version": "1", "sanggah.reason": "Pembeli mundur", "_csrf_token": token})

    assert (plain.status_code, crossed.status_code) == (422, 422)
    assert (await deals.get_deal(actor=shop.seller.actor, deal_id=deal.id)).state is DealState.dicatat


async def test_follow_up_list_by_days_leaves_out_realised_deals(client, shop):
    deal = await _log(shop, state=DealState.dikonfirmasi)
    paid = await _log(shop, state=DealState.dikonfirmasi, quantity="2")
    before_payment = now_utc()
    await deals.record_realisation(actor=shop.admin.actor, deal_id=paid.id, data=msgspec.convert(
        {"kind": "pembayaran", "realised_on": "2021-01-05", "amount_rp": 50_000}, schemas.RealisationCreate
    ))  # fmt: skip
    await sign_in(client, shop.admin)

    response = await client.get("/dinas/tindak-lanjut?hari=90")
    as_of = await deals.follow_up(actor=shop.admin.actor, days=90, as_of=before_payment)

    assert response.status_code == 200
    assert deal.number in response.text and 'aria-current="page">90 hari' in response.text
    assert paid.number not in response.text
    assert sorted(f.deal.id for f in as_of) == sorted([deal.id, paid.id])
    assert "1 transaksi · Rp250.000 belum terealisasi" in response.text


async def test_follow_up_list_narrows_to_one_event_and_pages_by_fifty(client, shop):
    other = await make_event(organizer=shop.outsider_organizer, status="live")
    await Registration.insert(
        Registration(event=other["id"], party_kind="pesantren", pesantren=shop.seller.actor.pesantren_id)
    )
    for _ in range(51):
        await _log(shop, state=DealState.dikonfirmasi, quantity="1")
    elsewhere = await deals.log_deal(
        actor=shop.seller.actor, data=msgspec.convert(shop.deal_body(event_slug=other["slug"]), schemas.DealCreate)
    )
    await deals.confirm(actor=shop.buyer.actor, deal_id=elsewhere.id, data=schemas.Confirm(version=1))
    await sign_in(client, shop.admin)

    first = await client.get(f"/dinas/tindak-lanjut?hari=90&acara={shop.slug}")
    second = await client.get(f"/dinas/tindak-lanjut?hari=90&acara={shop.slug}&halaman=2")
    only_other = await client.get(f"/dinas/tindak-lanjut?hari=90&acara={other['slug']}")

    assert "51 transaksi · Rp1.275.000 belum terealisasi" in first.text
    assert first.text.count('class="deal-row"') == 50 and second.text.count('class="deal-row"') == 1
    assert elsewhere.number not in first.text + second.text
    assert "1 transaksi · Rp250.000 belum terealisasi" in only_other.text and elsewhere.number in only_other.text
    drifting = await client.get("/dinas/tindak-lanjut?hari=45&acara=tidak-ada")  # read as 30 days, all events
    assert 'aria-current="page">30 hari' in drifting.text and "hari=45" not in drifting.text
    assert "acara=tidak-ada" not in drifting.text
    beyond = await client.get(f"/dinas/tindak-lanjut?hari=90&acara={shop.slug}&halaman=9")
    assert "Halaman ini kosong" in beyond.text and f"hari=90&amp;acara={shop.slug}" in beyond.text


async def _interest(m: Market, quantity: str = "100", price: int = 20_000) -> schemas.Deal:
    body = {"event_slug": m.slug, "pesantren_id": m.seller.actor.pesantren_id, "deal_date": "2020-12-09",
            "lines": [{"product_id": m.product["id"], "quantity": quantity, "unit_price_rp": price}]}
    return await deals.register_interest(actor=m.buyer.actor, data=msgspec.convert(body, schemas.InterestCreate))


async def test_pesantren_confirms_an_interest_with_the_negotiated_quantity_and_price(client, shop, stranger):
    interest = await _interest(shop)
    await sign_in(client, shop.seller)
    url, action = f"/transaksi/{interest.id}", f"/transaksi/{interest.id}/konfirmasi"

    form = rendered_form((await client.get(url)).text, action)
    assert (form.fields["konfirmasi.lines[0].quantity"], form.fields["konfirmasi.lines[0].unit_price_rp"]) == (
        "100", "20.000",
    )
    refused = await submit_form(client, url, action, {"Jumlah (kg)": "nol", "Harga satuan (Rp)": "22.500"})
    assert refused.status_code == 422
    assert "konfirmasi.lines[0].quantity" in rendered_form(refused.text, action).errors
    assert (await deals.get_deal(actor=shop.seller.actor, deal_id=interest.id)).state is DealState.minat

    done = await submit_form(client, url, action, {"Jumlah (kg)": "80", "Harga satuan (Rp)": "22.500"})
    assert (done.status_code, done.headers["location"]) == (303, f"/transaksi/{interest.id}?tawar=1")
    # terms the buyer has not seen: the pesantren's counter-offer, awaiting the buyer, counted nowhere yet
    deal = await deals.get_deal(actor=shop.seller.actor, deal_id=interest.id)
    assert (deal.state, deal.total_rp, deal.lines[0].quantity, deal.lines[0].unit, deal.awaiting) == (
        DealState.dicatat, 1_800_000, "80", "kg", "pembeli",
    )
    history = await deals.history(actor=shop.seller.actor, deal_id=interest.id)
    assert (history[-1].action_label, history[-1].before["total_rp"], history[-1].after["total_rp"]) == (
        "Penawaran balik", 2_000_000, 1_800_000)
    shown = await client.get(done.headers["location"])
    assert "Penawaran balik terkirim" in shown.text and "Menunggu pembeli menyetujui" in shown.text

    await sign_in(stranger, shop.buyer)
    accepted = await submit_form(stranger, url, action, {})
    assert accepted.status_code == 303
    deal = await deals.get_deal(actor=shop.seller.actor, deal_id=interest.id)
    assert (deal.state, deal.total_rp) == (DealState.dikonfirmasi, 1_800_000)


async def test_a_change_to_an_agreed_deal_counts_only_once_the_buyer_accepts_it_by_link(client, shop, stranger):
    deal = await _log(shop, state=DealState.dikonfirmasi)  # 10 kg × Rp25.000 = Rp250.000, agreed
    await sign_in(client, shop.seller)
    edit = f"/transaksi/{deal.id}/ubah"
    proposed = await submit_form(client, edit, edit, {"Jumlah": "12"})
    assert (proposed.status_code, proposed.headers["location"]) == (303, f"/transaksi/{deal.id}?usul=1")

    changed = await deals.get_deal(actor=shop.admin.actor, deal_id=deal.id)
    assert (changed.state, changed.total_rp, changed.offer.total_rp, changed.offer.by) == (
        DealState.perubahan, 250_000, 300_000, "pesantren")
    totals = (await client.get(f"/api/v1/events/{shop.slug}/totals")).json()
    assert totals["confirmed_rp"] == 250_000  # the agreed terms still count, the proposal does not yet
    page = await client.get(f"/transaksi/{deal.id}?usul=1")
    assert "Usulan perubahan dari pesantren" in page.text and "Rp300.000" in page.text

    sent = await post_form(client, f"/transaksi/{deal.id}/tautan", {}, form_page=f"/transaksi/{deal.id}")
    message = html.unescape(re.search(r'<textarea id="pesan-wa"[^>]*>([^<]+)</textarea>', sent.text).group(1))
    assert "dari Rp250.000 menjadi Rp300.000" in message
    token = re.search(r"/konfirmasi/([A-Za-z0-9_.-]+)", message).group(1)
    link_page = await stranger.get(f"/konfirmasi/{token}")
    assert "Setujui perubahan" in link_page.text and "Rp250.000" in link_page.text
    done = await stranger.post(f"/konfirmasi/{token}", data={"aksi": "konfirmasi",
                                                            "_csrf_token": csrf_from(link_page.text)})  # fmt: skip
    assert done.status_code == 200
    after = await deals.get_deal(actor=shop.admin.actor, deal_id=deal.id)
    assert (after.state, after.total_rp, after.offer) == (DealState.dikonfirmasi, 300_000, None)
    assert (await client.get(f"/api/v1/events/{shop.slug}/totals")).json()["confirmed_rp"] == 300_000


async def test_the_buyer_declines_a_proposed_change_and_the_agreed_terms_stand(client, shop):
    deal = await _log(shop, state=DealState.dikonfirmasi)
    await deals.amend(actor=shop.seller.actor, deal_id=deal.id, data=schemas.DealAmend(
        version=deal.version, lines=[schemas.LineIn(product_id=shop.product["id"], quantity="40")]))  # fmt: skip
    await sign_in(client, shop.buyer)
    url = f"/transaksi/{deal.id}"
    declined = await submit_form(client, url, f"/transaksi/{deal.id}/tolak-ubah", {"Alasan": "Harga belum cocok"})
    assert declined.status_code == 303
    after = await deals.get_deal(actor=shop.admin.actor, deal_id=deal.id)
    assert (after.state, after.total_rp, after.offer) == (DealState.dikonfirmasi, 250_000, None)
    history = await deals.history(actor=shop.admin.actor, deal_id=deal.id)
    assert [(h.action_label, h.reason) for h in history[-2:]] == [
        ("Perubahan diajukan", ""), ("Perubahan ditolak", "Harga belum cocok")]


async def test_an_interest_confirmed_as_it_stands_gets_no_new_revision(client, shop):
    interest = await _interest(shop)
    await sign_in(client, shop.seller)
    done = await submit_form(client, f"/transaksi/{interest.id}", f"/transaksi/{interest.id}/konfirmasi", {})
    assert done.status_code == 303
    revisions = await raw("SELECT COUNT(*) AS n FROM deal_revision WHERE deal = {}", interest.id)
    assert revisions[0]["n"] == 1
    deal = await deals.get_deal(actor=shop.seller.actor, deal_id=interest.id)
    assert (deal.state, deal.total_rp) == (DealState.dikonfirmasi, 2_000_000)


async def test_pages_refuse_the_wrong_role(client, shop):
    await sign_in(client, shop.seller)

    assert (await client.get("/dinas/verifikasi")).status_code == 403
    assert (await client.get("/dinas/laporan")).status_code == 403
    assert (await client.get(f"/transaksi/minat/{shop.product['id']}")).status_code == 403


async def test_report_download_is_an_xlsx_whose_total_equals_the_ledger(client, shop):
    import openpyxl

    await _log(shop, state=DealState.dikonfirmasi)
    await _log(shop, state=DealState.diverifikasi, quantity="3")
    await sign_in(client, shop.admin)
    headline = await queries.headline(queries.Scope(event_id=shop.event["id"]))

    form = await client.get("/dinas/laporan")
    response = await client.get(f"/dinas/laporan/unduh?lingkup=acara&acara={shop.slug}&format=xlsx&per=")

    assert form.status_code == 200 and 'type="datetime-local"' in form.text
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"].startswith("attachment;")
    summary = openpyxl.load_workbook(io.BytesIO(response.content))["Ringkasan"]
    figures = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert figures["Nilai transaksi terkonfirmasi (Rp)"] == headline.confirmed_rp == 325_000


async def test_report_download_csv_and_pdf_content_types(client, shop):
    await _log(shop, state=DealState.dikonfirmasi)
    await sign_in(client, shop.admin)

    csv = await client.get("/dinas/laporan/unduh?lingkup=tahun&tahun=2020&format=csv&per=2020-12-31T23:00")
    pdf = await client.get(f"/dinas/laporan/unduh?lingkup=acara&acara={shop.slug}&format=pdf")

    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


async def test_report_form_shows_errors_next_to_fields(client, shop):
    await sign_in(client, shop.admin)

    response = await client.get("/dinas/laporan/unduh?lingkup=acara&acara=&format=doc&per=kemarin")

    assert response.status_code == 422
    assert 'id="acara-galat">pilih acara' in response.text
    assert 'id="format-galat">pilih xlsx, pdf atau csv' in response.text
    assert 'id="per-galat">bukan waktu yang sah' in response.text


# -- Dinas: Excel import ---------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _upload(client: Any, data: dict[str, str], content: bytes) -> Any:
    page = await client.get("/dinas/impor")
    return await client.post(
        "/dinas/impor", data={**data, "_csrf_token": csrf_from(page.text)},
        files={"berkas": ("rekap.xlsx", content, XLSX)},
    )  # fmt: skip


async def test_import_page_dry_run_lists_every_error_as_a_table(client, shop):
    from tests.catalog.test_import_helpers import workbook

    content = workbook({"Produk": [["Pesantren Hilang", "Sabun", "kosmetik", "pcs", "1,5 juta", None]]})
    await sign_in(client, shop.admin)

    response = await _upload(client, {"event_slug": shop.slug, "dry_run": "1"}, content)

    assert response.status_code == 422
    assert "tidak ada yang ditulis" in response.text
    assert '<table class="import-errors">' in response.text
    assert "<td>Produk</td><td class=\"num\">2</td><td>harga</td><td>1,5 juta</td>" in response.text


async def test_import_page_writes_a_clean_workbook_unless_dry_run(client, shop):
    from tests.catalog.test_import_helpers import workbook

    content = workbook({"Pembeli": [["Hotel Impor", "horeka", "Garut", None, None]]})
    await sign_in(client, shop.admin)

    checked = await _upload(client, {"event_slug": shop.slug, "dry_run": "1"}, content)
    written = await _upload(client, {"event_slug": shop.slug}, content)
    missing = await _upload(client, {"event_slug": ""}, b"")

    assert checked.status_code == 200 and "Pratinjau rekap.xlsx: tidak ada galat. Tidak ada yang disimpan" in checked.text
    assert written.status_code == 200 and "rekap.xlsx berhasil diimpor" in written.text
    assert "<strong>1</strong> pembeli baru" in written.text
    assert missing.status_code == 422
    assert 'id="event_slug-galat">pilih acara' in missing.text and 'id="berkas-galat">pilih berkas Excel' in missing.text


async def test_the_pesantren_cannot_confirm_its_own_deal_through_the_buyers_link(client, shop):
    deal = await _log(shop)
    await sign_in(client, shop.seller)
    sent = await post_form(client, f"/transaksi/{deal.id}/tautan", {}, form_page=f"/transaksi/{deal.id}")
    token = re.search(r"/konfirmasi/([A-Za-z0-9_.-]+)", html.unescape(sent.text)).group(1)
    page = await client.get(f"/konfirmasi/{token}")
    refused = await client.post(f"/konfirmasi/{token}", data={"aksi": "konfirmasi", "_csrf_token": csrf_from(page.text)})

    assert refused.status_code == 403 and "Tautan ini untuk pembeli" in refused.text
    assert (await deals.get_deal(actor=shop.seller.actor, deal_id=deal.id)).state is DealState.dicatat


async def test_the_buyer_answers_a_logged_deal_with_other_terms_as_a_counter_offer(client, shop):
    deal = await _log(shop)  # 10 kg × Rp25.000, the pesantren's terms
    await sign_in(client, shop.buyer)
    url, action = f"/transaksi/{deal.id}", f"/transaksi/{deal.id}/konfirmasi"
    done = await submit_form(client, url, action, {"Jumlah (kg)": "8", "Harga satuan (Rp)": "24.000"})

    assert (done.status_code, done.headers["location"]) == (303, f"/transaksi/{deal.id}?tawar=1")
    after = await deals.get_deal(actor=shop.seller.actor, deal_id=deal.id)
    assert (after.state, after.total_rp, after.awaiting) == (DealState.minat, 192_000, "pesantren")
    page = await client.get(done.headers["location"])
    assert "harus disetujui pesantren" in page.text or "Penawaran balik terkirim" in page.text
