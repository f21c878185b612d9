"""Indexes and composite unique constraints of the ledger (the per-deal version is what makes two concurrent
changes to one deal unable to both win)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.querystring import QueryString

ID = "2026-11-28T19:45:53:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS deal_event_deal_version ON deal_event (deal, version)",
    "CREATE INDEX IF NOT EXISTS deal_event_at ON deal_event (at)",
    "CREATE INDEX IF NOT EXISTS deal_event_deal ON deal_event (deal)",
    "CREATE INDEX IF NOT EXISTS deal_event_idx ON deal (event)",
    "CREATE INDEX IF NOT EXISTS deal_pesantren_idx ON deal (pesantren)",
    "CREATE INDEX IF NOT EXISTS deal_buyer_idx ON deal (buyer)",
    "CREATE INDEX IF NOT EXISTS deal_revision_deal ON deal_revision (deal)",
    "CREATE INDEX IF NOT EXISTS deal_line_revision ON deal_line (revision)",
    "CREATE INDEX IF NOT EXISTS realisation_deal ON realisation (deal)",
    "CREATE INDEX IF NOT EXISTS confirm_link_deal ON confirm_link (deal)",
    "CREATE UNIQUE INDEX IF NOT EXISTS idempotency_scope_key ON idempotency_record (scope, key)",
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
