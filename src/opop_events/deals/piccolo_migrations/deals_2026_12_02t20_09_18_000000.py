"""The projection's indexes and dirty-marking triggers (per engine), and the projection filled from the history
of existing databases (the same statements as `opop-events db rebuild-projection`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from opop_events.deals.projection import INDEXES, POSTGRES_TRIGGERS, REBUILD_STATEMENTS, SQLITE_TRIGGERS

ID = "2026-12-02T20:09:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "projection indexes, triggers and first fill"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="deals", description=DESCRIPTION)

    async def indexes_triggers_and_fill():
        engine = engine_finder()
        triggers = SQLITE_TRIGGERS if engine.engine_type == "sqlite" else POSTGRES_TRIGGERS
        for sql in (*INDEXES, *triggers, *REBUILD_STATEMENTS):
            await engine.run_querystring(QueryString(sql))

    manager.add_raw(indexes_triggers_and_fill)
    return manager
