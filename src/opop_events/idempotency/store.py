"""Look up and store idempotency records: the one path used by the API middleware and by the pages' forms.

A record is found by (scope, key): `scope` is the SHA-256 of who asked (`scope_hash`), never the credential
itself. A stored reply must hold no secret; the callers decide what is never stored (see `middleware.py`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from opop_events.core.dates import now_utc
from opop_events.db import is_unique_violation, raw, write_transaction

MAX_KEY_LENGTH = 200
"""The longest key the API accepts (the column's length; a web form's key is cut to it)."""

_WEB_FINGERPRINT = hashlib.sha256(b"web-form").hexdigest()


class Record(msgspec.Struct, frozen=True):
    """A stored first reply."""

    fingerprint: str
    status: int
    content_type: str
    body: bytes


def scope_hash(who: bytes) -> str:
    """What is stored for who asked: a hash, so no user id, link or token is kept in clear."""
    return hashlib.sha256(who).hexdigest()


async def lookup(*, scope: str, key: str) -> Record | None:
    """The record stored for (scope, key), or None. Runs inside the current transaction, if any. Reads only."""
    rows = await raw(
        'SELECT fingerprint, status, content_type, body FROM idempotency_record WHERE scope = {} AND "key" = {}',
        scope, key,
    )
    if not rows:
        return None
    row = rows[0]
    return Record(
        fingerprint=row["fingerprint"], status=row["status"], content_type=row["content_type"], body=bytes(row["body"])
    )


async def store(*, scope: str, key: str, fingerprint: str, status: int, content_type: str, body: bytes) -> None:
    """Insert the record for (scope, key) in the current transaction. Side effect: one row; a second one for the
    same (scope, key) fails with a unique violation (`db.is_unique_violation`)."""
    await raw(
        'INSERT INTO idempotency_record (scope, "key", fingerprint, status, content_type, body, created_at) '
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        scope, key, fingerprint, status, content_type[:100], body, now_utc(),
    )


async def create_once(*, scope: str, key: str, create: Callable[[], Awaitable[Any]]) -> tuple[int, bool]:
    """Run `create()` (an async callable returning a Deal, e.g. `log_deal`) at most once per (scope, key):
    the web form's one-time key, stored as an idempotency record in the same write transaction as the deal.
    Returns (deal id, True when created now / False when this key already made it). Side effects: the deal
    and the record, together or not at all."""
    hashed = scope_hash(f"web:{scope}".encode())
    key = key[:MAX_KEY_LENGTH]

    async def earlier() -> int | None:
        record = await lookup(scope=hashed, key=key)
        return int(json.loads(record.body)["deal_id"]) if record else None

    try:
        async with write_transaction():
            # Inside the transaction: on SQLite the write lock serialises a double submit, so the second sees
            # the first; on PostgreSQL the unique (scope, key) index stops the loser below.
            found = await earlier()
            if found is not None:
                return found, False
            deal = await create()
            await store(
                scope=hashed, key=key, fingerprint=_WEB_FINGERPRINT, status=303, content_type="application/json",
                body=json.dumps({"deal_id": deal.id}).encode(),
            )
    except Exception as exc:
        if is_unique_violation(exc):
            found = await earlier()
            if found is not None:
                return found, False
        raise
    return deal.id, True
