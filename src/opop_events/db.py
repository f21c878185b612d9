"""The database engine chosen by OPOP_DATABASE_URL: SQLite (embedded default) or PostgreSQL, and transactions."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from contextlib import asynccontextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite
from piccolo.columns.combination import Where
from piccolo.columns.operators.comparison import ComparisonOperator
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory

from opop_events.settings import get_settings

_Row = TypeVar("_Row")

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from piccolo.engine.base import Engine

    from opop_events.settings import Settings

SQLITE_BUSY_TIMEOUT_S = 60


SQLITE_IDLE_CONNECTIONS = 8


class _PooledConnection(aiosqlite.Connection):
    """An aiosqlite connection that goes back to its engine's idle list when Piccolo closes it."""

    engine: OpopSQLiteEngine
    path: str

    async def close(self) -> None:
        if not self.engine.give_back(self):
            await super().close()


class OpopSQLiteEngine(SQLiteEngine):
    """SQLite with the pragmas a multi-writer web app needs; WAL is set once on the file (it persists).

    Piccolo opens a new aiosqlite connection — a new thread, a new file handle and a schema parse — for every
    transaction and for every query outside one, and starting that thread blocks the event loop. Connections are
    kept instead: up to `SQLITE_IDLE_CONNECTIONS` idle ones per database file, handed out last in, first out.
    Their threads are daemons, so an idle connection never holds up the end of the process.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)
        self._idle: dict[str, list[_PooledConnection]] = {}

    async def get_connection(self) -> aiosqlite.Connection:
        idle = self._idle.get(self.path)
        if idle:
            return idle.pop()
        kwargs = dict(self.connection_kwargs)
        connection = _PooledConnection(lambda: sqlite3.connect(**kwargs), 64)
        connection.engine, connection.path = self, self.path
        connection._thread.daemon = True  # noqa: SLF001 - aiosqlite offers no other way to not block exit
        await connection
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    def give_back(self, connection: _PooledConnection) -> bool:
        """Keep a closed-by-Piccolo connection for reuse; False when it must really be closed."""
        try:
            reusable = connection.path == self.path and not connection.in_transaction
        except ValueError:  # already closed
            return False
        idle = self._idle.setdefault(connection.path, [])
        if not reusable or len(idle) >= SQLITE_IDLE_CONNECTIONS:
            return False
        idle.append(connection)
        return True

    async def close_idle(self) -> None:
        """Close the kept connections (shutdown, tests)."""
        idle = [c for connections in self._idle.values() for c in connections]
        self._idle.clear()
        for connection in idle:
            await aiosqlite.Connection.close(connection)

    # Piccolo runs a query as execute + fetchall + cursor close, and repeats `PRAGMA foreign_keys = 1` before every
    # query inside a transaction: four hops to aiosqlite's thread per query. Under load each hop waits for a turn
    # of the busy event loop while the writer holds SQLite's lock, so the hops, not SQLite, set the write rate.
    # `execute_fetchall` is one hop; the pragma is already set when the connection is opened (`get_connection`).
    # RETURNING needs SQLite ≥ 3.35; older versions keep Piccolo's way.

    async def _run_in_existing_connection(
        self, connection: Any, query: str, args: list[Any] | None = None, query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        if self.get_version_sync() < 3.35:
            return await super()._run_in_existing_connection(connection, query, args, query_type, table)
        return list(await connection.execute_fetchall(query, args or []))

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        if self.get_version_sync() < 3.35:
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = await self.get_connection()  # foreign keys on, dict rows; autocommit (isolation_level None)
        try:
            return list(await connection.execute_fetchall(query, args or []))
        finally:
            await connection.close()

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


@cache
def get_engine() -> Engine:
    """The one engine of this process, made on first use; `piccolo_conf.DB` is this same object."""
    return make_engine(get_settings())


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
        return self._fair._acquire().__await__()  # noqa: SLF001 - FairPool is ours, in this module

    async def __aenter__(self) -> Any:
        self._connection = await self._fair._acquire()  # noqa: SLF001 - FairPool is ours, in this module
        return self._connection

    async def __aexit__(self, *exc: object) -> None:
        await self._fair.release(self._connection)


async def _no_session_state(connection: Any) -> None:
    """What a returned connection needs beyond asyncpg's own clean-up (which rolls back an open transaction):
    nothing. The app never leaves session state behind (no SET, LISTEN, cursors or session-level advisory locks;
    imports use transaction-scoped locks), so asyncpg's default `RESET ALL; UNLISTEN *; CLOSE ALL;
    pg_advisory_unlock_all()` would cost a round trip per checkout for nothing."""


async def open_pool() -> bool:
    """Start the PostgreSQL connection pool; returns False when there is nothing to do (SQLite, already open)."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(
            min_size=1, max_size=POOL_SIZE, max_inactive_connection_lifetime=60, reset=_no_session_state
        )
        engine.pool = FairPool(engine.pool, POOL_SIZE)
        return True
    return False


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    elif isinstance(engine, OpopSQLiteEngine):
        await engine.close_idle()


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


class _ILikeEscaped(ComparisonOperator):
    template = "{name} ILIKE {value} ESCAPE '\\'"


class _LikeEscaped(ComparisonOperator):
    template = "{name} LIKE {value} ESCAPE '\\'"


def contains(column: Any, text: str) -> Any:
    """A case-insensitive "contains" filter: ILIKE on PostgreSQL; LIKE on SQLite, which ignores ASCII case
    already (Piccolo would fall back to LIKE itself, printing a warning on every search). What the user typed
    is matched literally: `%`, `_` and `\\` are escaped, so "50%" does not find "500"."""
    literal = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Where(column=column, value=f"%{literal}%", operator=_ILikeEscaped if is_postgres() else _LikeEscaped)


_UNAVAILABLE = {
    "PostgresConnectionError", "OperatorInterventionError", "ConnectionDoesNotExistError", "TooManyConnectionsError",
}
"""asyncpg's errors for a server that went away or refuses connections (restart, shutdown, too many clients)."""


def database_unavailable(exc: BaseException) -> bool:
    """True when the database could not be reached or dropped the connection — a moment's outage to answer
    with 503 and Retry-After, not a bug to answer with 500."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & _UNAVAILABLE or isinstance(exc, ConnectionError):
        return True
    if "InterfaceError" in names and "connection" in str(exc).lower() and "closed" in str(exc).lower():
        return True  # asyncpg: "connection is closed"
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower()


def is_unique_violation(exc: BaseException) -> bool:
    """True for a unique-constraint failure on either engine (asyncpg or sqlite3)."""
    name = type(exc).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(exc).upper())


def present(row: _Row | None) -> _Row:
    """A row the schema guarantees (a foreign key's target, a row read back in its own transaction): the typed
    answer to `.first()`. Missing means the database broke its own constraints, which no caller can repair."""
    if row is None:
        raise LookupError("a row the database guarantees is missing")
    return row
