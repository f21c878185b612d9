"""The report's tables, declared once: sheets of typed columns and row generators that xlsx and csv write.

Each sheet has one `iterate_<sheet>` generator (pretix style). A row is a tuple with one value per column;
the column's `Kind` says how to show it. A `Typed` value overrides the kind for one cell, for the summary
sheet whose value column mixes rupiah, counts, rates and text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import partial

from opop_events.core.i18n import N_, SOURCE_LANGUAGE, _, current_language
from opop_events.core.money import format_number, terbilang
from opop_events.reports.exporters._format import format_datetime, format_period
from opop_events.reports.model import BreakdownRow, ReportData

DINAS_NAME = N_("Dinas Koperasi dan Usaha Kecil Provinsi Jawa Barat")

KIND_LABELS = {
    "transaksi": N_("Transaksi langsung"),
    "kontrak": N_("Kontrak / pesanan (PO)"),
    "komitmen": N_("Komitmen (MoU / LoI)"),
}
"""Display names of the deal kinds (marked; `_()` where shown), used by every format."""


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
    """`key` is the machine header (csv), `title` the header users read (xlsx; marked, translated when a sheet is
    built); `total` marks summed columns;
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
    Column("uraian", N_("Uraian"), Kind.TEXT),
    # narrow, so numbers sit near their labels; long text runs on over the empty cell beside it
    Column("nilai", N_("Nilai"), Kind.TEXT, width=22),
    Column("keterangan", N_("Keterangan"), Kind.TEXT),
)


def _breakdown_columns(label_title: str) -> tuple[Column, ...]:
    return (
        Column("kode", N_("Kode"), Kind.TEXT),
        Column("nama", label_title, Kind.TEXT),
        Column("jumlah_transaksi", N_("Jumlah Transaksi"), Kind.COUNT),
        Column("nilai_terkonfirmasi_rp", N_("Nilai Terkonfirmasi (Rp)"), Kind.MONEY, total=True),
        Column("nilai_dicatat_rp", N_("Nilai Dicatat, Belum Dikonfirmasi (Rp)"), Kind.MONEY, total=True),
        Column("realisasi_rp", N_("Realisasi (Rp)"), Kind.MONEY, total=True),
        Column("jumlah_pesantren", N_("Jumlah Pesantren"), Kind.COUNT),
        Column("jumlah_pembeli", N_("Jumlah Pembeli"), Kind.COUNT),
    )


DEAL_LINE_COLUMNS = (
    Column("no_transaksi", N_("No. Transaksi"), Kind.TEXT),
    Column("tanggal", N_("Tanggal"), Kind.DATE),
    Column("status", N_("Status"), Kind.TEXT),
    Column("jenis", N_("Jenis"), Kind.TEXT),
    Column("pesantren", N_("Pesantren"), Kind.TEXT),
    Column("kabupaten_kota", N_("Kabupaten/Kota"), Kind.TEXT),
    Column("pembeli", N_("Pembeli"), Kind.TEXT),
    Column("jenis_pembeli", N_("Jenis Pembeli"), Kind.TEXT),
    Column("kategori", N_("Kategori"), Kind.TEXT),
    Column("uraian", N_("Uraian Barang/Jasa"), Kind.TEXT),
    Column("jumlah", N_("Jumlah"), Kind.QUANTITY),
    Column("satuan", N_("Satuan"), Kind.TEXT),
    Column("harga_satuan_rp", N_("Harga Satuan (Rp)"), Kind.MONEY),
    Column("nilai_rp", N_("Nilai (Rp)"), Kind.MONEY),
    Column("susulan", N_("Susulan setelah Tutup Buku"), Kind.TEXT),
)

# (sheet name, label column title, chart title, ReportData attribute); sheet names stay within Excel's 31
BREAKDOWNS = (
    (N_("Per Kabupaten-Kota"), N_("Kabupaten/Kota"), N_("Nilai terkonfirmasi per kabupaten/kota"), "by_region"),
    (N_("Per Kategori"), N_("Kategori Produk"), N_("Nilai terkonfirmasi per kategori produk"), "by_category"),
    (N_("Per Jenis Pembeli"), N_("Jenis Pembeli"), N_("Nilai terkonfirmasi per jenis pembeli"), "by_buyer_type"),
    (N_("Per Pesantren"), N_("Pesantren"), N_("20 pesantren dengan nilai terkonfirmasi terbesar"), "by_pesantren"),
    (N_("Per Pembeli"), N_("Pembeli"), N_("20 pembeli dengan nilai terkonfirmasi terbesar"), "by_buyer"),
)

SUMMARY_SHEET = N_("Ringkasan")
DEAL_LINES_SHEET = N_("Transaksi")
TOTAL_LABEL = N_("TOTAL")


def closing_text(data: ReportData) -> str:
    """Whether the figure is closed (official) and since when, by whom and why: the same words in every format."""
    if not data.closings:
        return _("Belum tutup buku: angka masih dapat berubah")
    if data.scope == "event" and len(data.closings) == 1:
        c = data.closings[0]
        return _("Ditutup {moment} oleh {name} ({reason}); angka resmi per saat itu").format(
            moment=format_datetime(c.closed_at), name=c.closed_by, reason=c.reason
        )
    return _("{count} acara sudah tutup buku; angkanya dihitung per saat tutup buku masing-masing").format(
        count=len(data.closings)
    )


def _translated(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns with their titles in the current language."""
    return tuple(replace(column, title=_(column.title)) for column in columns)


class ReportTables:
    """The sheets of one report, in workbook order."""

    def __init__(self, data: ReportData) -> None:
        self.data = data

    @property
    def sheets(self) -> list[Sheet]:
        sheets = [Sheet(_(SUMMARY_SHEET), _translated(SUMMARY_COLUMNS), self.iterate_summary, filter=False)]
        for name, label_title, chart_title, attribute in BREAKDOWNS:
            rows: list[BreakdownRow] = getattr(self.data, attribute)
            sheets.append(
                Sheet(
                    _(name),
                    _translated(_breakdown_columns(label_title)),
                    partial(self.iterate_breakdown, rows),
                    total_label=_(TOTAL_LABEL),
                    chart=ChartSpec(_(chart_title), label_column=1, value_column=3),
                )
            )
        sheets.append(self.deal_lines_sheet)
        return sheets

    @property
    def deal_lines_sheet(self) -> Sheet:
        return Sheet(_(DEAL_LINES_SHEET), _translated(DEAL_LINE_COLUMNS), self.iterate_deal_lines)

    def iterate_summary(self) -> Iterator[Row]:
        data, h = self.data, self.data.headline
        text, money, count = Kind.TEXT, Kind.MONEY, Kind.COUNT
        yield _("Judul laporan"), data.title, None
        yield _("Penyelenggara"), _(DINAS_NAME), None
        yield _("Kegiatan"), data.subject, None
        yield _("Tempat"), data.venue or "-", None
        yield _("Periode"), format_period(data.period_start, data.period_end), None
        yield _("Tanggal mulai"), Typed(data.period_start, Kind.DATE), None
        yield _("Tanggal selesai"), Typed(data.period_end, Kind.DATE), None
        as_of = format_datetime(data.as_of) if data.as_of else format_datetime(data.generated_at)
        yield _("Keadaan per"), as_of, None
        yield _("Dibuat pada"), format_datetime(data.generated_at), None
        yield None, None, None
        yield (
            _("Nilai transaksi terkonfirmasi (Rp)"),
            Typed(h.confirmed_rp, money),
            _("Status dikonfirmasi dan diverifikasi; angka utama laporan"),
        )
        if current_language() == SOURCE_LANGUAGE:  # the amount in words is Indonesian only
            yield _("Terbilang"), Typed(terbilang(h.confirmed_rp), text), None
        yield _("Tutup buku"), closing_text(data), None
        if data.closings or data.late.deals:
            yield (
                _("Susulan setelah tutup buku (Rp)"),
                Typed(data.late.confirmed_rp, money),
                _("{count} transaksi disepakati setelah tutup buku; tidak termasuk angka utama").format(
                    count=format_number(data.late.deals)
                ),
            )
        for kind, label in KIND_LABELS.items():
            yield (
                _("{label} (Rp)").format(label=_(label)),
                Typed(h.confirmed_by_kind[kind], money),
                _("Bagian dari nilai terkonfirmasi"),
            )
        yield (
            _("Nilai dicatat, belum dikonfirmasi (Rp)"),
            Typed(h.logged_rp, money),
            _("Dicatat satu pihak; belum termasuk angka utama"),
        )
        yield _("Realisasi (Rp)"), Typed(h.realised_rp, money), _("Pembayaran/pengiriman setelah temu bisnis")
        yield (
            _("Tingkat realisasi"),
            Typed(h.realisation_rate_bp, Kind.RATE),
            _("Realisasi dibagi nilai terkonfirmasi"),
        )
        yield None, None, None
        yield _("Jumlah transaksi terkonfirmasi"), Typed(h.deals_confirmed, count), None
        yield _("Jumlah transaksi dicatat"), Typed(h.deals_logged, count), _("Belum dikonfirmasi")
        yield _("Jumlah seluruh transaksi"), Typed(h.deals_total, count), _("Termasuk yang disanggah/dibatalkan")
        yield _("Jumlah pesantren bertransaksi"), Typed(h.pesantren, count), None
        yield _("Jumlah pembeli bertransaksi"), Typed(h.buyers, count), None
        yield _("Jumlah pertemuan terlaksana"), Typed(h.meetings_held, count), None
        yield (
            _("Nilai terkonfirmasi per pertemuan (Rp)"),
            Typed(h.value_per_meeting_rp, money),
            _("Dibulatkan ke bawah") if h.meetings_held else _("Belum ada pertemuan terlaksana yang tercatat"),
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
                _("ya") if line.late else "",
            )
