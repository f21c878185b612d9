"""The schedule as a workbook: the grid (slots × tables) and the list of meetings, written with the report
exporter's safe sheet writer (text cells never become formulas)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from opop_events.core.i18n import _
from opop_events.reports.exporters._format import clean_text, format_datetime, to_wib
from opop_events.reports.exporters.printing.model import GridData, aware, format_clock, grid_rows
from opop_events.reports.exporters.tabular import Column, Kind, Sheet
from opop_events.reports.exporters.xlsx import SheetWriter


class _FrozenWriter(SheetWriter):
    """A sheet whose header row (and, with `freeze = "C2"`, first columns) stays in view."""

    freeze = "A2"

    def header_cells(self) -> list[Any]:
        self.ws.freeze_panes = self.freeze  # must be set before the first row of a streamed sheet
        return super().header_cells()


def grid_xlsx(grid: GridData, *, printed_at: datetime | None = None) -> bytes:
    """The grid as a workbook: sheet `Jadwal` (slots × tables, header and time columns frozen) and sheet
    `Daftar Pertemuan` (one row per meeting, for filtering). Text cells are written safely (no formulas)."""
    header, rows = grid_rows(grid)
    columns = tuple(Column(f"c{i}", title, Kind.TEXT) for i, title in enumerate(header))
    workbook = Workbook(write_only=True)
    workbook.properties.title = clean_text(f"{_('Jadwal Pertemuan')} \u2014 {grid.event.name}")
    workbook.properties.creator = "opop-events"
    if printed_at is not None:
        workbook.properties.description = _("Dibuat {moment}").format(moment=format_datetime(printed_at))
    sheet_writer = _FrozenWriter(
        workbook, Sheet(_("Jadwal"), columns, lambda: iter([tuple(r) for r in rows]), filter=False)
    )
    sheet_writer.freeze = "C2"
    sheet_writer.write()

    slots = {slot.id: slot for slot in grid.slots}
    codes = {table.id: table.code for table in grid.tables}
    order = {slot.id: i for i, slot in enumerate(sorted(grid.slots, key=lambda s: (s.starts_at, s.id)))}
    meetings = sorted(grid.meetings, key=lambda m: (order.get(m.slot_id, 0), codes.get(m.table_id, "")))

    def listed() -> Any:
        for m in meetings:
            slot = slots[m.slot_id]
            yield (
                to_wib(aware(slot.starts_at)).date(),
                format_clock(slot.starts_at, slot.ends_at),
                codes[m.table_id],
                m.buyer,
                m.pesantren,
            )

    list_columns = (
        Column("tanggal", _("Tanggal"), Kind.DATE),
        Column("waktu", _("Waktu (WIB)"), Kind.TEXT),
        Column("meja", _("Meja"), Kind.TEXT),
        Column("pembeli", _("Pembeli"), Kind.TEXT),
        Column("pesantren", _("Pesantren"), Kind.TEXT),
    )
    _FrozenWriter(workbook, Sheet(_("Daftar Pertemuan"), list_columns, listed)).write()
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
