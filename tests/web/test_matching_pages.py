"""Matching pages: a buyer asks to meet, the pesantren answers; the organizer schedules, moves, publishes,
marks attendance; a "sepakat" rating leads to the deal form; availability; CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from opop_events.core.errors import Conflict
from opop_events.events.tables import Registration
from opop_events.matching import schemas
from opop_events.matching import services as matching
from opop_events.matching.enums import MeetingStatus
from tests.factories import Account, make_account, make_buyer, make_event, make_pesantren, make_product
from tests.web.conftest import post_form, sign_in


@dataclass
class Fair:
    slug: str
    event_id: int
    organizer: Account
    buyers: list[Account]
    sellers: list[Account]
    products: list[dict]


@pytest.fixture
async def fair() -> Fair:
    """An open event (4 slots × 2 tables) with three registered buyers and three pesantren with a product each."""
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="open", tables=2, slots=4)
    buyers, sellers, products = [], [], []
    for i in range(3):
        buyer_org = await make_buyer(name=f"Pembeli Temu {i}", whatsapp=f"08129876543{i}")
        buyers.append(await make_account("buyer", buyer_id=buyer_org["id"]))
        pesantren = await make_pesantren(name=f"Pesantren Temu {i}", whatsapp=f"08131111222{i}")
        products.append(await make_product(pesantren_id=pesantren["id"], name=f"Kopi Temu {i}"))
        sellers.append(await make_account("seller", pesantren_id=pesantren["id"]))
        await Registration.insert(
            Registration(event=event["id"], party_kind="buyer", buyer=buyer_org["id"]),
            Registration(event=event["id"], party_kind="pesantren", pesantren=pesantren["id"]),
        )
    return Fair(event["slug"], event["id"], organizer, buyers, sellers, products)


async def _switch(client, account: Account) -> None:
    """Sign in as someone else in the same client (the login page sends a signed-in user away)."""
    client.cookies.clear()
    await sign_in(client, account)


async def _accepted_everywhere(fair: Fair) -> None:
    """Every buyer meets every pesantren: 9 accepted requests for 8 places (4 slots × 2 tables)."""
    for buyer in fair.buyers:
        for seller in fair.sellers:
            request = await matching.create_request(
                actor=buyer.actor, slug=fair.slug,
                data=schemas.RequestCreate(pesantren_id=seller.actor.pesantren_id),
            )  # fmt: skip
            await matching.answer_request(
                actor=seller.actor, request_id=request.id, data=schemas.RequestAnswer(accept=True)
            )


async def _scheduled(client, fair: Fair) -> list[schemas.Meeting]:
    await _accepted_everywhere(fair)
    await sign_in(client, fair.organizer)
    response = await post_form(
        client,
        f"/acara/{fair.slug}/jadwal/susun",
        {"time_limit": "1"},
        form_page=f"/acara/{fair.slug}/jadwal",
    )
    assert response.status_code == 303, response.text
    return await matching.list_meetings(actor=fair.organizer.actor, slug=fair.slug)


async def test_buyer_requests_a_meeting_from_the_event_catalog_and_the_pesantren_accepts(client, fair):
    buyer, seller, product = fair.buyers[0], fair.sellers[1], fair.products[1]
    await sign_in(client, buyer)

    catalog = await client.get(f"/pertemuan/{fair.slug}/katalog?q=Kopi")
    form_url = (
        f"/pertemuan/{fair.slug}/minta?pesantren={seller.actor.pesantren_id}&amp;produk={product['id']}"
    )
    assert catalog.status_code == 200
    assert "3 produk" in catalog.text and form_url in catalog.text
    form = await client.get(form_url.replace("&amp;", "&"))
    assert f'<option value="{product["id"]}" selected>Kopi Temu 1 (kg)</option>' in form.text
    sent = await post_form(
        client,
        f"/pertemuan/{fair.slug}/minta",
        {"counterpart_id": seller.actor.pesantren_id, "product_id": product["id"], "priority": "wajib",
         "message": "Kami butuh 200 kg per bulan"},
    )  # fmt: skip
    assert (sent.status_code, sent.headers["location"]) == (303, f"/pertemuan/{fair.slug}?pesan=terkirim")

    await _switch(client, seller)
    incoming = await client.get(f"/pertemuan/{fair.slug}")
    assert "Permintaan masuk (1)" in incoming.text
    assert "<strong>Pembeli Temu 0</strong>" in incoming.text
    assert "Kopi Temu 1 · Prioritas wajib" in incoming.text
    assert "“Kami butuh 200 kg per bulan”" in incoming.text
    [request] = await matching.list_requests(actor=seller.actor, slug=fair.slug)
    answered = await post_form(
        client, f"/pertemuan/{fair.slug}/permintaan/{request.id}/jawab", {"jawaban": "terima"},
        form_page=f"/pertemuan/{fair.slug}",
    )  # fmt: skip
    assert answered.headers["location"] == f"/pertemuan/{fair.slug}?pesan=diterima#q-{request.id}"
    after = await client.get(answered.headers["location"])
    assert "Permintaan diterima." in after.text
    assert 'badge b-diterima">Diterima' in after.text
    assert [r.status.value for r in await matching.list_requests(actor=seller.actor, slug=fair.slug)] == [
        "diterima"
    ]


async def test_request_form_shows_errors_next_to_fields_and_service_refusals_above(client, fair):
    await sign_in(client, fair.buyers[0])

    empty = await post_form(
        client, f"/pertemuan/{fair.slug}/minta", {"counterpart_id": "", "priority": "penting"}
    )
    await post_form(
        client, f"/pertemuan/{fair.slug}/minta", {"counterpart_id": fair.sellers[0].actor.pesantren_id}
    )
    again = await post_form(
        client, f"/pertemuan/{fair.slug}/minta", {"counterpart_id": fair.sellers[0].actor.pesantren_id}
    )

    assert empty.status_code == 422
    assert 'id="counterpart_id-galat">wajib dipilih' in empty.text
    assert again.status_code == 409
    assert 'role="alert">Sudah ada permintaan pertemuan untuk pasangan ini.' in again.text


async def test_pesantren_asks_a_buyer_and_withdraws(client, fair):
    seller = fair.sellers[2]
    await sign_in(client, seller)

    form = await client.get(f"/pertemuan/{fair.slug}/minta")
    sent = await post_form(
        client, f"/pertemuan/{fair.slug}/minta", {"counterpart_id": fair.buyers[1].actor.buyer_id}
    )
    [request] = await matching.list_requests(actor=seller.actor, slug=fair.slug)
    cancelled = await post_form(
        client,
        f"/pertemuan/{fair.slug}/permintaan/{request.id}/batal",
        {},
        form_page=f"/pertemuan/{fair.slug}",
    )

    assert f'<option value="{fair.buyers[1].actor.buyer_id}">Pembeli Temu 1</option>' in form.text
    assert "Produk yang dibicarakan" not in form.text  # a pesantren asks about its own products
    assert sent.status_code == 303
    assert cancelled.headers["location"] == f"/pertemuan/{fair.slug}?pesan=dibatalkan"
    assert [r.status.value for r in await matching.list_requests(actor=seller.actor, slug=fair.slug)] == [
        "dibatalkan"
    ]


async def test_participant_of_another_event_is_refused(client, fair):
    stranger = await make_account("buyer")
    await sign_in(client, stranger)

    response = await client.get(f"/pertemuan/{fair.slug}/katalog")

    assert response.status_code == 403
    assert "Anda belum terdaftar sebagai peserta acara ini." in response.text


async def test_availability_is_a_checkbox_list_of_the_event_slots(client, fair):
    buyer = fair.buyers[0]
    await sign_in(client, buyer)
    page = await client.get(f"/pertemuan/{fair.slug}/ketersediaan")
    slot_ids = [int(s) for s in re.findall(r'name="slot" value="(\d+)"', page.text)]

    saved = await post_form(
        client, f"/pertemuan/{fair.slug}/ketersediaan", {"slot": [str(slot_ids[0]), str(slot_ids[2])]}
    )
    shown = await client.get(saved.headers["location"])

    assert len(slot_ids) == 4 and "09.00–09.20 WIB" in page.text
    assert saved.status_code == 303
    assert (await matching.get_availability(actor=buyer.actor, slug=fair.slug)).unavailable_slot_ids == [
        slot_ids[0],
        slot_ids[2],
    ]
    assert re.findall(r'value="(\d+)" checked', shown.text) == [str(slot_ids[0]), str(slot_ids[2])]
    assert "Ketersediaan Anda tersimpan." in shown.text


async def test_organizer_filters_requests_by_status(client, fair):
    await matching.create_request(
        actor=fair.buyers[0].actor,
        slug=fair.slug,
        data=schemas.RequestCreate(pesantren_id=fair.sellers[0].actor.pesantren_id),
    )
    await _accepted_everywhere_but_first(fair)
    await sign_in(client, fair.organizer)

    pending = await client.get(f"/acara/{fair.slug}/permintaan?status=menunggu")
    everything = await client.get(f"/acara/{fair.slug}/permintaan")

    assert '<p class="count" role="status">1 permintaan</p>' in pending.text
    assert "Menunggu jawaban (1)" in everything.text and "Diterima (2)" in everything.text
    assert '<p class="count" role="status">3 permintaan</p>' in everything.text


async def _accepted_everywhere_but_first(fair: Fair) -> None:
    for s in (1, 2):
        request = await matching.create_request(
            actor=fair.buyers[0].actor,
            slug=fair.slug,
            data=schemas.RequestCreate(pesantren_id=fair.sellers[s].actor.pesantren_id),
        )
        await matching.answer_request(
            actor=fair.sellers[s].actor, request_id=request.id, data=schemas.RequestAnswer(accept=True)
        )


async def test_organizer_runs_the_scheduler_and_sees_the_result_and_grid(client, fair):
    meetings = await _scheduled(client, fair)

    page = await client.get(f"/acara/{fair.slug}/jadwal?pesan=tersusun")

    assert page.status_code == 200
    assert "Usulan jadwal tersusun." in page.text
    assert "<strong>8 / 9</strong> pertemuan terjadwal" in page.text
    assert "<strong>1</strong> belum dapat slot" in page.text
    assert '<th scope="col">M01</th><th scope="col">M02</th>' in page.text
    placed = [m for m in meetings if m.slot_id]
    unplaced = [m for m in meetings if not m.slot_id]
    assert len(placed) == 8 and len(unplaced) == 1
    for m in placed:
        assert (
            f'href="/acara/{fair.slug}/jadwal/pertemuan/{m.id}">{m.buyer_name}<span>{m.pesantren_name}</span></a>'
            in page.text
        )
    assert f"{unplaced[0].buyer_name} – {unplaced[0].pesantren_name}" in page.text
    assert "8 pertemuan masih usulan." in page.text


async def test_a_clashing_move_shows_the_service_message(client, fair):
    meetings = await _scheduled(client, fair)
    placed = [m for m in meetings if m.slot_id]
    moving = placed[0]
    other = next(m for m in placed if m.buyer_id == moving.buyer_id and m.slot_id != moving.slot_id)
    url = f"/acara/{fair.slug}/jadwal/pertemuan/{moving.id}"

    response = await post_form(
        client,
        f"{url}/pindah",
        {"slot_id": other.slot_id, "table_id": other.table_id, "pinned": "1"},
        form_page=url,
    )

    with pytest.raises(Conflict) as refused:
        await matching.move_meeting(
            actor=fair.organizer.actor,
            meeting_id=moving.id,
            data=schemas.MeetingMove(slot_id=other.slot_id, table_id=other.table_id),
        )
    assert "sudah punya pertemuan lain (dengan " in refused.value.detail
    assert response.status_code == 409
    assert f'role="alert">{refused.value.detail}</div>' in response.text
    assert (await matching.get_meeting(meeting_id=moving.id)).slot_id == moving.slot_id


async def test_unscheduled_meeting_page_and_a_walk_in_into_a_full_slot(client, fair):
    meetings = await _scheduled(client, fair)
    [left] = [m for m in meetings if not m.slot_id]

    page = await client.get(f"/acara/{fair.slug}/jadwal/pertemuan/{left.id}")
    walk_in = await post_form(
        client, f"/acara/{fair.slug}/jadwal/walk-in",
        {"buyer_id": left.buyer_id, "pesantren_id": left.pesantren_id, "slot_id": next(m.slot_id for m in meetings if m.slot_id)},
        form_page=f"/acara/{fair.slug}/jadwal",
    )  # fmt: skip

    assert "Taruh di slot" in page.text and "belum dapat slot" in page.text
    assert walk_in.status_code == 409
    assert 'role="alert">Tidak ada meja kosong pada slot itu.</div>' in walk_in.text


async def test_publish_attendance_and_sepakat_leads_to_the_deal_form(client, fair):
    meetings = await _scheduled(client, fair)
    published = await post_form(
        client, f"/acara/{fair.slug}/jadwal/terbitkan", {}, form_page=f"/acara/{fair.slug}/jadwal"
    )
    assert published.headers["location"] == f"/acara/{fair.slug}/jadwal?pesan=terbit"
    meeting = next(m for m in meetings if m.slot_id and m.pesantren_id == fair.sellers[0].actor.pesantren_id)
    row = f"/acara/{fair.slug}/jadwal/pertemuan/{meeting.id}/hadir"
    sheet = f"/acara/{fair.slug}/jadwal/meja?slot={meeting.slot_id}"

    by_htmx = await post_form(client, row, {"held": "0"}, form_page=sheet, headers={"HX-Request": "true"})
    assert by_htmx.status_code == 200
    assert by_htmx.text.startswith(f'<li id="m-{meeting.id}" class="att-row">')
    assert "Tidak hadir" in by_htmx.text and 'aria-pressed="true"' in by_htmx.text
    without_js = await post_form(client, row, {"held": "1"}, form_page=sheet)
    assert without_js.headers["location"] == f"{sheet}#m-{meeting.id}"
    assert (await matching.get_meeting(meeting_id=meeting.id)).status is MeetingStatus.hadir

    seller = fair.sellers[0]
    await _switch(client, seller)
    agenda = await client.get(f"/pertemuan/{fair.slug}/agenda")
    assert f'<span class="table-code">Meja {meeting.table_code}</span> {meeting.buyer_name}' in agenda.text
    assert "https://wa.me/62812987654" in agenda.text
    assert "Bagaimana hasil pertemuan ini?" in agenda.text
    pdf = await client.get(f"/pertemuan/{fair.slug}/agenda.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    rated = await post_form(
        client, f"/pertemuan/{fair.slug}/agenda/{meeting.id}/hasil", {"outcome": "sepakat", "note": "PO 100 kg"},
        form_page=f"/pertemuan/{fair.slug}/agenda",
    )  # fmt: skip
    assert rated.status_code == 303
    assert rated.headers["location"] == "/transaksi/baru?" + urlencode(
        {"event": fair.slug, "buyer_id": meeting.buyer_id, "meeting_id": meeting.id}
    )
    form = await client.get(rated.headers["location"])
    assert f'<input type="hidden" name="meeting_id" value="{meeting.id}">' in form.text
    assert f'<option value="{meeting.buyer_id}" selected>' in form.text
    form_key = re.search(r'name="form_key" value="([^"]+)"', form.text).group(1)
    product_id = re.search(r'name="lines\[0\]\.product_id".*?<option value="(\d+)"', form.text, re.S).group(1)
    logged = await post_form(
        client, "/transaksi/baru",
        {"event_slug": fair.slug, "kind": "kontrak", "deal_date": "2020-12-09", "buyer_id": str(meeting.buyer_id),
         "meeting_id": str(meeting.id), "form_key": form_key, "baris": "1", "lines[0].product_id": product_id,
         "lines[0].quantity": "100"},
        form_page=rated.headers["location"],
    )  # fmt: skip
    assert logged.status_code == 303, logged.text
    deal_id = int(logged.headers["location"].split("/")[2].split("?")[0])
    from opop_events.deals.services import get_deal

    assert (await get_deal(actor=seller.actor, deal_id=deal_id)).meeting_id == meeting.id


async def test_buyer_rating_stays_on_the_agenda(client, fair):
    meetings = await _scheduled(client, fair)
    await matching.publish(actor=fair.organizer.actor, slug=fair.slug)
    buyer = fair.buyers[0]
    meeting = next(m for m in meetings if m.slot_id and m.buyer_id == buyer.actor.buyer_id)
    await matching.mark_attendance(
        actor=fair.organizer.actor, meeting_id=meeting.id, data=schemas.Attendance(held=True)
    )
    await _switch(client, buyer)

    rated = await post_form(
        client, f"/pertemuan/{fair.slug}/agenda/{meeting.id}/hasil", {"outcome": "perlu_tindak_lanjut"},
        form_page=f"/pertemuan/{fair.slug}/agenda",
    )  # fmt: skip
    agenda = await client.get(rated.headers["location"])

    assert rated.headers["location"] == f"/pertemuan/{fair.slug}/agenda?pesan=dinilai#m-{meeting.id}"
    assert '<span class="meta">(terakhir: Perlu tindak lanjut)</span>' in agenda.text
    assert 'value="perlu_tindak_lanjut" required checked' in agenda.text


async def test_schedule_printouts_download(client, fair):
    await _scheduled(client, fair)

    grid = await client.get(f"/acara/{fair.slug}/jadwal/cetak/jadwal.pdf")
    unknown = await client.get(f"/acara/{fair.slug}/jadwal/cetak/lain.pdf")

    assert grid.status_code == 200 and grid.content.startswith(b"%PDF")
    assert grid.headers["content-disposition"] == f'attachment; filename="jadwal-{fair.slug}.pdf"'
    assert unknown.status_code == 404


async def test_a_form_without_its_csrf_token_is_refused(client, fair):
    await sign_in(client, fair.buyers[0])
    await client.get(f"/pertemuan/{fair.slug}/minta")

    response = await client.post(
        f"/pertemuan/{fair.slug}/minta", data={"counterpart_id": fair.sellers[0].actor.pesantren_id}
    )

    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.text
    assert await matching.list_requests(actor=fair.buyers[0].actor, slug=fair.slug) == []


async def test_a_repeated_accept_or_publish_lands_where_the_first_did(client, fair):
    """A double tap or a retried post on a weak connection is not an error page."""
    request = await matching.create_request(
        actor=fair.buyers[0].actor,
        slug=fair.slug,
        data=schemas.RequestCreate(pesantren_id=fair.sellers[0].actor.pesantren_id),
    )
    await sign_in(client, fair.sellers[0])
    answer = f"/pertemuan/{fair.slug}/permintaan/{request.id}/jawab"
    first = await post_form(client, answer, {"jawaban": "terima"}, form_page=f"/pertemuan/{fair.slug}")
    second = await post_form(client, answer, {"jawaban": "terima"}, form_page=f"/pertemuan/{fair.slug}")
    contrary = await post_form(client, answer, {"jawaban": "tolak"}, form_page=f"/pertemuan/{fair.slug}")

    assert (first.status_code, second.status_code) == (303, 303)
    assert second.headers["location"] == first.headers["location"]
    assert contrary.status_code == 409
    assert "Permintaan ini sudah diterima." in contrary.text

    await _switch(client, fair.organizer)
    await matching.run_scheduler(
        actor=fair.organizer.actor, slug=fair.slug, data=schemas.ScheduleRunIn(time_limit=1)
    )
    publish = f"/acara/{fair.slug}/jadwal/terbitkan"
    once = await post_form(client, publish, {}, form_page=f"/acara/{fair.slug}/jadwal")
    twice = await post_form(client, publish, {}, form_page=f"/acara/{fair.slug}/jadwal")
    assert once.headers["location"] == twice.headers["location"] == f"/acara/{fair.slug}/jadwal?pesan=terbit"
