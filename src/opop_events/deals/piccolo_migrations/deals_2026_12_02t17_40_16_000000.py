"""Indexes for closing the books and for realisation corrections (looked up by `voids` in every realised figure)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.querystring import QueryString

ID = "2026-12-02T17:40:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "closing and realisation indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS event_closing_event ON event_closing (event)",
    "CREATE INDEX IF NOT EXISTS realisation_voids ON realisation (voids)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="deals", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for sql in STATEMENTS:
            await engine.run_querystring(QueryString(sql))

    manager.add_raw(create_indexes)
    return manager
