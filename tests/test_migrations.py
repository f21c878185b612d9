"""Migrations on both engines: every table, idempotent upgrades, reference data and foreign key rules."""

from __future__ import annotations

import pytest

from opop_events.bootstrap import is_empty, upgrade
from opop_events.db import raw
from opop_events.settings import get_settings
from tests.factories import make_pesantren

FOUNDATION_TABLES = {
    "wilayah", "pesantren", "buyer", "product",
    "app_user", "api_token", "web_session", "login_attempt",
    "event", "event_organizer", "event_session", "time_slot", "meeting_table", "registration",
}
FOUNDATION_MIGRATIONS = {
    ("catalog", "2026-11-28T19:39:39:470770"),
    ("accounts", "2026-11-28T19:40:08:735452"),
    ("events", "2026-11-28T19:39:43:768474"),
    ("events", "2026-11-28T19:39:44:000000"),
}


def _registered_tables() -> set[str]:
    from piccolo.conf.apps import Finder

    return {t._meta.tablename for t in Finder().get_table_classes()}


def _registered_migrations() -> set[tuple[str, str]]:
    """Every migration file of every app in APP_REGISTRY (other domains add theirs)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.conf.apps import Finder

    found = set()
    for app in Finder().get_app_configs():
        modules = BaseMigrationManager().get_migration_modules(app.resolved_migrations_folder_path)
        found |= {(app.app_name, migration_id) for migration_id in modules}
    return found


async def _table_names(engine_name: str) -> set[str]:
    if engine_name == "postgres":
        rows = await raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")
    else:
        rows = await raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {r["name"] for r in rows}


async def _wilayah() -> dict[str, str]:
    return {r["code"]: r["name"] for r in await raw("SELECT code, name FROM wilayah")}


async def test_upgrade_creates_every_table(engine_name):
    names = await _table_names(engine_name)

    assert names == _registered_tables() | {"migration"}
    assert names >= FOUNDATION_TABLES


async def test_upgrade_twice_is_idempotent():
    before = await _wilayah()

    await upgrade(get_settings().fixtures_dir)
    await upgrade(get_settings().fixtures_dir)

    after = await _wilayah()
    assert after == before
    assert len(after) == 27
    assert {code: after[code] for code in ("3201", "3218", "3273", "3279")} == {
        "3201": "Kabupaten Bogor",
        "3218": "Kabupaten Pangandaran",
        "3273": "Kota Bandung",
        "3279": "Kota Banjar",
    }
    assert sorted(after) == [f"32{n:02d}" for n in range(1, 19)] + [f"32{n}" for n in range(71, 80)]


async def test_upgrade_records_each_migration_once():
    await upgrade(get_settings().fixtures_dir)

    rows = await raw("SELECT app_name, name FROM migration")

    recorded = [(r["app_name"], r["name"]) for r in rows]
    assert sorted(recorded) == sorted(_registered_migrations())
    assert set(recorded) >= FOUNDATION_MIGRATIONS
    assert await is_empty() is False


async def test_wilayah_kinds_are_kabupaten_or_kota():
    rows = await raw("SELECT name, kind FROM wilayah")
    assert {r["kind"] for r in rows} == {"kabupaten", "kota"}
    assert all(r["name"].lower().startswith(r["kind"] + " ") for r in rows)


async def test_deleting_a_wilayah_referenced_by_a_pesantren_fails():
    await make_pesantren(wilayah_code="3218")

    with pytest.raises(Exception) as raised:  # noqa: PT011 - each driver raises its own class; the text is checked
        await raw("DELETE FROM wilayah WHERE code = {}", "3218")

    assert "foreign key" in str(raised.value).lower()
    assert len(await _wilayah()) == 27


async def test_unique_indexes_refuse_duplicate_registration():
    pesantren = await make_pesantren()
    event = (await raw("SELECT id FROM wilayah WHERE code = '3273'"))[0]["id"]
    event_id = (
        await raw(
            "INSERT INTO event (slug, name, venue, wilayah, starts_on, ends_on, status, description, meeting_quota, "
            "created_at, updated_at) VALUES ('uji-unik', 'Uji', '', {}, '2020-12-09', '2020-12-09', 'draft', '', 12, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id",
            event,
        )
    )[0]["id"]
    insert = (
        "INSERT INTO registration (event, party_kind, pesantren, status, created_at) "
        "VALUES ({}, 'pesantren', {}, 'terdaftar', CURRENT_TIMESTAMP)"
    )
    await raw(insert, event_id, pesantren["id"])

    with pytest.raises(Exception) as raised:  # noqa: PT011 - each driver raises its own class; the text is checked
        await raw(insert, event_id, pesantren["id"])

    assert "unique" in str(raised.value).lower()


@pytest.mark.engines_only("postgres")
async def test_foreign_keys_restrict_on_postgres():
    rows = await raw(
        "SELECT tc.table_name, kcu.column_name, rc.delete_rule "
        "FROM information_schema.referential_constraints rc "
        "JOIN information_schema.table_constraints tc ON tc.constraint_name = rc.constraint_name "
        "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name "
        "WHERE tc.table_schema = 'public'"
    )
    rules = {(r["table_name"], r["column_name"]): r["delete_rule"] for r in rows}

    assert rules[("pesantren", "wilayah")] == "RESTRICT"
    assert rules[("product", "pesantren")] == "RESTRICT"
    assert rules[("registration", "event")] == "RESTRICT"
    assert rules[("api_token", "user")] == "CASCADE"
    foundation = {key: rule for key, rule in rules.items() if key[0] in FOUNDATION_TABLES}
    assert {rule for key, rule in foundation.items() if key[0] not in ("api_token", "web_session")} == {"RESTRICT"}


@pytest.mark.engines_only("sqlite")
async def test_foreign_keys_restrict_on_sqlite():
    pesantren_fks = await raw("SELECT * FROM pragma_foreign_key_list('pesantren')")
    product_fks = await raw("SELECT * FROM pragma_foreign_key_list('product')")
    token_fks = await raw("SELECT * FROM pragma_foreign_key_list('api_token')")

    assert [(r["table"], r["from"], r["on_delete"]) for r in pesantren_fks] == [("wilayah", "wilayah", "RESTRICT")]
    assert [(r["table"], r["from"], r["on_delete"]) for r in product_fks] == [("pesantren", "pesantren", "RESTRICT")]
    assert [(r["table"], r["from"], r["on_delete"]) for r in token_fks] == [("app_user", "user", "CASCADE")]
    assert (await raw("PRAGMA foreign_keys"))[0]["foreign_keys"] == 1


@pytest.mark.engines_only("sqlite")
async def test_sqlite_file_is_in_wal_mode():
    assert (await raw("PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
