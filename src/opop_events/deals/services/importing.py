"""Writing imported deals (from a Dinas workbook) with the history a deal logged by hand would have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_role
from opop_events.core.dates import now_utc
from opop_events.core.errors import Forbidden, InvalidInput
from opop_events.core.i18n import _
from opop_events.db import get_engine, is_postgres, raw
from opop_events.deals.enums import (
    DealAction,
    DealKind,
    DealState,
    Origin,
)
from opop_events.deals.projection import refresh_deals
from opop_events.deals.services.revisions import _append_event, _CleanLine, _new_revision, _snapshot
from opop_events.deals.tables import Deal

# -- imports ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedLine:
    """A deal line read from a Dinas workbook (already validated: exact quantity text, integer rupiah)."""

    description: str
    category: str
    quantity: str
    unit: str
    unit_price_rp: int
    value_rp: int
    product_id: int | None = None


_IMPORT_PATH = {
    DealState.dicatat: ((DealAction.catat, DealState.dicatat),),
    DealState.dikonfirmasi: ((DealAction.catat, DealState.dicatat), (DealAction.konfirmasi, DealState.dikonfirmasi)),
    DealState.diverifikasi: (
        (DealAction.catat, DealState.dicatat),
        (DealAction.konfirmasi, DealState.dikonfirmasi),
        (DealAction.verifikasi, DealState.diverifikasi),
    ),
}


def _check_importable(actor: Actor, state: DealState) -> None:
    """A state an import may write, by this importer. An imported deal that is already agreed (or verified) says
    both sides agreed: Dinas's own rekap may say so, an organizer's list may not (its deals come in as logged,
    for the buyers to confirm)."""
    if state not in _IMPORT_PATH:
        raise InvalidInput.field(
            "status", _("status impor hanya dicatat, dikonfirmasi atau diverifikasi")
        )
    if state is not DealState.dicatat and not actor.is_admin:
        raise Forbidden(
            _("Hanya staf Dinas yang boleh mengimpor transaksi berstatus dikonfirmasi atau diverifikasi.")
        )


async def import_deal(
    *,
    actor: Actor,
    event_id: int,
    pesantren_id: int,
    buyer_id: int,
    kind: DealKind,
    deal_date: date,
    lines: list[ImportedLine],
    state: DealState,
    source: str,
) -> int:
    """Write one deal from an Excel import, with the history rows a deal logged by hand would have (each
    labelled with `source`, e.g. "impor Excel: rekap.xlsx, baris 12"). Call inside the import's transaction."""
    require_role(actor, Role.admin, Role.organizer)
    _check_importable(actor, state)
    clean = [
        _CleanLine(
            product_id=line.product_id, description=line.description, category=line.category,
            quantity=line.quantity, unit=line.unit, unit_price_rp=line.unit_price_rp, value_rp=line.value_rp,
        )
        for line in lines
    ]
    rows = await Deal.insert(
        Deal(event=event_id, pesantren=pesantren_id, buyer=buyer_id, origin=Origin.impor.value,
             created_by=actor.user_id)
    ).returning(Deal.id)
    deal_id = rows[0]["id"]
    revision_id = await _new_revision(deal_id, kind.value, deal_date, "", clean)
    previous = ""
    for version, (action, step_state) in enumerate(_IMPORT_PATH[state], start=1):
        after = _snapshot(step_state, kind.value, deal_date, "", clean)
        await _append_event(
            deal_id=deal_id, version=version, action=action, state=step_state, revision_id=revision_id,
            actor=actor, actor_label=source[:200], before=previous, after=after,
        )
        previous = after
    return int(deal_id)


@dataclass(frozen=True)
class ImportedDeal:
    """One deal of a bulk import: the parties, what was agreed, the state reached and the source label."""

    pesantren_id: int
    buyer_id: int
    kind: DealKind
    deal_date: date
    lines: list[ImportedLine]
    state: DealState
    source: str


async def _reserve_ids(table: str, count: int) -> list[int]:
    """`count` fresh ids for `table`, inside the current write transaction. SQLite: the transaction holds the
    write lock (BEGIN IMMEDIATE), so max(id)+1… are exactly the ids SQLite would give. PostgreSQL: taken from
    the table's own sequence, so concurrent writers never collide."""
    if not count:
        return []
    if is_postgres():
        rows = await raw(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, {{}})",
                         count)
        return [r["id"] for r in rows]
    rows = await raw(f'SELECT COALESCE(MAX(id), 0) AS top FROM "{table}"')
    top = rows[0]["top"]
    return list(range(top + 1, top + 1 + count))


async def _copy_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain tuples fast, in the current transaction: COPY on PostgreSQL, multi-row INSERTs of at most
    4,000 rows (and under SQLite's 32,766 bound parameters) on SQLite. Skips Piccolo's per-row objects, which
    cost more than the database at 100,000 deals."""
    if not rows:
        return
    transaction = get_engine().current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk inserts must run inside write_transaction()")
    connection = transaction.connection
    if is_postgres():
        await connection.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    size = max(1, min(4_000, 30_000 // len(columns)))
    names = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        sql = f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([one] * len(chunk))
        cursor = await connection.execute(sql, [value for row in chunk for value in row])
        await cursor.close()


async def import_deals(*, actor: Actor, event_id: int, deals: list[ImportedDeal]) -> list[int]:
    """The bulk form of `import_deal`: the same deals, revisions, lines and history rows (same snapshots,
    actions, states, actor and labels), written with reserved ids in chunked multi-row inserts (SQLite) or COPY
    (PostgreSQL). Call inside the import's `write_transaction()`; returns the new deal ids in input order."""
    require_role(actor, Role.admin, Role.organizer)
    for deal in deals:
        _check_importable(actor, deal.state)
    now = now_utc()
    deal_ids = await _reserve_ids("deal", len(deals))
    revision_ids = await _reserve_ids("deal_revision", len(deals))
    line_ids = await _reserve_ids("deal_line", sum(len(d.lines) for d in deals))
    event_ids = await _reserve_ids("deal_event", sum(len(_IMPORT_PATH[d.state]) for d in deals))
    deal_rows, revision_rows, line_rows, event_rows = [], [], [], []
    next_line = iter(line_ids)
    next_event = iter(event_ids)
    for deal_id, revision_id, d in zip(deal_ids, revision_ids, deals, strict=True):
        deal_rows.append((deal_id, event_id, d.pesantren_id, d.buyer_id, Origin.impor.value, None, actor.user_id, now))
        revision_rows.append((revision_id, deal_id, d.kind.value, d.deal_date, "", now))
        for position, line in enumerate(d.lines, start=1):
            line_rows.append((next(next_line), revision_id, position, line.product_id, line.description,
                              line.category, line.quantity, line.unit, line.unit_price_rp, line.value_rp))
        previous = ""
        for version, (action, step_state) in enumerate(_IMPORT_PATH[d.state], start=1):
            after = _snapshot(step_state, d.kind.value, d.deal_date, "", d.lines)
            event_rows.append((next(next_event), deal_id, version, action.value, step_state.value, revision_id,
                               actor.user_id, d.source[:200], "", now, previous, after))
            previous = after
    await _copy_rows("deal", ("id", "event", "pesantren", "buyer", "origin", "meeting_id", "created_by",
                              "created_at"), deal_rows)
    await _copy_rows("deal_revision", ("id", "deal", "kind", "deal_date", "note", "created_at"), revision_rows)
    await _copy_rows("deal_line", ("id", "revision", "position", "product", "description", "category", "quantity",
                                   "unit", "unit_price_rp", "value_rp"), line_rows)
    await _copy_rows("deal_event", ("id", "deal", "version", "action", "state", "revision", "actor", "actor_label",
                                    "reason", "at", "before", "after"), event_rows)
    await refresh_deals(deal_ids)  # the current-state projection, in this same transaction
    return deal_ids


