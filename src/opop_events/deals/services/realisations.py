"""Realisations after the event (payments, deliveries, corrections) and the follow-up list."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor, require_role
from opop_events.core.dates import as_date, as_datetime, format_date, now_utc
from opop_events.core.errors import Conflict, InvalidInput, NotFound
from opop_events.core.i18n import _
from opop_events.core.money import (
    format_rupiah,
)
from opop_events.db import present, write_transaction
from opop_events.deals import schemas
from opop_events.deals.enums import (
    DealAction,
    DealState,
)
from opop_events.deals.rules import (
    check_realisation_date,
)
from opop_events.deals.services.current import _current
from opop_events.deals.services.permissions import _check
from opop_events.deals.services.reading import _deal_rows, _to_schemas, get_deal
from opop_events.deals.services.revisions import _append_event, _revision_snapshot
from opop_events.deals.tables import DealRevision, Realisation

# -- realisations -------------------------------------------------------------------------------------------


async def list_realisations(*, actor: Actor | None, deal_id: int) -> list[schemas.Realisation]:
    await get_deal(actor=actor, deal_id=deal_id)
    rows = await Realisation.select().where(Realisation.deal == deal_id).order_by(Realisation.id)
    voided = {r["voids"] for r in rows if r["voids"]}
    return [
        schemas.Realisation(
            id=r["id"], kind=r["kind"], realised_on=as_date(r["realised_on"]), amount_rp=r["amount_rp"],
            note=r["note"], voids=r["voids"], voided=r["id"] in voided, recorded_at=as_datetime(r["recorded_at"]),
        )
        for r in rows
    ]


async def record_realisation(
    *, actor: Actor | None, deal_id: int, data: schemas.RealisationCreate
) -> schemas.Realisation:
    """Dinas records a payment or delivery after the event; it may exceed the deal (repeat orders happen)."""
    actor = require_actor(actor)
    check_realisation_date(data.realised_on)
    if data.amount_rp == 0:
        raise InvalidInput.field("amount_rp", _("nilai realisasi harus lebih dari nol"))
    async with write_transaction():
        current = await _current(deal_id)
        _check(actor, current, DealAction.realisasi, None)
        deal = present(await DealRevision.select(DealRevision.deal_date).where(DealRevision.id == current.revision_id).first())
        check_realisation_date(data.realised_on, deal_date=as_date(deal["deal_date"]))  # not before the deal
        rows = await Realisation.insert(
            Realisation(
                deal=deal_id, kind=data.kind.value, realised_on=data.realised_on, amount_rp=data.amount_rp,
                note=data.note, recorded_by=actor.user_id, recorded_at=now_utc(),
            )
        ).returning(Realisation.id)
        snapshot = await _revision_snapshot(current.revision_id, current.state)
        await _append_event(
            deal_id=deal_id, version=current.version + 1, action=DealAction.realisasi, state=current.state,
            revision_id=current.revision_id, actor=actor,
            reason=f"{data.kind.value.capitalize()} {format_rupiah(data.amount_rp)} tanggal {format_date(data.realised_on)}",
            before=snapshot, after=snapshot, offer=current.offer_revision_id, offer_by=current.offer_by,
        )
    return next(r for r in await list_realisations(actor=actor, deal_id=deal_id) if r.id == rows[0]["id"])


async def void_realisation(
    *, actor: Actor | None, deal_id: int, realisation_id: int, data: schemas.RealisationVoid
) -> schemas.Realisation:
    """A wrong realisation is corrected by a voiding row; the original stays."""
    actor = require_actor(actor)
    async with write_transaction():
        current = await _current(deal_id)
        _check(actor, current, DealAction.koreksi_realisasi, None)
        target = await Realisation.select().where(
            (Realisation.id == realisation_id) & (Realisation.deal == deal_id)
        ).first()
        if target is None or target["voids"] is not None:
            raise NotFound(_("Realisasi {id} tidak ada pada transaksi ini.").format(id=realisation_id))
        if await Realisation.exists().where(Realisation.voids == realisation_id):
            raise Conflict(_("Realisasi ini sudah dikoreksi."))
        rows = await Realisation.insert(
            Realisation(
                deal=deal_id, kind=target["kind"], realised_on=target["realised_on"], amount_rp=0,
                note=data.reason, voids=realisation_id, recorded_by=actor.user_id, recorded_at=now_utc(),
            )
        ).returning(Realisation.id)
        snapshot = await _revision_snapshot(current.revision_id, current.state)
        await _append_event(
            deal_id=deal_id, version=current.version + 1, action=DealAction.koreksi_realisasi, state=current.state,
            revision_id=current.revision_id, actor=actor, reason=data.reason, before=snapshot, after=snapshot,
            offer=current.offer_revision_id, offer_by=current.offer_by,
        )
    return next(r for r in await list_realisations(actor=actor, deal_id=deal_id) if r.id == rows[0]["id"])


async def follow_up(*, actor: Actor | None, days: int = 30, as_of: datetime | None = None,
                    event_slug: str | None = None) -> list[schemas.FollowUp]:
    """Confirmed deals older than `days` with nothing realised: what Dinas staff must chase."""
    actor = require_role(actor, Role.admin)
    moment = as_of or now_utc()
    cutoff = moment.date() - timedelta(days=days)
    # Nothing realised: no realisation (recorded by `as_of`) that was not voided (by then); amounts are > 0.
    at = " AND z.recorded_at <= {}" if as_of else ""
    unvoided = "NOT EXISTS (SELECT 1 FROM realisation v WHERE v.voids = z.id" + (" AND v.recorded_at <= {}" if as_of else "")
    where = [
        f"cur.state IN ('{DealState.dikonfirmasi.value}', '{DealState.diverifikasi.value}')",
        "r.deal_date <= {}",
        f"NOT EXISTS (SELECT 1 FROM realisation z WHERE z.deal = d.id AND z.voids IS NULL{at} AND {unvoided}))",
    ]
    args: list[Any] = [cutoff, *([as_of, as_of] if as_of else [])]
    if event_slug:
        where.append("ev.slug = {}")
        args.append(event_slug)
    rows = await _deal_rows(" AND ".join(where), args, order="r.deal_date, d.id", as_of=as_of, limit=1000)
    deals = await _to_schemas(rows, actor)
    return [schemas.FollowUp(deal=d, days_since=(moment.date() - d.deal_date).days) for d in deals]


