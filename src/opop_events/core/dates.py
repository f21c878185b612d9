"""Dates and times as Indonesians read them: `9 Desember 2020`, `16.00 WIB` (Asia/Jakarta); in English\n`9 December 2020`, `16:00 WIB` when the reader chose English (`core.i18n`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from opop_events.core import clock
from opop_events.core.i18n import N_, SOURCE_LANGUAGE, _, current_language

WIB = ZoneInfo("Asia/Jakarta")
MONTHS = (
    N_("Januari"), N_("Februari"), N_("Maret"), N_("April"), N_("Mei"), N_("Juni"),
    N_("Juli"), N_("Agustus"), N_("September"), N_("Oktober"), N_("November"), N_("Desember"),
)  # fmt: skip
"""The months in Indonesian (the form dates are read in); shown through the catalogue in the reader's language."""


def month_name(month: int) -> str:
    return _(MONTHS[month - 1])


def _clock(local: datetime) -> str:
    """`16.00` in Indonesian, `16:00` in English."""
    return f"{local:%H.%M}" if current_language() == SOURCE_LANGUAGE else f"{local:%H:%M}"


def now_utc() -> datetime:
    """This moment in UTC, from the clock seam (`core.clock.at` fixes it for the demo)."""
    return clock.now()


def format_date(value: date) -> str:
    """`date(2020, 12, 9)` -> `9 Desember 2020`."""
    return f"{value.day} {month_name(value.month)} {value.year}"


def format_datetime(value: datetime) -> str:
    """An aware datetime in WIB: `9 Desember 2020 16.00 WIB`."""
    local = value.astimezone(WIB)
    return f"{format_date(local.date())} {_clock(local)} WIB"


def format_period(start: date, end: date) -> str:
    """`9–10 Desember 2020`, `30 November – 2 Desember 2020`, or a single day."""
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {month_name(end.month)} {end.year}"
    if start.year == end.year:
        return f"{start.day} {month_name(start.month)} – {format_date(end)}"
    return f"{format_date(start)} – {format_date(end)}"


EARLIEST_YEAR, LATEST_YEAR = 2000, 2999
"""A moment a user may name (`as_of`): far enough either side of the programme, and always representable in
UTC and by both databases (year 1 or 9999 with an offset is not)."""


def as_date(value: Any) -> date:
    """A date column as read from either engine (PostgreSQL gives a date, SQLite its ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime:
    """A timestamp column as read from either engine (PostgreSQL gives a datetime, SQLite its ISO text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def today_wib() -> date:
    """Today in West Java: a deal made at 06.00 WIB is dated that day, not the day before (UTC)."""
    return now_utc().astimezone(WIB).date()


def parse_local_datetime(text: str) -> datetime:
    """`2020-12-09 16:00` (WIB unless an offset is given) -> aware datetime. ValueError when it is not a time or
    lies outside the years EARLIEST_YEAR–LATEST_YEAR."""
    value = datetime.fromisoformat(text.strip())
    value = value if value.tzinfo else value.replace(tzinfo=WIB)
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(_("tahun di luar {first}–{last}").format(first=EARLIEST_YEAR, last=LATEST_YEAR))
    return value
