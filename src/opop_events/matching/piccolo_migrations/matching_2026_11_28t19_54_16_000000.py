"""Indexes of matching; partial unique indexes make double-booking impossible even under concurrent edits:
one meeting per table and slot, one meeting per participant and slot (cancelled meetings aside)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.querystring import QueryString

ID = "2026-11-28T19:54:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "matching indexes"

_ACTIVE = "status IN ('usulan', 'terjadwal', 'hadir', 'tidak_hadir')"
STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS meeting_request_event ON meeting_request (event)",
    "CREATE INDEX IF NOT EXISTS meeting_event ON meeting (event)",
    "CREATE INDEX IF NOT EXISTS meeting_change_meeting ON meeting_change (meeting)",
    f'CREATE UNIQUE INDEX IF NOT EXISTS meeting_slot_table ON meeting (slot, "table") WHERE {_ACTIVE}',
    f"CREATE UNIQUE INDEX IF NOT EXISTS meeting_slot_buyer ON meeting (slot, buyer) WHERE {_ACTIVE}",
    f"CREATE UNIQUE INDEX IF NOT EXISTS meeting_slot_pesantren ON meeting (slot, pesantren) WHERE {_ACTIVE}",
    "CREATE UNIQUE INDEX IF NOT EXISTS meeting_outcome_side ON meeting_outcome (meeting, side)",
    "CREATE UNIQUE INDEX IF NOT EXISTS unavailability_buyer ON unavailability (event, buyer, slot)",
    "CREATE UNIQUE INDEX IF NOT EXISTS unavailability_pesantren ON unavailability (event, pesantren, slot)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for sql in STATEMENTS:
            await engine.run_querystring(QueryString(sql))

    manager.add_raw(create_indexes)
    return manager
