"""Display formats for reports, Indonesian unless the current language is another: dates, periods, WIB times, percentages, and safe cell text."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from opop_events.core.dates import month_name
from opop_events.core.i18n import SOURCE_LANGUAGE, _, current_language

WIB = timezone(timedelta(hours=7), "WIB")
"""Western Indonesia Time. A fixed offset is exact (no DST since 1964) and needs no tz database."""

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

EN_DASH = "\u2013"



def format_date(day: date) -> str:
    """`date(2020, 12, 9)` -> `9 Desember 2020`."""
    return f"{day.day} {month_name(day.month)} {day.year}"


def format_period(start: date, end: date) -> str:
    """A date range the Indonesian way, naming each part only once.

    `9–10 Desember 2020`, `30 November – 2 Desember 2020`, `30 Desember 2020 – 2 Januari 2021`,
    or just `9 Desember 2020` for one day.
    """
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{EN_DASH}{end.day} {month_name(end.month)} {end.year}"
    if start.year == end.year:
        return f"{start.day} {month_name(start.month)} {EN_DASH} {format_date(end)}"
    return f"{format_date(start)} {EN_DASH} {format_date(end)}"


def to_wib(moment: datetime) -> datetime:
    """An aware datetime in WIB (naive datetimes are refused upstream by `ReportData`)."""
    return moment.astimezone(WIB)


def format_datetime(moment: datetime) -> str:
    """An aware datetime as `10 Desember 2020 pukul 17.05 WIB` (Indonesian time uses a dot; English
    `10 December 2020 at 17:05 WIB`)."""
    local = to_wib(moment)
    clock = f"{local:%H.%M}" if current_language() == SOURCE_LANGUAGE else f"{local:%H:%M}"
    return _("{date} pukul {time} WIB").format(date=format_date(local.date()), time=clock)


def format_rate_bp(basis_points: int) -> str:
    """Basis points as a percentage with one decimal, rounded half up: `4567` -> `45,7%` (`45.7%` in English)."""
    tenths = (basis_points + 5) // 10
    point = "," if current_language() == SOURCE_LANGUAGE else "."
    return f"{tenths // 10}{point}{tenths % 10}%"


def share_bp(part: int, whole: int) -> int:
    """`part` as basis points of `whole`, rounded down; 0 when `whole` is 0."""
    return part * 10000 // whole if whole else 0


# Characters XML 1.0 cannot carry (openpyxl refuses the C0 controls; lone surrogates and the two
# non-characters break the UTF-8 writer or the file), stripped from every exported text.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read typed or imported text as a formula (OWASP CSV injection)."""


def clean_text(value: str) -> str:
    """Text without XML-illegal characters (control characters, lone surrogates)."""
    return _ILLEGAL_XML.sub("", value)


def is_formula_like(value: str) -> bool:
    """True when a spreadsheet could read `value` as a formula if typed or imported as it is."""
    return value.startswith(FORMULA_TRIGGERS)
