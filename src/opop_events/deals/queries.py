"""SQL of the ledger's current state: the history row in force per deal, now or as of a past moment.

The same fragment feeds the deal pages and every report, so "the state of a deal" is computed one way only.
"""

from __future__ import annotations

from datetime import datetime

from opop_events.deals.enums import COUNTED_STATES, LOGGED_STATES


def _in(states: frozenset) -> str:
    return "(" + ", ".join(f"'{s.value}'" for s in sorted(states)) + ")"


COUNTED_SQL = _in(COUNTED_STATES)
LOGGED_SQL = _in(LOGGED_STATES)


def current_events_cte(as_of: datetime | None) -> tuple[str, list]:
    """`cur(deal, version, state, revision, at)`: each deal's latest history row (at or before `as_of`)."""
    where, args = ("WHERE at <= {}", [as_of]) if as_of is not None else ("", [])
    sql = (
        "cur AS (SELECT e.deal, e.version, e.state, e.revision, e.at FROM deal_event e "
        f"JOIN (SELECT deal, MAX(version) AS v FROM deal_event {where} GROUP BY deal) last "
        "ON last.deal = e.deal AND last.v = e.version)"
    )
    return sql, args


def realised_cte(as_of: datetime | None) -> tuple[str, list]:
    """`real(deal, realised_rp)`: per deal, realisations recorded by `as_of` that were not voided by then."""
    if as_of is None:
        sql = (
            "real AS (SELECT z.deal, CAST(SUM(z.amount_rp) AS BIGINT) AS realised_rp FROM realisation z "
            "WHERE z.voids IS NULL AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id) "
            "GROUP BY z.deal)"
        )
        return sql, []
    sql = (
        "real AS (SELECT z.deal, CAST(SUM(z.amount_rp) AS BIGINT) AS realised_rp FROM realisation z "
        "WHERE z.voids IS NULL AND z.recorded_at <= {} "
        "AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id AND v.recorded_at <= {}) "
        "GROUP BY z.deal)"
    )
    return sql, [as_of, as_of]


def current_event_join(as_of: datetime | None) -> tuple[str, list]:
    """`JOIN deal_event cur` on deal `d`'s latest history row (at or before `as_of`). Correlated on the unique
    (deal, version) index, so reading one deal or one page of deals never scans the whole history."""
    where, args = (" AND x.at <= {}", [as_of]) if as_of is not None else ("", [])
    sql = (
        "JOIN deal_event cur ON cur.deal = d.id AND cur.version = "
        f"(SELECT MAX(x.version) FROM deal_event x WHERE x.deal = d.id{where}) "
    )
    return sql, args


def realised_column(as_of: datetime | None) -> tuple[str, list]:
    """`realised_rp` of deal `d`: realisations recorded by `as_of` that were not voided by then."""
    if as_of is None:
        return (
            "(SELECT CAST(COALESCE(SUM(z.amount_rp), 0) AS BIGINT) FROM realisation z WHERE z.deal = d.id "
            "AND z.voids IS NULL AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id)) AS realised_rp",
            [],
        )
    return (
        "(SELECT CAST(COALESCE(SUM(z.amount_rp), 0) AS BIGINT) FROM realisation z WHERE z.deal = d.id "
        "AND z.voids IS NULL AND z.recorded_at <= {} "
        "AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id AND v.recorded_at <= {})) AS realised_rp",
        [as_of, as_of],
    )
