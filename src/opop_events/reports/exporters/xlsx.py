"""Excel export: a streamed (write-only) workbook of the report's sheets, numeric rupiah cells, live totals.

Formats, chosen once here:
- Rupiah: `[$Rp-421]#,##0` — Excel's own code for "Currency, Rp Indonesian" (0x421 = id-ID). The cell
  stays an integer. A format code stores `,` for "group digits"; the reader's locale picks the separator,
  so an Indonesian Excel or LibreOffice shows `Rp21.000.000.000` (checked: LibreOffice under id_ID shows
  dots, under en_US `Rp21,000,000,000`). Forcing dots with literal text would break on numbers of other
  lengths, so the figure stays numeric and locale-shown.
- Dates: real date cells, `dd/mm/yyyy`.
- Text: always an explicit string cell (never a formula or an error value, whatever it starts with);
  text that would be a formula if typed (`=`, `+`, `-`, `@`, tab, CR) also gets the quotePrefix style, which
  is how Excel itself stores `'=...` typed by a user, so re-editing the cell keeps it text. The value reads
  back unchanged (no apostrophe in it). XML-illegal characters are stripped; line breaks are written as LF.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import partial
from itertools import chain, islice
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from opop_events.core.i18n import _
from opop_events.core.money import format_number, format_quantity, format_rupiah
from opop_events.reports.exporters._format import (
    FORMULA_TRIGGERS,
    clean_text,
    format_datetime,
    is_formula_like,
)
from opop_events.reports.exporters.tabular import Column, Kind, ReportTables, Sheet, Typed
from opop_events.reports.model import ReportData

RUPIAH_FORMAT = "[$Rp-421]#,##0"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
RATE_FORMAT = "0.0%"
QUANTITY_FORMATS = ("#,##0", "#,##0.0##")  # whole, fractional: no stray decimal point on whole numbers

AXIS_SCALES = ((10**12, ",,,,", "T"), (10**9, ",,,", "M"), (10**6, ",,", "jt"))


def axis_format(largest: int) -> str:
    """A chart axis format in the report's compact units (`Rp2 M`, `Rp500 jt`): each trailing comma in a
    number format divides by a thousand, so the cells keep their exact values."""
    for scale, commas, unit in AXIS_SCALES:
        if largest >= scale:
            # below ten units the ticks fall between whole units (Rp0,5 M), so show one decimal
            digits = "#,##0.0" if largest < 10 * scale else "#,##0"
            return f'[$Rp-421]{digits}{commas}" {unit}"'
    return RUPIAH_FORMAT


WIDTH_SAMPLE_ROWS = 500
"""Rows buffered before a streamed sheet's column widths are fixed (widths precede the rows in the file)."""
MIN_WIDTH, MAX_WIDTH = 8, 60

_TEXT_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
"""Any character `clean_text` strips or a CR (rewritten as LF): text without one is written as it is."""
_ERROR_CODES = frozenset(ERROR_CODES)


class _ReusedCell(Cell):
    """One styled cell per column and number format, refilled for every row of a streamed sheet.

    Safe because a write-only sheet writes each row during `append`, and nothing else is ever bound into this
    cell: `_values_to_row` below binds plain values only to cells it made, and openpyxl's own version (used if
    the hook ever goes away) moves on to a fresh cell after a styled one. openpyxl's version also tries to bind
    an appended cell as a value first and formats the failure message with its repr: a constant repr keeps that
    cheap. The style never changes after the first row, so its index in the style table is looked up once.
    """

    __slots__ = ("_style_index",)

    def __repr__(self) -> str:
        return "<Cell>"

    @property
    def has_style(self) -> bool:
        return True  # always a number format

    @property
    def style_id(self) -> int:
        try:
            return self._style_index
        except AttributeError:
            self._style_index: int = super().style_id
            return self._style_index


def _values_to_row(ws: WriteOnlyWorksheet, values: Iterable[object], row_idx: int) -> Iterator[Cell]:
    """openpyxl 3.1's `WriteOnlyWorksheet._values_to_row` for rows that carry ready cells: a cell is used as it
    is (openpyxl first tries to bind it as a value, fails and formats an error message, then starts a fresh
    cell after it); any other value is bound to a plain cell exactly as openpyxl does."""
    plain = WriteOnlyCell(ws)
    for col_idx, value in enumerate(values, 1):
        if value is None:
            continue
        if isinstance(value, Cell):
            cell = value
        else:
            if plain.has_style or plain.hyperlink is not None:  # a date bound before took a number format
                plain = WriteOnlyCell(ws)
            plain.value = value
            cell = plain
        cell.column = col_idx
        cell.row = row_idx
        if cell.hyperlink is not None:
            cell.hyperlink.ref = cell.coordinate
        yield cell


def _quantity(value: object) -> tuple[int | Decimal, str]:
    text = str(value)
    if text.isascii() and text.isdigit():  # the common case: a whole number of units
        return int(text), QUANTITY_FORMATS[0]
    quantity = Decimal(text)
    whole = quantity == quantity.to_integral_value()
    # exact in the file up to 15 significant digits; the money beside it is the integer that counts
    return (int(quantity), QUANTITY_FORMATS[0]) if whole else (quantity, QUANTITY_FORMATS[1])


_NUMBERS: dict[Kind, Callable[[object], tuple[object, str]]] = {
    Kind.MONEY: lambda value: (int(value), RUPIAH_FORMAT),  # type: ignore[call-overload]
    Kind.COUNT: lambda value: (int(value), COUNT_FORMAT),  # type: ignore[call-overload]
    Kind.DATE: lambda value: (value, DATE_FORMAT),
    Kind.RATE: lambda value: (Decimal(int(value)) / 10000, RATE_FORMAT),  # type: ignore[call-overload]
    Kind.QUANTITY: _quantity,
}

HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5130")
TOTAL_FONT = Font(name="Calibri", size=11, bold=True)
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))


def _display_width(value: object, kind: Kind) -> int:
    """About how many characters a value shows as, for column widths."""
    if value is None:
        return 0
    if isinstance(value, Typed):
        return _display_width(value.value, value.kind)
    if kind is Kind.MONEY:
        return len(format_rupiah(int(value)))  # type: ignore[call-overload]
    if kind is Kind.COUNT:
        return len(format_number(int(value)))  # type: ignore[call-overload]
    if kind is Kind.DATE:
        return 10
    if kind is Kind.RATE:
        return 6
    if kind is Kind.QUANTITY:
        return len(format_quantity(str(value)))
    return max((len(part) for part in str(value).splitlines()), default=0)


def _widths(columns: tuple[Column, ...], rows: Iterable[tuple[object, ...]]) -> list[int]:
    widths = [min(len(column.title), 24) for column in columns]
    for row in rows:
        for index, (value, column) in enumerate(zip(row, columns, strict=True)):
            widths[index] = max(widths[index], _display_width(value, column.kind))
    return [
        column.width or max(MIN_WIDTH, min(MAX_WIDTH, width + 2))
        for column, width in zip(columns, widths, strict=True)
    ]


class SheetWriter:
    """Writes one `Sheet` into a write-only worksheet: header, rows, totals, chart."""

    def __init__(self, workbook: Workbook, sheet: Sheet) -> None:
        self.sheet = sheet
        self.ws: WriteOnlyWorksheet = workbook.create_sheet(sheet.name)
        if callable(getattr(self.ws, "_values_to_row", None)):  # the hook openpyxl 3.1 streams rows through
            self.ws._values_to_row = partial(_values_to_row, self.ws)  # type: ignore[method-assign]  # noqa: SLF001

    def cell(self, value: object, kind: Kind, **style: Any) -> Cell | str | None:
        """The value ready for `append`: a styled cell, or plain text where openpyxl's own typing is safe.

        Plain strings skip a WriteOnlyCell, which openpyxl's `append` would first try to bind as a value
        and fail (formatting an error message) before using it as a cell.
        """
        if isinstance(value, Typed):
            typed = value
            value, kind = typed.value, typed.kind
        if value is None:
            return None
        if kind is Kind.TEXT:
            # XML parsers turn a bare CR into LF; write LF so the file reads back as written
            text = clean_text(str(value)).replace("\r\n", "\n").replace("\r", "\n")
            formula_like = is_formula_like(text)
            if not style and not formula_like and text not in ERROR_CODES:
                return text
            cell = WriteOnlyCell(self.ws, value=None)
            cell.value = text
            # an explicit string cell: openpyxl would otherwise turn "=..." into a formula, "#N/A" an error
            cell.data_type = "s"
            if formula_like:
                cell.quotePrefix = True
        else:
            cell = WriteOnlyCell(self.ws)
        if kind is Kind.MONEY:
            cell.value = int(value)  # type: ignore[call-overload]
            cell.number_format = RUPIAH_FORMAT
        elif kind is Kind.COUNT:
            cell.value = int(value)  # type: ignore[call-overload]
            cell.number_format = COUNT_FORMAT
        elif kind is Kind.DATE:
            cell.value = value
            cell.number_format = DATE_FORMAT
        elif kind is Kind.RATE:
            cell.value = Decimal(int(value)) / 10000  # type: ignore[call-overload]
            cell.number_format = RATE_FORMAT
        elif kind is Kind.QUANTITY:
            cell.value, cell.number_format = _quantity(value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def converter(self, kind: Kind) -> Callable[[object], Cell | str | None]:
        """What `cell(value, kind)` returns for one column's plain values, without its per-cell costs: text
        that needs no cleaning and cannot read as a formula or an error goes out as it is; numbers and dates
        refill one reused styled cell per number format. Anything else takes `cell`."""
        if kind is Kind.TEXT:

            def text(value: object) -> Cell | str | None:
                if (
                    value.__class__ is str
                    and not _TEXT_NEEDS_CLEANING.search(value)  # type: ignore[arg-type]
                    and not value.startswith(FORMULA_TRIGGERS)  # type: ignore[attr-defined]
                    and value not in _ERROR_CODES
                ):
                    return value  # type: ignore[return-value]
                return self.cell(value, kind)

            return text
        number = _NUMBERS[kind]
        data_type = "d" if kind is Kind.DATE else "n"
        cells: dict[str, _ReusedCell] = {}

        def styled(value: object) -> Cell | str | None:
            if value is None or isinstance(value, Typed):
                return self.cell(value, kind)
            converted, number_format = number(value)
            cell = cells.get(number_format)
            if cell is None:
                cell = cells[number_format] = _ReusedCell(self.ws)
                cell.number_format = number_format
            cell._value = converted  # noqa: SLF001 - the type is known: skip openpyxl's inference
            cell.data_type = data_type
            return cell

        return styled

    def header_cells(self) -> list[Cell | str | None]:
        cells = []
        for column in self.sheet.columns:
            cells.append(
                self.cell(
                    column.title,
                    Kind.TEXT,
                    font=HEADER_FONT,
                    fill=HEADER_FILL,
                    alignment=Alignment(wrap_text=True, vertical="center"),
                )
            )
        return cells

    def write(self) -> None:
        sheet, ws = self.sheet, self.ws
        rows: Iterator[tuple[object, ...]] = iter(sheet.rows())
        sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
        widths = _widths(sheet.columns, sample)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        # wrapped header titles need a taller first row; spreadsheets do not grow it on opening
        lines = max(
            -(-len(column.title) // max(1, width - 2))
            for column, width in zip(sheet.columns, widths, strict=True)
        )
        ws.row_dimensions[1].height = 15 * min(lines, 3)
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

        ws.append(self.header_cells())
        converters = [self.converter(column.kind) for column in sheet.columns]
        count = 0
        chart_max = 0  # the largest charted value, to scale the chart's axis
        for row in chain(sample, rows):
            ws.append([convert(value) for convert, value in zip(converters, row, strict=True)])
            count += 1
            if sheet.chart is not None and count <= sheet.chart.max_rows:
                chart_max = max(chart_max, int(row[sheet.chart.value_column]))  # type: ignore[call-overload]
        last_data_row = count + 1
        last_column = get_column_letter(len(sheet.columns))
        if count and sheet.filter:
            ws.auto_filter.ref = f"A1:{last_column}{last_data_row}"
        if sheet.total_label is not None:
            self.write_total(count)
        if sheet.chart is not None and count:
            self.add_chart(count, chart_max)

    def write_total(self, count: int) -> None:
        total_row: list[Cell | str | None] = []
        for index, column in enumerate(self.sheet.columns):
            if index == 0:
                value: object = self.sheet.total_label
                kind = Kind.TEXT
            elif column.total:
                letter = get_column_letter(index + 1)
                # live formula over exactly the data rows; with no rows a plain 0 (SUM(D2:D1) would
                # silently include the header row)
                value = f"=SUM({letter}2:{letter}{count + 1})" if count else 0
                kind = column.kind
            else:
                total_row.append(self._total_styled(WriteOnlyCell(self.ws)))
                continue
            if isinstance(value, str) and value.startswith("=SUM("):
                cell = WriteOnlyCell(self.ws, value=value)  # our own formula, never user text
                cell.number_format = RUPIAH_FORMAT if kind is Kind.MONEY else COUNT_FORMAT
            else:
                cell = self.cell(value, kind, font=TOTAL_FONT, border=TOTAL_BORDER)
            total_row.append(self._total_styled(cell))
        self.ws.append(total_row)

    @staticmethod
    def _total_styled(cell: Cell | str | None) -> Cell | str | None:
        if isinstance(cell, Cell):
            cell.font = TOTAL_FONT
            cell.border = TOTAL_BORDER
        return cell

    def add_chart(self, count: int, largest: int) -> None:
        spec = self.sheet.chart
        assert spec is not None
        shown = min(count, spec.max_rows)
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: long Indonesian names stay readable
        chart.style = 10
        chart.title = spec.title
        chart.legend = None
        chart.y_axis.title = "Rupiah"
        chart.y_axis.numFmt = axis_format(largest)
        chart.y_axis.majorGridlines = None
        # recent Excel hides axes whose `delete` is left unset
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"  # first (largest) row on top
        chart.y_axis.crosses = "max"  # ...and the value axis stays at the bottom (the last category)
        values = Reference(self.ws, min_col=spec.value_column + 1, min_row=1, max_row=shown + 1)
        labels = Reference(self.ws, min_col=spec.label_column + 1, min_row=2, max_row=shown + 1)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(labels)
        chart.width = 18
        chart.height = max(7.5, 0.6 * shown + 2.5)
        anchor_column = get_column_letter(len(self.sheet.columns) + 2)
        self.ws.add_chart(chart, f"{anchor_column}2")


class XlsxExporter:
    def render(self, data: ReportData, out: BinaryIO) -> None:
        workbook = Workbook(write_only=True)
        workbook.properties.title = clean_text(data.title)
        workbook.properties.subject = clean_text(data.subject)
        workbook.properties.creator = "opop-events"
        workbook.properties.description = _("Dibuat {moment}").format(moment=format_datetime(data.generated_at))
        for sheet in ReportTables(data).sheets:
            SheetWriter(workbook, sheet).write()
        workbook.save(out)
