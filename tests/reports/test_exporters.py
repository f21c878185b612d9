"""The three report exporters render the same figures, to the rupiah, and write safe, readable files."""

from __future__ import annotations

import csv
import io
import random
import re
import subprocess
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from opop_events.core.money import format_number, format_rupiah, line_value, terbilang
from opop_events.reports.exporters import EXPORTERS
from opop_events.reports.exporters._format import clean_text, format_datetime, format_period, format_rate_bp
from opop_events.reports.exporters.tabular import BREAKDOWNS, DEAL_LINE_COLUMNS
from opop_events.reports.model import (
    CONFIRMED_STATES,
    DEAL_KINDS,
    DEAL_LINE_STATES,
    LOGGED_STATES,
    BreakdownRow,
    DealLineRow,
    Headline,
    ReportData,
)

# --- factory --------------------------------------------------------------------------------------------

REGIONS = {
    "3204": "Kabupaten Bandung",
    "3205": "Kabupaten Garut",
    "3206": "Kabupaten Tasikmalaya",
    "3203": "Kabupaten Cianjur",
    "3273": "Kota Bandung",
    "3278": "Kota Tasikmalaya",
    "3201": "Kabupaten Bogor",
    "3209": "Kabupaten Cirebon",
}
CATEGORIES = {
    "makanan": "Makanan",
    "minuman": "Minuman",
    "fesyen": "Fesyen",
    "kerajinan": "Kerajinan",
    "agribisnis": "Agribisnis",
}
BUYER_TYPES = {
    "ritel_modern": "Ritel modern",
    "distributor": "Distributor",
    "horeka": "Hotel, restoran, katering",
    "bumn": "BUMN/BUMD",
}


@dataclass(frozen=True)
class Line:
    """A deal line with the codes the aggregation needs; `row` is what the exporters see."""

    row: DealLineRow
    region: str
    category: str
    buyer_type: str
    realised_rp: int


def aggregate(
    lines: list[Line],
    *,
    meetings_held: int = 40,
    subject: str = "Temu Bisnis OPOP 2020",
    as_of: datetime | None = None,
) -> ReportData:
    """A ReportData computed from deal lines the way `reports.queries` is specified to."""
    counted = [line for line in lines if line.row.state in CONFIRMED_STATES | LOGGED_STATES]
    confirmed = [line for line in lines if line.row.state in CONFIRMED_STATES]

    def breakdown(key_of, label_of, *, rank: bool = False) -> list[BreakdownRow]:
        groups: dict[str, list[Line]] = defaultdict(list)
        for line in counted:
            groups[key_of(line)].append(line)
        rows = [
            BreakdownRow(
                key=key,
                label=label_of(group[0]),
                deals=len({line.row.deal_no for line in group}),
                confirmed_rp=sum(line.row.value_rp for line in group if line.row.state in CONFIRMED_STATES),
                logged_rp=sum(line.row.value_rp for line in group if line.row.state in LOGGED_STATES),
                realised_rp=sum(line.realised_rp for line in group),
                pesantren=len({line.row.pesantren for line in group}),
                buyers=len({line.row.buyer for line in group}),
            )
            for key, group in groups.items()
        ]
        if rank:
            rows.sort(key=lambda row: (-row.confirmed_rp, row.label))
        else:
            rows.sort(key=lambda row: row.key)
        return rows

    by_kind = dict.fromkeys(DEAL_KINDS, 0)
    for line in confirmed:
        by_kind[line.row.kind] += line.row.value_rp
    dates = [line.row.deal_date for line in lines] or [date(2020, 12, 9)]
    headline = Headline(
        confirmed_rp=sum(line.row.value_rp for line in confirmed),
        logged_rp=sum(line.row.value_rp for line in counted if line.row.state in LOGGED_STATES),
        confirmed_by_kind=by_kind,
        realised_rp=sum(line.realised_rp for line in counted),
        deals_confirmed=len({line.row.deal_no for line in confirmed}),
        deals_logged=len({line.row.deal_no for line in counted if line.row.state in LOGGED_STATES}),
        deals_total=len({line.row.deal_no for line in lines}),
        pesantren=len({line.row.pesantren for line in confirmed}),
        buyers=len({line.row.buyer for line in confirmed}),
        meetings_held=meetings_held,
    )
    rows = [line.row for line in lines]
    return ReportData(
        title="Laporan Hasil Temu Bisnis",
        scope="event",
        subject=subject,
        venue="Aula Pusat Pengembangan Koperasi, Kota Bandung",
        period_start=min(dates),
        period_end=max(dates),
        as_of=as_of,
        generated_at=datetime(2020, 12, 10, 10, 5, tzinfo=UTC),
        headline=headline,
        by_region=breakdown(lambda line: line.region, lambda line: line.row.kabupaten_kota, rank=True),
        by_category=breakdown(lambda line: line.category, lambda line: line.row.category, rank=True),
        by_buyer_type=breakdown(lambda line: line.buyer_type, lambda line: line.row.buyer_type, rank=True),
        by_pesantren=breakdown(lambda line: line.row.pesantren, lambda line: line.row.pesantren, rank=True),
        by_buyer=breakdown(lambda line: line.row.buyer, lambda line: line.row.buyer, rank=True),
        deal_lines=lambda: iter(rows),
    )


def make_line(
    *,
    deal_no: str = "TB-0001",
    state: str = "dikonfirmasi",
    kind: str = "transaksi",
    pesantren: str = "Pondok Pesantren Al-Ittifaq",
    region: str = "3204",
    buyer: str = "PT Sumber Alfaria Trijaya",
    buyer_type: str = "ritel_modern",
    category: str = "agribisnis",
    description: str = "Sayuran segar",
    quantity: str = "12.5",
    unit: str = "kg",
    unit_price_rp: int = 18_000,
    deal_date: date = date(2020, 12, 9),
    realised_rp: int = 0,
) -> Line:
    return Line(
        row=DealLineRow(
            deal_no=deal_no,
            deal_date=deal_date,
            state=state,
            kind=kind,
            pesantren=pesantren,
            kabupaten_kota=REGIONS[region],
            buyer=buyer,
            buyer_type=BUYER_TYPES[buyer_type],
            category=CATEGORIES[category],
            description=description,
            quantity=quantity,
            unit=unit,
            unit_price_rp=unit_price_rp,
            value_rp=line_value(Decimal(quantity), unit_price_rp),
        ),
        region=region,
        category=category,
        buyer_type=buyer_type,
        realised_rp=realised_rp,
    )


PESANTREN_NAMES = [
    f"Pondok Pesantren {name}"
    for name in (
        "Al-Ittifaq",
        "Darul Arqam",
        "Miftahul Huda",
        "Cipasung",
        "Darussalam",
        "Al-Musaddadiyah",
        "Persis Tarogong",
        "Sukahideng",
        "Suryalaya",
        "Buntet",
        "Babakan Ciwaringin",
        "Al-Falah",
        "Baitul Hikmah",
        "Nurul Iman",
        "Al-Hikamussalafiyah",
        "Raudhatul Irfan",
        "Al-Muhajirin",
        "Daarut Tauhiid",
        "Al-Basyariyah",
        "Husnul Khotimah",
        "Al-Jawami",
        "Sindangsari Al-Jawami",
        "Manbaul Ulum",
        "Riyadlul Huda",
    )
]
BUYERS = [
    ("PT Sumber Alfaria Trijaya", "ritel_modern"),
    ("PT Indomarco Prismatama", "ritel_modern"),
    ("Yogya Group", "ritel_modern"),
    ("CV Berkah Niaga Distribusi", "distributor"),
    ("PT Pos Logistik Indonesia", "bumn"),
    ("Hotel Savoy Homann", "horeka"),
    ("Koperasi Karyawan Pusdai", "distributor"),
    ("PT Agro Jabar", "bumn"),
    ("Katering Sehat Bandung", "horeka"),
    ("PT Distribusi Pangan Priangan", "distributor"),
]


def rp21_lines(seed: int = 2020, target_rp: int = 21_000_000_000) -> list[Line]:
    """A realistic event: confirmed lines summing to exactly `target_rp`, plus logged lines and exits.

    Deals are drawn until the confirmed value nears 90 % of the target; one verified contract closes the gap.
    """
    rng = random.Random(seed)
    lines: list[Line] = []
    states = ["dikonfirmasi"] * 6 + ["diverifikasi"] * 3 + ["dicatat"] * 2 + ["disanggah", "dibatalkan"]
    confirmed = 0
    number = 0
    while True:
        number += 1
        state = rng.choice(states)
        kind = rng.choice(["transaksi", "kontrak", "kontrak", "komitmen"])
        pesantren = rng.choice(PESANTREN_NAMES)
        buyer, buyer_type = rng.choice(BUYERS)
        region = rng.choice(list(REGIONS))
        deal_date = date(2020, 12, 9) + timedelta(days=rng.randint(0, 1))
        deal = []
        for _ in range(rng.randint(1, 3)):
            quantity = str(Decimal(rng.randint(1, 2000)) / rng.choice([1, 1, 2, 4]))
            unit_price = rng.choice([8_500, 12_000, 25_000, 47_500, 150_000, 350_000])
            value = line_value(Decimal(quantity), unit_price)
            deal.append(
                make_line(
                    deal_no=f"TB-2020-{number:04d}",
                    state=state,
                    kind=kind,
                    pesantren=pesantren,
                    region=region,
                    buyer=buyer,
                    buyer_type=buyer_type,
                    category=rng.choice(list(CATEGORIES)),
                    description=rng.choice(["Kopi arabika", "Keripik singkong", "Mukena bordir", "Beras"]),
                    quantity=quantity,
                    unit=rng.choice(["kg", "pak", "buah", "kodi"]),
                    unit_price_rp=unit_price,
                    deal_date=deal_date,
                    realised_rp=value * rng.choice([0, 0, 25, 50, 100]) // 100
                    if state in CONFIRMED_STATES
                    else 0,
                )
            )
        deal_value = sum(line.row.value_rp for line in deal) if state in CONFIRMED_STATES else 0
        if confirmed + deal_value > target_rp * 9 // 10:
            break
        lines.extend(deal)
        confirmed += deal_value
    remainder = target_rp - confirmed
    lines.append(
        make_line(
            deal_no=f"TB-2020-{number:04d}",
            state="diverifikasi",
            kind="kontrak",
            pesantren=PESANTREN_NAMES[0],
            buyer="PT Agro Jabar",
            buyer_type="bumn",
            category="agribisnis",
            description="Kontrak pasokan sayuran 12 bulan",
            quantity="1",
            unit="kontrak",
            unit_price_rp=remainder,
            deal_date=date(2020, 12, 10),
            realised_rp=remainder // 10,
        )
    )
    return lines


def rp21_report(**kwargs) -> ReportData:
    return aggregate(rp21_lines(), **kwargs)


def render(data: ReportData, identifier: str) -> bytes:
    out = io.BytesIO()
    EXPORTERS[identifier].render(data, out)
    return out.getvalue()


# --- readers --------------------------------------------------------------------------------------------


def read_csv(raw: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def read_xlsx(raw: bytes):
    return load_workbook(io.BytesIO(raw))


def pdf_text(raw: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(raw))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def state_sums(rows: Iterable[DealLineRow]) -> dict[str, int]:
    sums = dict.fromkeys(DEAL_LINE_STATES, 0)
    for row in rows:
        sums[row.state] += row.value_rp
    return sums


# --- tests ---------------------------------------------------------------------------------------------


def test_factory_report_adds_up():
    data = rp21_report()

    assert data.headline.confirmed_rp == 21_000_000_000
    assert data.inconsistencies() == []


def test_registry_entries_have_content_types_and_extensions():
    assert {key: (e.extension, e.content_type.split(";")[0]) for key, e in EXPORTERS.items()} == {
        "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "pdf": ("pdf", "application/pdf"),
        "csv": ("csv", "text/csv"),
    }
    assert EXPORTERS["pdf"].filename(rp21_report()) == "laporan-temu-bisnis-opop-2020-20201210.pdf"


def test_importing_the_registry_loads_neither_openpyxl_nor_reportlab():
    code = (
        "import sys, opop_events.reports.exporters, opop_events.reports.model; "
        "print(sorted(m for m in ('openpyxl', 'reportlab') if m in sys.modules))"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"


def test_indonesian_formats():
    assert [
        format_period(date(2020, 12, 9), date(2020, 12, 10)),
        format_period(date(2020, 11, 30), date(2020, 12, 2)),
        format_period(date(2020, 12, 30), date(2021, 1, 2)),
        format_period(date(2020, 12, 9), date(2020, 12, 9)),
    ] == [
        "9\u201310 Desember 2020",
        "30 November \u2013 2 Desember 2020",
        "30 Desember 2020 \u2013 2 Januari 2021",
        "9 Desember 2020",
    ]
    assert [format_rate_bp(bp) for bp in (0, 4567, 4564, 10000, 12345)] == [
        "0,0%",
        "45,7%",
        "45,6%",
        "100,0%",
        "123,5%",
    ]
    assert format_datetime(datetime(2020, 12, 9, 23, 30, tzinfo=UTC)) == "10 Desember 2020 pukul 06.30 WIB"


def test_headline_rates_round_down_and_survive_zero():
    headline = rp21_report().headline

    assert headline.realisation_rate_bp == headline.realised_rp * 10000 // 21_000_000_000
    assert headline.value_per_meeting_rp == 21_000_000_000 // 40
    empty = aggregate([], meetings_held=0).headline
    assert (empty.realisation_rate_bp, empty.value_per_meeting_rp) == (0, 0)
    with pytest.raises(ValueError, match="confirmed_by_kind"):
        replace(empty, confirmed_by_kind={"transaksi": 0})


def test_csv_starts_with_bom_and_sums_to_the_ledger():
    data = rp21_report()

    raw = render(data, "csv")
    rows = read_csv(raw)

    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\xef\xbb\xbf") == 1
    assert list(rows[0]) == [column.key for column in DEAL_LINE_COLUMNS]
    sums = dict.fromkeys(DEAL_LINE_STATES, 0)
    for row in rows:
        sums[row["status"]] += int(row["nilai_rp"])
    assert sums == state_sums(data.deal_lines())
    assert sums["dikonfirmasi"] + sums["diverifikasi"] == 21_000_000_000


def test_csv_row_reads_as_plain_machine_values():
    data = aggregate([make_line(deal_no="TB-2020-0001", quantity="1250.5", unit_price_rp=18_000)])

    rows = read_csv(render(data, "csv"))

    assert rows == [
        {
            "no_transaksi": "TB-2020-0001",
            "tanggal": "2020-12-09",
            "status": "dikonfirmasi",
            "jenis": "transaksi",
            "pesantren": "Pondok Pesantren Al-Ittifaq",
            "kabupaten_kota": "Kabupaten Bandung",
            "pembeli": "PT Sumber Alfaria Trijaya",
            "jenis_pembeli": "Ritel modern",
            "kategori": "Agribisnis",
            "uraian": "Sayuran segar",
            "jumlah": "1250.5",
            "satuan": "kg",
            "harga_satuan_rp": "18000",
            "nilai_rp": "22509000",
            "susulan": "",
        }
    ]


def test_xlsx_sheets_totals_and_formats():
    data = rp21_report()

    workbook = read_xlsx(render(data, "xlsx"))

    assert workbook.sheetnames == [
        "Ringkasan",
        "Per Kabupaten-Kota",
        "Per Kategori",
        "Per Jenis Pembeli",
        "Per Pesantren",
        "Per Pembeli",
        "Transaksi",
    ]
    for name, _, _, attribute in BREAKDOWNS:
        ws = workbook[name]
        rows = getattr(data, attribute)
        last = len(rows) + 1
        total_row = list(ws[last + 1])
        assert total_row[0].value == "TOTAL"
        assert [c.value for c in total_row[3:6]] == [f"=SUM({col}2:{col}{last})" for col in "DEF"]
        written = [[ws.cell(row=r, column=c).value for c in (4, 5, 6)] for r in range(2, last + 1)]
        assert [sum(column) for column in zip(*written, strict=True)] == [
            data.headline.confirmed_rp,
            data.headline.logged_rp,
            data.headline.realised_rp,
        ]
        assert [row[:3] for row in ws.iter_rows(min_row=2, max_row=last, values_only=True)] == [
            (row.key, row.label, row.deals) for row in rows
        ]
        assert ws.max_row == last + 1
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:H{last}"
        assert ws["D2"].number_format == "[$Rp-421]#,##0"
        assert ws["D2"].data_type == "n" and isinstance(ws["D2"].value, int)
    transaksi = workbook["Transaksi"]
    values = [row[13] for row in transaksi.iter_rows(min_row=2, values_only=True)]
    assert sum(values) == sum(line.value_rp for line in data.deal_lines())
    assert transaksi["B2"].is_date and transaksi["B2"].number_format == "dd/mm/yyyy"
    assert transaksi["N2"].number_format == "[$Rp-421]#,##0"


def test_xlsx_summary_holds_the_headline_as_plain_numbers():
    data = rp21_report(as_of=datetime(2020, 12, 10, 10, 0, tzinfo=UTC))
    h = data.headline

    ws = read_xlsx(render(data, "xlsx"))["Ringkasan"]
    summary = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}

    assert summary == {
        "Judul laporan": "Laporan Hasil Temu Bisnis",
        "Penyelenggara": "Dinas Koperasi dan Usaha Kecil Provinsi Jawa Barat",
        "Kegiatan": "Temu Bisnis OPOP 2020",
        "Tempat": "Aula Pusat Pengembangan Koperasi, Kota Bandung",
        "Periode": "9\u201310 Desember 2020",
        "Tanggal mulai": datetime(2020, 12, 9),
        "Tanggal selesai": datetime(2020, 12, 10),
        "Keadaan per": "10 Desember 2020 pukul 17.00 WIB",
        "Dibuat pada": "10 Desember 2020 pukul 17.05 WIB",
        "Nilai transaksi terkonfirmasi (Rp)": 21_000_000_000,
        "Terbilang": "dua puluh satu miliar rupiah",
        "Tutup buku": "Belum tutup buku: angka masih dapat berubah",
        "Transaksi langsung (Rp)": h.confirmed_by_kind["transaksi"],
        "Kontrak / pesanan (PO) (Rp)": h.confirmed_by_kind["kontrak"],
        "Komitmen (MoU / LoI) (Rp)": h.confirmed_by_kind["komitmen"],
        "Nilai dicatat, belum dikonfirmasi (Rp)": h.logged_rp,
        "Realisasi (Rp)": h.realised_rp,
        "Tingkat realisasi": pytest.approx(h.realisation_rate_bp / 10000),
        "Jumlah transaksi terkonfirmasi": h.deals_confirmed,
        "Jumlah transaksi dicatat": h.deals_logged,
        "Jumlah seluruh transaksi": h.deals_total,
        "Jumlah pesantren bertransaksi": h.pesantren,
        "Jumlah pembeli bertransaksi": h.buyers,
        "Jumlah pertemuan terlaksana": h.meetings_held,
        "Nilai terkonfirmasi per pertemuan (Rp)": h.value_per_meeting_rp,
    }
    assert not any(cell.data_type == "f" for row in ws.iter_rows() for cell in row)


def test_xlsx_has_a_bar_chart_on_each_breakdown_sheet():
    data = rp21_report()

    raw = render(data, "xlsx")

    namespace = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = sorted(name for name in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", name))
        charts = [ElementTree.fromstring(archive.read(name)) for name in names]
    references = [
        (
            chart.find(".//c:barChart/c:barDir", namespace).get("val"),
            chart.find(".//c:ser/c:cat//c:f", namespace).text,
            chart.find(".//c:ser/c:val//c:f", namespace).text,
        )
        for chart in charts
    ]
    expected = []
    for name, _, _, attribute in BREAKDOWNS:
        last = min(len(getattr(data, attribute)), 20) + 1
        expected.append(("bar", f"'{name}'!$B$2:$B${last}", f"'{name}'!$D$2:$D${last}"))
    assert references == expected


INJECTIONS = [
    '=HYPERLINK("http://evil.example","klik")',
    "+62 812 3456 7890",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def test_injection_strings_stay_text():
    lines = [
        make_line(deal_no=f"TB-{i}", description=text, pesantren=f"Pesantren {text}", unit=text)
        for i, text in enumerate(INJECTIONS)
    ]
    data = aggregate(lines)

    workbook = read_xlsx(render(data, "xlsx"))
    csv_rows = read_csv(render(data, "csv"))

    transaksi = list(workbook["Transaksi"].iter_rows(min_row=2))
    # XML reads a bare CR as LF, so the workbook stores line breaks as LF
    assert [row[9].value for row in transaksi] == [text.replace("\r", "\n") for text in INJECTIONS]
    assert all(row[9].data_type == "s" and row[11].data_type == "s" for row in transaksi)
    assert [row[9].quotePrefix for row in transaksi] == [True, True, True, True, True, False, False]
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert re.fullmatch(r"=SUM\([D-F]2:[D-F]\d+\)", cell.value), cell.value
    assert [row["uraian"] for row in csv_rows] == [
        "'" + text if text[0] in "=+-@\t\r" else text for text in INJECTIONS
    ]


def test_xml_illegal_characters_are_stripped():
    data = aggregate([make_line(description="Kopi\x00 arabika\x0b\x1f \ud800premium", unit="k\x07g")])

    workbook = read_xlsx(render(data, "xlsx"))
    csv_rows = read_csv(render(data, "csv"))
    _, texts = pdf_text(render(data, "pdf"))

    assert workbook["Transaksi"]["J2"].value == "Kopi arabika premium"
    assert workbook["Transaksi"]["L2"].value == "kg"
    assert (csv_rows[0]["uraian"], csv_rows[0]["satuan"]) == ("Kopi arabika premium", "kg")
    assert texts


def test_pdf_numbers_pages_and_shows_the_headline():
    data = rp21_report(as_of=datetime(2020, 12, 10, 10, 0, tzinfo=UTC))

    pages, texts = pdf_text(render(data, "pdf"))

    assert pages >= 2
    assert [re.findall(r"Halaman \d+ dari \d+", text) for text in texts] == [
        [f"Halaman {number} dari {pages}"] for number in range(1, pages + 1)
    ]
    everything = "\n".join(texts)
    flat = " ".join(everything.split())
    for expected in (
        "LAPORAN HASIL TEMU BISNIS",
        "DINAS KOPERASI DAN USAHA KECIL",
        "Rp21.000.000.000",
        "Rp21 miliar",
        "(dua puluh satu miliar rupiah)",
        "9\u201310 Desember 2020",
        "Keadaan per 10 Desember 2020 pukul 17.00 WIB",
        "Bandung, 10 Desember 2020",
        "Kepala Dinas Koperasi dan Usaha Kecil Provinsi Jawa Barat",
        format_rupiah(data.headline.realised_rp),
        format_rate_bp(data.headline.realisation_rate_bp),
    ):
        assert expected in flat, expected
    # every region row and the breakdown total, to the rupiah
    for row in data.by_region:
        assert f"{row.label} {format_number(row.deals)} {format_number(row.pesantren)} " in flat
        assert format_number(row.confirmed_rp) in flat
    assert f"TOTAL {format_number(21_000_000_000)} 100,0%" in flat


def test_pdf_signatory_name_when_given():
    data = replace(aggregate([make_line()]), signatory_name="Dr. H. Contoh Nama, M.Si.")

    _, texts = pdf_text(render(data, "pdf"))

    assert "Dr. H. Contoh Nama, M.Si." in texts[-1]


def test_pdf_ranks_the_top_twenty_and_groups_the_rest():
    lines = [
        make_line(deal_no=f"TB-{i:03d}", pesantren=f"Pesantren Nomor {i:02d}", unit_price_rp=1_000 * (i + 1))
        for i in range(25)
    ]
    data = aggregate(lines)

    _, texts = pdf_text(render(data, "pdf"))
    flat = " ".join(" ".join(texts).split())

    rest = data.by_pesantren[20:]
    assert "20 PESANTREN DENGAN NILAI TERBESAR" in flat
    assert f"Lainnya (5 pesantren) {format_number(sum(r.deals for r in rest))}" in flat
    assert format_number(sum(r.confirmed_rp for r in rest)) in flat
    assert "Pesantren Nomor 04" not in flat.split("VI.")[0].split("V.")[-1]


def test_overlong_names_are_cut_in_the_pdf_and_kept_in_the_spreadsheets():
    name = "Pondok Pesantren " + "Panjang " * 700
    data = aggregate([make_line(pesantren=name, buyer="X" * 5000)], subject="Temu Bisnis " * 100)

    pages, texts = pdf_text(render(data, "pdf"))
    workbook = read_xlsx(render(data, "xlsx"))
    rows = read_csv(render(data, "csv"))

    assert f"Halaman {pages} dari {pages}" in texts[-1]
    assert "\u2026" in " ".join(texts)
    assert workbook["Transaksi"]["E2"].value == name
    assert rows[0]["pembeli"] == "X" * 5000


def test_empty_report_renders_in_every_format():
    data = aggregate([])

    workbook = read_xlsx(render(data, "xlsx"))
    rows = read_csv(render(data, "csv"))
    pages, texts = pdf_text(render(data, "pdf"))

    assert rows == []
    assert workbook["Per Kategori"]["A2"].value == "TOTAL"
    assert workbook["Per Kategori"]["D2"].value == 0
    assert f"Halaman 1 dari {pages}" in texts[0]
    assert "Rp0" in "\n".join(texts)


def test_renderers_leave_the_stream_open_and_read_the_lines_once():
    data = rp21_report()
    calls = []

    def lines():
        calls.append(1)
        return data.deal_lines()

    counted = replace(data, deal_lines=lines)
    for identifier in EXPORTERS:
        out = io.BytesIO()
        EXPORTERS[identifier].render(counted, out)
        assert not out.closed and out.tell() > 0
    assert len(calls) == 2  # xlsx and csv stream them once each; the pdf does not list lines


def test_report_data_refuses_naive_datetimes():
    data = rp21_report()

    with pytest.raises(ValueError, match="timezone-aware"):
        replace(data, generated_at=datetime(2020, 12, 10, 10, 0))


# --- property: every format agrees with the ledger ------------------------------------------------------

text_strategy = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@st.composite
def ledgers(draw) -> list[Line]:
    count = draw(st.integers(min_value=0, max_value=25))
    lines = []
    for index in range(count):
        quantity = draw(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3))
        lines.append(
            make_line(
                deal_no=f"TB-{index:03d}",
                state=draw(st.sampled_from(DEAL_LINE_STATES)),
                kind=draw(st.sampled_from(DEAL_KINDS)),
                pesantren=draw(st.sampled_from(PESANTREN_NAMES[:5])),
                region=draw(st.sampled_from(list(REGIONS))),
                buyer=draw(text_strategy),
                buyer_type=draw(st.sampled_from(list(BUYER_TYPES))),
                category=draw(st.sampled_from(list(CATEGORIES))),
                description=draw(text_strategy),
                quantity=format(quantity.normalize(), "f"),
                unit_price_rp=draw(st.integers(min_value=0, max_value=10**9)),
                realised_rp=draw(st.integers(min_value=0, max_value=10**9)),
            )
        )
    return lines


def xlsx_text(text: str) -> str:
    return clean_text(text).replace("\r\n", "\n").replace("\r", "\n")


def csv_text(text: str) -> str:
    cleaned = clean_text(text)
    return "'" + cleaned if cleaned[:1] in ("=", "+", "-", "@", "\t", "\r") else cleaned


@settings(max_examples=6, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=ledgers())
def test_every_format_agrees_with_the_ledger(lines):
    data = aggregate(lines)
    expected = state_sums(data.deal_lines())

    csv_rows = read_csv(render(data, "csv"))
    workbook = read_xlsx(render(data, "xlsx"))
    pages, texts = pdf_text(render(data, "pdf"))

    xlsx_lines = list(workbook["Transaksi"].iter_rows(min_row=2, values_only=True))
    csv_sums = dict.fromkeys(DEAL_LINE_STATES, 0)
    for row in csv_rows:
        csv_sums[row["status"]] += int(row["nilai_rp"])
    xlsx_sums = dict.fromkeys(DEAL_LINE_STATES, 0)
    for row in xlsx_lines:
        xlsx_sums[row[2]] += row[13]
    assert csv_sums == xlsx_sums == expected
    assert sum(expected[state] for state in CONFIRMED_STATES) == data.headline.confirmed_rp
    assert [Decimal(row["jumlah"]) for row in csv_rows] == [Decimal(str(r[10])) for r in xlsx_lines]
    assert [row["uraian"] for row in csv_rows] == [csv_text(line.row.description) for line in lines]
    assert [row[9] or "" for row in xlsx_lines] == [xlsx_text(line.row.description) for line in lines]
    assert all(cell.data_type != "f" for row in workbook["Transaksi"].iter_rows() for cell in row)
    summary = {row[0]: row[1] for row in workbook["Ringkasan"].iter_rows(min_row=2, values_only=True)}
    assert summary["Nilai transaksi terkonfirmasi (Rp)"] == data.headline.confirmed_rp
    assert summary["Terbilang"] == terbilang(data.headline.confirmed_rp)
    assert format_rupiah(data.headline.confirmed_rp) in texts[0]
    assert f"Halaman {pages} dari {pages}" in texts[-1]


def test_value_per_meeting_says_so_when_no_meeting_was_held():
    none_held = rp21_report(meetings_held=0)
    held = rp21_report(meetings_held=40)

    _, pages = pdf_text(render(none_held, "pdf"))
    assert "– (belum ada pertemuan terlaksana)" in "\n".join(pages)
    _, pages = pdf_text(render(held, "pdf"))
    assert "belum ada pertemuan" not in "\n".join(pages)
    for data, note in ((none_held, "Belum ada pertemuan terlaksana yang tercatat"), (held, "Dibulatkan ke bawah")):
        ws = read_xlsx(render(data, "xlsx"))["Ringkasan"]
        row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Nilai terkonfirmasi per pertemuan (Rp)")
        assert row[1:3] == (data.headline.value_per_meeting_rp, note)
