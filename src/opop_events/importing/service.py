"""Importing a Dinas workbook: match names against the database, check references, write all in one transaction.

Rules (also in the template's Petunjuk sheet):
- A Pesantren row is the existing pesantren with the same name (case and spacing ignored) in the same
  kabupaten/kota, else a new one. A Pembeli row likewise by name and kota. Two identical rows are an error.
- A `pesantren` / `pembeli` cell in Produk or Transaksi names one pesantren/buyer, from the database or the
  workbook. When several share the name, the one listed in this workbook wins; otherwise the cell must say
  which, as `Nama (Kota Bandung)` / `Nama (Kota)`, and the error lists the candidates in that form.
- A Produk row is skipped (reused) when its pesantren already has a product of that name.
- Each Transaksi row becomes ONE deal with ONE line, attached to the event; the line links the pesantren's
  product whose name equals `uraian`, which also supplies category and unit when those cells are empty.
- Every pesantren and buyer of the workbook is registered to the event if it is not already.
- The deal rules of every other door apply (`deals/rules.py`): the date window around the event (not in the
  future, not more than 30 days before the event starts) and the amount caps. An unknown column, a workbook
  without data rows, or a hostile file is refused.
- All or nothing: any error and nothing is written; a dry run (a preview) checks everything and writes
  nothing, not even the `ImportBatch` record.
- Once per event: every import is recorded as an `ImportBatch` with a fingerprint of its rows (row numbers
  left out, so a re-saved copy counts as the same file). Content already imported into the event is refused,
  naming when and what it made; a Transaksi row identical to a deal already in the event (same pesantren,
  buyer, date, kind and lines; cancelled deals aside) or to an earlier row of the file is an error too. Both
  are lifted only by `force=True` (CLI `--force`, API `force=true`), and then reported as warnings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from functools import partial
from pathlib import PurePath
from typing import Any

import anyio.to_thread

from opop_events.accounts.services import Actor
from opop_events.catalog.services import CERT_COLUMNS
from opop_events.catalog.tables import Buyer, ImportBatch, Pesantren, Product, Wilayah
from opop_events.core.dates import format_datetime
from opop_events.core.i18n import _
from opop_events.core.money import format_number
from opop_events.db import is_postgres, raw, write_transaction
from opop_events.deals.enums import DealKind, DealState
from opop_events.deals.services import ImportedDeal, import_deals
from opop_events.events.enums import PartyKind
from opop_events.events.services import get_event, require_organizer
from opop_events.events.tables import Event, Registration
from opop_events.importing.parse import DEFAULT_LIMITS, Limits, parse_workbook
from opop_events.importing.planning import ImportPlan, error_order, imported_line, plan_import
from opop_events.importing.rows import CellError, ParsedWorkbook

CATALOG_CHUNK = 500
IMPORT_LOCK_KEY = 7_160_001  # pg_advisory_xact_lock key serialising imports


@dataclass(frozen=True)
class PriorImport:
    """The latest earlier import of the same content into the same event."""

    batch_id: int
    filename: str
    imported_at: datetime
    actor_label: str
    created_deals: int
    times: int  # how many imports of this content the event has had

    def describe(self) -> str:
        """`isi berkas ini sudah diimpor ke acara ini pada 9 Desember 2020 16.00 WIB oleh Staf (rekap.xlsx;
        24 transaksi dibuat)`."""
        when = format_datetime(self.imported_at)
        if self.times > 1 and self.actor_label:
            text = _("isi berkas ini sudah diimpor ke acara ini {times} kali, terakhir pada {when} oleh {who} "
                     "({filename}; {count} transaksi dibuat)")
        elif self.times > 1:
            text = _("isi berkas ini sudah diimpor ke acara ini {times} kali, terakhir pada {when} "
                     "({filename}; {count} transaksi dibuat)")
        elif self.actor_label:
            text = _("isi berkas ini sudah diimpor ke acara ini pada {when} oleh {who} "
                     "({filename}; {count} transaksi dibuat)")
        else:
            text = _("isi berkas ini sudah diimpor ke acara ini pada {when} ({filename}; {count} transaksi dibuat)")
        return text.format(times=self.times, when=when, who=self.actor_label, filename=self.filename,
                           count=self.created_deals)


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do); `errors` non-empty means nothing was written.

    `duplicates` are the refusals `force=True` lifts (content imported before, or Transaksi rows identical to
    a deal of the event or to an earlier row): without force they are also in `errors`, with force they are
    warnings of what was written anyway."""

    created_pesantren: int = 0
    created_buyers: int = 0
    created_products: int = 0
    created_deals: int = 0
    created_registrations: int = 0
    total_rp_by_status: dict[str, int] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    dry_run: bool = False
    previous: PriorImport | None = None
    duplicates: list[CellError] = field(default_factory=list)
    forced: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def warnings(self) -> list[CellError]:
        return self.duplicates if self.forced else []

    def headline(self, filename: str) -> str:
        """One line for the person importing: a dry run says plainly it is a preview that stored nothing."""
        if self.dry_run:
            return _("Pratinjau {filename}: tidak ada galat; bila diimpor, {count} transaksi akan dibuat. "
                     "Tidak ada yang disimpan.").format(filename=filename, count=format_number(self.created_deals))
        return _("{filename} diimpor: {count} transaksi dibuat.").format(
            filename=filename, count=format_number(self.created_deals))

    @property
    def only_duplicates(self) -> bool:
        """Refused, and `force=True` alone would have let it through."""
        return bool(self.errors) and not self.forced and len(self.errors) == len(self.duplicates)


async def _write(plan: ImportPlan, *, actor: Actor, event_id: int, wilayah: dict[str, tuple[int, str]],
                 filename: str) -> None:
    async def insert(table: Any, parties: list[Any], build: Any) -> None:
        for start in range(0, len(parties), CATALOG_CHUNK):
            chunk = parties[start : start + CATALOG_CHUNK]
            rows = await table.insert(*[build(p) for p in chunk]).returning(table.id)
            for party, row in zip(chunk, rows, strict=True):
                party.id = row["id"]

    await insert(Pesantren, plan.new_pesantren, lambda p: Pesantren(
        name=p.new.name, wilayah=wilayah[p.new.wilayah_code][0], address=p.new.address, whatsapp=p.new.whatsapp,
        contact_person=p.new.contact_person, nspp=p.new.nspp,
    ))
    await insert(Buyer, plan.new_buyers, lambda p: Buyer(
        name=p.new.name, buyer_type=p.new.buyer_type, city=p.new.city, whatsapp=p.new.whatsapp,
        contact_person=p.new.contact_person,
    ))
    await insert(Product, plan.new_products, lambda ref: Product(
        pesantren=ref.owner.id, name=ref.new.name, category=ref.new.category, unit=ref.new.unit,
        price_rp=ref.new.price_rp,
        **{column._meta.name: cert.value in ref.new.certifications for cert, column in CERT_COLUMNS.items()},
    ))
    registrations = [
        Registration(event=event_id, party_kind=kind.value,
                     pesantren=party.id if kind is PartyKind.pesantren else None,
                     buyer=party.id if kind is PartyKind.buyer else None)
        for kind, party in plan.register
    ]
    for start in range(0, len(registrations), CATALOG_CHUNK):
        await Registration.insert(*registrations[start : start + CATALOG_CHUNK])
    source = f"impor Excel: {filename}"
    deals = [
        ImportedDeal(
            pesantren_id=seller.id, buyer_id=buyer.id, kind=DealKind(item.kind), deal_date=item.deal_date,
            state=DealState(item.state), source=f"{source}, baris {row}",
            lines=[imported_line(item, product)],
        )
        for row, seller, buyer, product, item in plan.deals
    ]
    await import_deals(actor=actor, event_id=event_id, deals=deals)


def _result(parsed: ParsedWorkbook, plan: ImportPlan | None, *, dry_run: bool, previous: PriorImport | None = None,
            force: bool = False) -> ImportResult:
    duplicates = [CellError("", None, "", "", previous.describe())] if previous else []
    duplicates += plan.duplicates if plan else []
    refused = [] if force else duplicates
    errors = sorted([*parsed.errors, *(plan.errors if plan else []), *refused], key=error_order)
    if errors or plan is None:
        return ImportResult(errors=errors, dry_run=dry_run, previous=previous, duplicates=duplicates,
                            forced=force)
    totals = {state.value: 0 for state in (DealState.dicatat, DealState.dikonfirmasi, DealState.diverifikasi)}
    for *_rest, item in plan.deals:
        totals[item.state] += item.value_rp
    return ImportResult(
        created_pesantren=len(plan.new_pesantren),
        created_buyers=len(plan.new_buyers),
        created_products=len(plan.new_products),
        created_deals=len(plan.deals),
        created_registrations=len(plan.register),
        total_rp_by_status=totals,
        dry_run=dry_run,
        previous=previous,
        duplicates=duplicates,
        forced=force,
    )


def content_fingerprint(parsed: ParsedWorkbook) -> str:
    """SHA-256 of the parsed rows of every sheet, in order, without their row numbers: the same list re-saved
    from Excel (new bytes) or with blank rows added is the same content."""

    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, frozenset):
            return sorted(value)
        raise TypeError(type(value).__name__)

    digest = hashlib.sha256()
    sheets = (("Pesantren", parsed.pesantren), ("Pembeli", parsed.buyers), ("Produk", parsed.products),
              ("Transaksi", parsed.deals))
    for sheet, items in sheets:
        for item in items:
            values = [getattr(item, f.name) for f in fields(item) if f.name != "row"]
            digest.update(json.dumps([sheet, values], default=plain, ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _previous_import(*, event_id: int, fingerprint: str) -> PriorImport | None:
    """The latest import of this content into the event. Batches older than the event itself are ignored: the
    id may have been reused after the event's rows were deleted (e.g. `demo --reset`)."""
    batches = await ImportBatch.select(
        ImportBatch.id, ImportBatch.filename, ImportBatch.imported_at, ImportBatch.actor_label,
        ImportBatch.created_deals,
    ).where((ImportBatch.event_id == event_id) & (ImportBatch.content_sha256 == fingerprint)).order_by(
        ImportBatch.id, ascending=False)
    created = await Event.select(Event.created_at).where(Event.id == event_id).first()
    if created is not None:
        batches = [b for b in batches if _aware(b["imported_at"]) >= _aware(created["created_at"])]
    if not batches:
        return None
    last = batches[0]
    return PriorImport(batch_id=last["id"], filename=last["filename"], imported_at=last["imported_at"],
                       actor_label=last["actor_label"], created_deals=last["created_deals"],
                       times=len(batches))


def display_name(filename: str) -> str:
    """The file's own name (no folders), shortened: it goes into history labels and error lines."""
    name = PurePath(filename.replace("\\", "/")).name or "berkas.xlsx"
    return name if len(name) <= 100 else name[:97] + "…"


async def import_workbook(
    *,
    actor: Actor | None,
    event_slug: str,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    force: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportResult:
    """Import a Dinas workbook into an event (admin or the event's organizer). Side effects unless `dry_run`
    or errors: creates pesantren, buyers, products, registrations and deals (with history) and the
    `ImportBatch` record in ONE transaction. Content already imported into the event, and Transaksi rows
    identical to a deal of the event or to an earlier row, are refused unless `force` (then they are
    `warnings`). The CLI, the API and the web upload all come through here. The parse runs in a worker
    thread."""
    event = await get_event(slug=event_slug)
    checked = await require_organizer(actor, event)
    wilayah = {r["code"]: (r["id"], r["name"]) for r in await Wilayah.select(Wilayah.id, Wilayah.code, Wilayah.name)}
    parsed = await anyio.to_thread.run_sync(
        partial(parse_workbook, content, wilayah={c: n for c, (_, n) in wilayah.items()}, limits=limits)
    )
    if any(error.row is None and not error.sheet for error in parsed.errors) and not parsed.sheets:
        return _result(parsed, None, dry_run=dry_run)
    fingerprint = content_fingerprint(parsed)

    async def check() -> tuple[ImportResult, ImportPlan | None]:
        # Content with errors was never imported, so only a clean parse is looked up. A known re-import is
        # reported once for the whole file rather than once per row.
        previous = None
        if not parsed.errors:
            previous = await _previous_import(event_id=event.id, fingerprint=fingerprint)
        if previous is not None and not force:
            return _result(parsed, None, dry_run=dry_run, previous=previous), None
        plan = await plan_import(parsed, event_id=event.id, starts_on=event.starts_on, event_status=event.status.value,
                           importer=checked.role,
                           wilayah=wilayah, check_duplicates=previous is None)
        return _result(parsed, plan, dry_run=dry_run, previous=previous, force=force), plan

    if dry_run:
        return (await check())[0]
    name = display_name(filename)
    async with write_transaction():
        if is_postgres():
            # One import at a time: two imports of the same list must not both create the same new pesantren
            # nor both pass the "already imported" check (SQLite gets this from BEGIN IMMEDIATE).
            await raw("SELECT pg_advisory_xact_lock({})", IMPORT_LOCK_KEY)
        result, plan = await check()
        if result.ok and plan is not None:
            await _write(plan, actor=checked, event_id=event.id, wilayah=wilayah, filename=name)
            await ImportBatch.insert(ImportBatch(
                event_id=event.id, content_sha256=fingerprint,
                file_sha256=hashlib.sha256(content).hexdigest(), filename=name, actor_id=checked.user_id,
                actor_label=(checked.name or checked.email)[:200], created_pesantren=result.created_pesantren,
                created_buyers=result.created_buyers, created_products=result.created_products,
                created_registrations=result.created_registrations, created_deals=result.created_deals,
                forced=bool(result.warnings),
            ))
    return result
