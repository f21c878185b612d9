"""Excel import of Dinas lists: matching, all-or-nothing writes, every error located, API upload, CLI."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from opop_events.accounts.enums import Role
from opop_events.catalog.tables import Buyer, ImportBatch, Pesantren, Product
from opop_events.core.dates import format_datetime
from opop_events.core.errors import PROBLEM_MEDIA_TYPE
from opop_events.deals.tables import Deal, DealEvent, DealLine
from opop_events.events.tables import Registration
from opop_events.importing.service import import_workbook
from tests.catalog.test_import_helpers import workbook
from tests.factories import auth, data_tables, make_account, make_buyer, make_event, make_pesantren


async def _counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in data_tables()}


async def _organizer_event() -> tuple[Any, dict[str, Any]]:
    """A live event and the Dinas account that imports its rekap (agreed and verified rows are Dinas's to
    import; an organizer's list comes in as logged deals)."""
    organizer = await make_account(Role.organizer)
    event = await make_event(organizer=organizer, status="live", slots=0, tables=0)
    return await make_account(Role.admin), event


def _full_workbook() -> bytes:
    return workbook(_full_sheets())


def _full_sheets() -> dict[str, list[list[Any]]]:
    return (
        {
            "Pesantren": [
                ["Pesantren  Al-Ikhlas", "Kota Bandung", "Jl. Uji 1", "0812-3456-7890", "Ust. Ahmad", "510032730001"],
                ["Pesantren Baru Garut", "3205", "", "", "", None],
            ],
            "Pembeli": [
                ["Toko Sejahtera", "Ritel modern", "Bandung", "+62 813 1111 2222", "Bu Sari"],
                ["Hotel Baru", "horeka", "Garut", None, None],
            ],
            "Produk": [
                ["pesantren al-ikhlas", "Keripik Singkong", "Makanan", "kg", "Rp 45.000", "halal, PIRT"],
                ["Pesantren Baru Garut", "Kopi Garut", "minuman", "kg", 120000, None],
            ],
            "Transaksi": [
                [datetime(2020, 12, 9), "Pesantren Al-Ikhlas", "toko sejahtera", "transaksi", "Keripik Singkong",
                 10, None, "45.000", "Rp 450.000", "dikonfirmasi"],
                ["9 Des 2020", "Pesantren Baru Garut", "Hotel Baru", "kontrak", "Kopi Garut", "12,5", "kg",
                 120000, None, "diverifikasi"],
                ["2020-12-10", "Pesantren Lama", "Pembeli Lama", "Komitmen (MoU/LoI)", "Paket MoU", None, "paket",
                 None, "1.500.000.000", "dicatat"],
                ["10/12/2020", "Pesantren Lama", "Hotel Baru", None, "Lain-lain", 3, None, 1000, 3000, None],
            ],
        }
    )


async def test_import_happy_path_matches_names_writes_deals_with_history_and_totals() -> None:
    organizer, event = await _organizer_event()
    existing = await make_pesantren(name="Pesantren Al-Ikhlas", wilayah_code="3273")
    lama = await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    buyer_lama = await make_buyer(name="Pembeli Lama")
    before = await _counts()

    result = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=_full_workbook(),
                                   filename="/tmp/rekap.xlsx")

    assert result.errors == []
    assert (result.created_pesantren, result.created_buyers, result.created_products, result.created_deals,
            result.created_registrations) == (1, 2, 2, 4, 6)
    assert result.total_rp_by_status == {"dicatat": 1_500_003_000, "dikonfirmasi": 450_000, "diverifikasi": 1_500_000}
    after = await _counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "pesantren": 1, "buyer": 2, "product": 2, "registration": 6, "deal": 4, "deal_revision": 4, "deal_line": 4,
        "deal_event": 1 + 2 + 3 + 1, "import_batch": 1,
        # the current-state projection, written in the import's transaction: one row per deal and per current
        # line, and the stamp row of each deal's shard
        "deal_current": 4, "deal_line_current": 4, "ledger_stamp": 4,
    }
    # the existing pesantren was matched, not duplicated, and its deal links the workbook's product
    assert [p["id"] for p in await Pesantren.select(Pesantren.id, Pesantren.name) if "Ikhlas" in p["name"]] == [
        existing["id"]]
    lines = await DealLine.select(DealLine.description, DealLine.product.pesantren.as_alias("owner"),
                                  DealLine.category, DealLine.quantity, DealLine.unit,
                                  DealLine.unit_price_rp, DealLine.value_rp).order_by(DealLine.id)
    assert lines[0] == {"description": "Keripik Singkong", "owner": existing["id"], "category": "makanan",
                        "quantity": "10", "unit": "kg", "unit_price_rp": 45_000, "value_rp": 450_000}
    assert lines[1]["quantity"] == "12.5" and lines[1]["value_rp"] == 1_500_000
    assert lines[2] == {"description": "Paket MoU", "owner": None, "category": "lainnya", "quantity": "1",
                        "unit": "paket", "unit_price_rp": 1_500_000_000, "value_rp": 1_500_000_000}
    deals = await Deal.select(Deal.id, Deal.pesantren, Deal.buyer, Deal.origin).order_by(Deal.id)
    assert [d["origin"] for d in deals] == ["impor"] * 4
    assert deals[2]["pesantren"] == lama["id"] and deals[2]["buyer"] == buyer_lama["id"]
    history = await DealEvent.select(DealEvent.deal, DealEvent.version, DealEvent.action, DealEvent.state,
                                     DealEvent.actor, DealEvent.actor_label).order_by(DealEvent.deal).order_by(
        DealEvent.version)
    assert [(h["version"], h["action"], h["state"]) for h in history if h["deal"] == deals[1]["id"]] == [
        (1, "catat", "dicatat"), (2, "konfirmasi", "dikonfirmasi"), (3, "verifikasi", "diverifikasi")]
    assert {h["actor"] for h in history} == {organizer.actor.user_id}
    assert history[0]["actor_label"] == "impor Excel: rekap.xlsx, baris 2"
    registered = await Registration.select(Registration.party_kind).where(Registration.event == event["id"])
    assert sorted(r["party_kind"] for r in registered) == ["buyer"] * 3 + ["pesantren"] * 3
    product = await Product.select().where(Product.name == "Keripik Singkong").first()
    assert (product["price_rp"], product["cert_halal"], product["cert_pirt"], product["cert_bpom"]) == (
        45_000, True, True, False)
    new_pesantren = await Pesantren.select(Pesantren.wilayah.code.as_alias("code")).where(
        Pesantren.name == "Pesantren Baru Garut").first()
    assert new_pesantren == {"code": "3205"}
    buyer = await Buyer.select(Buyer.whatsapp, Buyer.buyer_type).where(Buyer.name == "Toko Sejahtera").first()
    assert buyer == {"whatsapp": "6281311112222", "buyer_type": "ritel_modern"}


async def _confirmed_total(event_id: int) -> int:
    from opop_events.reports import queries

    return (await queries.headline(queries.Scope(event_id=event_id))).confirmed_rp


async def test_import_of_content_already_imported_is_refused_naming_when_and_what_it_made() -> None:
    organizer, event = await _organizer_event()
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    content = _full_workbook()
    first = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content, filename="a.xlsx")
    confirmed = await _confirmed_total(event["id"])
    before = await _counts()
    batch = await ImportBatch.select().first()
    # the same list saved again from Excel: other bytes, a blank row, another name; the same content
    sheets = _full_sheets()
    resaved = workbook({**sheets, "Pesantren": [sheets["Pesantren"][0], [None] * 6, sheets["Pesantren"][1]]})

    again = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content, filename="a.xlsx")
    dry = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content, filename="a.xlsx",
                                dry_run=True)
    copy = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=resaved,
                                 filename="salinan.xlsx")

    when = format_datetime(batch["imported_at"])
    expected = (f"isi berkas ini sudah diimpor ke acara ini pada {when} oleh {organizer.actor.name or organizer.actor.email} "
                f"(a.xlsx; 4 transaksi dibuat)")
    assert (first.errors, first.created_deals, first.previous) == ([], 4, None)
    assert resaved != content
    for refused in (again, dry, copy):
        assert [(e.sheet, e.row, e.column, e.expected) for e in refused.errors] == [("", None, "", expected)]
        assert (refused.ok, refused.only_duplicates, refused.created_deals) == (False, True, 0)
        assert refused.previous is not None and refused.previous.batch_id == batch["id"]
    assert await _counts() == before
    assert await _confirmed_total(event["id"]) == confirmed
    assert {k: batch[k] for k in ("event_id", "filename", "actor_id", "created_pesantren", "created_buyers",
                                  "created_products", "created_registrations", "created_deals", "forced")} == {
        "event_id": event["id"], "filename": "a.xlsx", "actor_id": organizer.actor.user_id, "created_pesantren": 2,
        "created_buyers": 2, "created_products": 2, "created_registrations": 6, "created_deals": 4, "forced": False}
    assert batch["file_sha256"] == hashlib.sha256(content).hexdigest()


async def test_two_concurrent_imports_of_the_same_content_write_it_once() -> None:
    import asyncio

    organizer, event = await _organizer_event()
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    content = _full_workbook()

    results = await asyncio.gather(*(
        import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content, filename=f"{n}.xlsx")
        for n in ("a", "b")
    ))

    assert sorted(r.ok for r in results) == [False, True]
    assert [r.only_duplicates for r in results if not r.ok] == [True]
    assert (await Deal.count(), await ImportBatch.count()) == (4, 1)


async def test_import_of_the_same_content_into_another_event_is_not_refused() -> None:
    organizer, event = await _organizer_event()
    other = await make_event(organizer=organizer, status="live", slots=0, tables=0)
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    content = _full_workbook()
    await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content, filename="a.xlsx")

    elsewhere = await import_workbook(actor=organizer.actor, event_slug=other["slug"], content=content,
                                      filename="a.xlsx")

    assert (elsewhere.errors, elsewhere.created_deals) == ([], 4)


async def test_import_again_with_force_adds_the_deals_warns_and_records_a_forced_batch() -> None:
    organizer, event = await _organizer_event()
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    content = _full_workbook()
    await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content, filename="a.xlsx")
    confirmed = await _confirmed_total(event["id"])

    forced = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content,
                                   filename="a.xlsx", force=True)
    third = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content, filename="a.xlsx")

    assert (forced.errors, forced.forced, forced.created_pesantren, forced.created_buyers, forced.created_products,
            forced.created_registrations, forced.created_deals) == ([], True, 0, 0, 0, 0, 4)
    assert [w.expected.split(" pada ")[0] for w in forced.warnings] == ["isi berkas ini sudah diimpor ke acara ini"]
    assert await Deal.count() == 8
    assert await _confirmed_total(event["id"]) == 2 * confirmed
    batches = await ImportBatch.select(ImportBatch.forced, ImportBatch.created_deals).order_by(ImportBatch.id)
    assert batches == [{"forced": False, "created_deals": 4}, {"forced": True, "created_deals": 4}]
    assert [e.expected.split(" pada ")[0] for e in third.errors] == [
        "isi berkas ini sudah diimpor ke acara ini 2 kali, terakhir"]


async def test_import_rows_identical_to_a_deal_of_the_event_or_an_earlier_row_are_refused_unless_forced() -> None:
    from opop_events.deals import schemas
    from opop_events.deals import services as deals

    organizer, event = await _organizer_event()
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")

    def row(description: str, price: int, kind: str = "transaksi", day: str = "2020-12-09") -> list[Any]:
        return [day, "Pesantren Lama", "Pembeli Lama", kind, description, 2, "kg", price, None, "dikonfirmasi"]

    first = await import_workbook(actor=organizer.actor, event_slug=event["slug"], filename="hari1.xlsx",
                                  content=workbook({"Transaksi": [row("Kopi", 50_000), row("Teh", 10_000)]}))
    [kopi, teh] = [d["id"] for d in await Deal.select(Deal.id).order_by(Deal.id)]
    admin = await make_account(Role.admin)
    await deals.cancel(actor=admin.actor, deal_id=teh, data=schemas.ReasonIn(version=2, reason="salah catat"))
    before = await _counts()
    second = workbook({"Transaksi": [
        row("kopi ", 50_000),            # 2: the deal made by hari1.xlsx row 2 (case and spaces aside)
        row("Teh", 10_000),              # 3: identical to a cancelled deal: not a duplicate
        row("Kopi", 50_000, "kontrak"),  # 4: another kind
        row("Kopi", 50_000, day="2020-12-10"),  # 5: another day
        row("Gula", 20_000),             # 6
        row("Gula", 20_000),             # 7: the same as row 6
    ]})

    refused = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=second,
                                    filename="rekap.xlsx")
    after_refusal = await _counts()
    forced = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=second,
                                   filename="rekap.xlsx", force=True)

    same = "(pesantren, pembeli, tanggal, jenis dan barang sama)"
    assert first.errors == []
    assert [(e.sheet, e.row, e.expected) for e in refused.errors] == [
        ("Transaksi", 2, f"sama persis dengan TRX-{kopi:06d} yang sudah ada di acara ini "
                         f"(asal: impor Excel: hari1.xlsx, baris 2) {same}"),
        ("Transaksi", 7, f"sama persis dengan baris 6 berkas ini {same}"),
    ]
    assert refused.errors[0].line("rekap.xlsx").startswith("rekap.xlsx › Transaksi › baris 2: sama persis dengan TRX-")
    assert (refused.only_duplicates, refused.created_deals) == (True, 0)
    assert after_refusal == before
    assert (forced.errors, forced.created_deals, [w.row for w in forced.warnings]) == ([], 6, [2, 7])
    assert (await ImportBatch.select(ImportBatch.forced).order_by(ImportBatch.id)) == [
        {"forced": False}, {"forced": True}]


async def test_import_dry_run_writes_nothing() -> None:
    organizer, event = await _organizer_event()
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    before = await _counts()

    result = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=_full_workbook(),
                                   filename="rekap.xlsx", dry_run=True)

    assert (result.dry_run, result.errors, result.created_pesantren, result.created_deals) == (True, [], 2, 4)
    assert result.total_rp_by_status["dicatat"] == 1_500_003_000
    assert await _counts() == before


async def test_import_every_error_located_and_nothing_written() -> None:
    organizer, event = await _organizer_event()
    await make_pesantren(name="Pesantren Kembar", wilayah_code="3204")
    await make_pesantren(name="Pesantren Kembar", wilayah_code="3205")
    await make_pesantren(name="Pesantren Sah", wilayah_code="3273", nspp="111")
    await make_buyer(name="Pembeli Sah")
    content = workbook(
        {
            "Pesantren": [
                ["Pesantren A", "Bandung", None, None, None, None],  # 2: ambiguous wilayah
                ["Pesantren B", "Kota Antah", None, "12345", None, None],  # 3: unknown wilayah, bad phone
                [None, "3273", None, None, None, None],  # 4: name missing
                ["Pesantren C", "3273", None, None, None, "111"],  # 5: NSPP taken
                ["Pesantren D", "3273", None, None, None, None],
                ["pesantren  d", "Kota Bandung", None, None, None, None],  # 7: duplicate of row 6
            ],
            "Pembeli": [["Pembeli X", "pedagang kaki lima", None, None, None]],  # 2: unknown type
            "Produk": [["Pesantren Hilang", "Sabun", "kosmetik", "pcs", "1,5 juta", "halal, iso"]],
            "Transaksi": [
                ["31/02/2020", "Pesantren Sah", "Pembeli Sah", "transaksi", "x", 1, None, 1000, None, None],
                ["2020-12-09", "Pesantren Kembar", "Pembeli Sah", "hibah", "x", 1, None, 1000, None, "lunas"],
                ["2020-12-09", "Pesantren Sah", "Pembeli Hilang", None, "x", 2, None, 1000, 3000, None],
                ["2020-12-09", "Pesantren Sah", "Pembeli Sah", None, "x", "1.500", None, "=B2*2", None, None],
            ],
        }
    )
    before = await _counts()

    result = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content,
                                   filename="rekap.xlsx")

    assert await _counts() == before
    located = [(e.sheet, e.row, e.column, e.value) for e in result.errors]
    assert located == [
        ("Pesantren", 2, "kabupaten_kota", "Bandung"),
        ("Pesantren", 3, "kabupaten_kota", "Kota Antah"),
        ("Pesantren", 3, "whatsapp", "12345"),
        ("Pesantren", 4, "nama", ""),
        ("Pesantren", 5, "nspp", "111"),
        ("Pesantren", 7, "nama", "pesantren d"),
        ("Pembeli", 2, "jenis", "pedagang kaki lima"),
        ("Produk", 2, "kategori", "kosmetik"),
        ("Produk", 2, "harga", "1,5 juta"),
        ("Produk", 2, "sertifikasi", "halal, iso"),
        ("Transaksi", 2, "tanggal", "31/02/2020"),
        ("Transaksi", 3, "jenis", "hibah"),
        ("Transaksi", 3, "status", "lunas"),
        ("Transaksi", 4, "nilai", "3000"),
        ("Transaksi", 5, "jumlah", "1.500"),
        ("Transaksi", 5, "harga_satuan", "=B2*2"),
    ]
    by_place = {(e.sheet, e.row, e.column): e for e in result.errors}
    assert by_place[("Pesantren", 2, "kabupaten_kota")].expected == "ambigu; tulis 'Kabupaten Bandung' atau 'Kota Bandung'"
    assert by_place[("Produk", 2, "harga")].line("rekap.xlsx") == (
        "rekap.xlsx › Produk › baris 2 › kolom harga: '1,5 juta' — tulis angka bulat seperti 1.500.000")
    assert by_place[("Transaksi", 5, "harga_satuan")].expected == "rumus tidak diterima, tulis nilainya"
    assert by_place[("Transaksi", 4, "nilai")].expected == "tidak sama dengan jumlah × harga_satuan = Rp2.000"
    assert by_place[("Pesantren", 7, "nama")].expected == "ganda dengan baris 6"


async def test_import_reference_errors_name_candidates_and_suffix_disambiguates() -> None:
    organizer, event = await _organizer_event()
    await make_pesantren(name="Pesantren Kembar", wilayah_code="3204")
    twin = await make_pesantren(name="Pesantren Kembar", wilayah_code="3205")
    await make_buyer(name="Pembeli Sah")
    rows = [
        ["2020-12-09", "Pesantren Kembar", "Pembeli Sah", None, "x", 1, None, 1000, None, None],
        ["2020-12-09", "Pesantren Kembar (Kab. Garut)", "Pembeli Sah", None, "x", 1, None, 1000, None, None],
        ["2020-12-09", "Pesantren Hilang", "Pembeli Hilang", None, "x", 1, None, 1000, None, None],
    ]

    failed = await import_workbook(actor=organizer.actor, event_slug=event["slug"],
                                   content=workbook({"Transaksi": rows}), filename="r.xlsx")
    fixed = await import_workbook(actor=organizer.actor, event_slug=event["slug"],
                                  content=workbook({"Transaksi": rows[1:2]}), filename="r.xlsx")

    assert [(e.row, e.column, e.expected) for e in failed.errors] == [
        (2, "pesantren", ("pesantren ambigu, ada 2 dengan nama ini: 'Pesantren Kembar (Kabupaten Bandung)'; "
                          "'Pesantren Kembar (Kabupaten Garut)'; tulis salah satu persis seperti itu")),
        (4, "pesantren", "pesantren tidak ditemukan di basis data maupun di lembar Pesantren"),
        (4, "pembeli", "pembeli tidak ditemukan di basis data maupun di lembar Pembeli"),
    ]
    assert fixed.errors == [] and await Deal.select(Deal.pesantren).first() == {"pesantren": twin["id"]}


async def test_import_only_admin_or_the_events_organizer() -> None:
    from opop_events.core.errors import Forbidden

    _, event = await _organizer_event()
    stranger = await make_account(Role.organizer)
    with pytest.raises(Forbidden):
        await import_workbook(actor=stranger.actor, event_slug=event["slug"], content=b"x", filename="r.xlsx")


# -- interfaces ---------------------------------------------------------------------------------------------


@pytest.fixture
def import_client(app: Any, client: Any) -> Any:
    """The harness's client, its app given the import controller until app.py lists it (idempotent)."""
    from opop_events.importing.controllers import CONTROLLERS

    if not any(route.path == "/api/v1/events/{slug:str}/imports" for route in app.routes):
        for controller in CONTROLLERS:
            app.register(controller)
    return client


async def test_api_upload_dry_run_then_import(import_client: Any) -> None:
    organizer, event = await _organizer_event()
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    files = {"file": ("rekap.xlsx", _full_workbook(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    url = f"/api/v1/events/{event['slug']}/imports"

    dry = await import_client.post(url, params={"dry_run": "true"}, files=files, headers=auth(organizer))
    real = await import_client.post(url, files=files, headers=auth(organizer))
    again = await import_client.post(url, files=files, headers=auth(organizer))
    deals_after_refusal = await Deal.count()
    forced = await import_client.post(url, params={"force": "true"}, files=files, headers=auth(organizer))

    assert dry.status_code == 200, dry.text
    assert dry.json() == {
        "dry_run": True,
        "message": "Pratinjau rekap.xlsx: tidak ada galat; bila diimpor, 4 transaksi akan dibuat. Tidak ada yang "
                   "disimpan.",
        "created_pesantren": 2, "created_buyers": 2, "created_products": 2,
        "created_registrations": 6, "created_deals": 4,
        "total_rp_by_status": {"dicatat": 1_500_003_000, "dikonfirmasi": 450_000, "diverifikasi": 1_500_000},
        "warnings": [],
    }
    assert real.status_code == 200 and real.json() == {**dry.json(), "dry_run": False,
                                                       "message": "rekap.xlsx diimpor: 4 transaksi dibuat."}
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert again.json()["detail"] == ("rekap.xlsx: 1 galat karena sudah diimpor atau ganda; tidak ada yang ditulis. "
                                      "Kirim lagi dengan force=true bila memang ingin mengimpornya.")
    [refusal] = again.json()["errors"]
    assert refusal["field"] == "berkas"
    assert refusal["message"].startswith("isi berkas ini sudah diimpor ke acara ini pada ")
    assert refusal["message"].endswith(" (rekap.xlsx; 4 transaksi dibuat)")
    assert deals_after_refusal == 4
    assert forced.status_code == 200, forced.text
    assert (forced.json()["created_deals"], forced.json()["warnings"]) == (4, [refusal])
    assert await Deal.count() == 8


async def test_web_upload_of_an_imported_workbook_is_refused_through_the_same_rule(client: Any) -> None:
    from tests.web.conftest import csrf_from, sign_in

    admin = await make_account(Role.admin)
    _, event = await _organizer_event()
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    await import_workbook(actor=admin.actor, event_slug=event["slug"], content=_full_workbook(), filename="a.xlsx")
    await sign_in(client, admin)
    page = await client.get("/dinas/impor")

    response = await client.post(
        "/dinas/impor", data={"event_slug": event["slug"], "_csrf_token": csrf_from(page.text)},
        files={"berkas": ("rekap.xlsx", _full_workbook(), "application/octet-stream")},
    )

    assert response.status_code == 422
    assert "rekap.xlsx: 1 galat; tidak ada yang ditulis." in response.text
    assert "isi berkas ini sudah diimpor ke acara ini pada " in response.text
    assert await Deal.count() == 4


async def test_api_upload_errors_are_problem_json_422(import_client: Any) -> None:
    organizer, event = await _organizer_event()
    content = workbook({"Transaksi": [["2020-12-09", "X", "Y", None, "x", 1, None, "1,5 juta", None, None]]})
    url = f"/api/v1/events/{event['slug']}/imports"

    response = await import_client.post(url, files={"file": ("rekap.xlsx", content)}, headers=auth(organizer))
    bad_file = await import_client.post(url, files={"file": ("foto.jpg", b"\xff\xd8\xff")}, headers=auth(organizer))
    anonymous = await import_client.post(url, files={"file": ("rekap.xlsx", content)})

    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert response.json()["errors"] == [
        {"field": "Transaksi!baris 2!harga_satuan", "message": "'1,5 juta' — tulis angka bulat seperti 1.500.000"}]
    assert response.json()["detail"] == "rekap.xlsx: 1 galat; tidak ada yang ditulis."
    assert bad_file.status_code == 422 and bad_file.json()["errors"][0]["field"] == "berkas"
    assert anonymous.status_code == 401
    assert await Deal.count() == 0


async def test_api_upload_too_large_is_413(import_client: Any) -> None:
    organizer, event = await _organizer_event()
    response = await import_client.post(
        f"/api/v1/events/{event['slug']}/imports", files={"file": ("besar.xlsx", b"PK\x03\x04" + b"\0" * (21 * 1024 * 1024))},
        headers=auth(organizer),
    )
    assert response.status_code == 413


async def test_api_import_documented_in_openapi(import_client: Any) -> None:
    schema = (await import_client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/events/{slug}/imports"]["post"]
    assert operation["operationId"] == "importWorkbook"
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"413", "422"} <= set(operation["responses"])


def _cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPOP_DATABASE_URL": database_url, "PYTHONWARNINGS": "error::DeprecationWarning"}
    return subprocess.run([sys.executable, "-m", "opop_events.cli", "import", *args], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


async def test_cli_import_reports_errors_then_imports(tmp_path: Path, database_url: str) -> None:
    await make_account(Role.admin)
    _, event = await _organizer_event()
    await make_pesantren(name="Pesantren Lama", wilayah_code="3204")
    await make_buyer(name="Pembeli Lama")
    bad = tmp_path / "rekap.xlsx"
    bad.write_bytes(workbook({"Transaksi": [["2020-12-09", "Pesantren Lama", "Pembeli Lama", None, "x", 1, None,
                                             "1,5 juta", None, None]]}))
    good = tmp_path / "baik.xlsx"
    good.write_bytes(_full_workbook())

    failed = _cli(str(bad), "--event", event["slug"], database_url=database_url)
    done = _cli(str(good), "--event", event["slug"], database_url=database_url)

    assert failed.returncode == 2, failed.stderr
    assert failed.stderr.splitlines() == [
        "rekap.xlsx › Transaksi › baris 2 › kolom harga_satuan: '1,5 juta' — tulis angka bulat seperti 1.500.000",
        "Galat: rekap.xlsx: impor dibatalkan, 1 galat; tidak ada yang ditulis."]
    assert done.returncode == 0, done.stderr
    assert "transaksi   4" in done.stdout and "nilai dicatat       Rp1.500.003.000" in done.stdout
    assert await Deal.count() == 4


async def test_template_imports_cleanly_as_a_dry_run() -> None:
    from opop_events.settings import get_settings

    organizer, event = await _organizer_event()
    template = get_settings().fixtures_dir / "templates" / "impor_opop.xlsx"

    result = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=template.read_bytes(),
                                   filename=template.name, dry_run=True)

    assert result.errors == []
    assert (result.created_pesantren, result.created_buyers, result.created_products, result.created_deals) == (
        3, 3, 3, 3)
    assert result.total_rp_by_status == {"dicatat": 1_500_000, "dikonfirmasi": 4_500_000, "diverifikasi": 250_000_000}


async def test_bulk_import_deals_writes_what_import_deal_writes() -> None:
    from opop_events.db import write_transaction
    from opop_events.deals.enums import DealKind, DealState
    from opop_events.deals.services import ImportedDeal, ImportedLine, import_deal, import_deals
    from opop_events.deals.tables import DealRevision

    organizer, event = await _organizer_event()
    pesantren = await make_pesantren()
    buyer = await make_buyer()
    line = ImportedLine(description="Kopi", category="minuman", quantity="12.5", unit="kg", unit_price_rp=120_000,
                        value_rp=1_500_000)
    deal = ImportedDeal(pesantren_id=pesantren["id"], buyer_id=buyer["id"], kind=DealKind.kontrak,
                        deal_date=datetime(2020, 12, 9).date(), lines=[line], state=DealState.diverifikasi,
                        source="impor Excel: r.xlsx, baris 2")
    async with write_transaction():
        one = await import_deal(actor=organizer.actor, event_id=event["id"], pesantren_id=deal.pesantren_id,
                                buyer_id=deal.buyer_id, kind=deal.kind, deal_date=deal.deal_date, lines=deal.lines,
                                state=deal.state, source=deal.source)
        [bulk] = await import_deals(actor=organizer.actor, event_id=event["id"], deals=[deal])

    async def content(deal_id: int) -> dict[str, Any]:
        head = await Deal.select(Deal.event, Deal.pesantren, Deal.buyer, Deal.origin, Deal.meeting_id,
                                 Deal.created_by).where(Deal.id == deal_id).first()
        revision = await DealRevision.select(DealRevision.id, DealRevision.kind, DealRevision.deal_date,
                                             DealRevision.note).where(DealRevision.deal == deal_id).first()
        lines = await DealLine.select(*DealLine.all_columns(exclude=[DealLine.id, DealLine.revision])).where(
            DealLine.revision == revision.pop("id"))
        history = await DealEvent.select(*DealEvent.all_columns(exclude=[DealEvent.id, DealEvent.deal,
                                                                          DealEvent.revision, DealEvent.at])).where(
            DealEvent.deal == deal_id).order_by(DealEvent.version)
        return {"deal": head, "revision": revision, "lines": lines, "history": history}

    assert bulk == one + 1
    assert await content(bulk) == await content(one)


async def test_import_across_chunk_boundaries_keeps_every_row_with_its_parties() -> None:
    """520 new buyers (two catalog chunks of 500) and 850 deals with 3 history rows each (SQLite chunks of
    2,500 history rows): every deal must point at the buyer its row names."""
    organizer, event = await _organizer_event()
    buyers = [[f"Pembeli {i:04d}", "koperasi", None, None, None] for i in range(520)]
    deals = [["2020-12-09", "Pesantren Satu", f"Pembeli {i % 520:04d}", None, f"Baris {i + 2}", 1, None, 1000 + i,
              None, "diverifikasi"] for i in range(850)]
    content = workbook({"Pesantren": [["Pesantren Satu", "3273", None, None, None, None]], "Pembeli": buyers,
                        "Transaksi": deals})

    result = await import_workbook(actor=organizer.actor, event_slug=event["slug"], content=content,
                                   filename="besar.xlsx")

    assert (result.errors, result.created_buyers, result.created_deals) == ([], 520, 850)
    rows = await DealLine.select(DealLine.description, DealLine.unit_price_rp,
                                 DealLine.revision.deal.buyer.name.as_alias("buyer"))
    assert sorted((r["description"], r["unit_price_rp"], r["buyer"]) for r in rows) == sorted(
        (f"Baris {i + 2}", 1000 + i, f"Pembeli {i % 520:04d}") for i in range(850))
    assert await DealEvent.count() == 2_550
