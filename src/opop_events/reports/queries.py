"""The one aggregation layer: every figure of every output (page, API, xlsx, pdf, csv, CLI) comes from here.

Sums are SQL aggregates in the database over the ledger as it stands now or as of a past moment; Python never
adds rows up. A scope is one event or a programme year (all events starting in that year).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from opop_events.catalog.enums import BUYER_TYPE_LABELS, CATEGORY_LABELS, BuyerType, Category
from opop_events.core.dates import as_date, as_datetime, now_utc
from opop_events.core.i18n import _
from opop_events.db import raw
from opop_events.deals.enums import COUNTED_STATES, LOGGED_STATES, STATE_LABELS, DealKind, DealState
from opop_events.deals.queries import (
    COUNTED_SQL,
    LOGGED_SQL,
    REPORTED_SQL,
    Money,
    closing_cte,
    current_event_join,
    deal_number,
    join_parts,
    official_ctes,
    parts,
    realised_cte,
    split,
    sum_parts,
)
from opop_events.reports import current
from opop_events.reports.model import (
    BreakdownRow,
    ClosingRecord,
    DealLineRow,
    Headline,
    LateFigures,
    ReportData,
)

LINE_CHUNK = 2000
REPORTED_STATES_SQL = REPORTED_SQL
IN_BREAKDOWN_SQL = "(" + ", ".join(f"'{s.value}'" for s in sorted(COUNTED_STATES | LOGGED_STATES)) + ")"


@dataclass(frozen=True)
class Scope:
    """One event (`event_id`) or a programme year (`year`)."""

    event_id: int | None = None
    year: int | None = None

    def where(self) -> tuple[str, list[Any]]:
        if self.event_id is not None:
            return "d.event = {}", [self.event_id]
        if self.year is not None:
            return (
                "d.event IN (SELECT id FROM event WHERE starts_on >= {} AND starts_on <= {})",
                [date(self.year, 1, 1), date(self.year, 12, 31)],
            )
        raise ValueError("scope needs an event or a year")


async def _projected(scope: Scope, as_of: datetime | None) -> bool:
    """Current figures of open books are read from the ledger's current-state projection (`reports/current.py`);
    as-of figures and the official figures of closed books from the history."""
    return as_of is None and await current.applies(*scope.where())


def _with(as_of: datetime | None) -> tuple[str, list[Any]]:
    """The official ledger as of `as_of` (each closed event's deals as at its closing, late deals apart) and its
    realisations."""
    official, official_args = official_ctes(as_of)
    real, real_args = realised_cte(as_of)
    return f"WITH {official}, {real} ", [*official_args, *real_args]


_TOTAL, _REALISED = parts("t.total"), parts("real.realised")
_REVISION_TOTALS = f"(SELECT revision, {sum_parts(split('value_rp'), 'total')} FROM deal_line GROUP BY revision) t"
"""`t(revision, total_hi, total_lo)`: each revision's value, in parts."""
_BASE = (
    "FROM deal d JOIN cur ON cur.deal = d.id JOIN deal_revision r ON r.id = cur.revision "
    f"LEFT JOIN {_REVISION_TOTALS} ON t.revision = cur.revision LEFT JOIN real ON real.deal = d.id "
)

_KIND_MONEY = ("confirmed_rp", "logged_rp", "realised_rp")
_KIND_COUNTS = ("deals_confirmed", "deals_logged", "deals_total")


async def _by_kind(scope: Scope, as_of: datetime | None, projected: bool) -> dict[str, dict[str, int]]:
    """Per deal kind (every kind present, zeros where none): the money and counts the headline and the
    totals endpoint both show — one query, so the two can never disagree."""
    with_sql, with_args = _with(as_of)
    where, args = scope.where()
    rows = await current.by_kind(where, args) if projected else await raw(
        with_sql
        + "SELECT r.kind, "
        + sum_parts(_TOTAL, "confirmed_rp", f"cur.state IN {COUNTED_SQL}")
        + ", "
        + sum_parts(_TOTAL, "logged_rp", f"cur.state IN {LOGGED_SQL}")
        + ", "
        + sum_parts(_REALISED, "realised_rp", f"cur.state IN {COUNTED_SQL}")
        + ", "
        + f"SUM(CASE WHEN cur.state IN {COUNTED_SQL} THEN 1 ELSE 0 END) AS deals_confirmed, "
        + f"SUM(CASE WHEN cur.state IN {LOGGED_SQL} THEN 1 ELSE 0 END) AS deals_logged, "
        + f"SUM(CASE WHEN cur.state IN {REPORTED_STATES_SQL} THEN 1 ELSE 0 END) AS deals_total "
        + _BASE
        + f"WHERE {where} GROUP BY r.kind",
        *with_args,
        *args,
    )
    found = {row["kind"]: row for row in rows}
    out: dict[str, dict[str, int]] = {}
    for kind in DealKind:
        row = found.get(kind.value)
        figures = {name: join_parts(row, name) if row else 0 for name in _KIND_MONEY}
        figures |= {name: int(row[name] or 0) if row else 0 for name in _KIND_COUNTS}
        out[kind.value] = figures
    return out


async def headline(scope: Scope, *, as_of: datetime | None = None) -> Headline:
    projected = await _projected(scope, as_of)
    kinds = await _by_kind(scope, as_of, projected)
    with_sql, with_args = _with(as_of)
    where, args = scope.where()
    parties = await current.parties(where, args) if projected else await raw(
        with_sql
        + "SELECT COUNT(DISTINCT d.pesantren) AS pesantren, COUNT(DISTINCT d.buyer) AS buyers "
        + _BASE
        + f"WHERE {where} AND cur.state IN {COUNTED_SQL}",
        *with_args,
        *args,
    )

    def total(name: str) -> int:
        # adds the (at most three) per-kind aggregates; the rows themselves were summed in SQL
        return sum(row[name] for row in kinds.values())

    return Headline(
        confirmed_rp=total("confirmed_rp"),
        logged_rp=total("logged_rp"),
        confirmed_by_kind={kind: row["confirmed_rp"] for kind, row in kinds.items()},
        realised_rp=total("realised_rp"),
        deals_confirmed=total("deals_confirmed"),
        deals_logged=total("deals_logged"),
        deals_total=total("deals_total"),
        pesantren=int(parties[0]["pesantren"] or 0),
        buyers=int(parties[0]["buyers"] or 0),
        meetings_held=await meetings_held(scope, as_of=as_of),
    )


async def kind_totals(scope: Scope, *, as_of: datetime | None = None) -> list[dict[str, Any]]:
    """Per deal kind: confirmed and logged rupiah and deal counts (for the totals endpoint)."""
    kinds = await _by_kind(scope, as_of, await _projected(scope, as_of))
    fields = ("confirmed_rp", "logged_rp", "deals_confirmed", "deals_logged")
    return [{"kind": kind, **{name: row[name] for name in fields}} for kind, row in kinds.items()]


async def meetings_held(scope: Scope, *, as_of: datetime | None = None) -> int:
    """Meetings marked held in the scope's events (by `as_of` when given)."""
    where, args = scope.where()
    where = where.replace("d.event", "m.event")
    time_clause, time_args = ("AND m.held_at <= {}", [as_of]) if as_of is not None else ("", [])
    rows = await raw(
        f"SELECT COUNT(*) AS n FROM meeting m WHERE {where} AND m.status = 'hadir' {time_clause}", *args, *time_args
    )
    return int(rows[0]["n"])


async def funnel(scope: Scope, *, as_of: datetime | None = None) -> dict[str, int]:
    """requests → accepted → scheduled → held → deals (from meetings) → confirmed value of those deals."""
    where, args = scope.where()
    q_where = where.replace("d.event", "q.event")
    m_where = where.replace("d.event", "m.event")
    requests = await raw(
        f"SELECT COUNT(*) AS requests, SUM(CASE WHEN q.status = 'diterima' THEN 1 ELSE 0 END) AS accepted "
        f"FROM meeting_request q WHERE {q_where}",
        *args,
    )
    meetings = await raw(
        "SELECT SUM(CASE WHEN m.slot IS NOT NULL AND m.status IN ('terjadwal', 'hadir', 'tidak_hadir') THEN 1 ELSE 0 END) "
        "AS scheduled, SUM(CASE WHEN m.status = 'hadir' THEN 1 ELSE 0 END) AS held "
        f"FROM meeting m WHERE {m_where}",
        *args,
    )
    with_sql, with_args = _with(as_of)
    deals = await raw(
        with_sql
        + "SELECT COUNT(DISTINCT d.id) AS deals, "
        + sum_parts(_TOTAL, "confirmed_rp", f"cur.state IN {COUNTED_SQL}")
        + " "
        + _BASE
        + f"WHERE {where} AND d.meeting_id IS NOT NULL AND cur.state IN {REPORTED_STATES_SQL}",
        *with_args,
        *args,
    )
    return {
        "requests": int(requests[0]["requests"] or 0),
        "accepted": int(requests[0]["accepted"] or 0),
        "scheduled": int(meetings[0]["scheduled"] or 0),
        "held": int(meetings[0]["held"] or 0),
        "deals": int(deals[0]["deals"] or 0),
        "confirmed_rp": join_parts(deals[0], "confirmed_rp"),
    }


# -- breakdowns ---------------------------------------------------------------------------------------------


def _breakdown_sql(key: str, label: str, joins: str, value: Money, realised: Money) -> str:
    return (
        f"SELECT {key} AS key, {label} AS label, COUNT(DISTINCT d.id) AS deals, "
        + sum_parts(value, "confirmed_rp", f"cur.state IN {COUNTED_SQL}")
        + ", "
        + sum_parts(value, "logged_rp", f"cur.state IN {LOGGED_SQL}")
        + ", "
        + sum_parts(realised, "realised_rp", f"cur.state IN {COUNTED_SQL}")
        + ", "
        + "COUNT(DISTINCT d.pesantren) AS pesantren, COUNT(DISTINCT d.buyer) AS buyers "
        + _BASE
        + joins
    )


def _rows(rows: list[dict[str, Any]], relabel: dict[str, str] | None = None) -> list[BreakdownRow]:
    out = [
        BreakdownRow(
            key=str(r["key"]),
            label=(relabel or {}).get(str(r["key"]), str(r["label"])),
            deals=int(r["deals"]),
            confirmed_rp=join_parts(r, "confirmed_rp"),
            logged_rp=join_parts(r, "logged_rp"),
            realised_rp=join_parts(r, "realised_rp"),
            pesantren=int(r["pesantren"]),
            buyers=int(r["buyers"]),
        )
        for r in rows
    ]
    out.sort(key=lambda row: (-row.confirmed_rp, -row.logged_rp))  # stable: equal values keep the SQL order
    return out


async def _breakdown(scope: Scope, as_of: datetime | None, sql: str, group: str, order: str, *,
                     projected: str = "") -> list[dict[str, Any]]:
    """The rows of a breakdown: from the projection (its breakdown `projected`) when it answers, else `sql`
    over the history."""
    if projected and await _projected(scope, as_of):
        return await current.breakdown(projected, *scope.where())
    with_sql, with_args = _with(as_of)
    where, args = scope.where()
    return await raw(
        with_sql + sql + f" WHERE {where} AND cur.state IN {IN_BREAKDOWN_SQL} GROUP BY {group} ORDER BY {order}",
        *with_args,
        *args,
    )


_RANK = "label"
"""SQL orders a breakdown by name (the tie-break); `_rows` then ranks it by value, exactly, in Python (a sum in
parts cannot be ordered by its parts in SQL)."""


async def by_region(scope: Scope, *, as_of: datetime | None = None) -> list[BreakdownRow]:
    sql = _breakdown_sql(
        "w.code", "w.name", "JOIN pesantren p ON p.id = d.pesantren JOIN wilayah w ON w.id = p.wilayah ",
        _TOTAL, _REALISED,
    )
    return _rows(await _breakdown(scope, as_of, sql, "w.code, w.name", _RANK, projected="region"))


async def by_buyer_type(scope: Scope, *, as_of: datetime | None = None) -> list[BreakdownRow]:
    sql = _breakdown_sql("b.buyer_type", "b.buyer_type", "JOIN buyer b ON b.id = d.buyer ", _TOTAL, _REALISED)
    rows = await _breakdown(scope, as_of, sql, "b.buyer_type", _RANK.replace("label", "key"),
                             projected="buyer_type")
    return _rows(rows, {t.value: _(BUYER_TYPE_LABELS[t]) for t in BuyerType})


async def by_pesantren(scope: Scope, *, as_of: datetime | None = None) -> list[BreakdownRow]:
    sql = _breakdown_sql("p.id", "p.name", "JOIN pesantren p ON p.id = d.pesantren ", _TOTAL, _REALISED)
    return _rows(await _breakdown(scope, as_of, sql, "p.id, p.name", _RANK + ", key", projected="pesantren"))


async def by_buyer(scope: Scope, *, as_of: datetime | None = None) -> list[BreakdownRow]:
    sql = _breakdown_sql("b.id", "b.name", "JOIN buyer b ON b.id = d.buyer ", _TOTAL, _REALISED)
    return _rows(await _breakdown(scope, as_of, sql, "b.id, b.name", _RANK + ", key", projected="buyer"))


async def by_category(scope: Scope, *, as_of: datetime | None = None) -> list[BreakdownRow]:
    """Per product category of the lines. A deal's realised amount is credited to its main category (that of
    its largest line), so the realised column still adds up to the headline."""
    main = (
        "(SELECT l2.category FROM deal_line l2 WHERE l2.revision = cur.revision "
        "ORDER BY l2.value_rp DESC, l2.position LIMIT 1)"
    )
    first_of_main = (
        f"l.category = {main} AND l.position = (SELECT MIN(l3.position) FROM deal_line l3 "
        "WHERE l3.revision = cur.revision AND l3.category = l.category)"
    )
    sql = _breakdown_sql(
        "l.category",
        "l.category",
        "JOIN deal_line l ON l.revision = cur.revision ",
        split("l.value_rp"),
        lambda part: f"CASE WHEN {first_of_main} THEN real.realised_{part} ELSE 0 END",
    )
    if await _projected(scope, as_of):
        return _rows(await current.by_category(*scope.where()), {c.value: _(CATEGORY_LABELS[c]) for c in Category})
    rows = await _breakdown(scope, as_of, sql, "l.category", _RANK.replace("label", "key"))
    return _rows(rows, {c.value: _(CATEGORY_LABELS[c]) for c in Category})


# -- the deal list ------------------------------------------------------------------------------------------


async def _page_end(scope: Scope, *, after_deal: int, limit: int) -> int | None:
    """The id of the `limit`-th deal after `after_deal` in the scope (None when there is none)."""
    where, args = scope.where()
    rows = await raw(
        f"SELECT MAX(id) AS last FROM (SELECT d.id FROM deal d WHERE {where} AND d.id > {{}} "
        "ORDER BY d.id LIMIT {}) page",
        *args,
        after_deal,
        limit,
    )
    return rows[0]["last"]


# labels by stored code (a plain dict lookup per deal line, shown through the catalogue; an unknown code still
# fails loudly)
_BUYER_TYPE_NAMES = {t.value: BUYER_TYPE_LABELS[t] for t in BuyerType}
_CATEGORY_NAMES = {c.value: CATEGORY_LABELS[c] for c in Category}


async def deal_lines_between(scope: Scope, *, as_of: datetime | None, after_deal: int, up_to: int) -> list[DealLineRow]:
    """Reported deal lines (official: a closed event's deals as of its closing) of the deals with
    after_deal < id <= up_to, in deal and line order."""
    where, args = scope.where()
    # each deal's current history row by a correlated lookup on the (deal, version) index: a page reads only its
    # own deals' history (the `cur` CTE of the aggregates would scan the whole history once per page)
    join, join_args = current_event_join(as_of, official=True)
    rows = await raw(
        "SELECT d.id, r.deal_date, cur.state, r.kind, p.name AS pesantren, w.name AS wilayah, b.name AS buyer, "
        "b.buyer_type, l.category, l.description, l.quantity, l.unit, l.unit_price_rp, l.value_rp, l.position "
        "FROM deal d " + join + "JOIN deal_revision r ON r.id = cur.revision "
        "JOIN deal_line l ON l.revision = cur.revision JOIN pesantren p ON p.id = d.pesantren "
        "JOIN wilayah w ON w.id = p.wilayah JOIN buyer b ON b.id = d.buyer "
        f"WHERE {where} AND cur.state IN {REPORTED_STATES_SQL} AND d.id > {{}} AND d.id <= {{}} "
        "ORDER BY d.id, l.position",
        *join_args,
        *args,
        after_deal,
        up_to,
    )
    return _line_rows(rows)


def _line_rows(rows: list[dict[str, Any]], *, late: bool = False) -> list[DealLineRow]:
    return [
        DealLineRow(
            deal_no=deal_number(r["id"]),
            deal_date=as_date(r["deal_date"]),
            state=r["state"],
            kind=r["kind"],
            pesantren=r["pesantren"],
            kabupaten_kota=r["wilayah"],
            buyer=r["buyer"],
            buyer_type=_(_BUYER_TYPE_NAMES[r["buyer_type"]]),
            category=_(_CATEGORY_NAMES[r["category"]]),
            description=r["description"],
            quantity=r["quantity"],
            unit=r["unit"],
            unit_price_rp=int(r["unit_price_rp"]),
            value_rp=int(r["value_rp"]),
            late=late,
        )
        for r in rows
    ]


_LATE_WHERE = f"live.state IN {COUNTED_SQL} AND (cur.deal IS NULL OR cur.state NOT IN {COUNTED_SQL})"
"""A late deal (susulan): counted now, but not in its event's official figure (made or agreed after closing)."""


async def late_figures(scope: Scope, *, as_of: datetime | None = None) -> LateFigures:
    """Deals counted now (or at `as_of`) that the official figure of their closed event leaves out: made or
    confirmed after its books were closed, summed at their current terms."""
    if await _projected(scope, as_of):
        return LateFigures(confirmed_rp=0, deals=0)  # no event of the scope has its books closed: none is late
    with_sql, with_args = _with(as_of)
    where, args = scope.where()
    rows = await raw(
        f"{with_sql}SELECT COUNT(*) AS deals, {sum_parts(_TOTAL, 'confirmed_rp')} "
        "FROM deal d JOIN live ON live.deal = d.id LEFT JOIN cur ON cur.deal = d.id "
        f"LEFT JOIN {_REVISION_TOTALS} ON t.revision = live.revision WHERE {where} AND {_LATE_WHERE}",
        *with_args,
        *args,
    )
    return LateFigures(confirmed_rp=join_parts(rows[0], "confirmed_rp"), deals=int(rows[0]["deals"] or 0))


async def late_deal_lines(scope: Scope, *, as_of: datetime | None = None) -> list[DealLineRow]:
    """The lines of the late deals, at their current terms, in deal and line order."""
    with_sql, with_args = _with(as_of)
    where, args = scope.where()
    rows = await raw(
        with_sql
        + "SELECT d.id, r.deal_date, live.state, r.kind, p.name AS pesantren, w.name AS wilayah, b.name AS buyer, "
        "b.buyer_type, l.category, l.description, l.quantity, l.unit, l.unit_price_rp, l.value_rp, l.position "
        "FROM deal d JOIN live ON live.deal = d.id LEFT JOIN cur ON cur.deal = d.id "
        "JOIN deal_revision r ON r.id = live.revision JOIN deal_line l ON l.revision = live.revision "
        "JOIN pesantren p ON p.id = d.pesantren JOIN wilayah w ON w.id = p.wilayah JOIN buyer b ON b.id = d.buyer "
        f"WHERE {where} AND {_LATE_WHERE} ORDER BY d.id, l.position",
        *with_args,
        *args,
    )
    return _line_rows(rows, late=True)


async def all_deal_lines(scope: Scope, *, as_of: datetime | None = None) -> list[DealLineRow]:
    """Every reported deal line at once, the official ones then the late ones (for small scopes and tests;
    exporters stream instead)."""
    last = await _page_end(scope, after_deal=0, limit=10**9)
    official = [] if last is None else await deal_lines_between(scope, as_of=as_of, after_deal=0, up_to=last)
    return official + await late_deal_lines(scope, as_of=as_of)


def stream_deal_lines(
    scope: Scope, *, as_of: datetime | None, loop: asyncio.AbstractEventLoop, chunk: int = LINE_CHUNK
) -> Iterator[DealLineRow]:
    """A synchronous iterator over every deal line, for exporters running in a worker thread: each page of
    `chunk` deals is fetched on the event loop `loop`, which runs in another thread. The next page is fetched
    while the caller works through the current one, so the database's work (a PostgreSQL server, SQLite's C code
    outside the GIL) overlaps the exporter's; at most two pages are held."""

    async def page(after: int) -> tuple[int | None, list[DealLineRow]]:
        end = await _page_end(scope, after_deal=after, limit=chunk)
        if end is None:
            return None, await late_deal_lines(scope, as_of=as_of)  # after the official lines, the late ones
        return end, await deal_lines_between(scope, as_of=as_of, after_deal=after, up_to=end)

    pending = asyncio.run_coroutine_threadsafe(page(0), loop)
    try:
        while True:
            end, rows = pending.result()
            if end is None:
                yield from rows
                return
            pending = asyncio.run_coroutine_threadsafe(page(end), loop)
            yield from rows
    finally:
        pending.cancel()  # the caller stopped early: drop the page being fetched


async def deal_line_totals(scope: Scope, *, as_of: datetime | None = None) -> dict[str, int]:
    """Sum of deal-line values per state (what the deal list must add up to)."""
    with_sql, with_args = _with(as_of)
    where, args = scope.where()
    rows = await raw(
        with_sql
        + "SELECT cur.state, "
        + sum_parts(_TOTAL, "value_rp")
        + " "
        + _BASE
        + f"WHERE {where} AND cur.state IN {REPORTED_STATES_SQL} GROUP BY cur.state",
        *with_args,
        *args,
    )
    return {r["state"]: join_parts(r, "value_rp") for r in rows}


# -- whole reports ------------------------------------------------------------------------------------------


async def event_report(
    *, event_id: int, as_of: datetime | None = None, loop: asyncio.AbstractEventLoop | None = None
) -> ReportData:
    """Every figure of one event's official report."""
    event = (await raw(
        "SELECT ev.name, ev.venue, ev.starts_on, ev.ends_on, w.name AS wilayah FROM event ev "
        "JOIN wilayah w ON w.id = ev.wilayah WHERE ev.id = {}",
        event_id,
    ))[0]
    scope = Scope(event_id=event_id)
    return await _report(
        scope=scope,
        as_of=as_of,
        loop=loop,
        title=_("Laporan Hasil Temu Bisnis"),
        subject=event["name"],
        venue=f"{event['venue']}" if event["venue"] else event["wilayah"],
        period_start=as_date(event["starts_on"]),
        period_end=as_date(event["ends_on"]),
        kind="event",
    )


async def year_report(*, year: int, as_of: datetime | None = None, loop: asyncio.AbstractEventLoop | None = None) -> ReportData:
    """The programme report: every event that started in `year`."""
    return await _report(
        scope=Scope(year=year),
        as_of=as_of,
        loop=loop,
        title=_("Laporan Program Temu Bisnis OPOP"),
        subject=_("Program OPOP Jawa Barat {year}").format(year=year),
        venue=None,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        kind="year",
    )




async def _report(*, scope: Scope, as_of: datetime | None, loop: asyncio.AbstractEventLoop | None, title: str,
                  subject: str, venue: str | None, period_start: date, period_end: date, kind: str) -> ReportData:
    loop = loop or asyncio.get_running_loop()
    generated_at = now_utc()
    # Every figure of one report is read as of one moment (the generation time when no `as_of` is asked), so a
    # deal confirmed while the report is being built cannot make its tables disagree with each other.
    moment = as_of or generated_at
    return ReportData(
        title=title,
        scope=kind,  # type: ignore[arg-type]
        subject=subject,
        venue=venue,
        period_start=period_start,
        period_end=period_end,
        as_of=as_of,
        generated_at=generated_at,
        headline=await headline(scope, as_of=moment),
        by_region=await by_region(scope, as_of=moment),
        by_category=await by_category(scope, as_of=moment),
        by_buyer_type=await by_buyer_type(scope, as_of=moment),
        by_pesantren=await by_pesantren(scope, as_of=moment),
        by_buyer=await by_buyer(scope, as_of=moment),
        deal_lines=lambda: stream_deal_lines(scope, as_of=moment, loop=loop),
        late=await late_figures(scope, as_of=moment),
        closings=await closings(scope, as_of=moment),
    )


async def closings(scope: Scope, *, as_of: datetime | None = None) -> list[ClosingRecord]:
    """The events of the scope whose books are closed (as of `as_of`), with who closed them, when and why."""
    cut, cut_args = closing_cte(as_of)
    where, args = scope.where()
    rows = await raw(
        f"WITH {cut} SELECT ev.name, c.at, c.reason, c.confirmed_rp, u.name AS user_name, u.email "
        "FROM cut JOIN event_closing c ON c.event = cut.event AND c.at = cut.at AND c.action = 'tutup' "
        "JOIN event ev ON ev.id = c.event JOIN app_user u ON u.id = c.actor "
        f"WHERE {where.replace('d.event', 'ev.id')} ORDER BY ev.starts_on, ev.id",
        *cut_args,
        *args,
    )
    return [
        ClosingRecord(event_name=r["name"], closed_at=as_datetime(r["at"]), closed_by=r["user_name"] or r["email"],
                      reason=r["reason"], confirmed_rp=int(r["confirmed_rp"]))
        for r in rows
    ]


STATE_NAMES = {s.value: STATE_LABELS[s] for s in DealState}
