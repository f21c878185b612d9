"""The database layer under contention: first come, first served; SQLite connections kept and reused safely."""

from __future__ import annotations

import asyncio

import pytest

from opop_events.db import FairPool, OpopSQLiteEngine, get_engine, raw, write_transaction


async def test_writers_queue_first_come_first_served():
    """A writer that finishes and at once writes again goes behind those already waiting (no overtaking)."""
    order: list[str] = []
    held = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with write_transaction():
            await raw("SELECT 1 AS one")
            held.set()
            await release.wait()
        async with write_transaction():  # straight back in, without yielding in between
            order.append("A")

    async def waiter(name: str) -> None:
        async with write_transaction():
            await raw("SELECT 1 AS one")
            order.append(name)

    a = asyncio.create_task(first())
    await held.wait()
    others = [asyncio.create_task(waiter(name)) for name in ("B", "C")]
    await asyncio.sleep(0.05)  # B and C are now waiting (PostgreSQL: for nothing; SQLite: for the writer lock)
    release.set()
    await asyncio.gather(a, *others)
    if isinstance(get_engine(), OpopSQLiteEngine):
        assert order == ["B", "C", "A"]
    else:  # PostgreSQL transactions do not exclude each other: all three ran
        assert sorted(order) == ["A", "B", "C"]


@pytest.mark.engines_only("postgres")
async def test_pool_hands_connections_out_in_arrival_order(database_url):
    """A request arriving just as a connection is freed must not take it from requests already waiting."""
    import asyncpg

    from opop_events.db import _no_session_state

    async def scenario(fair: bool, turns: int) -> list[str]:
        raw_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1, reset=_no_session_state)
        pool = FairPool(raw_pool, 1) if fair else raw_pool
        order: list[str] = []
        try:
            first = await pool.acquire()

            async def request(name: str, turns: int = 0) -> None:
                for _ in range(turns):
                    await asyncio.sleep(0)
                connection = await pool.acquire()
                order.append(name)
                await connection.fetchval("SELECT 1")
                await pool.release(connection)

            waiting = [asyncio.create_task(request(name)) for name in ("B", "C")]
            await asyncio.sleep(0.05)  # B and C wait for the one connection
            freed = asyncio.ensure_future(pool.release(first))
            late = asyncio.create_task(request("D", turns))  # arrives within a few turns of the event loop
            await asyncio.gather(freed, late, *waiting)
        finally:
            await raw_pool.close()
        return order

    for turns in range(4):
        assert await scenario(fair=True, turns=turns) == ["B", "C", "D"]
    # Control: with asyncpg's own pool, a newcomer arriving at the wrong moment overtakes the waiters — the
    # starvation FairPool exists for. Should asyncpg become fair, this fails and FairPool can go.
    assert "D" in [(await scenario(fair=False, turns=turns))[0] for turns in range(4)]


@pytest.mark.engines_only("sqlite")
async def test_sqlite_connections_are_kept_unless_dirty_or_for_another_file(tmp_path):
    engine = OpopSQLiteEngine(str(tmp_path / "a.sqlite"))
    try:
        first = await engine.get_connection()
        thread = first._thread
        await first.close()
        again = await engine.get_connection()
        assert again is first and again._thread is thread and thread.is_alive()
        assert again.row_factory is not None  # rows as dicts, as Piccolo expects
        assert await again.execute_fetchall("PRAGMA foreign_keys") == [{"foreign_keys": 1}]

        await again.execute("BEGIN")
        await again.close()  # left inside a transaction: really closed (SQLite rolls back), not kept
        assert again._connection is None
        fresh = await engine.get_connection()
        assert fresh is not again

        await fresh.close()
        engine.path = str(tmp_path / "b.sqlite")  # a connection to the old file is never handed out for the new one
        other = await engine.get_connection()
        assert other is not fresh
        await other.close()
        assert thread.daemon  # an idle connection never holds up the end of the process
    finally:
        await engine.close_idle()
    assert engine._idle == {}


def test_an_unreachable_database_is_told_apart_from_a_bug():
    import sqlite3

    import asyncpg

    from opop_events.db import database_unavailable

    outages = [
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.InterfaceError("cannot call Connection.fetch(): connection is closed"),
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
        ConnectionResetError(104, "Connection reset by peer"),
        sqlite3.OperationalError("database is locked"),
    ]
    bugs = [
        asyncpg.exceptions.UndefinedColumnError('column "nope" does not exist'),
        asyncpg.exceptions.InterfaceError("cannot perform operation: another operation is in progress"),
        sqlite3.OperationalError("no such table: nope"),
        ValueError("bad"),
        KeyError("x"),
    ]
    assert [database_unavailable(e) for e in outages] == [True] * len(outages)
    assert [database_unavailable(e) for e in bugs] == [False] * len(bugs)


@pytest.mark.parametrize("path", ["/api/v1/uji-gangguan", "/uji-gangguan"])
async def test_an_outage_is_a_503_with_retry_after_not_a_500(path):
    """A handler whose database went away answers 503 + Retry-After (problem+json on the API, a page on the web)."""
    import httpx
    from litestar import get

    from opop_events.api import PUBLIC
    from opop_events.app import create_app

    @get(path, opt=PUBLIC, include_in_schema=False)
    async def outage() -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    app = create_app()
    app.register(outage)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get(path)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    if path.startswith("/api/"):
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Idempotency-Key yang sama" in response.json()["detail"]
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "Basis data sedang tidak dapat dihubungi" in response.text
