"""Dates and times as Indonesians read them: `9 Desember 2020`, `16.00 WIB` (Asia/Jakarta)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from opop_events.core import clock

WIB = ZoneInfo("Asia/Jakarta")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def now_utc() -> datetime:
    """This moment in UTC, from the clock seam (`core.clock.at` fixes it for the demo)."""
    return clock.now()


def format_date(value: date) -> str:
    """`date(2020, 12, 9)` -> `9 Desember 2020`."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime) -> str:
    """An aware datetime in WIB: `9 Desember 2020 16.00 WIB`."""
    local = value.astimezone(WIB)
    return f"{format_date(local.date())} {local:%H.%M} WIB"


def format_period(start: date, end: date) -> str:
    """`9–10 Desember 2020`, `30 November – 2 Desember 2020`, or a single day."""
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} – {format_date(end)}"
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
        raise ValueError(f"tahun di luar {EARLIEST_YEAR}–{LATEST_YEAR}")
    return value
