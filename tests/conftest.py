"""Test harness: a fresh database per run on the engine OPOP_DATABASE_URL names (SQLite when unset), migrated
once, emptied after every test; factories that make real rows and real accounts."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="opop-tests-"))
_BASE_URL = os.environ.get("OPOP_DATABASE_URL", "")
ENGINE = "postgres" if _BASE_URL.startswith(("postgres://", "postgresql://")) else "sqlite"
_PG_DB = f"opop_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def _pg_admin(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(_BASE_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


if ENGINE == "postgres":
    _pg_admin(f'CREATE DATABASE "{_PG_DB}"')
    TEST_DATABASE_URL = _BASE_URL.rsplit("/", 1)[0] + f"/{_PG_DB}"
else:
    TEST_DATABASE_URL = f"sqlite:///{_TMP / 'test.sqlite'}"

os.environ["OPOP_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["OPOP_REPORTS_DIR"] = str(_TMP / "reports")
os.environ["OPOP_PASSWORD_HASH"] = "fast"
os.environ.pop("OPOP_ENV", None)
os.environ.pop("OPOP_SECRET_KEY", None)

from tests.factories import *  # noqa: E402,F403


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("engines_only")
        if marker and ENGINE not in marker.args:
            item.add_marker(pytest.mark.skip(reason=f"only on {', '.join(marker.args)}; this run is {ENGINE}"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if ENGINE == "postgres":
        _pg_admin(f'DROP DATABASE IF EXISTS "{_PG_DB}" WITH (FORCE)')
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(scope="session")
def engine_name() -> str:
    return ENGINE


@pytest.fixture(scope="session")
def database_url() -> str:
    return TEST_DATABASE_URL


@pytest.fixture(scope="session", autouse=True)
async def database() -> None:
    from opop_events.bootstrap import upgrade
    from opop_events.db import close_pool, open_pool
    from opop_events.settings import get_settings

    await upgrade(get_settings().fixtures_dir)
    await open_pool()
    yield
    await close_pool()


@pytest.fixture(autouse=True)
async def clean_tables(database: None) -> None:
    yield
    from opop_events.db import raw, write_transaction
    from tests.factories import data_tables

    # DELETE children first in one transaction: on tables this small it is far faster than TRUNCATE,
    # which costs PostgreSQL a file operation per table.
    async with write_transaction():
        for table in data_tables():
            await raw(f'DELETE FROM "{table._meta.tablename}"')


@pytest.fixture(scope="session")
def app() -> object:
    from opop_events.app import create_app

    return create_app()


@pytest.fixture
async def client(app: object) -> object:
    """An HTTP client calling the app in the test's own event loop (where the database pool lives), so
    concurrent requests really interleave. The pool is opened by the `database` fixture, not the lifespan."""
    import httpx

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        yield test_client
