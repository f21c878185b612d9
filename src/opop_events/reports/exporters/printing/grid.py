"""The schedule as slots × tables in PDF: one sheet per table for its steward, and the full grid
(landscape; many tables split over pages)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from opop_events.core.i18n import N_, _
from opop_events.reports.exporters._format import EN_DASH, clean_text
from opop_events.reports.exporters.pdf_parts import FONT, safe_paragraph, shorten
from opop_events.reports.exporters.printing.document import PageGroup, PrintDocument, page_groups
from opop_events.reports.exporters.printing.model import (
    GridData,
    GridMeeting,
    GridTable,
    format_clock,
    format_day,
)


class _TableSheets(PrintDocument):
    title = N_("Lembar Meja")

    def __init__(self, grid: GridData, *, printed_at: datetime | None = None) -> None:
        super().__init__(grid.event, printed_at=printed_at)
        self.grid = grid

    def story(self) -> list[Flowable]:
        s, cells = self.styles, self.grid.cells()
        parts = []
        for table in self.grid.tables:
            part: list[Flowable] = [
                PageGroup(_("Meja {code}").format(code=table.code)),
                Paragraph(
                    _("LEMBAR PETUGAS MEJA · USULAN, BELUM TERBIT") if self.grid.draft else _("LEMBAR PETUGAS MEJA"),
                    s["kicker"],
                ),
                Spacer(1, 1.5 * mm),
                safe_paragraph(_("Meja {code}").format(code=table.code), s["title"], limit=40),
                Spacer(1, 1.5 * mm),
                safe_paragraph(self.event.name, s["event"], limit=200),
                Paragraph(self.event_lines(), s["base"]),
            ]
            for day, slots in self.grid.days():
                part.append(Paragraph(escape(format_day(day)), s["section"]))
                body = []
                for slot in slots:
                    meeting = cells.get((slot.id, table.id))
                    body.append(
                        [
                            Paragraph(escape(format_clock(slot.starts_at, slot.ends_at)), s["cell_bold"]),
                            safe_paragraph(meeting.buyer, s["cell"], limit=200)
                            if meeting
                            else Paragraph("\u2014 kosong", s["small"]),
                            safe_paragraph(meeting.pesantren, s["cell"], limit=200) if meeting else "",
                            "",
                        ]
                    )
                widths = [24 * mm, 0.0, 0.0, 22 * mm]
                widths[1] = widths[2] = (self.width - widths[0] - widths[3]) / 2
                head = [
                    Paragraph(h, s["head"]) for h in ("Waktu (WIB)", "Pembeli", "Pesantren", "Hadir (\u2713)")
                ]
                table_flow = Table([head, *body], colWidths=widths, repeatRows=1)
                # room to tick and initial by hand
                table_flow.setStyle(
                    self.table_style(
                        len(body),
                        [("TOPPADDING", (0, 1), (-1, -1), 6), ("BOTTOMPADDING", (0, 1), (-1, -1), 6.5)],
                    )
                )
                part.append(table_flow)
            part += [
                Spacer(1, 4 * mm),
                Paragraph(
                    _(
                        "Centang kolom Hadir bila kedua pihak datang; catat pertemuan tambahan (walk-in) di slot "
                        "kosong lewat panitia."
                    ),
                    s["small"],
                ),
            ]
            parts.append(part)
        return page_groups(parts)


def table_sheets_pdf(grid: GridData, *, printed_at: datetime | None = None) -> bytes:
    """One sheet per table for its steward: every slot with the buyer and pesantren expected there."""
    return _TableSheets(grid, printed_at=printed_at).render()

# --- the grid ---------------------------------------------------------------------------------------------


class _Grid(PrintDocument):
    title = N_("Jadwal Pertemuan")
    numbered_per_group = False
    pagesize = landscape(A4)
    margin = 10 * mm
    margin_bottom = 15 * mm
    time_width = 26 * mm
    min_column = 40 * mm

    def __init__(
        self, grid: GridData, *, printed_at: datetime | None = None, pagesize: tuple[float, float] | None = None
    ) -> None:
        if pagesize is not None:
            self.pagesize = pagesize
        super().__init__(grid.event, printed_at=printed_at)
        self.grid = grid
        self.styles["grid"] = ParagraphStyle("grid", self.styles["base"], fontSize=7, leading=8.5)
        self.styles["grid_bold"] = ParagraphStyle("grid_bold", self.styles["grid"], fontName=f"{FONT}-Bold")

    def column_groups(self) -> list[Sequence[GridTable]]:
        """Tables split into page-wide groups of about equal size (no group of one leftover table)."""
        tables = list(self.grid.tables)
        fit = max(1, int((self.width - self.time_width) // self.min_column))
        pages = max(1, math.ceil(len(tables) / fit))
        per = math.ceil(len(tables) / pages) if tables else 1
        return [tables[i : i + per] for i in range(0, len(tables), per)] or [[]]

    def story(self) -> list[Flowable]:
        s, cells = self.styles, self.grid.cells()
        groups = self.column_groups()
        parts = []
        for day, slots in self.grid.days():
            for index, tables in enumerate(groups, start=1):
                label = format_day(day)
                if len(groups) > 1 and tables:
                    span = f"{tables[0].code}{EN_DASH}{tables[-1].code}"
                    label += f" \u00b7 Meja {span} (bagian {index} dari {len(groups)})"
                head: list[Any] = [Paragraph("Waktu (WIB)", s["head"])]
                head += [safe_paragraph(f"Meja {t.code}", s["head_center"], limit=24) for t in tables]
                body = []
                for slot in slots:
                    row: list[Any] = [
                        Paragraph(escape(format_clock(slot.starts_at, slot.ends_at)), s["cell_bold"])
                    ]
                    for table in tables:
                        meeting = cells.get((slot.id, table.id))
                        row.append(self.cell(meeting) if meeting else "")
                    body.append(row)
                column = (self.width - self.time_width) / max(1, len(tables))
                grid = Table(
                    [head, *body], colWidths=[self.time_width] + [column] * len(tables), repeatRows=1
                )
                grid.setStyle(
                    self.table_style(
                        len(body),
                        [("VALIGN", (0, 0), (-1, -1), "TOP"), ("VALIGN", (0, 0), (-1, 0), "MIDDLE")],
                    )
                )
                title = (
                    _("JADWAL PERTEMUAN BISNIS · USULAN, BELUM TERBIT") if self.grid.draft
                    else _("JADWAL PERTEMUAN BISNIS")
                )
                parts.append(
                    [
                        PageGroup(label),
                        Paragraph(title, s["kicker"]),
                        safe_paragraph(self.event.name, s["event"], limit=200),
                        Paragraph(self.event_lines(), s["small"]),
                        Paragraph(escape(label), s["section"]),
                        grid,
                        Spacer(1, 2 * mm),
                        Paragraph(_("Tiap sel: <b>Pembeli</b> / Pesantren."), s["small"]),
                    ]
                )
        return page_groups(parts)

    def cell(self, meeting: GridMeeting) -> Flowable:
        s = self.styles
        text = (
            f"<b>{escape(shorten(clean_text(meeting.buyer), 90))}</b><br/>"
            f"{escape(shorten(clean_text(meeting.pesantren), 90))}"
        )
        return Paragraph(text, s["grid"])


def grid_pdf(
    grid: GridData, *, printed_at: datetime | None = None, pagesize: tuple[float, float] | None = None
) -> bytes:
    """The whole schedule, slots as rows and tables as columns, landscape; many tables split over pages.
    `pagesize` (landscape) overrides A4, e.g. `landscape(A3)` fits up to nine tables a page instead of six."""
    return _Grid(grid, printed_at=printed_at, pagesize=pagesize).render()
