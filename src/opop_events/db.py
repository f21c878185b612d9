"""The database engine chosen by OPOP_DATABASE_URL: SQLite (embedded default) or PostgreSQL, and transactions."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
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


POOL_SIZE = 20


class FairPool:
    """asyncpg's pool, served first come, first served.

    asyncpg hands a freed connection to whichever coroutine asks next; a waiter that was woken but not yet run
    loses it to a newcomer and queues again at the back. Under overload (hundreds of phones saving at once) that
    starved some requests for seconds while most took a fraction of one. Here acquirers wait on a FIFO-fair
    `asyncio.Semaphore` with as many places as the pool has connections, so the pool itself never has waiters.
    Piccolo uses the pool only through `acquire()` (awaited or as a context manager), `release()` and `close()`.
    """

    def __init__(self, pool: Any, size: int) -> None:
        self._pool = pool
        self._places = asyncio.Semaphore(size)

    def acquire(self) -> _FairAcquire:
        return _FairAcquire(self)

    async def _acquire(self) -> Any:
        await self._places.acquire()
        try:
            return await self._pool.acquire()
        except BaseException:
            self._places.release()
            raise

    async def release(self, connection: Any) -> None:
        try:
            await self._pool.release(connection)
        finally:
            self._places.release()

    async def close(self) -> None:
        await self._pool.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


class _FairAcquire:
    def __init__(self, pool: FairPool) -> None:
        self._fair = pool
        self._connection: Any = None

    def __await__(self) -> Any:
        return self._fair._acquire().__await__()

    async def __aenter__(self) -> Any:
        self._connection = await self._fair._acquire()
        return self._connection

    async def __aexit__(self, *exc: object) -> None:
        await self._fair.release(self._connection)


async def open_pool() -> bool:
    """Start the PostgreSQL connection pool; returns False when there is nothing to do (SQLite, already open)."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=1, max_size=POOL_SIZE, max_inactive_connection_lifetime=60)
        engine.pool = FairPool(engine.pool, POOL_SIZE)
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
        # One writer of this process at a time, in arrival order: SQLite's own busy handler retries on a timer,
        # so under many writers some waited tens of seconds while others went straight through.
        async with _sqlite_writer(), engine.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with engine.transaction() as tx:
            yield tx


_SQLITE_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _sqlite_writer() -> asyncio.Lock:
    """The FIFO lock of the running event loop (a lock belongs to one loop; tests run several)."""
    loop = asyncio.get_running_loop()
    lock = _SQLITE_WRITERS.get(loop)
    if lock is None:
        lock = _SQLITE_WRITERS[loop] = asyncio.Lock()
    return lock


async def raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run portable SQL with `{}` placeholders (compiled to `?` or `$n` per engine), inside the current
    transaction if there is one."""
    from piccolo.querystring import QueryString

    return await get_engine().run_querystring(QueryString(sql, *args))


def is_unique_violation(exc: BaseException) -> bool:
    """True for a unique-constraint failure on either engine (asyncpg or sqlite3)."""
    name = type(exc).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(exc).upper())
