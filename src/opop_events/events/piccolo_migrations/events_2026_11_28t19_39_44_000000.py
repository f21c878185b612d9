"""Composite unique indexes Piccolo cannot declare on a table (they hold on SQLite and PostgreSQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.querystring import QueryString

ID = "2026-11-28T19:39:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS registration_event_pesantren ON registration (event, pesantren)",
    "CREATE UNIQUE INDEX IF NOT EXISTS registration_event_buyer ON registration (event, buyer)",
    "CREATE UNIQUE INDEX IF NOT EXISTS meeting_table_event_code ON meeting_table (event, code)",
    'CREATE UNIQUE INDEX IF NOT EXISTS event_organizer_event_user ON event_organizer (event, "user")',
    "CREATE INDEX IF NOT EXISTS time_slot_session_start ON time_slot (session, starts_at)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for sql in STATEMENTS:
            await engine.run_querystring(QueryString(sql))

    manager.add_raw(create_indexes)
    return manager
