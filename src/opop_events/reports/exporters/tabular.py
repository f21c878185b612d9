"""The report's tables, declared once: sheets of typed columns and row generators that xlsx and csv write.

Each sheet has one `iterate_<sheet>` generator (pretix style). A row is a tuple with one value per column;
the column's `Kind` says how to show it. A `Typed` value overrides the kind for one cell, for the summary
sheet whose value column mixes rupiah, counts, rates and text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from opop_events.core.money import terbilang
from opop_events.reports.exporters._format import format_datetime, format_period
from opop_events.reports.model import BreakdownRow, ReportData

DINAS_NAME = "Dinas Koperasi dan Usaha Kecil Provinsi Jawa Barat"

KIND_LABELS = {
    "transaksi": "Transaksi langsung",
    "kontrak": "Kontrak / pesanan (PO)",
    "komitmen": "Komitmen (MoU / LoI)",
}
"""Display names of the deal kinds, used by every format."""


class Kind(StrEnum):
    """How a cell's value is shown; the value itself never changes type (money stays int)."""

    TEXT = "text"
    COUNT = "count"  # int, grouped digits
    MONEY = "money"  # int rupiah
    DATE = "date"  # datetime.date
    QUANTITY = "quantity"  # exact decimal text such as "12.5"
    RATE = "rate"  # int basis points, shown as a percentage


@dataclass(frozen=True, slots=True)
class Column:
    """`key` is the machine header (csv), `title` the Indonesian header (xlsx); `total` marks summed columns;
    `width` fixes a spreadsheet column's width instead of fitting it to the content."""

    key: str
    title: str
    kind: Kind
    total: bool = False
    width: int | None = None


@dataclass(frozen=True, slots=True)
class Typed:
    """One cell whose kind differs from its column's."""

    value: object
    kind: Kind


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A bar chart of one value column against one label column, over the first `max_rows` data rows."""

    title: str
    label_column: int
    value_column: int
    max_rows: int = 20


Row = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Sheet:
    """A table: `rows()` yields data rows afresh on each call; `total_label` adds a closing sums row,
    `filter` an autofilter on the header."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterator[Row]]
    total_label: str | None = None
    chart: ChartSpec | None = None
    filter: bool = True


SUMMARY_COLUMNS = (
    Column("uraian", "Uraian", Kind.TEXT),
    # narrow, so numbers sit near their labels; long text runs on over the empty cell beside it
    Column("nilai", "Nilai", Kind.TEXT, width=22),
    Column("keterangan", "Keterangan", Kind.TEXT),
)


def _breakdown_columns(label_title: str) -> tuple[Column, ...]:
    return (
        Column("kode", "Kode", Kind.TEXT),
        Column("nama", label_title, Kind.TEXT),
        Column("jumlah_transaksi", "Jumlah Transaksi", Kind.COUNT),
        Column("nilai_terkonfirmasi_rp", "Nilai Terkonfirmasi (Rp)", Kind.MONEY, total=True),
        Column("nilai_dicatat_rp", "Nilai Dicatat, Belum Dikonfirmasi (Rp)", Kind.MONEY, total=True),
        Column("realisasi_rp", "Realisasi (Rp)", Kind.MONEY, total=True),
        Column("jumlah_pesantren", "Jumlah Pesantren", Kind.COUNT),
        Column("jumlah_pembeli", "Jumlah Pembeli", Kind.COUNT),
    )


DEAL_LINE_COLUMNS = (
    Column("no_transaksi", "No. Transaksi", Kind.TEXT),
    Column("tanggal", "Tanggal", Kind.DATE),
    Column("status", "Status", Kind.TEXT),
    Column("jenis", "Jenis", Kind.TEXT),
    Column("pesantren", "Pesantren", Kind.TEXT),
    Column("kabupaten_kota", "Kabupaten/Kota", Kind.TEXT),
    Column("pembeli", "Pembeli", Kind.TEXT),
    Column("jenis_pembeli", "Jenis Pembeli", Kind.TEXT),
    Column("kategori", "Kategori", Kind.TEXT),
    Column("uraian", "Uraian Barang/Jasa", Kind.TEXT),
    Column("jumlah", "Jumlah", Kind.QUANTITY),
    Column("satuan", "Satuan", Kind.TEXT),
    Column("harga_satuan_rp", "Harga Satuan (Rp)", Kind.MONEY),
    Column("nilai_rp", "Nilai (Rp)", Kind.MONEY),
    Column("susulan", "Susulan setelah Tutup Buku", Kind.TEXT),
)

# (sheet name, label column title, chart title, ReportData attribute); sheet names stay within Excel's 31
BREAKDOWNS = (
    ("Per Kabupaten-Kota", "Kabupaten/Kota", "Nilai terkonfirmasi per kabupaten/kota", "by_region"),
    ("Per Kategori", "Kategori Produk", "Nilai terkonfirmasi per kategori produk", "by_category"),
    ("Per Jenis Pembeli", "Jenis Pembeli", "Nilai terkonfirmasi per jenis pembeli", "by_buyer_type"),
    ("Per Pesantren", "Pesantren", "20 pesantren dengan nilai terkonfirmasi terbesar", "by_pesantren"),
    ("Per Pembeli", "Pembeli", "20 pembeli dengan nilai terkonfirmasi terbesar", "by_buyer"),
)

SUMMARY_SHEET = "Ringkasan"
DEAL_LINES_SHEET = "Transaksi"
TOTAL_LABEL = "TOTAL"


def closing_text(data: ReportData) -> str:
    """Whether the figure is closed (official) and since when, by whom and why: the same words in every format."""
    if not data.closings:
        return "Belum tutup buku: angka masih dapat berubah"
    if data.scope == "event" and len(data.closings) == 1:
        c = data.closings[0]
        return f"Ditutup {format_datetime(c.closed_at)} oleh {c.closed_by} ({c.reason}); angka resmi per saat itu"
    return f"{len(data.closings)} acara sudah tutup buku; angkanya dihitung per saat tutup buku masing-masing"


class ReportTables:
    """The sheets of one report, in workbook order."""

    def __init__(self, data: ReportData) -> None:
        self.data = data

    @property
    def sheets(self) -> list[Sheet]:
        sheets = [Sheet(SUMMARY_SHEET, SUMMARY_COLUMNS, self.iterate_summary, filter=False)]
        for name, label_title, chart_title, attribute in BREAKDOWNS:
            rows: list[BreakdownRow] = getattr(self.data, attribute)
            sheets.append(
                Sheet(
                    name,
                    _breakdown_columns(label_title),
                    partial(self.iterate_breakdown, rows),
                    total_label=TOTAL_LABEL,
                    chart=ChartSpec(chart_title, label_column=1, value_column=3),
                )
            )
        sheets.append(self.deal_lines_sheet)
        return sheets

    @property
    def deal_lines_sheet(self) -> Sheet:
        return Sheet(DEAL_LINES_SHEET, DEAL_LINE_COLUMNS, self.iterate_deal_lines)

    def iterate_summary(self) -> Iterator[Row]:
        data, h = self.data, self.data.headline
        text, money, count = Kind.TEXT, Kind.MONEY, Kind.COUNT
        yield "Judul laporan", data.title, None
        yield "Penyelenggara", DINAS_NAME, None
        yield "Kegiatan", data.subject, None
        yield "Tempat", data.venue or "-", None
        yield "Periode", format_period(data.period_start, data.period_end), None
        yield "Tanggal mulai", Typed(data.period_start, Kind.DATE), None
        yield "Tanggal selesai", Typed(data.period_end, Kind.DATE), None
        as_of = format_datetime(data.as_of) if data.as_of else format_datetime(data.generated_at)
        yield "Keadaan per", as_of, None
        yield "Dibuat pada", format_datetime(data.generated_at), None
        yield None, None, None
        yield (
            "Nilai transaksi terkonfirmasi (Rp)",
            Typed(h.confirmed_rp, money),
            "Status dikonfirmasi dan diverifikasi; angka utama laporan",
        )
        yield "Terbilang", Typed(terbilang(h.confirmed_rp), text), None
        yield "Tutup buku", closing_text(data), None
        if data.closings or data.late.deals:
            yield (
                "Susulan setelah tutup buku (Rp)",
                Typed(data.late.confirmed_rp, money),
                f"{data.late.deals:,} transaksi disepakati setelah tutup buku; tidak termasuk angka utama".replace(",", "."),
            )
        for kind, label in KIND_LABELS.items():
            yield f"{label} (Rp)", Typed(h.confirmed_by_kind[kind], money), "Bagian dari nilai terkonfirmasi"
        yield (
            "Nilai dicatat, belum dikonfirmasi (Rp)",
            Typed(h.logged_rp, money),
            "Dicatat satu pihak; belum termasuk angka utama",
        )
        yield "Realisasi (Rp)", Typed(h.realised_rp, money), "Pembayaran/pengiriman setelah temu bisnis"
        yield (
            "Tingkat realisasi",
            Typed(h.realisation_rate_bp, Kind.RATE),
            "Realisasi dibagi nilai terkonfirmasi",
        )
        yield None, None, None
        yield "Jumlah transaksi terkonfirmasi", Typed(h.deals_confirmed, count), None
        yield "Jumlah transaksi dicatat", Typed(h.deals_logged, count), "Belum dikonfirmasi"
        yield "Jumlah seluruh transaksi", Typed(h.deals_total, count), "Termasuk yang disanggah/dibatalkan"
        yield "Jumlah pesantren bertransaksi", Typed(h.pesantren, count), None
        yield "Jumlah pembeli bertransaksi", Typed(h.buyers, count), None
        yield "Jumlah pertemuan terlaksana", Typed(h.meetings_held, count), None
        yield (
            "Nilai terkonfirmasi per pertemuan (Rp)",
            Typed(h.value_per_meeting_rp, money),
            "Dibulatkan ke bawah" if h.meetings_held else "Belum ada pertemuan terlaksana yang tercatat",
        )

    @staticmethod
    def iterate_breakdown(rows: list[BreakdownRow]) -> Iterator[Row]:
        for row in rows:
            yield (
                row.key,
                row.label,
                row.deals,
                row.confirmed_rp,
                row.logged_rp,
                row.realised_rp,
                row.pesantren,
                row.buyers,
            )

    def iterate_deal_lines(self) -> Iterator[Row]:
        for line in self.data.deal_lines():
            yield (
                line.deal_no,
                line.deal_date,
                line.state,
                line.kind,
                line.pesantren,
                line.kabupaten_kota,
                line.buyer,
                line.buyer_type,
                line.category,
                line.description,
                line.quantity,
                line.unit,
                line.unit_price_rp,
                line.value_rp,
                "ya" if line.late else "",
            )
