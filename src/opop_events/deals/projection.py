"""The current-state projection of the ledger: `deal_current`, `deal_line_current`, `ledger_stamp` and
`projection_dirty`.

The history (`deal_event`, revisions, lines, realisations) stays the one truth; the projection is each deal's
state now, derived from it by the SQL below and written in the same transaction as the history row that changed
it (`refresh_deals`, called by the ledger's row writers in `deals/services`). The current headline and
breakdowns of an event whose books are open read it with a plain SUM … GROUP BY (`reports/current.py`); as-of
and official (closed-books) figures keep reading the history. `rebuild` (`opop-events db rebuild-projection`,
and the migration that created the tables) derives it again for every deal.

Every statement is portable SQL with `{}` placeholders, run through `db.raw` or a migration's engine.
"""

from __future__ import annotations

from collections.abc import Iterable

from opop_events.db import raw
from opop_events.deals.queries import split

_REALISED = split("z.amount_rp")
_VALUE = split("l.value_rp")


def _sum_of(money: str, source: str) -> str:
    return f"(SELECT CAST(COALESCE(SUM({money}), 0) AS BIGINT) {source})"


_LINES = "FROM deal_line l WHERE l.revision = e.revision"
_LIVE_REALISATIONS = (
    "FROM realisation z WHERE z.deal = d.id AND z.voids IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id)"
)
_MAIN_LINE = (
    "l.category = (SELECT l2.category FROM deal_line l2 WHERE l2.revision = c.revision "
    "ORDER BY l2.value_rp DESC, l2.position LIMIT 1) AND l.position = (SELECT MIN(l3.position) FROM deal_line l3 "
    "WHERE l3.revision = c.revision AND l3.category = l.category)"
)
"""The line a deal's realised amount is credited to: the first line of its main category (that of its largest
line), as in `reports.queries.by_category`."""


def _statements(where_deal: str) -> list[str]:
    """Delete and derive again the projection rows of the deals matching `where_deal` (over `deal d`; `1 = 1`
    for all). The `deal_current` row is written first: the lines read their state and revision from it."""
    in_deals = f"(SELECT d.id FROM deal d WHERE {where_deal})"
    return [
        f"DELETE FROM projection_dirty WHERE deal IN {in_deals}",
        f"DELETE FROM deal_line_current WHERE deal IN {in_deals}",
        f"DELETE FROM deal_current WHERE deal IN {in_deals}",
        "INSERT INTO deal_current (deal, event, pesantren, buyer, state, version, revision, kind, deal_date, "
        "total_hi, total_lo, realised_hi, realised_lo) "
        "SELECT d.id, d.event, d.pesantren, d.buyer, e.state, e.version, e.revision, r.kind, r.deal_date, "
        f"{_sum_of(_VALUE('hi'), _LINES)}, {_sum_of(_VALUE('lo'), _LINES)}, "
        f"{_sum_of(_REALISED('hi'), _LIVE_REALISATIONS)}, {_sum_of(_REALISED('lo'), _LIVE_REALISATIONS)} "
        "FROM deal d JOIN deal_event e ON e.deal = d.id "
        "AND e.version = (SELECT MAX(x.version) FROM deal_event x WHERE x.deal = d.id) "
        f"JOIN deal_revision r ON r.id = e.revision WHERE {where_deal}",
        "INSERT INTO deal_line_current (deal, event, pesantren, buyer, state, position, category, value_rp, "
        "realised_hi, realised_lo) "
        "SELECT c.deal, c.event, c.pesantren, c.buyer, c.state, l.position, l.category, l.value_rp, "
        f"CASE WHEN {_MAIN_LINE} THEN c.realised_hi ELSE 0 END, CASE WHEN {_MAIN_LINE} THEN c.realised_lo ELSE 0 END "
        f"FROM deal_current c JOIN deal_line l ON l.revision = c.revision WHERE c.deal IN {in_deals}",
    ]


INDEXES = (
    "CREATE INDEX IF NOT EXISTS deal_current_event ON deal_current (event, state)",
    "CREATE INDEX IF NOT EXISTS deal_line_current_event ON deal_line_current (event, state)",
    "CREATE INDEX IF NOT EXISTS deal_line_current_deal ON deal_line_current (deal)",
    "CREATE INDEX IF NOT EXISTS projection_dirty_deal ON projection_dirty (deal)",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_stamp_event_shard ON ledger_stamp (event, shard)",
)

_DIRTY_SOURCES = (
    ("deal_event", "NEW.deal", "fresh.deal FROM fresh"),
    ("realisation", "NEW.deal", "fresh.deal FROM fresh"),
    ("deal_line", "(SELECT r.deal FROM deal_revision r WHERE r.id = NEW.revision)",
     "r.deal FROM fresh JOIN deal_revision r ON r.id = fresh.revision"),
)
"""The history tables whose inserts mark a deal dirty: (table, the deal of a new row in SQLite's row trigger,
the deals of a statement's new rows in PostgreSQL's statement trigger)."""

SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {table}_projection_dirty AFTER INSERT ON {table} FOR EACH ROW "
    f"BEGIN INSERT INTO projection_dirty (deal) VALUES ({row}); END"
    for table, row, _ in _DIRTY_SOURCES
)
POSTGRES_TRIGGERS = tuple(
    sql
    for table, _, rows in _DIRTY_SOURCES
    for sql in (
        f"CREATE OR REPLACE FUNCTION {table}_projection_dirty() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN INSERT INTO projection_dirty (deal) SELECT DISTINCT {rows}; RETURN NULL; END $$",
        f"CREATE OR REPLACE TRIGGER {table}_projection_dirty AFTER INSERT ON {table} REFERENCING NEW TABLE AS fresh "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_projection_dirty()",
    )
)
"""Every insert into the history marks its deals dirty in the same statement, whoever writes it (set-based on
PostgreSQL, so COPY of a whole import costs one insert per table); `refresh_deals` clears the marks of the deals
it derives again. A mark left behind makes the reports fall back to the history: never a wrong figure."""

STAMP_SHARDS = 16
"""A change raises the stamp row (event, deal % STAMP_SHARDS): concurrent writers of one event seldom share it."""

_STAMP_ALL = (
    "INSERT INTO ledger_stamp (event, shard, changes) SELECT ev.id, 0, 1 FROM event ev "
    "WHERE NOT EXISTS (SELECT 1 FROM ledger_stamp s WHERE s.event = ev.id AND s.shard = 0)"
)

REBUILD_STATEMENTS: tuple[str, ...] = (
    *_statements("1 = 1"),
    "UPDATE ledger_stamp SET changes = changes + 1",
    _STAMP_ALL,
)
"""The whole projection derived again from the history (also run by the migration that created it); every
event's stamp moves on, so no client keeps figures read before."""

_BUMP = (
    f"INSERT INTO ledger_stamp (event, shard, changes) SELECT DISTINCT d.event, d.id % {STAMP_SHARDS}, 1 "
    "FROM deal d WHERE {} ON CONFLICT (event, shard) DO UPDATE SET changes = ledger_stamp.changes + 1"
)


async def refresh_deals(deal_ids: Iterable[int]) -> None:
    """Derive the projection rows of these deals again and move their events' stamps on. Call inside the write
    transaction, after the history rows (and realisations) of the change are written."""
    ids = sorted({int(i) for i in deal_ids})
    if not ids:
        return
    if len(ids) == 1:
        where, args = "d.id = {}", ids
    else:
        # bulk writers (the import) pass many deals: a range of ids, then only those among them
        where, args = "d.id >= {} AND d.id <= {}", [ids[0], ids[-1]]
        if ids[-1] - ids[0] + 1 != len(ids):
            where = "d.id IN (" + ", ".join(str(i) for i in ids) + ")"
            args = []
    for sql in _statements(where):
        await raw(sql, *(args * sql.count(where)))
    await raw(_BUMP.replace("{}", where, 1), *args)


async def rebuild() -> None:
    """Derive the whole projection again from the history (call inside a write transaction)."""
    for sql in REBUILD_STATEMENTS:
        await raw(sql)

