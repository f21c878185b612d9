"""What the web forms need: event and buyer choices, and once-only creation of a deal."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from opop_events.db import is_unique_violation, raw, write_transaction

# -- web forms: choices and once-only creation ---------------------------------------------------------------


async def deal_form_choices(*, pesantren_id: int) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """For the pesantren's "Catat transaksi" form: each event it is registered at and that takes deals (not a
    draft), newest first, as (slug, name, [(buyer id, buyer name) registered at that event]). Reads only."""
    events = await raw(
        "SELECT ev.id, ev.slug, ev.name FROM event ev JOIN registration g ON g.event = ev.id "
        "WHERE g.pesantren = {} AND g.status = 'terdaftar' AND ev.status <> 'draft' "
        "ORDER BY ev.starts_on DESC, ev.id DESC",
        pesantren_id,
    )
    out = []
    for ev in events:
        buyers = await raw(
            "SELECT b.id, b.name FROM buyer b JOIN registration g ON g.buyer = b.id "
            "WHERE g.event = {} AND g.status = 'terdaftar' ORDER BY b.name, b.id",
            ev["id"],
        )
        out.append((ev["slug"], ev["name"], [(b["id"], b["name"]) for b in buyers]))
    return out


async def interest_events(*, pesantren_id: int) -> list[tuple[str, str]]:
    """Events (slug, name) where a buyer may register interest in this pesantren's products. Reads only."""
    return [(slug, name) for slug, name, _ in await deal_form_choices(pesantren_id=pesantren_id)]


async def create_once(*, scope: str, key: str, create: Any) -> tuple[int, bool]:
    """Run `create()` (an async callable returning a Deal, e.g. `log_deal`) at most once per (scope, key):
    the web form's one-time key, stored as an `IdempotencyRecord` in the same write transaction as the deal.
    Returns (deal id, True when created now / False when this key already made it). Side effects: the deal
    and the record, together or not at all."""
    from opop_events.deals.tables import IdempotencyRecord

    scope_hash = hashlib.sha256(f"web:{scope}".encode()).hexdigest()
    key = key[:200]

    async def earlier() -> int | None:
        row = await IdempotencyRecord.select(IdempotencyRecord.body).where(
            (IdempotencyRecord.scope == scope_hash) & (IdempotencyRecord.key == key)
        ).first()
        return int(json.loads(bytes(row["body"]))["deal_id"]) if row else None

    try:
        async with write_transaction():
            # Inside the transaction: on SQLite the write lock serialises a double submit, so the second sees
            # the first; on PostgreSQL the unique (scope, key) index stops the loser below.
            found = await earlier()
            if found is not None:
                return found, False
            deal = await create()
            await IdempotencyRecord.insert(
                IdempotencyRecord(
                    scope=scope_hash, key=key, fingerprint=hashlib.sha256(b"web-form").hexdigest(), status=303,
                    content_type="application/json", body=json.dumps({"deal_id": deal.id}).encode(),
                )
            )
    except Exception as exc:
        if is_unique_violation(exc):
            found = await earlier()
            if found is not None:
                return found, False
        raise
    return deal.id, True
