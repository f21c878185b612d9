"""The current figures of open books, read from the ledger's current-state projection (`deals/projection.py`).

`reports/queries.py` asks here when no `as_of` is given and no event of the scope has its books closed: the
headline and every breakdown are then a plain SUM … GROUP BY over `deal_current` (alias `d`, so a scope's
`d.event` condition applies unchanged) or `deal_line_current` (alias `l`), in the same rows and parts as the
history queries return, so `reports/queries.py` reads both alike. As-of and official (closed-books) figures stay
on the history.
"""

from __future__ import annotations

from typing import Any

from opop_events.db import raw
from opop_events.deals.enums import COUNTED_STATES, LOGGED_STATES
from opop_events.deals.queries import COUNTED_SQL, LOGGED_SQL, REPORTED_SQL, closing_cte, parts, split, sum_parts

_TOTAL, _REALISED = parts("d.total"), parts("d.realised")
IN_BREAKDOWN_SQL = "(" + ", ".join(f"'{s.value}'" for s in sorted(COUNTED_STATES | LOGGED_STATES)) + ")"


_DIRTY = "(SELECT COUNT(*) FROM (SELECT 1 FROM projection_dirty LIMIT 1) x)"
"""1 when some deal's history changed around the services (`deals/projection.py`), else 0."""


async def applies(where: str, args: list[Any]) -> bool:
    """Whether the projection answers for the scope `where` (over `d.event`) now: no event of it has its books
    closed (their official figure is the history as at the closing), and no deal is marked dirty."""
    cut, cut_args = closing_cte(None)
    rows = await raw(
        f"WITH {cut} SELECT (SELECT COUNT(*) FROM cut k WHERE {where.replace('d.event', 'k.event')}) AS closed, "
        f"{_DIRTY} AS dirty",
        *cut_args, *args,
    )
    return int(rows[0]["closed"]) == 0 and int(rows[0]["dirty"]) == 0


async def by_kind(where: str, args: list[Any]) -> list[dict[str, Any]]:
    """Per deal kind: the rows `reports.queries._by_kind` reads from the history."""
    return await raw(
        "SELECT d.kind, "
        + sum_parts(_TOTAL, "confirmed_rp", f"d.state IN {COUNTED_SQL}") + ", "
        + sum_parts(_TOTAL, "logged_rp", f"d.state IN {LOGGED_SQL}") + ", "
        + sum_parts(_REALISED, "realised_rp", f"d.state IN {COUNTED_SQL}") + ", "
        + f"SUM(CASE WHEN d.state IN {COUNTED_SQL} THEN 1 ELSE 0 END) AS deals_confirmed, "
        + f"SUM(CASE WHEN d.state IN {LOGGED_SQL} THEN 1 ELSE 0 END) AS deals_logged, "
        + f"SUM(CASE WHEN d.state IN {REPORTED_SQL} THEN 1 ELSE 0 END) AS deals_total "
        + f"FROM deal_current d WHERE {where} GROUP BY d.kind",
        *args,
    )


async def parties(where: str, args: list[Any]) -> list[dict[str, Any]]:
    """Pesantren and buyers with a counted deal."""
    return await raw(
        "SELECT COUNT(DISTINCT d.pesantren) AS pesantren, COUNT(DISTINCT d.buyer) AS buyers FROM deal_current d "
        f"WHERE {where} AND d.state IN {COUNTED_SQL}",
        *args,
    )


_GROUPS = {
    "region": ("w.code", "w.name", "JOIN pesantren p ON p.id = d.pesantren JOIN wilayah w ON w.id = p.wilayah ",
               "w.code, w.name", "label"),
    "buyer_type": ("b.buyer_type", "b.buyer_type", "JOIN buyer b ON b.id = d.buyer ", "b.buyer_type", "key"),
    "pesantren": ("p.id", "p.name", "JOIN pesantren p ON p.id = d.pesantren ", "p.id, p.name", "label, key"),
    "buyer": ("b.id", "b.name", "JOIN buyer b ON b.id = d.buyer ", "b.id, b.name", "label, key"),
}
"""Per breakdown: key, label, joins, GROUP BY and ORDER BY, as in `reports.queries` (SQL orders by name, the
caller ranks by value)."""


async def breakdown(group: str, where: str, args: list[Any]) -> list[dict[str, Any]]:
    """A breakdown by `group` (a key of `_GROUPS`) over the deals of the scope, in the history queries' rows."""
    key, label, joins, group_by, order = _GROUPS[group]
    return await raw(
        f"SELECT {key} AS key, {label} AS label, COUNT(*) AS deals, "
        + sum_parts(_TOTAL, "confirmed_rp", f"d.state IN {COUNTED_SQL}") + ", "
        + sum_parts(_TOTAL, "logged_rp", f"d.state IN {LOGGED_SQL}") + ", "
        + sum_parts(_REALISED, "realised_rp", f"d.state IN {COUNTED_SQL}") + ", "
        + "COUNT(DISTINCT d.pesantren) AS pesantren, COUNT(DISTINCT d.buyer) AS buyers "
        + f"FROM deal_current d {joins}WHERE {where} AND d.state IN {IN_BREAKDOWN_SQL} "
        + f"GROUP BY {group_by} ORDER BY {order}",
        *args,
    )


async def by_category(where: str, args: list[Any]) -> list[dict[str, Any]]:
    """Per category of the current lines; a deal's realised amount sits on its main category's first line."""
    where = where.replace("d.event", "l.event")
    return await raw(
        "SELECT l.category AS key, l.category AS label, COUNT(DISTINCT l.deal) AS deals, "
        + sum_parts(split("l.value_rp"), "confirmed_rp", f"l.state IN {COUNTED_SQL}") + ", "
        + sum_parts(split("l.value_rp"), "logged_rp", f"l.state IN {LOGGED_SQL}") + ", "
        + sum_parts(parts("l.realised"), "realised_rp", f"l.state IN {COUNTED_SQL}") + ", "
        + "COUNT(DISTINCT l.pesantren) AS pesantren, COUNT(DISTINCT l.buyer) AS buyers "
        + f"FROM deal_line_current l WHERE {where} AND l.state IN {IN_BREAKDOWN_SQL} "
        + "GROUP BY l.category ORDER BY key",
        *args,
    )


async def figures_tag(slug: str) -> str | None:
    """The validator (weak ETag) of an event's current figures, in one small query: the sum of the event's
    ledger stamps (raised by every ledger change, in its transaction) and its latest closing row. None for an unknown event,
    or while a deal is marked dirty (its stamp did not move).
    Read it before the figures: a change committed in between then costs one more full answer, never a stale
    304."""
    rows = await raw(
        "SELECT ev.id, (SELECT SUM(s.changes) FROM ledger_stamp s WHERE s.event = ev.id) AS changes, "
        f"(SELECT MAX(c.id) FROM event_closing c WHERE c.event = ev.id) AS closing, {_DIRTY} AS dirty "
        "FROM event ev WHERE ev.slug = {}",
        slug,
    )
    if not rows or rows[0]["dirty"]:
        return None  # unknown event, or a history changed around the services: no validator
    row = rows[0]
    return f'W/"{row["id"]}-{row["changes"] or 0}-{row["closing"] or 0}"'
