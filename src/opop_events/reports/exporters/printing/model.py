"""The printed schedule's data and formats: plain records the services fill from the database, and the
Indonesian day and clock formats every printout uses. No reportlab here: importing this module is cheap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from opop_events.core.i18n import N_, _
from opop_events.reports.exporters._format import EN_DASH, format_date, to_wib

ROLE_LABELS = {"buyer": N_("PEMBELI"), "pesantren": N_("PESANTREN")}
"""What a badge and an agenda call each side (the keys are `Side` values)."""

COUNTERPART_TITLES = {"buyer": N_("Pesantren"), "pesantren": N_("Pembeli")}
WEEKDAYS = (N_("Senin"), N_("Selasa"), N_("Rabu"), N_("Kamis"), N_("Jumat"), N_("Sabtu"), N_("Minggu"))

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_MM = 72.0 / 2.54 * 0.1  # points, computed as reportlab.lib.units.mm
PAPERS = {"a4": (297 * _MM, 210 * _MM), "a3": (420 * _MM, 297 * _MM)}
"""The grid's paper, landscape, in points: exactly reportlab's `landscape(A4)` and `landscape(A3)`, named
here so that choosing the paper does not load reportlab."""


# --- the data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventHeader:
    name: str
    venue: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class AgendaLine:
    """One meeting of a participant; `whatsapp` is the counterpart's number as E.164 digits (or empty)."""

    starts_at: datetime
    ends_at: datetime
    table: str
    counterpart: str
    whatsapp: str
    status: str


@dataclass(frozen=True, slots=True)
class AgendaData:
    """A participant's agenda. `role` is `buyer` or `pesantren`; `url` (when given) is printed with a QR."""

    event: EventHeader
    participant: str
    role: str
    lines: Sequence[AgendaLine]
    contact: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class GridSlot:
    id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class GridTable:
    id: int
    code: str


@dataclass(frozen=True, slots=True)
class GridMeeting:
    slot_id: int
    table_id: int
    buyer: str
    pesantren: str


@dataclass(frozen=True, slots=True)
class GridData:
    """The schedule as slots × tables. `draft` marks a schedule not yet published (printed as such)."""

    event: EventHeader
    slots: Sequence[GridSlot]
    tables: Sequence[GridTable]
    meetings: Sequence[GridMeeting]
    draft: bool = False

    def cells(self) -> dict[tuple[int, int], GridMeeting]:
        return {(m.slot_id, m.table_id): m for m in self.meetings}

    def days(self) -> list[tuple[date, list[GridSlot]]]:
        """Slots grouped by their WIB day, in time order."""
        grouped: dict[date, list[GridSlot]] = {}
        for slot in sorted(self.slots, key=lambda s: (s.starts_at, s.id)):
            grouped.setdefault(to_wib(aware(slot.starts_at)).date(), []).append(slot)
        return list(grouped.items())


@dataclass(frozen=True, slots=True)
class BadgeData:
    name: str
    organisation: str
    role: str
    event_name: str
    url: str


# --- formats ----------------------------------------------------------------------------------------------


def aware(moment: datetime) -> datetime:
    """Timestamps are stored in UTC; a driver that hands them back naive means UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_day(day: date) -> str:
    """`Rabu, 9 Desember 2020`."""
    return f"{_(WEEKDAYS[day.weekday()])}, {format_date(day)}"


def format_clock(start: datetime, end: datetime) -> str:
    """`09.20–09.40` in WIB (Indonesian time uses a dot)."""
    return f"{to_wib(aware(start)):%H.%M}{EN_DASH}{to_wib(aware(end)):%H.%M}"


def format_slot(start: datetime, end: datetime) -> str:
    """`09.20–09.40 WIB`."""
    return f"{format_clock(start, end)} WIB"



def grid_rows(grid: GridData) -> tuple[list[str], list[list[str]]]:
    """The grid as text: header (`Tanggal`, `Waktu (WIB)`, one per table) and one row per slot, each cell
    `Pembeli / Pesantren` or empty. The xlsx writes exactly this."""
    cells = grid.cells()
    header = [_("Tanggal"), _("Waktu (WIB)"), *[_("Meja {code}").format(code=t.code) for t in grid.tables]]
    rows = []
    for day, slots in grid.days():
        for slot in slots:
            row = [format_date(day), format_clock(slot.starts_at, slot.ends_at)]
            for table in grid.tables:
                meeting = cells.get((slot.id, table.id))
                row.append(f"{meeting.buyer} / {meeting.pesantren}" if meeting else "")
            rows.append(row)
    return header, rows
