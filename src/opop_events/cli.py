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
from opop_events.cli_backup import backup, restore
from opop_events.cli_text import TranslatedGroup, TranslatedOption, argument, option
from opop_events.cli_text import fail as _fail
from opop_events.core.i18n import N_, SOURCE_LANGUAGE, _, current_language, use_language
from opop_events.core.types import MAX_YEAR, MIN_YEAR
from opop_events.reports.exporters import EXPORTERS
from opop_events.settings import SettingsError, get_settings

cli_text.install()

T = TypeVar("T")

LANGUAGE_ENV = "OPOP_LANG"
"""The environment variable naming the output language (`--lang` overrides it; default Indonesian)."""


def _requested_language(args: list[str]) -> str | None:
    """`--lang X` / `--lang=X` among the arguments, else `OPOP_LANG`: read before Click parses or prints anything."""
    for position, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and position + 1 < len(args):
            return args[position + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return os.environ.get(LANGUAGE_ENV)


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
    """A duration with one decimal: decimal comma ("1,6") in Indonesian, point in English."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if current_language() == SOURCE_LANGUAGE else text


class _Group(TranslatedGroup):
    """Speaks the run's language (`--lang` / `OPOP_LANG`) from the first word; turns expected errors into one line
    and a non-zero exit code instead of a traceback."""

    def main(self, args: Any = None, *pos: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        with use_language(_requested_language(argv)):
            return super().main(args, *pos, **extra)

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


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_(
        "opop-events: temu bisnis OPOP Jawa Barat — jadwal pertemuan, buku besar transaksi, laporan resmi.\n\n"
        "Basis data dipilih oleh OPOP_DATABASE_URL (kosong: berkas SQLite opop_events.sqlite di folder ini)."
    ),
)
@click.version_option(
    package_name="opop-events", message="%(prog)s versi %(version)s", cls=TranslatedOption,
    help=N_("Tampilkan versi lalu keluar."),
)
@option(
    "--lang", metavar="id|en", expose_value=False, is_eager=True, envvar=LANGUAGE_ENV,
    help=N_("Bahasa keluaran: id (Bahasa Indonesia, bawaan) atau en (English); atau OPOP_LANG."),
)
def main() -> None:
    """The `opop-events` group (its help is the marked text above)."""


async def _ensure_schema() -> bool:
    """Run migrations when the database is new; returns True when it was empty."""
    from opop_events.bootstrap import is_empty, upgrade

    empty = await is_empty()
    await upgrade(get_settings().fixtures_dir)
    return empty


@main.group(help=N_("Basis data: migrasi."))
def db() -> None:
    """Database commands."""


@db.command("upgrade", help=N_("Jalankan semua migrasi ke depan dan muat data wilayah (aman diulang)."))
def db_upgrade() -> None:
    settings = get_settings()
    from opop_events.bootstrap import is_empty, upgrade
    from opop_events.db import raw

    async def job() -> int:
        before = 0 if await is_empty() else (await raw("SELECT COUNT(*) AS n FROM migration"))[0]["n"]
        await upgrade(settings.fixtures_dir)
        return (await raw("SELECT COUNT(*) AS n FROM migration"))[0]["n"] - before

    ran = _run(job)
    click.echo(_("{count} migrasi dijalankan.").format(count=ran) if ran else _("Tidak ada migrasi baru."))
    click.echo(_("Basis data mutakhir ({engine}).").format(engine=settings.engine))


@db.command(
    "rebuild-projection", help=N_("Bangun ulang proyeksi keadaan kini transaksi dari riwayatnya (aman diulang).")
)
def db_rebuild_projection() -> None:
    from opop_events.db import raw, write_transaction
    from opop_events.deals.projection import rebuild

    async def job() -> int:
        await _ensure_schema()
        async with write_transaction():
            await rebuild()
        return (await raw("SELECT COUNT(*) AS n FROM deal_current"))[0]["n"]

    deals = _run(job)
    click.echo(_("Proyeksi dibangun ulang dari riwayat: {count} transaksi.").format(count=deals))


async def _load_demo(reset: bool) -> str:
    from opop_events import demo

    settings = get_settings()
    await _ensure_schema()
    spec_slug = "temu-bisnis-opop-bandung-2020"
    if await demo.has_demo_data(spec_slug):
        if not reset:
            return _("Data demo sudah ada (pakai --reset untuk memuat ulang).")
        await demo.reset()
    started = time.perf_counter()
    summary = await demo.load(settings.fixtures_dir)
    return _(
        "Data demo dimuat dalam {seconds} detik: {pesantren} pesantren, {products} produk, {buyers} pembeli, "
        "acara '{slug}' dengan {registrations} peserta dan {deals} catatan transaksi (termasuk minat beli), "
        "serta satu acara mendatang dengan permintaan pertemuan untuk dicoba dijadwalkan."
    ).format(
        seconds=_seconds(time.perf_counter() - started), pesantren=summary.pesantren, products=summary.products,
        buyers=summary.buyers, slug=summary.event_slug, registrations=summary.registrations, deals=summary.deals,
    )


def _print_logins() -> None:
    from opop_events.accounts.passwords import DEMO_PASSWORD
    from opop_events.demo import DEMO_ACCOUNTS

    click.echo(_("Akun demo (kata sandi semuanya: {password}):").format(password=DEMO_PASSWORD))
    for email, role, name in DEMO_ACCOUNTS:
        click.echo(f"  {email:<24} {name} ({role.value})")


@main.command(
    help=N_("Muat data demo (27 kab/kota, pesantren, produk, pembeli, acara Bandung Desember 2020) lalu keluar.")
)
@option("--reset", is_flag=True, help=N_("Hapus data demo lama lalu muat ulang."))
def demo(reset: bool) -> None:
    click.echo(_run(lambda: _load_demo(reset)))
    _print_logins()


@main.command(help=N_("Jalankan aplikasi web (migrasi otomatis pada basis data kosong)."))
@option("--host", default="127.0.0.1", show_default=True, help=N_("Alamat yang didengarkan."))
@option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help=N_("Port."))
@option("--demo", "with_demo", is_flag=True, help=N_("Muat data demo dulu bila basis data masih kosong."))
@option("--workers", default=1, show_default=True, type=click.IntRange(1, 32), help=N_("Jumlah proses."))
def serve(host: str, port: int, with_demo: bool, workers: int) -> None:
    import uvicorn

    if not os.environ.get("OPOP_BASE_URL", "").strip():
        # Links sent over WhatsApp and printed in QR codes must point at the address actually served.
        link_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only names the link to print
        os.environ["OPOP_BASE_URL"] = f"http://{link_host}:{port}"
        get_settings.cache_clear()
        if link_host != host:
            click.secho(
                _(
                    "Catatan: OPOP_BASE_URL belum diisi; tautan WhatsApp dan QR memakai {url}. Isi OPOP_BASE_URL "
                    "dengan alamat yang bisa dibuka peserta (mis. https://opop.jabarprov.go.id)."
                ).format(url=os.environ["OPOP_BASE_URL"]),
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
    click.echo(_("opop-events berjalan di {url}  (API: {url}schema)").format(url=f"http://{host}:{port}/"))
    click.echo(_("Basis data: {engine}").format(engine=settings.engine))
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


@main.command(help=N_("Kirim e-mail dari antrean (outbox) sampai dihentikan; untuk penerapan dengan beberapa proses aplikasi."))
@option("--once", is_flag=True, help=N_("Kirim semua pesan yang sudah waktunya lalu keluar."))
def worker(once: bool) -> None:
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


@main.command(help=N_("Susun jadwal pertemuan dari problem.json (tanpa basis data) dan tulis schedule.json."))
@option("--input", "input_path", required=True, type=click.Path(dir_okay=False), help="problem.json")
@option("--output", "output_path", required=True, type=click.Path(dir_okay=False), help="schedule.json")
@option("--time-limit", default=60.0, show_default=True, type=click.FloatRange(0.1, 3600), help=N_("Detik."))
def schedule(input_path: str, output_path: str, time_limit: float) -> None:
    from opop_events.matching.scheduler import ProblemError, run_files

    try:
        stats = run_files(input_path, output_path, time_limit=time_limit)
    except ProblemError as exc:
        _fail(f"{input_path}: {exc}")
    summary = _(
        "{scheduled} dari {requested} pertemuan terjadwal, {breaks} jeda (batas bawah {bound}, optimal), "
        "{seconds} detik → {output}"
    ) if stats["optimal"] else _(
        "{scheduled} dari {requested} pertemuan terjadwal, {breaks} jeda (batas bawah {bound}), {seconds} detik → {output}"
    )
    click.echo(summary.format(
        scheduled=stats["scheduled"], requested=stats["requested"], breaks=stats["breaks_total"],
        bound=stats["lower_bound"], seconds=_seconds(stats["seconds"]), output=output_path,
    ))


@main.command(
    help=N_("Buat laporan resmi acara (SLUG_ACARA) atau program (--year TAHUN) dalam xlsx, pdf atau csv.")
)
@argument("event_slug", required=False)
@option(
    "--year", type=click.IntRange(MIN_YEAR, MAX_YEAR), default=None, metavar=N_("TAHUN"),
    help=N_("Laporan program satu tahun (tanpa slug)."),
)
@option("--format", "fmt", type=click.Choice(list(EXPORTERS)), default="xlsx", show_default=True)
@option("--output", type=click.Path(dir_okay=False), default=None, help=N_("Berkas keluaran (bawaan: folder reports/)."))
@option("--as-of", default=None, help=N_('Keadaan pada waktu ini (WIB), mis. "2020-12-09 16:00".'))
def report(event_slug: str | None, year: int | None, fmt: str, output: str | None, as_of: str | None) -> None:
    from pathlib import Path

    from opop_events.core.dates import format_datetime, parse_local_datetime
    from opop_events.core.money import format_rupiah
    from opop_events.reports import services
    from opop_events.reports.request import COMMAND_LINE, ReportRequest

    if (event_slug is None) == (year is None):
        _fail(_("sebutkan tepat satu: SLUG_ACARA atau --year TAHUN"))
    try:
        moment = parse_local_datetime(as_of) if as_of else None
    except ValueError:
        _fail(_("--as-of '{value}' bukan waktu yang sah; contoh \"2020-12-09 16:00\"").format(value=as_of))
    if output and Path(output).suffix.lower() != f".{fmt}":
        _fail(_("--output {output} tidak berakhiran .{fmt}, padahal --format {fmt}; samakan keduanya").format(
            output=output, fmt=fmt
        ))
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
    if moment:
        written = _("Laporan ditulis ke {path} (terkonfirmasi per {moment}: {amount}).")
    else:
        written = _("Laporan ditulis ke {path} (terkonfirmasi: {amount}).")
    click.echo(written.format(path=path, moment=format_datetime(moment) if moment else "", amount=format_rupiah(confirmed)))


@main.group(help=N_("Akun pengguna."))
def users() -> None:
    """User account commands."""


@users.command(
    "create", help=N_("Buat akun, misalnya admin pertama: opop-events users create --role admin --email staf@dinas.go.id")
)
@option("--email", required=True, help=N_("Email untuk masuk."))
@option(
    "--role",
    required=True,
    type=click.Choice(["admin", "organizer", "seller", "buyer"]),
    help=N_("admin (Dinas KUK), organizer, seller (pesantren), buyer."),
)
@option("--name", default="", help=N_("Nama tampilan."))
@option("--pesantren-id", type=int, default=None, help=N_("Untuk seller: id pesantren."))
@option("--buyer-id", type=int, default=None, help=N_("Untuk buyer: id pembeli."))
@option(
    "--password",
    prompt=N_("Kata sandi"),
    hide_input=True,
    confirmation_prompt=True,
    envvar="OPOP_NEW_PASSWORD",
    help=N_("Kata sandi (ditanyakan bila tidak diberikan; atau OPOP_NEW_PASSWORD)."),
)
def users_create(email: str, role: str, name: str, pesantren_id: int | None, buyer_id: int | None, password: str) -> None:
    from opop_events.accounts.enums import Role
    from opop_events.accounts.services import create_user

    async def job() -> Any:
        await _ensure_schema()
        return await create_user(
            email=email, password=password, role=Role(role), name=name, pesantren_id=pesantren_id, buyer_id=buyer_id
        )

    actor = _run(job)
    click.echo(_("Akun {email} ({role}) dibuat dengan id {id}.").format(
        email=actor.email, role=actor.role.value, id=actor.user_id
    ))


@users.command(
    "set-password",
    help=N_("Ganti kata sandi sebuah akun tanpa kata sandi lama; semua sesi dan token API akun itu berakhir."),
)
@option("--email", required=True, help=N_("Email akun."))
@option(
    "--password",
    prompt=N_("Kata sandi baru"),
    hide_input=True,
    confirmation_prompt=True,
    envvar="OPOP_NEW_PASSWORD",
    help=N_("Kata sandi baru (ditanyakan bila tidak diberikan; atau OPOP_NEW_PASSWORD)."),
)
def users_set_password(email: str, password: str) -> None:
    from opop_events.accounts.services import set_password

    async def job() -> Any:
        await _ensure_schema()
        return await set_password(email=email, password=password)

    actor = _run(job)
    click.echo(_("Kata sandi akun {email} diganti; semua sesi dan token API akun itu berakhir.").format(email=actor.email))


@main.command(
    "import",
    help=N_(
        "Impor daftar Dinas (.xlsx: lembar Pesantren, Pembeli, Produk, Transaksi) ke sebuah acara.\n\n"
        "Semua atau tidak sama sekali: bila ada galat, tidak ada yang ditulis, setiap galat dicetak satu baris dan\n"
        "perintah berakhir dengan \"Galat: …\" (kode keluar 2). Isi berkas yang sudah pernah diimpor ke acara yang\n"
        "sama, dan baris Transaksi yang sama persis dengan transaksi acara itu atau dengan baris sebelumnya, ditolak\n"
        "kecuali dengan --force. Setiap baris Transaksi menjadi satu transaksi dengan satu baris barang. Templat:\n"
        "fixtures/templates/impor_opop.xlsx"
    ),
)
@argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@option("--event", "event_slug", required=True, help=N_("Slug acara tujuan transaksi."))
@option("--dry-run", is_flag=True, help=N_("Periksa saja; tidak ada yang ditulis."))
@option("--as-email", default=None, help=N_("Email akun admin yang dicatat sebagai pelaku (bawaan: admin pertama)."))
@option(
    "--force", is_flag=True,
    help=N_("Impor walau isi berkas sudah pernah diimpor ke acara ini atau ada baris yang sama persis dengan "
            "transaksi yang sudah ada (dicetak sebagai peringatan)."),
)
def import_workbook(file: Path, event_slug: str, dry_run: bool, as_email: str | None, force: bool) -> None:
    from opop_events.core.money import format_rupiah
    from opop_events.importing.parse import DEFAULT_LIMITS
    from opop_events.importing.service import display_name
    from opop_events.importing.service import import_workbook as run_import

    name = display_name(str(file))
    size = file.stat().st_size
    if size > DEFAULT_LIMITS.max_file_bytes:
        _fail(_("{name}: berkas terlalu besar (paling besar {size} MB)").format(
            name=name, size=DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)
        ))
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
            if as_email:
                missing = _("tidak ada admin aktif dengan email {email}; buat dulu: "
                            "opop-events users create --role admin --email …").format(email=as_email)
            else:
                missing = _("tidak ada akun admin; buat dulu: opop-events users create --role admin --email …")
            _fail(missing, 2)
        actor = Actor(user_id=row["id"], email=row["email"], name=row["name"], role=Role.admin)
        return await run_import(actor=actor, event_slug=event_slug, content=content, filename=name, dry_run=dry_run,
                                force=force)

    started = time.perf_counter()
    result = _run(job)
    if result.errors:
        hint = " " + _("Pakai --force bila memang ingin mengimpornya.") if result.only_duplicates else ""
        if len(result.errors) == 1 and not result.errors[0].sheet:
            # one problem with the file as a whole (not an xlsx, already imported): it is the Galat line itself
            _fail(_("{error}; tidak ada yang ditulis.").format(error=result.errors[0].line(name)) + hint)
        for error in result.errors:
            click.echo(error.line(name), err=True)
        _fail(_("{name}: impor dibatalkan, {count} galat; tidak ada yang ditulis.").format(
            name=name, count=len(result.errors)
        ) + hint)
    for warning in result.warnings:
        click.secho(_("Peringatan: {warning}").format(warning=warning.line(name)), fg="yellow", err=True)
    took = _seconds(time.perf_counter() - started)
    if dry_run:
        click.echo(_("{name}: pratinjau (--dry-run) dalam {seconds} detik, tidak ada galat; tidak ada yang disimpan. "
                     "Bila diimpor tanpa --dry-run, akan dibuat:").format(name=name, seconds=took))
    else:
        click.echo(_("{name}: impor selesai dalam {seconds} detik; dibuat:").format(name=name, seconds=took))
    created = (
        (N_("pesantren"), result.created_pesantren),
        (N_("pembeli"), result.created_buyers),
        (N_("produk"), result.created_products),
        (N_("pendaftaran"), result.created_registrations),
        (N_("transaksi"), result.created_deals),
    )
    for label, count in created:
        click.echo(f"  {_(label):<11} {count}")
    for state, total in result.total_rp_by_status.items():
        click.echo(_("  nilai {state} {amount}").format(state=f"{state:<13}", amount=format_rupiah(total)))


_ARGUMENT_NAMES = {
    "file": (N_("BERKAS"), N_("[BERKAS]")),
    "event_slug": (N_("SLUG_ACARA"), N_("[SLUG_ACARA]")),
    "path": (N_("JALUR"), N_("[JALUR]")),
}
"""An argument's placeholder when required and when optional."""


def _option_metavar(kind: click.ParamType) -> str | None:
    """Indonesian placeholders for Click's TEXT, INTEGER, FLOAT RANGE, PATH …; choices keep their [a|b] list."""
    if isinstance(kind, click.Choice):
        return None
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return N_("ANGKA")
    if isinstance(kind, click.Path):
        return N_("BERKAS")
    return N_("TEKS")


def _indonesian_metavars(command: click.Command) -> None:
    """Placeholders in usage lines in Indonesian ([OPSI], PERINTAH, BERKAS) like the rest of the help (marked:
    the translated classes of `cli_text` read them in the run's language)."""
    command.options_metavar = N_("[OPSI]")
    if isinstance(command, click.Group):
        command.subcommand_metavar = N_("PERINTAH [ARGUMEN]...")
    for param in command.params:
        if isinstance(param, click.Option) and not param.is_flag and param.metavar is None:
            param.metavar = _option_metavar(param.type)
        if isinstance(param, click.Argument) and param.name in _ARGUMENT_NAMES:
            required, optional = _ARGUMENT_NAMES[param.name]
            param.metavar = required if param.required else optional
    for sub in getattr(command, "commands", {}).values():
        _indonesian_metavars(sub)


main.add_command(backup)
main.add_command(restore)
_indonesian_metavars(main)

if __name__ == "__main__":
    main(prog_name="opop-events")
