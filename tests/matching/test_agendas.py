"""The printed schedule: agendas, table sheets, the grid (pdf, xlsx), badges and the signed agenda link."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from opop_events.core.errors import NotFound
from opop_events.events.tables import Registration
from opop_events.matching.enums import Side
from opop_events.matching.services import agenda_url, make_agenda_token, verify_agenda_token
from opop_events.reports.exporters import printing
from opop_events.reports.exporters._format import WIB
from opop_events.settings import get_settings
from tests.factories import Account, make_account, make_buyer, make_event, make_pesantren

DASH = "\u2013"  # between two times, as printed


@dataclass
class Fair:
    slug: str
    event_id: int
    organizer: Account
    buyers: list[Account]
    sellers: list[Account]
    outsider: Account
    meetings: list[dict]


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def slot_text(meeting: dict) -> str:
    """`09.20–09.40` of a meeting from the API (times there are UTC; the event is in WIB, UTC+7)."""
    start = datetime.fromisoformat(meeting["starts_at"]).astimezone(WIB)
    end = datetime.fromisoformat(meeting["ends_at"]).astimezone(WIB)
    return f"{start:%H.%M}{DASH}{end:%H.%M}"


async def _build(client, *, publish: bool) -> Fair:
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="open", tables=2, slots=4)
    buyers, sellers = [], []
    for i in range(3):
        buyer_org = await make_buyer(
            name=f"Pembeli Cetak {i}", whatsapp=f"08129876543{i}", contact_person=f"Bapak Pembeli {i}"
        )
        buyers.append(await make_account("buyer", buyer_id=buyer_org["id"]))
        pesantren = await make_pesantren(name=f"Pesantren Cetak {i}", whatsapp=f"08121111222{i}")
        sellers.append(await make_account("seller", pesantren_id=pesantren["id"]))
        await Registration.insert(
            Registration(event=event["id"], party_kind="buyer", buyer=buyer_org["id"]),
            Registration(event=event["id"], party_kind="pesantren", pesantren=pesantren["id"]),
        )
    slug = event["slug"]
    # every buyer meets every pesantren: 9 meetings, 8 places (4 slots × 2 tables)
    for b in range(3):
        for s in range(3):
            response = await client.post(
                f"/api/v1/events/{slug}/requests",
                json={"buyer_id": buyers[b].actor.buyer_id, "pesantren_id": sellers[s].actor.pesantren_id},
                headers=organizer.headers,
            )
            assert response.status_code == 201, response.text
    run = await client.post(
        f"/api/v1/events/{slug}/schedule", json={"time_limit": 1}, headers=organizer.headers
    )
    assert run.status_code == 200, run.text
    if publish:
        published = await client.post(f"/api/v1/events/{slug}/schedule/publish", headers=organizer.headers)
        assert published.status_code == 200, published.text
    meetings = (await client.get(f"/api/v1/events/{slug}/meetings", headers=organizer.headers)).json()
    return Fair(
        slug=slug,
        event_id=event["id"],
        organizer=organizer,
        buyers=buyers,
        sellers=sellers,
        outsider=await make_account("organizer"),
        meetings=meetings,
    )


@pytest.fixture(scope="module")
async def fair(app) -> Fair:
    """One published event shared by this module's read-only tests: building it (accounts, requests, a
    scheduler run) costs about two seconds, rendering a document a tenth of that."""
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as module_client:
        yield await _build(module_client, publish=True)


@pytest.fixture
async def clean_tables() -> None:
    """Replaces the harness's clean-up after every test, which would empty the shared `fair`: this module
    cleans once at its end (`_clean_at_module_end`); its tests that write use events of their own."""
    return


@pytest.fixture(scope="module", autouse=True)
async def _clean_at_module_end(database: None) -> None:
    yield
    from opop_events.db import raw, write_transaction
    from tests.conftest import ENGINE
    from tests.factories import data_tables

    names = [t._meta.tablename for t in data_tables()]
    if ENGINE == "postgres":
        await raw("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")
    else:
        async with write_transaction():
            for name in names:
                await raw(f'DELETE FROM "{name}"')


def placed(fair: Fair) -> list[dict]:
    return [m for m in fair.meetings if m["slot_id"]]


def assert_in_order(text: str, parts: list[str]) -> None:
    position = 0
    for part in parts:
        found = text.find(part, position)
        assert found >= 0, f"{part!r} missing (or out of order) in {text!r}"
        position = found + len(part)


async def download(client, url: str, account: Account | None, media_type: str = "application/pdf") -> bytes:
    response = await client.get(url, headers=account.headers if account else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return response.content


# -- agendas -------------------------------------------------------------------------------------------------


async def test_participant_agenda_pdf_lists_its_meetings_in_time_order(client, fair):
    buyer = fair.buyers[0]
    content = await download(client, f"/api/v1/events/{fair.slug}/agenda.pdf", buyer)
    pages = pdf_pages(content)
    text = "\n".join(pages)
    mine = sorted(
        (m for m in placed(fair) if m["buyer_id"] == buyer.actor.buyer_id), key=lambda m: m["starts_at"]
    )
    assert mine
    assert_in_order(
        text,
        [
            "PEMBELI",
            "Pembeli Cetak 0",
            "u.p. Bapak Pembeli 0",
            f"Temu Bisnis Uji {fair.slug}",
            "9\u201310 Desember 2020",
            "Rabu, 9 Desember 2020",
        ],
    )
    expected = []
    for m in mine:
        number = m["pesantren_name"][-1]
        expected += [f"{slot_text(m)} WIB", m["table_code"], m["pesantren_name"], f"+62 812-1111-222{number}"]
    assert_in_order(text, expected)
    assert "Pesantren Cetak" in text and "Pembeli Cetak 1" not in text
    assert [p.count("Halaman") for p in pages] == [1] * len(pages)
    assert "Halaman 1 dari 1" in pages[0]


async def test_participant_may_not_print_another_agenda_nor_the_organizer_documents(client, fair):
    seller = fair.sellers[0]
    url = f"/api/v1/events/{fair.slug}/agenda.pdf"
    own = await download(client, f"{url}?pesantren_id={seller.actor.pesantren_id}", seller)
    assert "Pesantren Cetak 0" in "".join(pdf_pages(own))
    other = fair.sellers[1].actor.pesantren_id
    for url in (
        f"/api/v1/events/{fair.slug}/agenda.pdf?pesantren_id={other}",
        f"/api/v1/events/{fair.slug}/agenda.pdf?buyer_id={fair.buyers[0].actor.buyer_id}",
        f"/api/v1/events/{fair.slug}/grid.pdf",
        f"/api/v1/events/{fair.slug}/grid.xlsx",
        f"/api/v1/events/{fair.slug}/tables.pdf",
        f"/api/v1/events/{fair.slug}/badges.pdf",
    ):
        response = await client.get(url, headers=seller.headers)
        assert (response.status_code, response.headers["content-type"]) == (
            403,
            "application/problem+json",
        ), url
    assert (
        await client.get(f"/api/v1/events/{fair.slug}/grid.pdf", headers=fair.outsider.headers)
    ).status_code == 403
    assert (await client.get(f"/api/v1/events/{fair.slug}/grid.pdf")).status_code == 401


async def test_organizer_prints_every_agenda_in_one_file_each_numbered_on_its_own(client, fair):
    content = await download(client, f"/api/v1/events/{fair.slug}/agenda.pdf", fair.organizer)
    pages = pdf_pages(content)
    names = [f"Pembeli Cetak {i}" for i in range(3)] + [f"Pesantren Cetak {i}" for i in range(3)]
    # everyone has a meeting; each agenda fits a page: buyers first, then pesantren, each by name
    assert len(pages) == 6
    assert [next(n for n in names if n in page.split("\n")[1]) for page in pages] == names
    assert all("Halaman 1 dari 1" in page for page in pages)
    url = f"/api/v1/events/{fair.slug}/agenda.pdf"
    one = await download(client, f"{url}?buyer_id={fair.buyers[2].actor.buyer_id}", fair.organizer)
    assert len(pdf_pages(one)) == 1 and "Pembeli Cetak 2" in pdf_pages(one)[0]
    both = await client.get(f"{url}?buyer_id=1&pesantren_id=1", headers=fair.organizer.headers)
    assert both.status_code == 422
    stranger = await make_buyer(name="Bukan Peserta")
    missing = await client.get(f"{url}?buyer_id={stranger['id']}", headers=fair.organizer.headers)
    assert missing.status_code == 404


async def test_agendas_wait_for_publishing_but_the_draft_grid_prints_marked(client):
    fair = await _build(client, publish=False)
    own = "".join(pdf_pages(await download(client, f"/api/v1/events/{fair.slug}/agenda.pdf", fair.buyers[0])))
    assert "Belum ada pertemuan terjadwal." in own
    everyone = await client.get(f"/api/v1/events/{fair.slug}/agenda.pdf", headers=fair.organizer.headers)
    assert everyone.status_code == 409
    text = "".join(pdf_pages(await download(client, f"/api/v1/events/{fair.slug}/grid.pdf", fair.organizer)))
    assert "USULAN, BELUM TERBIT" in text


# -- table sheets and grid -----------------------------------------------------------------------------------


async def test_table_sheets_give_each_table_its_slots_in_order(client, fair):
    pages = pdf_pages(await download(client, f"/api/v1/events/{fair.slug}/tables.pdf", fair.organizer))
    codes = sorted({m["table_code"] for m in placed(fair)})
    assert len(pages) == len(codes) == 2
    for code, page in zip(codes, pages, strict=True):
        assert_in_order(page, ["LEMBAR PETUGAS MEJA", f"Meja {code}", "Rabu, 9 Desember 2020"])
        here = sorted((m for m in placed(fair) if m["table_code"] == code), key=lambda m: m["starts_at"])
        assert_in_order(
            page, [part for m in here for part in (slot_text(m), m["buyer_name"], m["pesantren_name"])]
        )
        assert "Halaman 1 dari 1" in page and "USULAN" not in page


async def test_grid_pdf_shows_every_meeting_in_its_slot_row(client, fair):
    pages = pdf_pages(await download(client, f"/api/v1/events/{fair.slug}/grid.pdf", fair.organizer))
    assert len(pages) == 1
    text = pages[0]
    assert_in_order(text, ["JADWAL PERTEMUAN BISNIS", "Meja M01", "Meja M02"])
    by_slot: dict[str, list[dict]] = {}
    for m in placed(fair):
        by_slot.setdefault(m["starts_at"], []).append(m)
    expected = []
    for start in sorted(by_slot):
        row = sorted(by_slot[start], key=lambda m: m["table_code"])
        expected += [slot_text(row[0])] + [
            part for m in row for part in (m["buyer_name"], m["pesantren_name"])
        ]
    assert_in_order(text, expected)
    assert "Halaman 1 dari 1" in text
    a4 = await download(client, f"/api/v1/events/{fair.slug}/grid.pdf", fair.organizer)
    a3 = await download(client, f"/api/v1/events/{fair.slug}/grid.pdf?paper=a3", fair.organizer)
    sizes = [
        tuple(round(float(v)) for v in PdfReader(io.BytesIO(c)).pages[0].mediabox.upper_right)
        for c in (a4, a3)
    ]
    assert sizes == [(842, 595), (1191, 842)]  # landscape A4, landscape A3
    wrong = await client.get(f"/api/v1/events/{fair.slug}/grid.pdf?paper=a5", headers=fair.organizer.headers)
    assert wrong.status_code == 422


async def test_grid_xlsx_holds_each_active_meeting_once_in_its_slot_row_and_table_column(client, fair):
    content = await download(
        client,
        f"/api/v1/events/{fair.slug}/grid.xlsx",
        fair.organizer,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    workbook = load_workbook(io.BytesIO(content))
    grid = workbook["Jadwal"]
    rows = [list(r) for r in grid.iter_rows(values_only=True)]
    assert rows[0] == ["Tanggal", "Waktu (WIB)", "Meja M01", "Meja M02"]
    assert grid.freeze_panes == "C2"
    times = [row[1] for row in rows[1:]]
    assert times == [f"09.00{DASH}09.20", f"09.20{DASH}09.40", f"09.40{DASH}10.00", f"10.00{DASH}10.20"]
    assert {row[0] for row in rows[1:]} == {"9 Desember 2020"}
    expected = {
        (slot_text(m), f"Meja {m['table_code']}"): f"{m['buyer_name']} / {m['pesantren_name']}"
        for m in placed(fair)
    }
    found = {
        (row[1], rows[0][column]): row[column]
        for row in rows[1:]
        for column in range(2, len(row))
        if row[column]
    }
    assert found == expected
    assert len(expected) == len(placed(fair)) == 8
    listing = [list(r) for r in workbook["Daftar Pertemuan"].iter_rows(values_only=True)]
    assert listing[0] == ["Tanggal", "Waktu (WIB)", "Meja", "Pembeli", "Pesantren"]
    assert sorted((r[1], r[2], r[3], r[4]) for r in listing[1:]) == sorted(
        (slot_text(m), m["table_code"], m["buyer_name"], m["pesantren_name"]) for m in placed(fair)
    )
    assert {r[0] for r in listing[1:]} == {datetime(2020, 12, 9)}


# -- badges and the agenda link ------------------------------------------------------------------------------


async def test_badges_carry_name_role_and_a_link_to_the_own_agenda(client, fair):
    text = "".join(
        pdf_pages(await download(client, f"/api/v1/events/{fair.slug}/badges.pdf", fair.organizer))
    )
    base = get_settings().base_url
    for i, (buyer, seller) in enumerate(zip(fair.buyers, fair.sellers, strict=True)):
        assert (
            f"Bapak Pembeli {i}" in text and f"Pembeli Cetak {i}" in text and f"Pesantren Cetak {i}" in text
        )
        for side, party in ((Side.buyer, buyer.actor.buyer_id), (Side.pesantren, seller.actor.pesantren_id)):
            url = agenda_url(event_id=fair.event_id, side=side, party_id=party)
            assert url in text
            assert url.startswith(f"{base}/agenda/")
            assert verify_agenda_token(url.rsplit("/", 1)[1]) == (fair.event_id, side, party)
    assert text.count("PEMBELI") == 3 and text.count("PESANTREN") == 3
    assert (
        len(pdf_pages(await download(client, f"/api/v1/events/{fair.slug}/badges.pdf", fair.organizer))) == 1
    )


async def test_agenda_link_opens_only_its_own_agenda_without_an_account(client, fair):
    buyer = fair.buyers[1]
    token = make_agenda_token(event_id=fair.event_id, side=Side.buyer, party_id=buyer.actor.buyer_id)
    public = await client.get(f"/api/v1/agenda/{token}")
    assert public.status_code == 200, public.text
    signed_in = await client.get(f"/api/v1/events/{fair.slug}/agenda", headers=buyer.headers)
    assert public.json() == signed_in.json()
    assert public.json()["participant"] == "Pembeli Cetak 1" and public.json()["items"]
    text = "".join(pdf_pages(await download(client, f"/api/v1/agenda/{token}/pdf", None)))
    assert "Pembeli Cetak 1" in text and "Pembeli Cetak 0" not in text
    event, side, party = token.split(".")[0], token.split(".")[1], token.split(".")[2]
    other = fair.buyers[0].actor.buyer_id
    tampered = [
        f"{event}.b{other}.{party}",  # another participant under this signature
        f"{event}.p{side[1:]}.{party}",  # the other side
        f"{int(event) + 1}.{side}.{party}",  # another event
        f"{event}.{side}.{party[:-1]}{'A' if party[-1] != 'A' else 'B'}",
        "not-a-token",
        "1.b1." + "A" * 16,
    ]
    for bad in tampered:
        for suffix in ("", "/pdf"):
            response = await client.get(f"/api/v1/agenda/{bad}{suffix}")
            assert response.status_code == 404, (bad, suffix)
    assert (await client.get(f"/api/v1/agenda/{'1' * 90}")).status_code in (404, 422)
    with pytest.raises(NotFound):
        verify_agenda_token(f"{event}.b{other}.{party}")


async def test_agenda_link_stops_when_the_registration_is_cancelled(client):
    event = await make_event(status="open", tables=1, slots=1)
    pesantren = await make_pesantren(name="Pesantren Mundur")
    await Registration.insert(
        Registration(event=event["id"], party_kind="pesantren", pesantren=pesantren["id"])
    )
    token = make_agenda_token(event_id=event["id"], side=Side.pesantren, party_id=pesantren["id"])
    opened = await client.get(f"/api/v1/agenda/{token}")
    assert (opened.status_code, opened.json()["participant"], opened.json()["items"]) == (
        200,
        "Pesantren Mundur",
        [],
    )
    await Registration.update({Registration.status: "dibatalkan"}).where(Registration.event == event["id"])
    assert (await client.get(f"/api/v1/agenda/{token}")).status_code == 404


# -- the renderers on their own ------------------------------------------------------------------------------


def _grid(tables: int, slots: int = 3) -> printing.GridData:
    start = datetime(2020, 12, 9, 2, 0, tzinfo=UTC)
    event = printing.EventHeader(
        "Temu Bisnis OPOP 2020", "Gedung Sate, Bandung", date(2020, 12, 9), date(2020, 12, 9)
    )
    grid_slots = [
        printing.GridSlot(i + 1, start + timedelta(minutes=20 * i), start + timedelta(minutes=20 * i + 20))
        for i in range(slots)
    ]
    grid_tables = [printing.GridTable(100 + i, f"M{i + 1:02d}") for i in range(tables)]
    meetings = [
        printing.GridMeeting(s.id, t.id, f"Pembeli {s.id}-{t.code}", f"Pesantren {s.id}-{t.code}")
        for s in grid_slots
        for t in grid_tables
    ]
    return printing.GridData(event, grid_slots, grid_tables, meetings)


def test_grid_pdf_splits_many_tables_over_pages_in_even_groups():
    pages = pdf_pages(printing.grid_pdf(_grid(14)))
    assert len(pages) == 3
    assert [f"Meja M{n:02d}" in pages[i] for i, n in ((0, 1), (0, 5), (1, 6), (1, 10), (2, 11), (2, 14))] == [
        True
    ] * 6
    assert "Meja M06" not in pages[0] and "Meja M11" not in pages[1]
    assert ["Halaman 1 dari 3" in pages[0], "Halaman 3 dari 3" in pages[2]] == [True, True]
    assert "Pembeli 3-M14" in pages[2] and "09.40\u201310.00" in pages[2]


def test_grid_xlsx_writes_formula_like_names_as_text():
    grid = _grid(1, 1)
    grid = printing.GridData(
        grid.event,
        grid.slots,
        grid.tables,
        [printing.GridMeeting(1, 100, '=HYPERLINK("http://x")', "@Pesantren\x07")],
    )
    sheet = load_workbook(io.BytesIO(printing.grid_xlsx(grid)))["Jadwal"]
    assert sheet["C2"].value == '=HYPERLINK("http://x") / @Pesantren'
    assert sheet["C2"].data_type == "s"


def test_format_slot_is_wib_with_a_dot_and_an_en_dash():
    start = datetime(2020, 12, 9, 2, 20, tzinfo=UTC)
    assert printing.format_slot(start, start + timedelta(minutes=20)) == "09.20\u201309.40 WIB"
    assert printing.format_day(date(2020, 12, 9)) == "Rabu, 9 Desember 2020"


def test_agenda_pdf_numbers_pages_within_each_participant():
    start = datetime(2020, 12, 9, 1, 0, tzinfo=UTC)
    event = printing.EventHeader("Temu Bisnis OPOP 2020", "", date(2020, 12, 9), date(2020, 12, 9))
    many = [
        printing.AgendaLine(
            start + timedelta(minutes=10 * i),
            start + timedelta(minutes=10 * i + 10),
            "M01",
            f"Pesantren {i}",
            "",
            "Terjadwal",
        )
        for i in range(45)
    ]
    pages = pdf_pages(
        printing.agenda_pdf(
            [
                printing.AgendaData(
                    event, "Pembeli Sibuk", "buyer", many, url="http://x.test/agenda/1.b1.AAAAAAAAAAAAAAAA"
                ),
                printing.AgendaData(event, "Pesantren Santai", "pesantren", many[:1]),
            ]
        )
    )
    footers = [
        (re.findall(r"Halaman \d+ dari \d+", page), "Pembeli Sibuk" in page, "Pesantren Santai" in page)
        for page in pages
    ]
    assert footers == [
        (["Halaman 1 dari 2"], True, False),
        (["Halaman 2 dari 2"], True, False),
        (["Halaman 1 dari 1"], False, True),
    ]
    assert_in_order(pages[1], ["Waktu", "Pesantren 44"])  # the header row repeats on the next page
