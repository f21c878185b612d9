"""The agenda page a badge's QR code opens (`/agenda/{token}`): public, phone-first, the participant's published
meetings in time order; a tampered link is the usual 404 page; the address printed on badges is this page."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from opop_events.core.dates import WIB
from opop_events.events.tables import Registration
from opop_events.matching.enums import Side
from opop_events.matching.services import agenda_url, make_agenda_token
from opop_events.settings import get_settings
from tests.factories import Account, make_account, make_buyer, make_event, make_pesantren


@dataclass
class Published:
    slug: str
    event_id: int
    organizer: Account
    buyer_id: int
    meetings: list[dict]  # the buyer's meetings, as the organizer's API lists them


@pytest.fixture
async def published(client) -> Published:
    """One buyer asked by three pesantren (each with its WhatsApp), scheduled and published."""
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="open", tables=2, slots=4)
    buyer = await make_buyer(name="Koperasi Agenda", whatsapp="081298765430", contact_person="Ibu Agenda")
    await Registration.insert(Registration(event=event["id"], party_kind="buyer", buyer=buyer["id"]))
    for i in range(3):
        pesantren = await make_pesantren(name=f"Pesantren Agenda {i}", whatsapp=f"08121111333{i}")
        await Registration.insert(Registration(event=event["id"], party_kind="pesantren", pesantren=pesantren["id"]))
        asked = await client.post(f"/api/v1/events/{event['slug']}/requests", headers=organizer.headers,
                                  json={"buyer_id": buyer["id"], "pesantren_id": pesantren["id"]})  # fmt: skip
        assert asked.status_code == 201, asked.text
    run = await client.post(f"/api/v1/events/{event['slug']}/schedule", json={"time_limit": 1},
                            headers=organizer.headers)  # fmt: skip
    assert run.status_code == 200, run.text
    published = await client.post(f"/api/v1/events/{event['slug']}/schedule/publish", headers=organizer.headers)
    assert published.status_code == 200, published.text
    meetings = (await client.get(f"/api/v1/events/{event['slug']}/meetings", headers=organizer.headers)).json()
    mine = [m for m in meetings if m["buyer_id"] == buyer["id"] and m["slot_id"]]
    assert len(mine) == 3
    return Published(event["slug"], event["id"], organizer, buyer["id"], mine)


def _clock(value: str) -> str:
    return f"{datetime.fromisoformat(value).astimezone(WIB):%H.%M}"


async def test_agenda_page_lists_the_meetings_in_time_order_without_an_account(client, published):
    token = make_agenda_token(event_id=published.event_id, side=Side.buyer, party_id=published.buyer_id)

    response = await client.get(f"/agenda/{token}")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    text = response.text
    assert "<h1>Koperasi Agenda</h1>" in text and "Agenda temu bisnis" in text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert 'href="/masuk"' not in text  # no login asked, no menu into the rest of the system
    items = re.findall(
        r'<li id="m-(\d+)" class="panel">\s*<p class="when"><strong>([\d.]+)–([\d.]+) WIB</strong></p>\s*'
        r'<p class="who"><span class="table-code">Meja ([^<]+)</span> ([^<]+)</p>.*?href="([^"]+)"',
        text,
        re.S,
    )
    expected = sorted(published.meetings, key=lambda m: m["starts_at"])
    assert [(int(i[0]), i[1], i[2], i[3], html.unescape(i[4])) for i in items] == [
        (m["id"], _clock(m["starts_at"]), _clock(m["ends_at"]), m["table_code"], m["pesantren_name"])
        for m in expected
    ]
    starts = [m["starts_at"] for m in expected]
    assert starts == sorted(starts) and len(set(starts)) == 3  # three different times, shown earliest first
    whatsapp = {m["pesantren_name"]: f"628121111333{m['pesantren_name'][-1]}" for m in expected}
    for item in items:
        assert html.unescape(item[5]).startswith(f"https://wa.me/{whatsapp[html.unescape(item[4])]}?text=")
    assert f'href="/api/v1/agenda/{token}/pdf"' in text
    pdf = await client.get(f"/api/v1/agenda/{token}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"].startswith("application/pdf")


async def test_tampered_or_unknown_agenda_links_are_the_404_page(client, published):
    token = make_agenda_token(event_id=published.event_id, side=Side.buyer, party_id=published.buyer_id)
    event, side, signature = token.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in (f"{event}.{side}.{flipped}", f"{event}.p{side[1:]}.{signature}", "bukan-tautan", "1" * 200):
        response = await client.get(f"/agenda/{bad}")
        assert response.status_code == 404, bad
        assert response.headers["content-type"].startswith("text/html")
        assert "Tautan agenda tidak sah." in response.text and "Koperasi Agenda" not in response.text


async def test_the_address_printed_on_badges_opens_this_page(client, published):
    """The badge prints `agenda_url(…)`; that address, taken from the PDF, is served by this page."""
    expected = agenda_url(event_id=published.event_id, side=Side.buyer, party_id=published.buyer_id)
    base = get_settings().base_url

    badges = await client.get(f"/api/v1/events/{published.slug}/badges.pdf", headers=published.organizer.headers)

    assert badges.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(badges.content)).pages)
    printed = re.findall(re.escape(base) + r"/agenda/[0-9]+\.[bp][0-9]+\.[A-Za-z0-9_-]{16}", text)
    assert expected in printed and len(printed) == 4  # one buyer, three pesantren
    for url in printed:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == base
        response = await client.get(parts.path)
        assert response.status_code == 200, url
    mine = await client.get(urlsplit(expected).path)
    assert "<h1>Koperasi Agenda</h1>" in mine.text
