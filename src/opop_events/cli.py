"""The `opop-events` command line: serve, demo, db upgrade, users."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from opop_events.settings import SettingsError, get_settings

T = TypeVar("T")


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run one async job with the database pool open (PostgreSQL) and closed after."""
    from opop_events.db import close_pool, open_pool

    async def job() -> T:
        await open_pool()
        try:
            return await make()
        finally:
            await close_pool()

    return asyncio.run(job())


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
        except OSError as exc:
            _fail(f"{exc.strerror or exc} ({getattr(exc, 'filename', '') or ''})")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="opop-events")
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
    from opop_events.bootstrap import upgrade

    _run(lambda: upgrade(settings.fixtures_dir, quiet=False))
    click.echo(f"Basis data mutakhir ({settings.engine}).")


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
        f"Data demo dimuat dalam {time.perf_counter() - started:.1f} detik: {summary.pesantren} pesantren, "
        f"{summary.products} produk, {summary.buyers} pembeli, acara '{summary.event_slug}' "
        f"dengan {summary.registrations} peserta dan {summary.deals} transaksi."
    )


def _print_logins() -> None:
    from opop_events.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

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

    settings = get_settings()
    if with_demo:
        click.echo(_run(lambda: _load_demo(False)))
        _print_logins()
    else:
        _run(_ensure_schema)
    click.echo(f"opop-events berjalan di http://{host}:{port}/  (API: http://{host}:{port}/schema)")
    click.echo(f"Basis data: {settings.engine}")
    uvicorn.run(
        "opop_events.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
    )


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
    prompt=True,
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


if __name__ == "__main__":
    main()
