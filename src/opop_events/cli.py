"""The `opop-events` command line: serve, demo, db upgrade, users, import."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from opop_events import cli_text
from opop_events.core.i18n import N_, _
from opop_events.core.types import MAX_YEAR, MIN_YEAR
from opop_events.reports.exporters import EXPORTERS
from opop_events.settings import SettingsError, get_settings

cli_text.install()

T = TypeVar("T")


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run one async job with the database pool open (PostgreSQL) and closed after."""
    # Each command imports what it uses when it runs, so `--help` and a settings error answer without loading
    # the app; this module is imported by nothing, so these imports dodge no cycle.
    from opop_events.db import close_pool, open_pool

    async def job() -> T:
        await open_pool()
        try:
            return await make()
        finally:
            await close_pool()

    return asyncio.run(job())


def _seconds(value: float) -> str:
    """A duration the Indonesian way: one decimal, decimal comma ("1,6")."""
    return f"{value:.1f}".replace(".", ",")


def _fail(message: str, code: int = 2) -> None:
    click.secho(f"Galat: {message}", fg="red", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns expected errors into one Indonesian line and a non-zero exit code instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from opop_events.core.errors import AppError

        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            _fail(str(exc))
        except AppError as exc:
            details = "".join(f"\n  - {e.field}: {e.message}" for e in exc.errors)
            _fail(f"{exc.detail}{details}")
        except BrokenPipeError:
            # `opop-events demo | head`: the reader went away; nothing is wrong with the command
            sys.stderr.close()
            sys.exit(0)
        except OSError as exc:
            _fail(f"{exc.strerror or exc} ({getattr(exc, 'filename', '') or ''})")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="opop-events", message="%(prog)s versi %(version)s")
def main() -> None:
    """opop-events: temu bisnis OPOP Jawa Barat — jadwal pertemuan, buku besar transaksi, laporan resmi.

    Basis data dipilih oleh OPOP_DATABASE_URL (kosong: berkas SQLite opop_events.sqlite di folder ini).
    """


async def _ensure_schema() -> bool:
    """Run migrations when the database is new; returns True when it was empty."""
    from opop_events.bootstrap import is_empty, upgrade

    empty = await is_empty()
    await upgrade(get_settings().fixtures_dir)
    return empty


@main.group()
def db() -> None:
    """Basis data: migrasi."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Jalankan semua migrasi ke depan dan muat data wilayah (aman diulang)."""
    settings = get_settings()
    from opop_events.bootstrap import is_empty, upgrade
    from opop_events.db import raw

    async def job() -> int:
        before = 0 if await is_empty() else (await raw("SELECT COUNT(*) AS n FROM migration"))[0]["n"]
        await upgrade(settings.fixtures_dir)
        return (await raw("SELECT COUNT(*) AS n FROM migration"))[0]["n"] - before

    ran = _run(job)
    click.echo(f"{ran} migrasi dijalankan." if ran else "Tidak ada migrasi baru.")
    click.echo(f"Basis data mutakhir ({settings.engine}).")


@db.command("rebuild-projection")
def db_rebuild_projection() -> None:
    """Bangun ulang proyeksi keadaan kini transaksi dari riwayatnya (aman diulang)."""
    from opop_events.db import raw, write_transaction
    from opop_events.deals.projection import rebuild

    async def job() -> int:
        await _ensure_schema()
        async with write_transaction():
            await rebuild()
        return (await raw("SELECT COUNT(*) AS n FROM deal_current"))[0]["n"]

    deals = _run(job)
    click.echo(f"Proyeksi dibangun ulang dari riwayat: {deals} transaksi.")


async def _load_demo(reset: bool) -> str:
    from opop_events import demo

    settings = get_settings()
    await _ensure_schema()
    spec_slug = "temu-bisnis-opop-bandung-2020"
    if await demo.has_demo_data(spec_slug):
        if not reset:
            return "Data demo sudah ada (pakai --reset untuk memuat ulang)."
        await demo.reset()
    started = time.perf_counter()
    summary = await demo.load(settings.fixtures_dir)
    return (
        f"Data demo dimuat dalam {_seconds(time.perf_counter() - started)} detik: {summary.pesantren} pesantren, "
        f"{summary.products} produk, {summary.buyers} pembeli, acara '{summary.event_slug}' "
        f"dengan {summary.registrations} peserta dan {summary.deals} catatan transaksi (termasuk minat beli), "
        "serta satu acara mendatang dengan permintaan pertemuan untuk dicoba dijadwalkan."
    )


def _print_logins() -> None:
    from opop_events.accounts.passwords import DEMO_PASSWORD
    from opop_events.demo import DEMO_ACCOUNTS

    click.echo("Akun demo (kata sandi semuanya: " + DEMO_PASSWORD + "):")
    for email, role, name in DEMO_ACCOUNTS:
        click.echo(f"  {email:<24} {name} ({role.value})")


@main.command()
@click.option("--reset", is_flag=True, help="Hapus data demo lama lalu muat ulang.")
def demo(reset: bool) -> None:
    """Muat data demo (27 kab/kota, pesantren, produk, pembeli, acara Bandung Desember 2020) lalu keluar."""
    click.echo(_run(lambda: _load_demo(reset)))
    _print_logins()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Alamat yang didengarkan.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--demo", "with_demo", is_flag=True, help="Muat data demo dulu bila basis data masih kosong.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32), help="Jumlah proses.")
def serve(host: str, port: int, with_demo: bool, workers: int) -> None:
    """Jalankan aplikasi web (migrasi otomatis pada basis data kosong)."""
    import uvicorn

    if not os.environ.get("OPOP_BASE_URL", "").strip():
        # Links sent over WhatsApp and printed in QR codes must point at the address actually served.
        link_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only names the link to print
        os.environ["OPOP_BASE_URL"] = f"http://{link_host}:{port}"
        get_settings.cache_clear()
        if link_host != host:
            click.secho(
                f"Catatan: OPOP_BASE_URL belum diisi; tautan WhatsApp dan QR memakai {os.environ['OPOP_BASE_URL']}. "
                "Isi OPOP_BASE_URL dengan alamat yang bisa dibuka peserta (mis. https://opop.jabarprov.go.id).",
                fg="yellow",
            )
    settings = get_settings()
    if with_demo:
        click.echo(_run(lambda: _load_demo(False)))
        _print_logins()
    else:
        _run(_ensure_schema)
    if settings.production:
        from opop_events.accounts.services import demo_password_refusal

        refusal = _run(demo_password_refusal)
        if refusal:
            _fail(refusal)
    click.echo(f"opop-events berjalan di http://{host}:{port}/  (API: http://{host}:{port}/schema)")
    click.echo(f"Basis data: {settings.engine}")
    uvicorn.run(
        "opop_events.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # The app reads X-Forwarded-For itself, only from OPOP_TRUSTED_PROXIES (accounts.limiter), under any server;
        # uvicorn's own handling (which trusts 127.0.0.1 by default) is off so that the header is read once.
        proxy_headers=False,
    )


@main.command()
@click.option("--once", is_flag=True, help=N_("Kirim semua pesan yang sudah waktunya lalu keluar."))
def worker(once: bool) -> None:
    """Kirim e-mail dari antrean (outbox) sampai dihentikan; untuk penerapan dengan beberapa proses aplikasi."""
    from opop_events.notifications.delivery import drain, run_worker

    settings = get_settings()
    if not settings.smtp_url:
        _fail(_("OPOP_SMTP_URL belum diisi; tidak ada server surel untuk mengirim."))
    if once:
        sent = _run(drain)
        click.echo(_("Pesan diproses: {count}").format(count=sent))
        return
    click.echo(_("Pengirim e-mail berjalan; hentikan dengan Ctrl+C."))
    with contextlib.suppress(KeyboardInterrupt):
        _run(run_worker)


@main.command()
@click.option("--input", "input_path", required=True, type=click.Path(dir_okay=False), help="problem.json")
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False), help="schedule.json")
@click.option("--time-limit", default=60.0, show_default=True, type=click.FloatRange(0.1, 3600), help="Detik.")
def schedule(input_path: str, output_path: str, time_limit: float) -> None:
    """Susun jadwal pertemuan dari problem.json (tanpa basis data) dan tulis schedule.json."""
    from opop_events.matching.scheduler import ProblemError, run_files

    try:
        stats = run_files(input_path, output_path, time_limit=time_limit)
    except ProblemError as exc:
        _fail(f"{input_path}: {exc}")
    click.echo(
        f"{stats['scheduled']} dari {stats['requested']} pertemuan terjadwal, {stats['breaks_total']} jeda "
        f"(batas bawah {stats['lower_bound']}{', optimal' if stats['optimal'] else ''}), "
        f"{_seconds(stats['seconds'])} detik → {output_path}"
    )


@main.command()
@click.argument("event_slug", required=False)
@click.option(
    "--year", type=click.IntRange(MIN_YEAR, MAX_YEAR), default=None, metavar="TAHUN",
    help="Laporan program satu tahun (tanpa slug).",
)
@click.option("--format", "fmt", type=click.Choice(list(EXPORTERS)), default="xlsx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), default=None, help="Berkas keluaran (bawaan: folder reports/).")
@click.option("--as-of", default=None, help='Keadaan pada waktu ini (WIB), mis. "2020-12-09 16:00".')
def report(event_slug: str | None, year: int | None, fmt: str, output: str | None, as_of: str | None) -> None:
    """Buat laporan resmi acara (SLUG_ACARA) atau program (--year TAHUN) dalam xlsx, pdf atau csv."""
    from pathlib import Path

    from opop_events.core.dates import format_datetime, parse_local_datetime
    from opop_events.core.money import format_rupiah
    from opop_events.reports import services
    from opop_events.reports.request import COMMAND_LINE, ReportRequest

    if (event_slug is None) == (year is None):
        _fail("sebutkan tepat satu: SLUG_ACARA atau --year TAHUN")
    try:
        moment = parse_local_datetime(as_of) if as_of else None
    except ValueError:
        _fail(f"--as-of '{as_of}' bukan waktu yang sah; contoh \"2020-12-09 16:00\"")
    if output and Path(output).suffix.lower() != f".{fmt}":
        _fail(f"--output {output} tidak berakhiran .{fmt}, padahal --format {fmt}; samakan keduanya")
    settings = get_settings()
    request = ReportRequest.parse(caller=COMMAND_LINE, fmt=fmt, slug=event_slug, year=year, as_of=moment)

    async def job() -> tuple[Path, int]:
        await request.authorize()
        data = await services.report_data(request)
        target = Path(output) if output else settings.reports_dir / EXPORTERS[fmt].filename(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        rendered = await services.render(data=data, fmt=fmt, output=target)
        return rendered.path, data.headline.confirmed_rp

    path, confirmed = _run(job)
    moment_text = f" per {format_datetime(moment)}" if moment else ""
    click.echo(f"Laporan ditulis ke {path} (terkonfirmasi{moment_text}: {format_rupiah(confirmed)}).")


@main.group()
def users() -> None:
    """Akun pengguna."""


@users.command("create")
@click.option("--email", required=True, help="Email untuk masuk.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "organizer", "seller", "buyer"]),
    help="admin (Dinas KUK), organizer, seller (pesantren), buyer.",
)
@click.option("--name", default="", help="Nama tampilan.")
@click.option("--pesantren-id", type=int, default=None, help="Untuk seller: id pesantren.")
@click.option("--buyer-id", type=int, default=None, help="Untuk buyer: id pembeli.")
@click.option(
    "--password",
    prompt="Kata sandi",
    hide_input=True,
    confirmation_prompt=True,
    envvar="OPOP_NEW_PASSWORD",
    help="Kata sandi (ditanyakan bila tidak diberikan; atau OPOP_NEW_PASSWORD).",
)
def users_create(email: str, role: str, name: str, pesantren_id: int | None, buyer_id: int | None, password: str) -> None:
    """Buat akun, misalnya admin pertama: opop-events users create --role admin --email staf@dinas.go.id"""
    from opop_events.accounts.enums import Role
    from opop_events.accounts.services import create_user

    async def job() -> Any:
        await _ensure_schema()
        return await create_user(
            email=email, password=password, role=Role(role), name=name, pesantren_id=pesantren_id, buyer_id=buyer_id
        )

    actor = _run(job)
    click.echo(f"Akun {actor.email} ({actor.role.value}) dibuat dengan id {actor.user_id}.")


@users.command("set-password")
@click.option("--email", required=True, help="Email akun.")
@click.option(
    "--password",
    prompt="Kata sandi baru",
    hide_input=True,
    confirmation_prompt=True,
    envvar="OPOP_NEW_PASSWORD",
    help="Kata sandi baru (ditanyakan bila tidak diberikan; atau OPOP_NEW_PASSWORD).",
)
def users_set_password(email: str, password: str) -> None:
    """Ganti kata sandi sebuah akun tanpa kata sandi lama; semua sesi dan token API akun itu berakhir."""
    from opop_events.accounts.services import set_password

    async def job() -> Any:
        await _ensure_schema()
        return await set_password(email=email, password=password)

    actor = _run(job)
    click.echo(f"Kata sandi akun {actor.email} diganti; semua sesi dan token API akun itu berakhir.")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--event", "event_slug", required=True, help="Slug acara tujuan transaksi.")
@click.option("--dry-run", is_flag=True, help="Periksa saja; tidak ada yang ditulis.")
@click.option("--as-email", default=None, help="Email akun admin yang dicatat sebagai pelaku (bawaan: admin pertama).")
@click.option(
    "--force", is_flag=True,
    help="Impor walau isi berkas sudah pernah diimpor ke acara ini atau ada baris yang sama persis dengan "
         "transaksi yang sudah ada (dicetak sebagai peringatan).",
)
def import_workbook(file: Path, event_slug: str, dry_run: bool, as_email: str | None, force: bool) -> None:
    """Impor daftar Dinas (.xlsx: lembar Pesantren, Pembeli, Produk, Transaksi) ke sebuah acara.

    Semua atau tidak sama sekali: bila ada galat, tidak ada yang ditulis, setiap galat dicetak satu baris dan
    perintah berakhir dengan "Galat: …" (kode keluar 2). Isi berkas yang sudah pernah diimpor ke acara yang
    sama, dan baris Transaksi yang sama persis dengan transaksi acara itu atau dengan baris sebelumnya, ditolak
    kecuali dengan --force. Setiap baris Transaksi menjadi satu transaksi dengan satu baris barang. Templat:
    fixtures/templates/impor_opop.xlsx
    """
    from opop_events.core.money import format_rupiah
    from opop_events.importing.parse import DEFAULT_LIMITS
    from opop_events.importing.service import display_name
    from opop_events.importing.service import import_workbook as run_import

    name = display_name(str(file))
    size = file.stat().st_size
    if size > DEFAULT_LIMITS.max_file_bytes:
        _fail(f"{name}: berkas terlalu besar (paling besar {DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)} MB)")
    content = file.read_bytes()

    async def job() -> Any:
        from opop_events.accounts.enums import Role
        from opop_events.accounts.services import Actor
        from opop_events.accounts.tables import User

        await _ensure_schema()
        query = User.select().where((User.role == Role.admin.value) & User.active.eq(True))
        if as_email:
            query = query.where(User.email == as_email.strip().lower())
        row = await query.order_by(User.id).first()
        if row is None:
            who = f"admin aktif dengan email {as_email}" if as_email else "akun admin"
            _fail(f"tidak ada {who}; buat dulu: opop-events users create --role admin --email …", 2)
        actor = Actor(user_id=row["id"], email=row["email"], name=row["name"], role=Role.admin)
        return await run_import(actor=actor, event_slug=event_slug, content=content, filename=name, dry_run=dry_run,
                                force=force)

    started = time.perf_counter()
    result = _run(job)
    if result.errors:
        hint = " Pakai --force bila memang ingin mengimpornya." if result.only_duplicates else ""
        if len(result.errors) == 1 and not result.errors[0].sheet:
            # one problem with the file as a whole (not an xlsx, already imported): it is the Galat line itself
            _fail(f"{result.errors[0].line(name)}; tidak ada yang ditulis.{hint}")
        for error in result.errors:
            click.echo(error.line(name), err=True)
        _fail(f"{name}: impor dibatalkan, {len(result.errors)} galat; tidak ada yang ditulis.{hint}")
    for warning in result.warnings:
        click.secho(f"Peringatan: {warning.line(name)}", fg="yellow", err=True)
    took = _seconds(time.perf_counter() - started)
    if dry_run:
        click.echo(f"{name}: pratinjau (--dry-run) dalam {took} detik, tidak ada galat; tidak ada yang disimpan. "
                   "Bila diimpor tanpa --dry-run, akan dibuat:")
    else:
        click.echo(f"{name}: impor selesai dalam {took} detik; dibuat:")
    click.echo(f"  pesantren   {result.created_pesantren}")
    click.echo(f"  pembeli     {result.created_buyers}")
    click.echo(f"  produk      {result.created_products}")
    click.echo(f"  pendaftaran {result.created_registrations}")
    click.echo(f"  transaksi   {result.created_deals}")
    for state, total in result.total_rp_by_status.items():
        click.echo(f"  nilai {state:<13} {format_rupiah(total)}")


# -- backup and restore -------------------------------------------------------------------------------------------

_KEPT_TABLES = ("migration", "wilayah")
"""Reference tables every migrated database has; rows elsewhere mean the database holds someone's data."""


def _pg_guidance(action: str, path: str) -> str:
    """pg_dump / pg_restore commands for the configured PostgreSQL database (the password is never printed)."""
    from urllib.parse import urlsplit

    url = urlsplit(get_settings().database_url)
    host, port = url.hostname or "127.0.0.1", url.port or 5432
    user, dbname = url.username or "postgres", url.path.lstrip("/") or "postgres"
    conn = f"-h {host} -p {port} -U {user}"
    if action == "backup":
        return (
            f"Basis data PostgreSQL '{dbname}' di {host}:{port}: cadangkan dengan pg_dump (format custom), "
            "aman saat aplikasi berjalan:\n"
            f"  pg_dump {conn} -Fc -f {path} {dbname}\n"
            f"Pulihkan nanti dengan: opop-events restore {path}  (menampilkan perintah pg_restore)"
        )
    return (
        f"Basis data PostgreSQL '{dbname}' di {host}:{port}: pulihkan dengan pg_restore ke basis data kosong.\n"
        "Hentikan aplikasi dulu, lalu:\n"
        f"  createdb {conn} {dbname}_pulih\n"
        f"  pg_restore {conn} --no-owner -d {dbname}_pulih {path}\n"
        f"Periksa isinya, lalu arahkan OPOP_DATABASE_URL ke {dbname}_pulih (atau ganti nama basis data).\n"
        f"Menimpa basis data yang ada: pg_restore {conn} --clean --if-exists --no-owner -d {dbname} {path}"
    )


def _sqlite_tables(conn: Any) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in rows]


def _sqlite_has_data(path: str) -> bool:
    import sqlite3

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


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Timpa berkas JALUR bila sudah ada.")
def backup(path: str, force: bool) -> None:
    """Cadangkan basis data ke JALUR.

    SQLite: salinan utuh lewat API backup SQLite, aman saat aplikasi berjalan. PostgreSQL: menampilkan perintah
    pg_dump untuk basis data yang dipakai (tidak menjalankannya).
    """
    import sqlite3

    settings = get_settings()
    if settings.engine == "postgres":
        click.echo(_pg_guidance("backup", path))
        return
    source = settings.sqlite_path
    if not Path(source).exists():
        _fail(f"basis data {source} tidak ada; tidak ada yang dicadangkan", 1)
    target = Path(path)
    if target.exists() and not force:
        _fail(f"{path} sudah ada; pakai --force untuk menimpanya", 1)
    if target.resolve() == Path(source).resolve():
        _fail("berkas cadangan tidak boleh sama dengan basis data", 1)
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
    click.echo(f"Cadangan SQLite ditulis ke {target} ({target.stat().st_size:,} bita).".replace(",", "."))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Timpa basis data yang sudah berisi data.")
def restore(path: str, force: bool) -> None:
    """Pulihkan basis data dari cadangan JALUR (dibuat oleh `opop-events backup`).

    SQLite: ditolak bila basis data tujuan sudah berisi data, kecuali dengan --force; hentikan aplikasi dulu.
    PostgreSQL: menampilkan perintah pg_restore (tidak menjalankannya).
    """
    import sqlite3

    settings = get_settings()
    if settings.engine == "postgres":
        click.echo(_pg_guidance("restore", path))
        return
    source = Path(path)
    if not source.is_file():
        _fail(f"berkas cadangan {path} tidak ada", 1)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        tables = _sqlite_tables(src)
    except sqlite3.DatabaseError:
        _fail(f"{path} bukan berkas cadangan SQLite", 1)
    if "migration" not in tables:
        src.close()
        _fail(f"{path} bukan cadangan opop-events (tabel migrasi tidak ada)", 1)
    target = settings.sqlite_path
    if Path(target).resolve() == source.resolve():
        src.close()
        _fail("berkas cadangan tidak boleh sama dengan basis data", 1)
    if _sqlite_has_data(target) and not force:
        src.close()
        _fail(f"basis data {target} sudah berisi data; pakai --force untuk menimpanya (cadangkan dulu)", 1)
    dst = sqlite3.connect(target, timeout=60)
    try:
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()
    click.echo(f"Basis data {target} dipulihkan dari {source}.")


_ARGUMENT_NAMES = {"file": "BERKAS", "event_slug": "SLUG_ACARA", "path": "JALUR"}


def _option_metavar(kind: click.ParamType) -> str | None:
    """Indonesian placeholders for Click's TEXT, INTEGER, FLOAT RANGE, PATH …; choices keep their [a|b] list."""
    if isinstance(kind, click.Choice):
        return None
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return "ANGKA"
    if isinstance(kind, click.Path):
        return "BERKAS"
    return "TEKS"


def _indonesian_metavars(command: click.Command) -> None:
    """Placeholders in usage lines in Indonesian ([OPSI], PERINTAH, BERKAS) like the rest of the help."""
    command.options_metavar = "[OPSI]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "PERINTAH [ARGUMEN]..."
    for param in command.params:
        if isinstance(param, click.Option) and not param.is_flag and param.metavar is None:
            param.metavar = _option_metavar(param.type)
        if isinstance(param, click.Argument) and param.name in _ARGUMENT_NAMES:
            name = _ARGUMENT_NAMES[param.name]
            param.metavar = name if param.required else f"[{name}]"
    for sub in getattr(command, "commands", {}).values():
        _indonesian_metavars(sub)


_indonesian_metavars(main)

if __name__ == "__main__":
    main(prog_name="opop-events")
