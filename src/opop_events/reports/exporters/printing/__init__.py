"""The printed meeting schedule: participant agendas, table stewards' sheets, the full grid (pdf and xlsx)
and name badges with a QR code to the participant's online agenda.

Pure renderers: plain data in (`model`), bytes out, no database and no I/O, so they run in a worker thread and
are tested without an app. The house style of the official report is reused: its fonts (registered once), its
colours and its safe-text paragraphs (`pdf_parts`); Indonesian dates and WIB times from `_format`; the xlsx
sheet writer with its safe text cells. `Halaman x dari y` is counted per participant or table, so each agenda
in a file of all agendas reads on its own.

Importing this package is cheap, like the report exporters' registry: each renderer below loads its module
(and reportlab or openpyxl with it, over a second of imports) on its first call, not when the app starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from opop_events.reports.exporters.printing.model import (
    PAPERS,
    PDF,
    XLSX,
    AgendaData,
    AgendaLine,
    BadgeData,
    EventHeader,
    GridData,
    GridMeeting,
    GridSlot,
    GridTable,
    format_clock,
    format_day,
    format_slot,
    grid_rows,
)


def agenda_pdf(agendas: Sequence[AgendaData], *, printed_at: datetime | None = None) -> bytes:
    """One or many participants' agendas in one file, each starting on a new page and numbered on its own."""
    from opop_events.reports.exporters.printing import agendas as renderer  # reportlab, on first use

    return renderer.agenda_pdf(agendas, printed_at=printed_at)


def table_sheets_pdf(grid: GridData, *, printed_at: datetime | None = None) -> bytes:
    """One sheet per table for its steward: every slot with the buyer and pesantren expected there."""
    from opop_events.reports.exporters.printing import grid as renderer  # reportlab, on first use

    return renderer.table_sheets_pdf(grid, printed_at=printed_at)


def grid_pdf(
    grid: GridData, *, printed_at: datetime | None = None, pagesize: tuple[float, float] | None = None
) -> bytes:
    """The whole schedule, slots as rows and tables as columns, landscape; many tables split over pages.
    `pagesize` (landscape, in points) overrides A4, e.g. A3 fits up to nine tables a page instead of six."""
    from opop_events.reports.exporters.printing import grid as renderer  # reportlab, on first use

    return renderer.grid_pdf(grid, printed_at=printed_at, pagesize=pagesize)


def grid_xlsx(grid: GridData, *, printed_at: datetime | None = None) -> bytes:
    """The grid and the meeting list as a workbook (see `workbook.grid_xlsx`)."""
    from opop_events.reports.exporters.printing import workbook as renderer  # openpyxl, on first use

    return renderer.grid_xlsx(grid, printed_at=printed_at)


def badges_pdf(badges: Sequence[BadgeData]) -> bytes:
    """A4 sheets of eight badges with a QR code each (see `badges.badges_pdf`)."""
    from opop_events.reports.exporters.printing import badges as renderer  # reportlab, on first use

    return renderer.badges_pdf(badges)


__all__ = [
    "PAPERS",
    "PDF",
    "XLSX",
    "AgendaData",
    "AgendaLine",
    "BadgeData",
    "EventHeader",
    "GridData",
    "GridMeeting",
    "GridSlot",
    "GridTable",
    "agenda_pdf",
    "badges_pdf",
    "format_clock",
    "format_day",
    "format_slot",
    "grid_pdf",
    "grid_rows",
    "grid_xlsx",
    "table_sheets_pdf",
]
