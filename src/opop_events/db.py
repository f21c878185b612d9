"""The database engine chosen by OPOP_DATABASE_URL: SQLite (embedded default) or PostgreSQL, and transactions."""

from __future__ import annotations

import sqlite3
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from piccolo.engine.base import Engine

    from opop_events.settings import Settings

SQLITE_BUSY_TIMEOUT_S = 60


class OpopSQLiteEngine(SQLiteEngine):
    """SQLite with the pragmas a multi-writer web app needs; WAL is set once on the file (it persists)."""

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)

    def prepare_file(self) -> None:
        with sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_S) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")


def make_engine(settings: Settings) -> Engine:
    if settings.engine == "postgres":
        return PostgresEngine(config={"dsn": settings.database_url})
    engine = OpopSQLiteEngine(settings.sqlite_path)
    engine.prepare_file()
    return engine


def get_engine() -> Engine:
    from opop_events.piccolo_conf import DB

    return DB


def is_postgres() -> bool:
    return isinstance(get_engine(), PostgresEngine)


async def open_pool() -> bool:
    """Start the PostgreSQL connection pool; returns False when there is nothing to do (SQLite, already open)."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=1, max_size=20, max_inactive_connection_lifetime=60)
        return True
    return False


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A write transaction: `BEGIN IMMEDIATE` on SQLite (takes the write lock up front, so two writers queue
    instead of failing with "database is locked" on upgrade), a plain transaction on PostgreSQL. Nested use
    joins the outer transaction."""
    engine = get_engine()
    if engine.current_transaction.get() is not None:
        yield engine.current_transaction.get()
        return
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with engine.transaction() as tx:
            yield tx


async def raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run portable SQL with `{}` placeholders (compiled to `?` or `$n` per engine), inside the current
    transaction if there is one."""
    from piccolo.querystring import QueryString

    return await get_engine().run_querystring(QueryString(sql, *args))


def is_unique_violation(exc: BaseException) -> bool:
    """True for a unique-constraint failure on either engine (asyncpg or sqlite3)."""
    name = type(exc).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(exc).upper())
