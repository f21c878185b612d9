"""Report exporters behind one registry: `EXPORTERS["xlsx" | "pdf" | "csv"].render(data, out)`.

Importing this package is cheap: each entry loads its module (and openpyxl or reportlab with it) on the
first `render`. Rendering is synchronous and CPU-bound; callers on the event loop run it in a thread.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol

from opop_events.core.i18n import N_

if TYPE_CHECKING:
    from opop_events.reports.model import ReportData


class Exporter(Protocol):
    identifier: str
    verbose_name: str
    content_type: str
    extension: str

    def render(self, data: ReportData, out: BinaryIO) -> None:
        """Write the whole report to `out` (a binary stream; not closed)."""


@dataclass(frozen=True, slots=True)
class _LazyExporter:
    """A registry entry that imports its renderer class (`module:Class`) on first use."""

    identifier: str
    verbose_name: str
    content_type: str
    extension: str
    target: str

    def render(self, data: ReportData, out: BinaryIO) -> None:
        module_name, _sep, class_name = self.target.partition(":")
        renderer = getattr(importlib.import_module(module_name), class_name)
        renderer().render(data, out)

    def filename(self, data: ReportData) -> str:
        """A download name such as `laporan-temu-bisnis-opop-2020-20201210.xlsx`."""
        slug = re.sub(r"[^a-z0-9]+", "-", data.subject.lower()).strip("-")[:60] or "laporan"
        stamp = data.period_end.strftime("%Y%m%d")
        return f"laporan-{slug}-{stamp}.{self.extension}"


EXPORTERS: dict[str, _LazyExporter] = {
    entry.identifier: entry
    for entry in (
        _LazyExporter(
            "xlsx",
            N_("Excel (xlsx)"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            "opop_events.reports.exporters.xlsx:XlsxExporter",
        ),
        _LazyExporter(
            "pdf",
            "PDF",
            "application/pdf",
            "pdf",
            "opop_events.reports.exporters.pdf:PdfExporter",
        ),
        _LazyExporter(
            "csv",
            N_("CSV (daftar transaksi)"),
            "text/csv; charset=utf-8",
            "csv",
            "opop_events.reports.exporters.csvfile:CsvExporter",
        ),
    )
}

__all__ = ["EXPORTERS", "Exporter"]
