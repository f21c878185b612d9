"""The idempotency record: the first reply to a write sent with a key, replayed on a retry (registered with the
deals Piccolo app, where its migrations have always lived)."""

from __future__ import annotations

from piccolo.columns import Bytea, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IdempotencyRecord(Table, tablename="idempotency_record"):
    """The first response to a write sent with an `Idempotency-Key`, replayed on a retry."""
    id: Serial  # the primary key Piccolo adds (declared for the type checker)

    scope = Varchar(length=64)  # SHA-256 of who asked: the user id (API and web forms) or the signed link
    key = Varchar(length=200)
    fingerprint = Varchar(length=64)  # hash of method, path and body
    status = Integer()
    content_type = Varchar(length=100, default="application/json")
    body = Bytea()
    created_at = Timestamptz(default=TimestamptzNow())
