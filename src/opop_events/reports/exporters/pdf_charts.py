"""The charts of the official PDF report: bars, columns and pies of confirmed value, drawn with reportlab's
graphics so they are vectors in the file. The top rows of a breakdown are drawn; the rest is one `Lainnya`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from opop_events.core.i18n import _
from opop_events.core.money import format_rupiah_compact
from opop_events.reports.exporters._format import clean_text, format_rate_bp, share_bp
from opop_events.reports.exporters.pdf_parts import FONT, GREEN, GREY, PALETTE, shorten
from opop_events.reports.exporters.tabular import KIND_LABELS
from opop_events.reports.model import DEAL_KINDS, BreakdownRow

if TYPE_CHECKING:
    from opop_events.reports.model import ReportData


class ReportCharts:
    """The chart hooks of `ReportRenderer` (a mixin): it sets `data` and `width`; `chart_rows` is how many
    rows of a breakdown get their own bar or slice."""

    data: ReportData
    width: float
    chart_rows: int

    def _chart_rows(self, rows: list[BreakdownRow]) -> tuple[list[str], list[int]]:
        top = [row for row in rows if row.confirmed_rp][: self.chart_rows]
        rest = sum(row.confirmed_rp for row in rows) - sum(row.confirmed_rp for row in top)
        labels = [clean_text(row.label) for row in top]
        values = [row.confirmed_rp for row in top]
        if rest > 0:
            labels.append(_("Lainnya"))
            values.append(rest)
        return labels, values

    def _caption(self, drawing: Drawing, text: str) -> None:
        drawing.add(
            String(0, drawing.height - 10, text, fontName=f"{FONT}-Bold", fontSize=8.5, fillColor=GREEN)
        )

    def bar_chart(self, rows: list[BreakdownRow]) -> Flowable:
        """Horizontal bars, largest on top, compact rupiah at each bar's end."""
        labels, values = self._chart_rows(rows)
        bar_height = 6.5 * mm
        height = len(values) * bar_height + 22 * mm
        drawing = Drawing(self.width, height)
        self._caption(drawing, _("Nilai transaksi terkonfirmasi (Rp)"))
        chart = HorizontalBarChart()
        chart.x, chart.y = 48 * mm, 8 * mm
        chart.width, chart.height = self.width - 48 * mm - 22 * mm, len(values) * bar_height
        chart.data = [list(reversed(values))]
        chart.categoryAxis.categoryNames = [shorten(label, 34) for label in reversed(labels)]
        self._style_axes(chart, category_font=7)
        chart.bars[0].fillColor = PALETTE[1]
        chart.bars[0].strokeColor = None
        chart.barLabelFormat = lambda value: format_rupiah_compact(int(value), short=True)
        chart.barLabels.fontName, chart.barLabels.fontSize = FONT, 6.5
        chart.barLabels.boxAnchor, chart.barLabels.dx = "w", 2
        drawing.add(chart)
        return drawing

    def column_chart(self, rows: list[BreakdownRow]) -> Flowable:
        """Vertical bars for the few buyer types."""
        labels, values = self._chart_rows(rows)
        drawing = Drawing(self.width, 70 * mm)
        self._caption(drawing, _("Nilai transaksi terkonfirmasi (Rp)"))
        chart = VerticalBarChart()
        chart.x, chart.y = 22 * mm, 18 * mm
        # a few types would otherwise make bars as wide as the page
        chart.width, chart.height = min(self.width - 30 * mm, len(values) * 38 * mm), 40 * mm
        chart.data = [values]
        per_bar = chart.width / max(1, len(values))
        chart.categoryAxis.categoryNames = [shorten(label, max(10, int(per_bar / 3.9))) for label in labels]
        self._style_axes(chart, category_font=6.5)
        chart.categoryAxis.labels.angle = 20 if len(values) > 5 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(values) > 5 else "n"
        chart.bars[0].fillColor = PALETTE[0]
        chart.bars[0].strokeColor = None
        chart.barLabelFormat = lambda value: format_rupiah_compact(int(value), short=True)
        chart.barLabels.fontName, chart.barLabels.fontSize = FONT, 6.5
        chart.barLabels.boxAnchor, chart.barLabels.dy = "s", 2
        drawing.add(chart)
        return drawing

    def _style_axes(self, chart: HorizontalBarChart | VerticalBarChart, *, category_font: float) -> None:
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 6.5
        chart.valueAxis.labelTextFormat = lambda value: format_rupiah_compact(int(value), short=True)
        chart.valueAxis.visibleGrid = True
        chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = category_font
        chart.categoryAxis.strokeColor = GREY
        chart.valueAxis.strokeColor = GREY

    def pie_chart(self, rows: list[BreakdownRow]) -> Flowable:
        labels, values = self._chart_rows(rows)
        return self._pie(_("Porsi nilai terkonfirmasi menurut kategori"), labels, values)

    def kind_chart(self) -> Flowable:
        h = self.data.headline
        return self._pie(
            _("Porsi nilai terkonfirmasi menurut jenis transaksi"),
            [_(KIND_LABELS[kind]) for kind in DEAL_KINDS],
            [h.confirmed_by_kind[kind] for kind in DEAL_KINDS],
        )

    def _pie(self, caption: str, labels: list[str], values: list[int]) -> Flowable:
        """A pie with a legend of label, share and compact value; zero slices are left out."""
        pairs = [(label, value) for label, value in zip(labels, values, strict=True) if value > 0]
        total = sum(value for _label, value in pairs)
        drawing = Drawing(self.width, 58 * mm)
        self._caption(drawing, caption)
        pie = Pie()
        pie.x, pie.y, pie.width, pie.height = 8 * mm, 4 * mm, 44 * mm, 44 * mm
        pie.data = [value for _label, value in pairs]
        pie.labels = None
        pie.simpleLabels = True
        pie.slices.strokeColor = colors.white
        pie.slices.strokeWidth = 0.8
        for index in range(len(pairs)):
            pie.slices[index].fillColor = PALETTE[index % len(PALETTE)]
        drawing.add(pie)
        legend = Legend()
        legend.x, legend.y = 62 * mm, 44 * mm
        legend.alignment = "right"
        legend.fontName, legend.fontSize = FONT, 7.5
        legend.columnMaximum = self.chart_rows + 1  # one column: the top rows and `Lainnya`
        legend.deltay = 10
        legend.colorNamePairs = [
            (
                PALETTE[index % len(PALETTE)],
                f"{shorten(label, 40)}: {format_rate_bp(share_bp(value, total))} "
                f"({format_rupiah_compact(value)})",
            )
            for index, (label, value) in enumerate(pairs)
        ]
        drawing.add(legend)
        return drawing
