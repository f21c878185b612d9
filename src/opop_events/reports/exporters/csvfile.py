"""CSV export of the deal lines: UTF-8 with BOM (so Excel reads it right), one header row, streamed."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import BinaryIO

from opop_events.reports.exporters._format import clean_text, is_formula_like
from opop_events.reports.exporters.tabular import Kind, ReportTables
from opop_events.reports.model import ReportData


def csv_value(value: object, kind: Kind) -> str:
    """One field: integers without separators, ISO dates, quantities as exact text, safe text.

    Text a spreadsheet could run as a formula gets a leading apostrophe (the OWASP advice for CSV,
    where no cell type can say "text"); the apostrophe is then part of the value.
    """
    if value is None:
        return ""
    if kind in (Kind.MONEY, Kind.COUNT, Kind.RATE):
        return str(int(value))  # type: ignore[call-overload]
    if kind is Kind.DATE and isinstance(value, date):
        return value.isoformat()
    if kind is Kind.QUANTITY:
        return str(value)
    text = clean_text(str(value))
    return "'" + text if is_formula_like(text) else text


class CsvExporter:
    def render(self, data: ReportData, out: BinaryIO) -> None:
        sheet = ReportTables(data).deal_lines_sheet
        kinds = [column.kind for column in sheet.columns]
        # utf-8-sig writes the BOM once, at the start of the stream
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        try:
            writer = csv.writer(text)
            writer.writerow([column.key for column in sheet.columns])
            for row in sheet.rows():
                writer.writerow([csv_value(value, kind) for value, kind in zip(row, kinds, strict=True)])
            text.flush()
        finally:
            # hand the caller's stream back open: closing the wrapper would close it
            text.detach()
