"""PDF export: the official report (A4, Bahasa Indonesia) with headline, breakdowns, charts and signature.

The deal list itself is not printed (it can run to 100,000 lines); the report points to the xlsx/csv.
Fonts, colours and safe text come from `pdf_parts` (shared with the printed schedule), the charts from
`pdf_charts`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from opop_events.core.i18n import N_, SOURCE_LANGUAGE, _, current_language
from opop_events.core.money import format_number, format_rupiah, format_rupiah_compact, terbilang
from opop_events.reports.exporters._format import (
    clean_text,
    format_date,
    format_datetime,
    format_period,
    format_rate_bp,
    share_bp,
    to_wib,
)
from opop_events.reports.exporters.pdf_charts import ReportCharts
from opop_events.reports.exporters.pdf_parts import (
    FONT,
    GREEN,
    GREY,
    LIGHT,
    NumberedCanvas,
    register_fonts,
    safe_paragraph,
    shorten,
)
from opop_events.reports.exporters.tabular import DINAS_NAME, KIND_LABELS, closing_text
from opop_events.reports.model import DEAL_KINDS, BreakdownRow, ReportData

NOTES = (
    N_(
        "Nilai terkonfirmasi adalah nilai transaksi berstatus <i>dikonfirmasi</i> (disetujui kedua "
        "pihak) atau <i>diverifikasi</i> (diperiksa petugas Dinas); angka ini yang menjadi nilai resmi "
        "temu bisnis."
    ),
    N_(
        "Nilai dicatat adalah transaksi yang baru dicatat oleh satu pihak dan belum dikonfirmasi pihak "
        "lain; tidak termasuk nilai terkonfirmasi. Transaksi yang disanggah atau dibatalkan tidak "
        "dihitung."
    ),
    N_(
        "Realisasi adalah pembayaran atau pengiriman yang tercatat setelah kegiatan; tingkat realisasi "
        "dihitung terhadap nilai terkonfirmasi."
    ),
    N_(
        "Jumlah pesantren dan pembeli pada tiap baris rincian dihitung tanpa duplikasi di dalam baris "
        "itu, sehingga tidak dijumlahkan pada baris TOTAL."
    ),
    N_("Rincian per transaksi tersedia dalam berkas Excel (xlsx) dan CSV dari laporan yang sama."),
)
"""The report's closing notes (marked; translated where printed)."""


class ReportRenderer(ReportCharts):
    """Lays out one report. Layout lives in class attributes; `header`, `footer` and `story` are the hooks."""

    pagesize = A4
    margin_left = 18 * mm
    margin_right = 18 * mm
    margin_top = 18 * mm
    margin_bottom = 20 * mm
    base_size = 9.5
    table_size = 7.5
    top_rows = 20
    chart_rows = 10
    city = "Bandung"
    government = N_("PEMERINTAH DAERAH PROVINSI JAWA BARAT")
    office = N_("DINAS KOPERASI DAN USAHA KECIL")
    page_label = N_("Halaman {page} dari {total}")

    def __init__(self, data: ReportData) -> None:
        register_fonts()
        self.data = data
        self.width = self.pagesize[0] - self.margin_left - self.margin_right
        base = ParagraphStyle("base", fontName=FONT, fontSize=self.base_size, leading=self.base_size * 1.35)
        self.styles = {
            "base": base,
            "small": ParagraphStyle("small", base, fontSize=8, leading=10.5, textColor=GREY),
            "gov": ParagraphStyle("gov", base, fontSize=11, leading=14, alignment=TA_CENTER),
            "office": ParagraphStyle(
                "office", base, fontName=f"{FONT}-Bold", fontSize=15, leading=19, alignment=TA_CENTER
            ),
            "title": ParagraphStyle(
                "title",
                base,
                fontName=f"{FONT}-Bold",
                fontSize=14,
                leading=18,
                alignment=TA_CENTER,
                spaceBefore=6,
            ),
            "subject": ParagraphStyle(
                "subject", base, fontName=f"{FONT}-Bold", fontSize=11.5, leading=15, alignment=TA_CENTER
            ),
            "section": ParagraphStyle(
                "section",
                base,
                fontName=f"{FONT}-Bold",
                fontSize=11,
                leading=14,
                textColor=GREEN,
                spaceBefore=10,
                spaceAfter=5,
            ),
            "big": ParagraphStyle(
                "big",
                base,
                fontName=f"{FONT}-Bold",
                fontSize=22,
                leading=27,
                alignment=TA_CENTER,
                textColor=GREEN,
            ),
            "words": ParagraphStyle(
                "words", base, fontName=f"{FONT}-Italic", fontSize=10, leading=13, alignment=TA_CENTER
            ),
            "center": ParagraphStyle("center", base, alignment=TA_CENTER),
            "cell": ParagraphStyle("cell", base, fontSize=self.table_size, leading=self.table_size * 1.25),
            "cell_bold": ParagraphStyle(
                "cell_bold",
                base,
                fontName=f"{FONT}-Bold",
                fontSize=self.table_size,
                leading=self.table_size * 1.25,
            ),
            "head": ParagraphStyle(
                "head",
                base,
                fontName=f"{FONT}-Bold",
                fontSize=self.table_size - 0.5,
                leading=self.table_size * 1.15,
                textColor=colors.white,
                alignment=TA_CENTER,
            ),
            "cell_indent": ParagraphStyle(
                "cell_indent", base, fontSize=self.table_size, leading=self.table_size * 1.25, leftIndent=10
            ),
            "sign": ParagraphStyle("sign", base, alignment=TA_LEFT),
        }

    # hooks ----------------------------------------------------------------------------------------------

    def header(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """From page 2 on: a running title above the frame."""
        if doc.page == 1:
            return
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        top = self.pagesize[1] - self.margin_top + 5 * mm
        text = shorten(clean_text(f"{self.data.title} \u2014 {self.data.subject}"), 110)
        canvas.drawRightString(self.pagesize[0] - self.margin_right, top, text)
        canvas.setStrokeColor(colors.lightgrey)
        canvas.line(self.margin_left, top - 2 * mm, self.pagesize[0] - self.margin_right, top - 2 * mm)
        canvas.restoreState()

    def footer(self, canvas: Canvas, page: int, total: int) -> None:
        """Every page: where the report comes from, and `Halaman x dari y`."""
        canvas.saveState()
        y = self.margin_bottom - 10 * mm
        canvas.setStrokeColor(colors.lightgrey)
        canvas.line(self.margin_left, y + 4 * mm, self.pagesize[0] - self.margin_right, y + 4 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(
            self.margin_left, y,
            _("{office} · dibuat {moment}").format(office=_(DINAS_NAME), moment=format_datetime(self.data.generated_at)),
        )
        canvas.drawRightString(
            self.pagesize[0] - self.margin_right, y, _(self.page_label).format(page=page, total=total)
        )
        canvas.restoreState()

    def story(self) -> list[Flowable]:
        data = self.data
        story: list[Flowable] = [*self.title_block(), *self.summary()]
        sections = (
            (_("MENURUT KABUPATEN/KOTA"), _("Kabupaten/Kota"), data.by_region, "pesantren", self.bar_chart),
            (_("MENURUT KATEGORI PRODUK"), _("Kategori"), data.by_category, "pesantren", self.pie_chart),
            (_("MENURUT JENIS PEMBELI"), _("Jenis pembeli"), data.by_buyer_type, "buyers", self.column_chart),
            (
                self.ranked_heading(_("PESANTREN"), data.by_pesantren),
                _("Pesantren"),
                data.by_pesantren,
                "buyers",
                None,
            ),
            (self.ranked_heading(_("PEMBELI"), data.by_buyer), _("Pembeli"), data.by_buyer, "pesantren", None),
        )
        numerals = ("II", "III", "IV", "V", "VI")
        for numeral, (heading, label, rows, other, chart) in zip(numerals, sections, strict=True):
            story.append(CondPageBreak(60 * mm))
            story.append(Paragraph(f"{numeral}. {heading}", self.styles["section"]))
            story.append(self.breakdown_table(label, rows, other))
            if chart is not None and any(row.confirmed_rp for row in rows):
                story.append(Spacer(1, 4 * mm))
                story.append(chart(rows))
        story.extend(self.notes())
        story.append(self.signature())
        return story

    def ranked_heading(self, noun: str, rows: list[BreakdownRow]) -> str:
        if len(rows) > self.top_rows:
            return _("{count} {noun} DENGAN NILAI TERBESAR").format(count=self.top_rows, noun=noun)
        return _("MENURUT {noun}").format(noun=noun)

    # building blocks ------------------------------------------------------------------------------------

    def title_block(self) -> list[Flowable]:
        data, s = self.data, self.styles
        as_of = data.as_of or data.generated_at
        info = [
            (_("Kegiatan"), data.subject),
            (_("Tempat"), data.venue or "-"),
            (_("Waktu pelaksanaan"), format_period(data.period_start, data.period_end)),
            (_("Keadaan data"), _("Keadaan per {moment}").format(moment=format_datetime(as_of))),
        ]
        table = Table(
            [[safe_paragraph(label, s["base"]), ":", safe_paragraph(value, s["base"])] for label, value in info],
            colWidths=[38 * mm, 4 * mm, self.width - 42 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONT", (0, 0), (-1, -1), FONT),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return [
            Paragraph(_(self.government), s["gov"]),
            Paragraph(_(self.office), s["office"]),
            HRFlowable(width="100%", thickness=2, color=colors.black, spaceBefore=4, spaceAfter=1),
            HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceAfter=10),
            safe_paragraph(data.title.upper(), s["title"]),
            safe_paragraph(data.subject, s["subject"]),
            Spacer(1, 6 * mm),
            table,
        ]

    def summary(self) -> list[Flowable]:
        s, h = self.styles, self.data.headline
        counts = _("{amount} · {deals} transaksi terkonfirmasi · {pesantren} pesantren · {buyers} pembeli").format(
            amount=format_rupiah_compact(h.confirmed_rp), deals=format_number(h.deals_confirmed),
            pesantren=format_number(h.pesantren), buyers=format_number(h.buyers),
        )
        # the amount in words is Indonesian only
        words = escape(f"({terbilang(h.confirmed_rp)})") if current_language() == SOURCE_LANGUAGE else ""
        box = Table(
            [
                [Paragraph(_("NILAI TRANSAKSI TERKONFIRMASI"), s["center"])],
                [Paragraph(format_rupiah(h.confirmed_rp), s["big"])],
                [Paragraph(words, s["words"])],
                [Paragraph(counts, s["center"])],
                [Paragraph(escape(closing_text(self.data)), s["center"])],
            ],
            colWidths=[self.width],
        )
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1, GREEN),
                    ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        # (label, value, share, style): the three kinds are indented parts of the headline
        rows: list[tuple[str, str, str, str]] = [
            (_("Nilai transaksi terkonfirmasi"), format_rupiah(h.confirmed_rp), format_rate_bp(10000), "cell_bold"),
        ]
        for kind in DEAL_KINDS:
            value = h.confirmed_by_kind[kind]
            share = format_rate_bp(share_bp(value, h.confirmed_rp))
            rows.append((_(KIND_LABELS[kind]), format_rupiah(value), share, "cell_indent"))
        if self.data.closings or self.data.late.deals:
            late = self.data.late
            late_label = _("Susulan setelah tutup buku ({count} transaksi; tidak termasuk angka utama)").format(
                count=format_number(late.deals)
            )
            rows.append((late_label, format_rupiah(late.confirmed_rp), "", "cell"))
        rows += [
            (label, value, "", "cell")
            for label, value in (
                (_("Nilai dicatat, belum dikonfirmasi"), format_rupiah(h.logged_rp)),
                (_("Realisasi (pembayaran/pengiriman setelah kegiatan)"), format_rupiah(h.realised_rp)),
                (
                    _("Tingkat realisasi (realisasi dibagi nilai terkonfirmasi)"),
                    format_rate_bp(h.realisation_rate_bp),
                ),
                (_("Jumlah transaksi terkonfirmasi"), format_number(h.deals_confirmed)),
                (_("Jumlah transaksi dicatat, belum dikonfirmasi"), format_number(h.deals_logged)),
                (_("Jumlah seluruh transaksi (termasuk disanggah/dibatalkan)"), format_number(h.deals_total)),
                (_("Pesantren bertransaksi"), format_number(h.pesantren)),
                (_("Pembeli bertransaksi"), format_number(h.buyers)),
                (_("Pertemuan bisnis terlaksana"), format_number(h.meetings_held)),
                (
                    _("Nilai terkonfirmasi per pertemuan"),
                    format_rupiah(h.value_per_meeting_rp) if h.meetings_held
                    else _("– (belum ada pertemuan terlaksana)"),
                ),
            )
        ]
        figures = Table(
            [[Paragraph(_("Uraian"), s["head"]), Paragraph(_("Nilai"), s["head"]), Paragraph(_("Porsi"), s["head"])]]
            + [[Paragraph(escape(label), s[style]), value, share] for label, value, share, style in rows],
            colWidths=[self.width - 62 * mm, 42 * mm, 20 * mm],
            repeatRows=1,
        )
        figures.setStyle(
            self.table_style(len(rows), total=False, extra=[("FONT", (0, 1), (-1, 1), f"{FONT}-Bold")])
        )
        story: list[Flowable] = [
            Paragraph(_("I. RINGKASAN"), s["section"]),
            box,
            Spacer(1, 4 * mm),
            figures,
        ]
        if h.confirmed_rp:
            story += [Spacer(1, 4 * mm), self.kind_chart()]
        return story

    def table_style(
        self, body_rows: int, *, total: bool, extra: Sequence[tuple[Any, ...]] = ()
    ) -> TableStyle:
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), FONT, self.table_size),
            ("BACKGROUND", (0, 0), (-1, 0), GREEN),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B8C8BB")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        for row in range(2, body_rows + 1, 2):
            commands.append(("BACKGROUND", (0, row), (-1, row), LIGHT))
        if total:
            commands += [
                ("FONT", (0, -1), (-1, -1), f"{FONT}-Bold", self.table_size),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#DDE8DF")),
            ]
        commands.extend(extra)
        return TableStyle(commands)

    def breakdown_table(self, label: str, rows: list[BreakdownRow], other: str) -> Flowable:
        """Ranked rows (the first `top_rows`, the rest as one `Lainnya` row) and a TOTAL row of their sums."""
        s, confirmed_total = self.styles, self.data.headline.confirmed_rp
        other_title = _("Pesantren") if other == "pesantren" else _("Pembeli")
        head = [
            _("No"),
            label,
            _("Transaksi"),
            other_title,
            _("Terkonfirmasi (Rp)"),
            _("Porsi"),
            _("Dicatat (Rp)"),
            _("Realisasi (Rp)"),
        ]
        body: list[list[Any]] = []
        shown, rest = rows[: self.top_rows], rows[self.top_rows :]

        def line(
            number: str, name: Paragraph, deals: int | None, others: int | None, group: list[BreakdownRow]
        ) -> list[Any]:
            confirmed = sum(row.confirmed_rp for row in group)
            return [
                number,
                name,
                "" if deals is None else format_number(deals),
                "" if others is None else format_number(others),
                format_number(confirmed),
                format_rate_bp(share_bp(confirmed, confirmed_total)),
                format_number(sum(row.logged_rp for row in group)),
                format_number(sum(row.realised_rp for row in group)),
            ]

        for number, row in enumerate(shown, start=1):
            name = safe_paragraph(row.label, s["cell"], limit=160)
            body.append(line(str(number), name, row.deals, getattr(row, other), [row]))
        if rest:
            others = _("Lainnya ({count} {label})").format(count=format_number(len(rest)), label=label.lower())
            name = Paragraph(others, s["cell"])
            body.append(line("", name, sum(row.deals for row in rest), None, rest))
        body.append(line("", Paragraph(escape(_("TOTAL")), s["cell_bold"]), None, None, rows))
        widths = [7 * mm, 0.0, 17 * mm, 17 * mm, 27 * mm, 13 * mm, 26 * mm, 26 * mm]
        widths[1] = self.width - sum(widths)
        table = Table([[Paragraph(text, s["head"]) for text in head], *body], colWidths=widths, repeatRows=1)
        extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), *self.fit_numbers(body, widths, first_column=2)]
        table.setStyle(self.table_style(len(body) - 1, total=True, extra=extra))
        return table

    def fit_numbers(
        self, body: list[list[Any]], widths: list[float], *, first_column: int
    ) -> list[tuple[Any, ...]]:
        """Smaller type for the number columns when a figure would not fit (a year's totals can pass
        Rp100 miliar); the figures are never cut."""
        padding = 6.5  # left + right padding of `table_style`, with a hair to spare
        scale = 1.0
        for column in range(first_column, len(widths)):
            texts = [str(row[column]) for row in body]
            needed = max(stringWidth(text, f"{FONT}-Bold", self.table_size) for text in texts)
            if needed + padding > widths[column]:
                scale = min(scale, (widths[column] - padding) / needed)
        if scale >= 1.0:
            return []
        size = self.table_size * scale
        return [
            ("FONTSIZE", (first_column, 1), (-1, -1), size),
            ("FONT", (first_column, -1), (-1, -1), f"{FONT}-Bold", size),
        ]

    # closing --------------------------------------------------------------------------------------------

    def notes(self) -> list[Flowable]:
        s = self.styles
        items = [_(item) for item in NOTES]
        return [
            CondPageBreak(45 * mm),
            Paragraph(_("CATATAN"), s["section"]),
            *[Paragraph(f"{number}. {text}", s["small"]) for number, text in enumerate(items, start=1)],
        ]

    def signature(self) -> Flowable:
        s, data = self.styles, self.data
        place_date = f"{self.city}, {format_date(to_wib(data.generated_at).date())}"
        name = (
            Paragraph(f"<b><u>{escape(shorten(clean_text(data.signatory_name), 120))}</u></b>", s["sign"])
            if data.signatory_name
            else Paragraph("(" + "." * 60 + ")", s["sign"])
        )
        block = Table(
            [
                [Paragraph(place_date, s["sign"])],
                [safe_paragraph(_(data.signatory_title), s["sign"])],
                [Spacer(1, 22 * mm)],
                [name],
            ],
            colWidths=[78 * mm],
        )
        block.setStyle(
            TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1)])
        )
        outer = Table([["", block]], colWidths=[self.width - 78 * mm, 78 * mm])
        outer.setStyle(
            TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
        )
        return KeepTogether([Spacer(1, 10 * mm), outer])

    # output ---------------------------------------------------------------------------------------------

    def render(self) -> bytes:
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=self.margin_left,
            rightMargin=self.margin_right,
            topMargin=self.margin_top,
            bottomMargin=self.margin_bottom,
            title=clean_text(f"{self.data.title} \u2014 {self.data.subject}"),
            author=DINAS_NAME,
            subject=clean_text(self.data.subject),
            creator="opop-events",
            lang="id-ID" if current_language() == SOURCE_LANGUAGE else current_language(),
        )
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
        doc.addPageTemplates([PageTemplate(id="report", frames=[frame], onPage=self.header)])
        doc.build(self.story(), canvasmaker=self._canvas)
        return buffer.getvalue()

    def _canvas(self, *args: Any, **kwargs: Any) -> NumberedCanvas:
        return NumberedCanvas(*args, footer=self.footer, **kwargs)


class PdfExporter:
    renderer = ReportRenderer

    def render(self, data: ReportData, out: BinaryIO) -> None:
        out.write(self.renderer(data).render())
