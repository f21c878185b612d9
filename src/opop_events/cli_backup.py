"""`opop-events backup` and `restore`: a whole SQLite copy through SQLite's online backup API, or the pg_dump /
pg_restore commands for PostgreSQL (printed, never run). Registered on the group by `cli`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from opop_events.cli_text import TranslatedCommand, argument, fail, option
from opop_events.core.i18n import N_, _
from opop_events.core.money import format_number
from opop_events.settings import get_settings

_KEPT_TABLES = ("migration", "wilayah")
"""Reference tables every migrated database has; rows elsewhere mean the database holds someone's data."""


def _pg_guidance(action: str, path: str) -> str:
    """pg_dump / pg_restore commands for the configured PostgreSQL database (the password is never printed)."""
    url = urlsplit(get_settings().database_url)
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    user, dbname = url.username or "postgres", url.path.lstrip("/") or "postgres"
    conn = f"-h {host} -p {port} -U {user}"
    names = {"dbname": dbname, "host": host, "port": port, "conn": conn, "path": path}
    if action == "backup":
        return _(
            "Basis data PostgreSQL '{dbname}' di {host}:{port}: cadangkan dengan pg_dump (format custom), "
            "aman saat aplikasi berjalan:\n"
            "  pg_dump {conn} -Fc -f {path} {dbname}\n"
            "Pulihkan nanti dengan: opop-events restore {path}  (menampilkan perintah pg_restore)"
        ).format(**names)
    return _(
        "Basis data PostgreSQL '{dbname}' di {host}:{port}: pulihkan dengan pg_restore ke basis data kosong.\n"
        "Hentikan aplikasi dulu, lalu:\n"
        "  createdb {conn} {dbname}_pulih\n"
        "  pg_restore {conn} --no-owner -d {dbname}_pulih {path}\n"
        "Periksa isinya, lalu arahkan OPOP_DATABASE_URL ke {dbname}_pulih (atau ganti nama basis data).\n"
        "Menimpa basis data yang ada: pg_restore {conn} --clean --if-exists --no-owner -d {dbname} {path}"
    ).format(**names)


def _sqlite_tables(conn: Any) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in rows]


def _sqlite_has_data(path: str) -> bool:
    if not Path(path).exists():
        return False
    conn = sqlite3.connect(path, timeout=60)
    try:
        for table in _sqlite_tables(conn):
            if table not in _KEPT_TABLES and conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                return True
        return False
    finally:
        conn.close()


@click.command(
    cls=TranslatedCommand,
    help=N_(
        "Cadangkan basis data ke JALUR.\n\n"
        "SQLite: salinan utuh lewat API backup SQLite, aman saat aplikasi berjalan. PostgreSQL: menampilkan perintah\n"
        "pg_dump untuk basis data yang dipakai (tidak menjalankannya)."
    ),
)
@argument("path", type=click.Path(dir_okay=False))
@option("--force", is_flag=True, help=N_("Timpa berkas JALUR bila sudah ada."))
def backup(path: str, force: bool) -> None:
    settings = get_settings()
    if settings.engine == "postgres":
        click.echo(_pg_guidance("backup", path))
        return
    source = settings.sqlite_path
    if not Path(source).exists():
        fail(_("basis data {path} tidak ada; tidak ada yang dicadangkan").format(path=source), 1)
    target = Path(path)
    if target.exists() and not force:
        fail(_("{path} sudah ada; pakai --force untuk menimpanya").format(path=path), 1)
    if target.resolve() == Path(source).resolve():
        fail(_("berkas cadangan tidak boleh sama dengan basis data"), 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".sebagian")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(partial)
    try:
        # The online backup API copies a consistent snapshot page by page while writers keep working.
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    partial.replace(target)
    size = format_number(target.stat().st_size)
    click.echo(_("Cadangan SQLite ditulis ke {path} ({size} bita).").format(path=target, size=size))


@click.command(
    cls=TranslatedCommand,
    help=N_(
        "Pulihkan basis data dari cadangan JALUR (dibuat oleh `opop-events backup`).\n\n"
        "SQLite: ditolak bila basis data tujuan sudah berisi data, kecuali dengan --force; hentikan aplikasi dulu.\n"
        "PostgreSQL: menampilkan perintah pg_restore (tidak menjalankannya)."
    ),
)
@argument("path", type=click.Path(dir_okay=False))
@option("--force", is_flag=True, help=N_("Timpa basis data yang sudah berisi data."))
def restore(path: str, force: bool) -> None:
    settings = get_settings()
    if settings.engine == "postgres":
        click.echo(_pg_guidance("restore", path))
        return
    source = Path(path)
    if not source.is_file():
        fail(_("berkas cadangan {path} tidak ada").format(path=path), 1)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        tables = _sqlite_tables(src)
    except sqlite3.DatabaseError:
        fail(_("{path} bukan berkas cadangan SQLite").format(path=path), 1)
    if "migration" not in tables:
        src.close()
        fail(_("{path} bukan cadangan opop-events (tabel migrasi tidak ada)").format(path=path), 1)
    target = settings.sqlite_path
    if Path(target).resolve() == source.resolve():
        src.close()
        fail(_("berkas cadangan tidak boleh sama dengan basis data"), 1)
    if _sqlite_has_data(target) and not force:
        src.close()
        fail(_("basis data {path} sudah berisi data; pakai --force untuk menimpanya (cadangkan dulu)").format(
            path=target
        ), 1)
    dst = sqlite3.connect(target, timeout=60)
    try:
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()
    click.echo(_("Basis data {target} dipulihkan dari {source}.").format(target=target, source=source))
