"""Organizer pages: my events, creating an event, sessions with slots, tables, registrations, check-in."""

from __future__ import annotations

from opop_events.events import services as events
from tests.factories import make_account, make_buyer, make_event, make_pesantren
from tests.web.conftest import csrf_from, post_form, sign_in


async def test_organizer_sees_only_the_events_it_runs(client):
    organizer = await make_account("organizer")
    await make_event(organizer=organizer, slug="acara-saya")
    await make_event(slug="acara-orang-lain")
    await sign_in(client, organizer)

    response = await client.get("/acara")

    assert response.status_code == 200
    assert "Acara saya" in response.text
    assert "acara-saya" in response.text
    assert "acara-orang-lain" not in response.text
    assert "9–10 Desember 2020" in response.text


async def test_organizer_cannot_open_another_event(client):
    organizer = await make_account("organizer")
    await make_event(slug="acara-orang-lain")
    await sign_in(client, organizer)

    response = await client.get("/acara/acara-orang-lain/peserta")

    assert response.status_code == 403
    assert "Anda bukan penyelenggara acara" in response.text


async def test_organizer_creates_an_event_with_slug_from_its_name(client):
    organizer = await make_account("organizer")
    await sign_in(client, organizer)

    response = await post_form(
        client,
        "/acara/baru",
        {
            "name": "Temu Bisnis OPOP Garut 2021",
            "wilayah_code": "3205",
            "starts_on": "2021-03-02",
            "ends_on": "2021-03-03",
            "venue": "Pendopo Garut",
            "meeting_quota": "10",
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/acara/temu-bisnis-opop-garut-2021"
    overview = await client.get("/acara/temu-bisnis-opop-garut-2021")
    assert overview.status_code == 200
    assert "2–3 Maret 2021" in overview.text
    assert "Draf" in overview.text
    assert "Ubah ke: Pendaftaran dibuka" in overview.text


async def test_event_form_errors_are_next_to_fields(client):
    organizer = await make_account("organizer")
    await sign_in(client, organizer)

    response = await post_form(
        client,
        "/acara/baru",
        {
            "name": "Acara Terbalik",
            "wilayah_code": "3205",
            "starts_on": "2021-03-05",
            "ends_on": "2021-03-01",
        },
    )

    assert response.status_code == 422
    assert 'id="ends_on-galat">tanggal selesai tidak boleh sebelum tanggal mulai' in response.text


async def test_organizer_opens_registration(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer)
    await sign_in(client, organizer)

    response = await post_form(
        client, f"/acara/{event['slug']}/status", {"status": "open"}, form_page=f"/acara/{event['slug']}"
    )

    assert response.status_code == 303
    assert (await events.get_event(slug=event["slug"])).status.value == "open"


async def test_organizer_adds_a_session_with_generated_slots(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, slots=0)
    await sign_in(client, organizer)

    response = await post_form(
        client,
        f"/acara/{event['slug']}/sesi",
        {
            "name": "Siang",
            "day": "2020-12-10",
            "slots.start": "13:00",
            "slots.minutes": "30",
            "slots.count": "3",
            "slots.gap_minutes": "10",
        },
    )
    page = await client.get(f"/acara/{event['slug']}/sesi")

    assert response.status_code == 303
    assert "Siang · 10 Desember 2020" in page.text
    assert "13.00–13.30" in page.text
    assert "14.20–14.50" in page.text


async def test_session_errors_map_onto_slot_fields(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, slots=0)
    await sign_in(client, organizer)

    response = await post_form(
        client,
        f"/acara/{event['slug']}/sesi",
        {
            "name": "Malam",
            "day": "2020-12-09",
            "slots.start": "23:00",
            "slots.minutes": "30",
            "slots.count": "4",
        },
    )

    assert response.status_code == 422
    assert 'id="slots.count-galat">slot melewati tengah malam; kurangi jumlah slot' in response.text


async def test_organizer_adds_tables(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, tables=0)
    await sign_in(client, organizer)

    response = await post_form(client, f"/acara/{event['slug']}/meja", {"count": "3", "prefix": "B"})
    page = await client.get(f"/acara/{event['slug']}/meja")

    assert response.status_code == 303
    assert "Meja pertemuan (3)" in page.text
    assert "<li>B01</li><li>B02</li><li>B03</li>" in page.text


async def test_organizer_finds_and_registers_a_pesantren_and_a_buyer(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="open")
    pesantren = await make_pesantren(name="Pesantren Nurul Huda")
    buyer = await make_buyer(name="Toko Berkah Jaya")
    await sign_in(client, organizer)

    found = await client.get(f"/acara/{event['slug']}/peserta?jenis=pesantren&cari=nurul")
    first = await client.post(
        f"/acara/{event['slug']}/peserta",
        data={
            "party_kind": "pesantren",
            "party_id": str(pesantren["id"]),
            "_csrf_token": csrf_from(found.text),
        },
    )
    second = await post_form(
        client, f"/acara/{event['slug']}/peserta", {"party_kind": "buyer", "party_id": str(buyer["id"])}
    )
    again = await post_form(
        client, f"/acara/{event['slug']}/peserta", {"party_kind": "buyer", "party_id": str(buyer["id"])}
    )
    listing = await client.get(f"/acara/{event['slug']}/peserta")

    assert "Daftarkan Pesantren Nurul Huda" in found.text
    assert first.status_code == 303
    assert second.status_code == 303
    assert (
        second.headers["location"] == f"/acara/{event['slug']}/peserta?jenis=buyer&terdaftar=Toko+Berkah+Jaya"
    )
    assert "Toko Berkah Jaya berhasil didaftarkan." in (await client.get(second.headers["location"])).text
    assert again.status_code == 409
    assert "Peserta ini sudah terdaftar di acara ini." in again.text
    assert "Terdaftar (2)" in listing.text


async def test_check_in_without_javascript_marks_present_and_returns_to_the_list(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="live")
    pesantren = await make_pesantren(name="Pesantren Miftahul Falah")
    other = await make_pesantren(name="Pesantren Lain Sekali")
    admin = (await make_account("admin")).actor
    from opop_events.events.schemas import RegistrationCreate

    registration = await events.register(
        actor=admin, slug=event["slug"], data=RegistrationCreate(pesantren_id=pesantren["id"])
    )
    await events.register(actor=admin, slug=event["slug"], data=RegistrationCreate(pesantren_id=other["id"]))
    await sign_in(client, organizer)

    search = await client.get(f"/acara/{event['slug']}/kehadiran?q=miftahul")
    response = await client.post(
        f"/acara/{event['slug']}/kehadiran/{registration.id}",
        data={"q": "miftahul", "_csrf_token": csrf_from(search.text)},
    )
    after = await client.get(f"/acara/{event['slug']}/kehadiran?q=miftahul")

    assert "1 peserta cocok" in search.text
    assert "Pesantren Lain Sekali" not in search.text
    assert 'src="/static/htmx.min.js"' in search.text
    assert response.status_code == 303
    assert response.headers["location"] == f"/acara/{event['slug']}/kehadiran?q=miftahul#r-{registration.id}"
    assert "✓ Hadir" in after.text


async def test_check_in_with_htmx_returns_just_the_row(client):
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="live")
    pesantren = await make_pesantren(name="Pesantren Al-Amin")
    admin = (await make_account("admin")).actor
    from opop_events.events.schemas import RegistrationCreate

    registration = await events.register(
        actor=admin, slug=event["slug"], data=RegistrationCreate(pesantren_id=pesantren["id"])
    )
    await sign_in(client, organizer)
    page = await client.get(f"/acara/{event['slug']}/kehadiran")

    response = await client.post(
        f"/acara/{event['slug']}/kehadiran/{registration.id}",
        data={"_csrf_token": csrf_from(page.text)},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.text.startswith(f'<li id="r-{registration.id}"')
    assert "✓ Hadir" in response.text
    assert "<html" not in response.text


async def test_public_pages_do_not_load_javascript(client):
    response = await client.get("/")

    assert "<script" not in response.text
