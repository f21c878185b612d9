"""The deal rules every door applies: the API, the web forms, the Excel import and the demo loader.

One place, so a deal the API refuses cannot come in through another door (issue #12). The pure functions
return the Indonesian reason a value breaks a rule, or None; the doors turn a reason into their own error
(a problem+json field error, a form message, a workbook cell error). README, "Aturan transaksi", says the
same in words.

Dates (`deal_date_problem`):
- not in the future: at most tomorrow in West Java (WIB; a phone a few hours off still gets through);
- not before 2018 (the programme's first year);
- not more than `PRE_EVENT_DAYS` (30) days before the event starts: deals closed in the online exhibition
  (pameran) in the weeks before an event count for it, older deals do not belong to it. There is no upper
  bound beyond "not in the future": deals closed after the event, as its follow-up, count for it. So a deal
  can be logged into an event that has not started yet only when it is dated from 30 days before the start
  up to today.

A realisation (`realisation_date_problem`) is not in the future either, and not dated before its deal; so a
deal's date cannot be amended to after its first (not voided) realisation either.

An event still in draft takes no deals (`event_status_problem`), whatever the door.

Amounts (`line_problems`, `total_problem`): one deal's total at most `OPOP_MAX_DEAL_RP` (default
Rp100.000.000.000); a line's value and a unit price at most the same; a line's quantity at most
`MAX_QUANTITY` (10.000.000). `needs_review` flags a deal whose total reaches `OPOP_REVIEW_THRESHOLD_RP`
(default Rp5.000.000.000) for a second look by Dinas.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from opop_events.core.dates import as_date, format_date, today_wib
from opop_events.core.errors import InvalidInput
from opop_events.core.i18n import _
from opop_events.core.money import format_number, format_rupiah
from opop_events.core.types import MIN_YEAR
from opop_events.settings import get_settings

EARLIEST_YEAR = MIN_YEAR
PRE_EVENT_DAYS = 30
FUTURE_GRACE_DAYS = 1
MAX_QUANTITY = Decimal(10_000_000)


# -- dates --------------------------------------------------------------------------------------------------


def earliest_deal_date(starts_on: date) -> date:
    """The first day a deal of an event starting on `starts_on` may be dated."""
    return max(starts_on - timedelta(days=PRE_EVENT_DAYS), date(EARLIEST_YEAR, 1, 1))


def deal_date_problem(deal_date: date, *, starts_on: date, today: date | None = None) -> str | None:
    """Why a deal of the event starting on `starts_on` cannot be dated `deal_date`, or None."""
    today = today or today_wib()
    if deal_date > today + timedelta(days=FUTURE_GRACE_DAYS):
        return _("tanggal transaksi tidak boleh di masa depan")
    if deal_date.year < EARLIEST_YEAR:
        return _("tanggal transaksi paling awal tahun {year}").format(year=EARLIEST_YEAR)
    earliest = earliest_deal_date(starts_on)
    if deal_date < earliest:
        return _("tanggal transaksi paling awal {earliest} ({days} hari sebelum acara dimulai {starts})").format(
            earliest=format_date(earliest), days=PRE_EVENT_DAYS, starts=format_date(starts_on)
        )
    return None


def check_deal_date(deal_date: date, *, starts_on: date | str, first_realisation: date | str | None = None,
                    field: str = "deal_date") -> None:
    """Raise InvalidInput (on `field`) when `deal_date` breaks the date rule for an event starting `starts_on`,
    or (for an existing deal) would put the deal after its first realisation. The two dates come as stored, from
    either engine (`deals.services.revisions` reads them: the event's through the events domain)."""
    problem = deal_date_problem(deal_date, starts_on=as_date(starts_on))
    if problem is None and first_realisation is not None:
        first = as_date(first_realisation)
        if deal_date > first:
            problem = _("tanggal transaksi tidak boleh sesudah realisasi pertama ({date})").format(
                date=format_date(first)
            )
    if problem:
        raise InvalidInput.field(field, problem)


def event_status_problem(status: str) -> str | None:
    """Why an event in `status` takes no deals, or None."""
    if status == "draft":
        return _("acara masih draf; transaksi belum bisa dicatat")
    return None


def realisation_date_problem(realised_on: date, *, deal_date: date | None = None,
                             today: date | None = None) -> str | None:
    """Why a realisation cannot be dated `realised_on` (for a deal dated `deal_date`, when known), or None."""
    today = today or today_wib()
    if realised_on > today + timedelta(days=FUTURE_GRACE_DAYS):
        return _("tanggal realisasi tidak boleh di masa depan")
    if deal_date is not None and realised_on < deal_date:
        return _("tanggal realisasi tidak boleh sebelum tanggal transaksi ({date})").format(
            date=format_date(deal_date)
        )
    return None


def check_realisation_date(realised_on: date, *, deal_date: date | None = None,
                           field: str = "realised_on") -> None:
    problem = realisation_date_problem(realised_on, deal_date=deal_date)
    if problem:
        raise InvalidInput.field(field, problem)


# -- amounts ------------------------------------------------------------------------------------------------


def max_deal_rp() -> int:
    """The cap on one deal's total (and so on one line and one unit price): `OPOP_MAX_DEAL_RP`."""
    return get_settings().max_deal_rp


def review_threshold_rp() -> int:
    return get_settings().review_threshold_rp


def needs_review(total_rp: int) -> bool:
    """True when a deal of `total_rp` deserves a second look by Dinas (`OPOP_REVIEW_THRESHOLD_RP` or more)."""
    return total_rp >= review_threshold_rp()


def line_problems(quantity: Decimal, unit_price_rp: int, value_rp: int) -> list[tuple[str, str]]:
    """[(part, reason)] for a line breaking a cap; part is `quantity`, `unit_price_rp` or `value_rp`."""
    cap = max_deal_rp()
    found: list[tuple[str, str]] = []
    if quantity > MAX_QUANTITY:
        found.append(
            ("quantity", _("jumlah per baris paling banyak {limit}").format(limit=format_number(int(MAX_QUANTITY))))
        )
    if unit_price_rp > cap:
        found.append(("unit_price_rp", _("harga satuan paling besar {limit}").format(limit=format_rupiah(cap))))
    if value_rp > cap and not found:
        found.append(
            (
                "value_rp",
                _(
                    "nilai baris {value} melebihi batas {limit} per transaksi; periksa jumlah dan harga satuan"
                ).format(value=format_rupiah(value_rp), limit=format_rupiah(cap)),
            )
        )
    return found


def total_problem(values_rp: Iterable[int]) -> str | None:
    """Why a deal whose lines are worth `values_rp` is too large, or None."""
    total = sum(values_rp)
    cap = max_deal_rp()
    if total > cap:
        return _(
            "total transaksi {value} melebihi batas {limit} per transaksi; periksa jumlah dan harga satuan"
        ).format(value=format_rupiah(total), limit=format_rupiah(cap))
    return None


def deal_problems(*, deal_date: date, starts_on: date, lines: Iterable[tuple[Decimal, int, int]],
                  today: date | None = None) -> list[str]:
    """Every rule a whole deal breaks: its date for the event, each line (quantity, unit price, value) and its
    total. Used where deals are written without a form (the demo loader)."""
    lines = list(lines)
    found = []
    if problem := deal_date_problem(deal_date, starts_on=starts_on, today=today):
        found.append(problem)
    for quantity, price, value in lines:
        found += [reason for _, reason in line_problems(quantity, price, value)]
    if problem := total_problem(value for _quantity, _price, value in lines):
        found.append(problem)
    return found
