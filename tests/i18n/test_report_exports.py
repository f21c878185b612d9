"""Reports in the requester's language: a Dinas user who chose English downloads an English workbook (sheet
names, headings, labels, dates) with the very same figures as the Indonesian one; the API follows
`Accept-Language`."""

from __future__ import annotations

import io

import msgspec
from openpyxl import load_workbook

from opop_events.deals import schemas
from opop_events.deals import services as deals
from tests.deals.conftest import Market, market  # noqa: F401 - the shared ledger fixture
from tests.web.conftest import post_form, sign_in


async def _confirmed_deal(m: Market) -> None:
    body = m.deal_body(lines=[{"product_id": m.product["id"], "quantity": "10", "unit_price_rp": 25_000}])
    deal = await deals.log_deal(actor=m.seller.actor, data=msgspec.convert(body, schemas.DealCreate))
    await deals.confirm(actor=m.buyer.actor, deal_id=deal.id, data=schemas.Confirm(version=deal.version))


def _summary(content: bytes, sheet: str) -> dict[object, object]:
    workbook = load_workbook(io.BytesIO(content))
    return {row[0]: row[1] for row in workbook[sheet].iter_rows(values_only=True) if row[0]}


async def test_a_dinas_user_who_chose_english_downloads_an_english_xlsx_with_the_same_figures(client, market):
    await _confirmed_deal(market)
    await sign_in(client, market.admin)
    url = f"/dinas/laporan/unduh?lingkup=acara&acara={market.slug}&format=xlsx&per="
    indonesian = (await client.get(url)).content

    await post_form(client, "/bahasa", {"language": "en", "next": "/dinas/laporan"}, form_page="/dinas/laporan")
    response = await client.get(url)

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "Summary" and "By Regency-City" in workbook.sheetnames
    english = _summary(response.content, "Summary")
    ours = _summary(indonesian, "Ringkasan")
    assert english["Confirmed deal value (Rp)"] == ours["Nilai transaksi terkonfirmasi (Rp)"] == 250_000
    assert english["All deals"] == ours["Jumlah seluruh transaksi"]
    assert english["Report title"] == "Business Matching Results Report"
    assert " December " in english["Generated on"] or " at " in english["Generated on"]
    assert "Terbilang" in ours and "In words" not in english  # the amount in words is Indonesian only
    headers = next(workbook["By Regency-City"].iter_rows(values_only=True))
    assert headers[:3] == ("Code", "Regency/City", "Number of Deals")
    deal_lines = list(workbook["Deals"].iter_rows(values_only=True))
    assert deal_lines[0][0] == "Deal No." and deal_lines[1][13] == 250_000


async def test_the_api_report_follows_accept_language(client, market):
    await _confirmed_deal(market)
    url = f"/api/v1/reports/events/{market.slug}?format=xlsx"
    response = await client.get(url, headers={**market.admin.headers, "Accept-Language": "en"})

    assert response.status_code == 200, response.text
    assert _summary(response.content, "Summary")["Confirmed deal value (Rp)"] == 250_000


async def test_the_english_pdf_and_csv_keep_their_figures_and_the_csv_its_column_keys(client, market):
    from pypdf import PdfReader

    await _confirmed_deal(market)
    url = f"/api/v1/reports/events/{market.slug}"
    english = {**market.admin.headers, "Accept-Language": "en"}
    pdf = await client.get(url, params={"format": "pdf"}, headers=english)
    csv_en = await client.get(url, params={"format": "csv"}, headers=english)
    csv_id = await client.get(url, params={"format": "csv"}, headers=market.admin.headers)

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "CONFIRMED DEAL VALUE" in text and "Rp250,000" in text and "Page 1 of" in text
    assert "NILAI TRANSAKSI TERKONFIRMASI" not in text
    assert csv_en.text.splitlines()[0] == csv_id.text.splitlines()[0]  # the keys scripts read
    assert csv_en.text.splitlines()[0].lstrip("\ufeff").startswith("no_transaksi,tanggal,status")
