"""A deal's path after it exists: counter-offers, proposed changes, confirmation, dispute, verification,
sending back and cancellation — one history row per change, a new revision when the terms change."""

from __future__ import annotations

import json
from datetime import date

from opop_events.accounts.services import Actor, require_actor
from opop_events.core.dates import as_date
from opop_events.core.errors import Conflict, InvalidInput
from opop_events.core.i18n import _
from opop_events.db import present, write_transaction
from opop_events.deals import schemas
from opop_events.deals.enums import (
    DealAction,
    DealKind,
    DealState,
)
from opop_events.deals.services.current import (
    BUYER_SIDE,
    SELLER_SIDE,
    _Current,
    _current,
    _lines,
)
from opop_events.deals.services.permissions import _check, _side
from opop_events.deals.services.reading import get_deal
from opop_events.deals.services.revisions import (
    _append_event,
    _check_deal_date,
    _clean_lines,
    _CleanLine,
    _new_revision,
    _revision_snapshot,
)
from opop_events.deals.tables import DealRevision


async def _transition(
    *,
    actor: Actor | None,
    deal_id: int,
    action: DealAction,
    to_state: DealState,
    expected_version: int | None,
    reason: str = "",
    actor_label: str = "",
    new_content: tuple[str, date, str, list[_CleanLine]] | None = None,
    check_actor: Actor | None = None,
    offer_by: str = "",
    accept_offer: bool = False,
) -> _Current:
    """Append one history row moving the deal to `to_state` (and a new revision when content changes).

    `offer_by` (state `perubahan`): the new content is an offer by that side; the agreed revision stays the
    one that counts. `accept_offer`: the pending offer becomes the agreed revision."""
    async with write_transaction():
        current = await _current(deal_id)
        _check(check_actor if check_actor is not None else actor, current, action, expected_version)
        before = await _revision_snapshot(current.revision_id, current.state)
        revision_id, offer = current.revision_id, None
        if accept_offer:
            if current.offer_revision_id is None:
                raise Conflict(_("Tidak ada perubahan yang menunggu persetujuan."))
            revision_id = current.offer_revision_id
            # the proposal becomes the terms: the same date rules as any change (event window, realisations)
            offered = present(await DealRevision.select(DealRevision.deal_date).where(DealRevision.id == revision_id).first())
            await _check_deal_date(as_date(offered["deal_date"]), current.event_id, deal_id)
        if new_content is not None:
            kind, deal_date, note, lines = new_content
            written = await _new_revision(deal_id, kind, deal_date, note, lines)
            if offer_by:
                offer = written
            else:
                revision_id = written
        elif offer_by:
            offer = current.offer_revision_id
        after = await _revision_snapshot(offer or revision_id, to_state)
        if offer is not None:
            agreed = json.loads(await _revision_snapshot(revision_id, to_state))
            after = json.dumps(
                {**json.loads(after), "offer_by": offer_by, "agreed_total_rp": agreed["total_rp"]},
                ensure_ascii=False, sort_keys=True,
            )
        await _append_event(
            deal_id=deal_id,
            version=current.version + 1,
            action=action,
            state=to_state,
            revision_id=revision_id,
            actor=actor,
            actor_label=actor_label,
            reason=reason,
            before=before,
            after=after,
            offer=offer,
            offer_by=offer_by if offer is not None else "",
        )
    return current


async def _content_after(current: _Current, *, kind: DealKind | None, deal_date: date | None,
                         note: str | None, lines: list[schemas.LineIn] | None, base_revision: int | None = None,
                         min_order: bool = False) -> tuple[str, date, str, list[_CleanLine]]:
    """The terms after a change: the given fields over those of `base_revision` (default: the current one)."""
    base = base_revision or current.revision_id
    rev = present(await DealRevision.select().where(DealRevision.id == base).first())
    if lines is not None:
        clean = await _clean_lines(lines, current.pesantren_id, min_order=min_order)
    else:
        clean = [
            _CleanLine(
                product_id=line.product_id, description=line.description, category=line.category.value,
                quantity=line.quantity, unit=line.unit, unit_price_rp=line.unit_price_rp, value_rp=line.value_rp,
            )
            for line in (await _lines([base])).get(base, [])
        ]
    new_date = deal_date or as_date(rev["deal_date"])
    await _check_deal_date(new_date, current.event_id, current.deal_id)
    return (kind.value if kind else rev["kind"], new_date, rev["note"] if note is None else note, clean)


async def amend(*, actor: Actor | None, deal_id: int, data: schemas.DealAmend) -> schemas.Deal:
    """Change the terms. Before agreement: the seller changes its deal (a disputed deal goes back to `dicatat`),
    a buyer changes its own interest. After agreement (`dikonfirmasi`): either side proposes changed terms
    (`perubahan`); the agreed terms keep counting until the other side accepts. The proposer may revise its
    proposal while it waits."""
    actor = require_actor(actor)
    current = await _current(deal_id)
    action = DealAction.ajukan_ubah if current.state is DealState.dikonfirmasi else DealAction.ubah
    _check(actor, current, action, data.version)
    side = _side(actor, current)
    if current.state in (DealState.dikonfirmasi, DealState.perubahan):
        base = current.offer_revision_id if current.state is DealState.perubahan else None
        content = await _content_after(current, kind=data.kind, deal_date=data.deal_date, note=data.note,
                                       lines=data.lines, base_revision=base, min_order=side == BUYER_SIDE)
        if content == await _content_after(current, kind=None, deal_date=None, note=None, lines=None):
            raise InvalidInput.field(
                "lines", _("usulan sama dengan syarat yang sudah disepakati; tidak ada yang diubah")
            )
        await _transition(
            actor=actor, deal_id=deal_id, action=action, to_state=DealState.perubahan, expected_version=data.version,
            new_content=content, offer_by=side,
        )
        return await get_deal(actor=actor, deal_id=deal_id)
    content = await _content_after(current, kind=data.kind, deal_date=data.deal_date, note=data.note, lines=data.lines)
    to_state = DealState.minat if current.state is DealState.minat else DealState.dicatat
    await _transition(
        actor=actor, deal_id=deal_id, action=DealAction.ubah, to_state=to_state, expected_version=data.version,
        new_content=content,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def confirm(*, actor: Actor | None, deal_id: int, data: schemas.Confirm) -> schemas.Deal:
    """The other side agrees to the terms on the table: the buyer to a logged deal or a pesantren's
    counter-offer, the pesantren to a buyer's interest or counter-offer, either side to the other's proposed
    change of an agreed deal. Sent with changed lines or kind, it is not an agreement but a counter-offer to
    the other side (`tawar`), which then has to accept it; sent unchanged, it counts at once."""
    actor = require_actor(actor)
    current = await _current(deal_id)
    _check(actor, current, DealAction.konfirmasi, data.version)
    side = _side(actor, current)
    pending = current.offer_revision_id if current.state is DealState.perubahan else None
    content = None
    if data.lines is not None or data.kind is not None:
        content = await _content_after(current, kind=data.kind, deal_date=None, note=None, lines=data.lines,
                                       base_revision=pending, min_order=side == BUYER_SIDE)
        if content == await _content_after(current, kind=None, deal_date=None, note=None, lines=None,
                                           base_revision=pending):
            content = None  # confirmed as it stood: no new revision
    if content is None:
        await _transition(
            actor=actor, deal_id=deal_id, action=DealAction.konfirmasi, to_state=DealState.dikonfirmasi,
            expected_version=data.version, accept_offer=pending is not None,
        )
    elif current.state is DealState.perubahan:
        await _transition(
            actor=actor, deal_id=deal_id, action=DealAction.tawar, to_state=DealState.perubahan,
            expected_version=data.version, new_content=content, offer_by=side,
        )
    else:
        # the pesantren's counter to an interest awaits the buyer (`dicatat`), the buyer's counter to a logged
        # deal awaits the pesantren (`minat`)
        to_state = DealState.dicatat if side == SELLER_SIDE else DealState.minat
        await _transition(
            actor=actor, deal_id=deal_id, action=DealAction.tawar, to_state=to_state,
            expected_version=data.version, new_content=content,
        )
    return await get_deal(actor=actor, deal_id=deal_id)


async def decline_change(*, actor: Actor | None, deal_id: int, data: schemas.ReasonIn) -> schemas.Deal:
    """The other side declines a proposed change, or the proposer withdraws it: the agreed terms stand."""
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.tolak_ubah, to_state=DealState.dikonfirmasi,
        expected_version=data.version, reason=data.reason,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def dispute(*, actor: Actor | None, deal_id: int, data: schemas.ReasonIn) -> schemas.Deal:
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.sanggah, to_state=DealState.disanggah,
        expected_version=data.version, reason=data.reason,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def verify(*, actor: Actor | None, deal_id: int, data: schemas.VersionIn) -> schemas.Deal:
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.verifikasi, to_state=DealState.diverifikasi,
        expected_version=data.version,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def send_back(*, actor: Actor | None, deal_id: int, data: schemas.ReasonIn) -> schemas.Deal:
    """Dinas returns a confirmed deal to `dicatat` with a reason; the seller amends, the buyer confirms again."""
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.kembalikan, to_state=DealState.dicatat,
        expected_version=data.version, reason=data.reason,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


async def cancel(*, actor: Actor | None, deal_id: int, data: schemas.ReasonIn) -> schemas.Deal:
    await _transition(
        actor=require_actor(actor), deal_id=deal_id, action=DealAction.batal, to_state=DealState.dibatalkan,
        expected_version=data.version, reason=data.reason,
    )
    return await get_deal(actor=actor, deal_id=deal_id)


