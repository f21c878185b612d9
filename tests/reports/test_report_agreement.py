"""Every figure agrees across formats and with the ledger: random ledgers are built through the real services,
their expected totals are kept by the test itself, and the xlsx, pdf and csv rendered from `reports.queries`
must show exactly those rupiah."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from opop_events.catalog.enums import BUYER_TYPE_LABELS, BuyerType, Category
from opop_events.core.money import format_rupiah
from opop_events.deals import schemas as deal_schemas
from opop_events.deals import services as deals
from opop_events.deals.enums import DealKind, RealisationKind
from opop_events.events.tables import Registration
from opop_events.reports import queries
from opop_events.reports import services as reports
from tests.factories import make_account, make_buyer, make_event, make_pesantren

FINALS = ("dicatat", "dikonfirmasi", "diverifikasi", "disanggah", "dibatalkan")
COUNTED = {"dikonfirmasi", "diverifikasi"}

line_strategy = st.tuples(st.integers(1, 500), st.integers(1, 5_000_000))
deal_strategy = st.fixed_dictionaries(
    {
        "seller": st.integers(0, 2),
        "buyer": st.integers(0, 1),
        "kind": st.sampled_from(["transaksi", "kontrak", "komitmen"]),
        "lines": st.lists(line_strategy, min_size=1, max_size=3),
        "final": st.sampled_from(FINALS),
        "realised": st.integers(0, 3_000_000),
    }
)


async def _market():
    organizer = await make_account("organizer")
    event = await make_event(organizer=organizer, status="live")
    regions = ["3273", "3204", "3273"]
    sellers = []
    for code in regions:
        pesantren = await make_pesantren(wilayah_code=code)
        await Registration.insert(Registration(event=event["id"], party_kind="pesantren", pesantren=pesantren["id"]))
        sellers.append(await make_account("seller", pesantren_id=pesantren["id"]))
    buyers = []
    for buyer_type in ("ritel_modern", "horeka"):
        org = await make_buyer(buyer_type=buyer_type)
        buyers.append(await make_account("buyer", buyer_id=org["id"]))
    return event, sellers, buyers, await make_account("admin")


async def _play(plan: dict, event: dict, sellers, buyers, admin) -> dict:
    seller, buyer = sellers[plan["seller"]], buyers[plan["buyer"]]
    deal = await deals.log_deal(
        actor=seller.actor,
        data=deal_schemas.DealCreate(
            event_slug=event["slug"], kind=DealKind(plan["kind"]), deal_date=date(2020, 12, 9), buyer_id=buyer.actor.buyer_id,
            lines=[
                deal_schemas.LineIn(description=f"Barang {i}", category=Category.makanan, quantity=str(q), unit_price_rp=p, unit="kg")
                for i, (q, p) in enumerate(plan["lines"])
            ],
        ),
    )
    reason = deal_schemas.ReasonIn(version=1, reason="uji acak")
    if plan["final"] in COUNTED:
        await deals.confirm(actor=buyer.actor, deal_id=deal.id, data=deal_schemas.Confirm(version=1))
        if plan["final"] == "diverifikasi":
            await deals.verify(actor=admin.actor, deal_id=deal.id, data=deal_schemas.VersionIn(version=2))
        if plan["realised"]:
            await deals.record_realisation(
                actor=admin.actor, deal_id=deal.id,
                data=deal_schemas.RealisationCreate(kind=RealisationKind.pembayaran, realised_on=date(2021, 1, 5), amount_rp=plan["realised"]),
            )
    elif plan["final"] == "disanggah":
        await deals.dispute(actor=buyer.actor, deal_id=deal.id, data=reason)
    elif plan["final"] == "dibatalkan":
        await deals.cancel(actor=seller.actor, deal_id=deal.id, data=reason)
    return {
        "value": sum(q * p for q, p in plan["lines"]),
        "lines": [q * p for q, p in plan["lines"]],
        "state": plan["final"],
        "kind": plan["kind"],
        "region": ["Kota Bandung", "Kabupaten Bandung", "Kota Bandung"][plan["seller"]],
        "buyer_type": BUYER_TYPE_LABELS[BuyerType(["ritel_modern", "horeka"][plan["buyer"]])],
        "realised": plan["realised"] if plan["final"] in COUNTED else 0,
    }


def _xlsx_rows(path: Path, sheet: str) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    return [tuple(row) for row in workbook[sheet].iter_rows(values_only=True)]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=st.lists(deal_strategy, min_size=1, max_size=6))
async def test_xlsx_pdf_csv_agree_with_the_ledger(plans, tmp_path):
    event, sellers, buyers, admin = await _market()
    played = [await _play(plan, event, sellers, buyers, admin) for plan in plans]
    confirmed = sum(d["value"] for d in played if d["state"] in COUNTED)
    logged = sum(d["value"] for d in played if d["state"] == "dicatat")
    by_state: dict[str, int] = defaultdict(int)
    by_region: dict[str, int] = defaultdict(int)
    by_buyer_type: dict[str, int] = defaultdict(int)
    for d in played:
        by_state[d["state"]] += d["value"]
        if d["state"] in COUNTED:
            by_region[d["region"]] += d["value"]
            by_buyer_type[d["buyer_type"]] += d["value"]

    data = await queries.event_report(event_id=event["id"])
    assert (data.headline.confirmed_rp, data.headline.logged_rp) == (confirmed, logged)
    assert data.headline.realised_rp == sum(d["realised"] for d in played)
    assert {r.label: r.confirmed_rp for r in data.by_region if r.confirmed_rp} == dict(by_region)
    assert {r.label: r.confirmed_rp for r in data.by_buyer_type if r.confirmed_rp} == dict(by_buyer_type)
    assert data.inconsistencies() == []

    out = {}
    for fmt in ("xlsx", "csv", "pdf"):
        out[fmt] = (await reports.render(data=data, fmt=fmt, output=tmp_path / f"{event['slug']}.{fmt}")).path

    # csv: one row per deal line, integer nilai_rp, every state
    with out["csv"].open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    csv_by_state: dict[str, int] = defaultdict(int)
    for row in rows:
        csv_by_state[row["status"]] += int(row["nilai_rp"])
    assert dict(csv_by_state) == {s: v for s, v in by_state.items() if v}
    assert len(rows) == sum(len(d["lines"]) for d in played)

    # xlsx: the Transaksi sheet line by line equals the csv; Ringkasan and breakdowns equal the ledger
    transaksi = _xlsx_rows(out["xlsx"], "Transaksi")
    header = transaksi[0]
    value_col, state_col, no_col = header.index("Nilai (Rp)"), header.index("Status"), header.index("No. Transaksi")
    assert [(r[no_col], r[state_col], r[value_col]) for r in transaksi[1:]] == [
        (row["no_transaksi"], row["status"], int(row["nilai_rp"])) for row in rows
    ]
    summary = {r[0]: r[1] for r in _xlsx_rows(out["xlsx"], "Ringkasan") if r and r[0]}
    assert summary["Nilai transaksi terkonfirmasi (Rp)"] == confirmed
    assert summary["Nilai dicatat, belum dikonfirmasi (Rp)"] == logged
    region_sheet = _xlsx_rows(out["xlsx"], "Per Kabupaten-Kota")
    confirmed_col = region_sheet[0].index("Nilai Terkonfirmasi (Rp)")
    data_rows = [r for r in region_sheet[1:] if r[0] and r[0] != "TOTAL" and isinstance(r[confirmed_col], int)]
    assert sum(r[confirmed_col] for r in data_rows) == confirmed

    # pdf: the headline in numbers
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out["pdf"].read_bytes())).pages)
    assert format_rupiah(confirmed) in text
