"""SQL of the ledger's current state: the history row in force per deal, now or as of a past moment.

The same fragment feeds the deal pages and every report, so "the state of a deal" is computed one way only.

Two rules every figure obeys:

- **Exact whatever is stored.** A rupiah sum is taken in two parts, the billions (`x / 10^9`) and the rest
  (`x % 10^9`), each summed as an ordinary integer and joined in Python (`join_parts`). Neither part can overflow
  a 64-bit sum before about 10^9 rows of the largest value a BIGINT can hold, so no ledger, however wrong its
  amounts, makes a figure fail with `integer overflow` (SQLite) or `bigint out of range` (PostgreSQL). The same
  SQL runs on both engines.
- **Closed books stay closed.** While an event's books are closed (its latest `event_closing` row is `tutup`),
  its official figures read each deal's history as it stood at the closing (`official_ctes`); the late deals —
  counted now but not in the official books — are reported separately (susulan), and only there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from opop_events.deals.enums import COUNTED_STATES, LOGGED_STATES, REPORTED_STATES


def deal_number(deal_id: int) -> str:
    """How a deal is named to people: `TRX-000042`."""
    return f"TRX-{deal_id:06d}"


PART = 1_000_000_000
"""A rupiah amount is summed as `amount / PART` and `amount % PART` (amounts are never negative)."""


def _in(states: frozenset) -> str:
    return "(" + ", ".join(f"'{s.value}'" for s in sorted(states)) + ")"


COUNTED_SQL = _in(COUNTED_STATES)
LOGGED_SQL = _in(LOGGED_STATES)
REPORTED_SQL = _in(REPORTED_STATES)

Money = Callable[[str], str]
"""A rupiah amount in SQL, given as its two parts: `money("hi")` and `money("lo")` (see `split`)."""


def split(column: str) -> Money:
    """A stored amount column (`l.value_rp`) as its two parts."""
    return lambda part: f"({column} / {PART})" if part == "hi" else f"({column} % {PART})"


def parts(prefix: str) -> Money:
    """An amount already summed in parts by a subquery: `t.total` → `t.total_hi`, `t.total_lo`."""
    return lambda part: f"{prefix}_{part}"


def sum_parts(money: Money, name: str, when: str | None = None) -> str:
    """`SUM` of an amount in parts, optionally only where `when` holds: columns `{name}_hi`, `{name}_lo`."""
    out = []
    for part in ("hi", "lo"):
        value = money(part) if when is None else f"CASE WHEN {when} THEN {money(part)} ELSE 0 END"
        out.append(f"CAST(COALESCE(SUM({value}), 0) AS BIGINT) AS {name}_{part}")
    return ", ".join(out)


def join_parts(row: Mapping[str, Any], name: str) -> int:
    """The exact amount `{name}` of a row summed by `sum_parts` (Python's integers do not overflow)."""
    return int(row[f"{name}_hi"] or 0) * PART + int(row[f"{name}_lo"] or 0)


def _closed_events(as_of: datetime | None) -> tuple[str, list]:
    """SELECT of (event, at, last_event) for each event whose books are closed as of `as_of`: its latest
    `event_closing` row up to then is a `tutup`."""
    bound = "AND c.at <= {} " if as_of is not None else ""
    sql = (
        f"SELECT c.event, c.at, c.last_event FROM event_closing c WHERE c.action = 'tutup' {bound}"
        "AND NOT EXISTS (SELECT 1 FROM event_closing c2 WHERE c2.event = c.event AND c2.id > c.id "
        f"{bound.replace('c.at', 'c2.at')})"
    )
    return sql, [as_of, as_of] if as_of is not None else []


def closing_cte(as_of: datetime | None) -> tuple[str, list]:
    """`cut(event, at, last_event)`: each event whose books are closed (as of `as_of`), with the closing moment
    and the last history row committed then."""
    sql, args = _closed_events(as_of)
    return f"cut AS ({sql})", args


_CLOSED = "(k.at IS NULL OR (x.at <= k.at AND x.id <= k.last_event))"
"""A history row within its event's official books: the event is open, or the row was committed by the
closing (id up to `last_event`) and dated by then."""


def current_events_cte(as_of: datetime | None, *, official: bool = False, name: str = "cur",
                       closed_only: bool = False) -> tuple[str, list]:
    """`{name}(deal, version, state, revision, at)`: each deal's latest history row at or before `as_of`.
    With `official`, only rows within the event's official books (needs the `cut` CTE); with `closed_only`, only
    the deals of events whose books are closed (needs `cut`). A deal with no such row is absent."""
    where, args = ("WHERE x.at <= {}", [as_of]) if as_of is not None else ("WHERE 1 = 1", [])
    if official:
        where += f" AND {_CLOSED}"
        source = "deal_event x JOIN deal dx ON dx.id = x.deal LEFT JOIN cut k ON k.event = dx.event"
    elif closed_only:
        source = "deal_event x JOIN deal dx ON dx.id = x.deal JOIN cut k ON k.event = dx.event"
    else:
        source = "deal_event x"
    sql = (
        f"{name} AS (SELECT e.deal, e.version, e.state, e.revision, e.at FROM deal_event e "
        f"JOIN (SELECT x.deal, MAX(x.version) AS v FROM {source} {where} GROUP BY x.deal) last "
        "ON last.deal = e.deal AND last.v = e.version)"
    )
    return sql, args


def official_ctes(as_of: datetime | None) -> tuple[str, list]:
    """`cut`, `live` and `cur`: the official ledger as of `as_of`. `cur` holds each deal's row within its
    event's official books, leaving out the late deals (counted now, not in the official books: they are
    reported apart, once); `live` holds the current rows of the deals of closed events."""
    cut, cut_args = closing_cte(as_of)
    official, official_args = current_events_cte(as_of, official=True, name="cur0")
    live, live_args = current_events_cte(as_of, closed_only=True, name="live")
    cur = (
        "cur AS (SELECT cur0.* FROM cur0 WHERE NOT EXISTS (SELECT 1 FROM live WHERE live.deal = cur0.deal "
        f"AND live.state IN {COUNTED_SQL} AND cur0.state NOT IN {COUNTED_SQL}))"
    )
    return f"{cut}, {official}, {live}, {cur}", [*cut_args, *official_args, *live_args]


def realised_cte(as_of: datetime | None) -> tuple[str, list]:
    """`real(deal, realised_hi, realised_lo)`: per deal, realisations recorded by `as_of` that were not voided by
    then, summed in parts. Realisations are follow-up, not the headline: they keep accruing after closing."""
    money = split("z.amount_rp")
    if as_of is None:
        sql = (
            f"real AS (SELECT z.deal, {sum_parts(money, 'realised')} FROM realisation z "
            "WHERE z.voids IS NULL AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id) "
            "GROUP BY z.deal)"
        )
        return sql, []
    sql = (
        f"real AS (SELECT z.deal, {sum_parts(money, 'realised')} FROM realisation z "
        "WHERE z.voids IS NULL AND z.recorded_at <= {} "
        "AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id AND v.recorded_at <= {}) "
        "GROUP BY z.deal)"
    )
    return sql, [as_of, as_of]


def current_event_join(as_of: datetime | None, *, official: bool = False) -> tuple[str, list]:
    """`JOIN deal_event cur` on deal `d`'s latest history row (at or before `as_of`). With `official`: the row
    within its event's official books, and no row at all for a late deal (counted now, not in the official
    books). Correlated on the unique (deal, version) index, so reading one deal or one page of deals never scans
    the whole history."""
    where, args = (" AND x.at <= {}", [as_of]) if as_of is not None else ("", [])
    extra, extra_args = "", []
    if official:
        closed, cut_args = _closed_events(as_of)
        where += (f" AND NOT EXISTS (SELECT 1 FROM ({closed}) k WHERE k.event = d.event "
                  "AND (x.at > k.at OR x.id > k.last_event))")
        args = args + cut_args
        # a late deal: not counted in the official books, counted now
        live = ("(SELECT y.state FROM deal_event y WHERE y.deal = d.id" + (" AND y.at <= {}" if as_of else "")
                + " ORDER BY y.version DESC LIMIT 1)")
        extra = f"AND NOT (cur.state NOT IN {COUNTED_SQL} AND {live} IN {COUNTED_SQL}) "
        extra_args = [as_of] if as_of is not None else []
    sql = (
        "JOIN deal_event cur ON cur.deal = d.id AND cur.version = "
        f"(SELECT MAX(x.version) FROM deal_event x WHERE x.deal = d.id{where}) " + extra
    )
    return sql, args + extra_args


def realised_column(as_of: datetime | None) -> tuple[str, list]:
    """`realised_hi`, `realised_lo` of deal `d`: realisations recorded by `as_of` that were not voided by then."""
    money = split("z.amount_rp")
    columns = []
    args: list = []
    for part in ("hi", "lo"):
        if as_of is None:
            columns.append(
                f"(SELECT CAST(COALESCE(SUM({money(part)}), 0) AS BIGINT) FROM realisation z WHERE z.deal = d.id "
                "AND z.voids IS NULL AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id)) "
                f"AS realised_{part}"
            )
        else:
            columns.append(
                f"(SELECT CAST(COALESCE(SUM({money(part)}), 0) AS BIGINT) FROM realisation z WHERE z.deal = d.id "
                "AND z.voids IS NULL AND z.recorded_at <= {} "
                "AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id AND v.recorded_at <= {})) "
                f"AS realised_{part}"
            )
            args += [as_of, as_of]
    return ", ".join(columns), args
