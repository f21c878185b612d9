"""Index of import batches: "was this content already imported into this event?" is one index lookup."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.querystring import QueryString

ID = "2026-11-28T22:27:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "import batch index"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS import_batch_event_content ON import_batch (event_id, content_sha256)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for sql in STATEMENTS:
            await engine.run_querystring(QueryString(sql))

    manager.add_raw(create_indexes)
    return manager
