"""A new deal: the pesantren logs one (or Dinas for it), a buyer registers interest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_role
from opop_events.catalog.enums import BUYER_TYPE_LABELS, BuyerType, Category
from opop_events.catalog.services import buyer_summary, clean_whatsapp, pesantren_region
from opop_events.catalog.tables import Buyer
from opop_events.core.dates import now_utc, today_wib
from opop_events.core.errors import Conflict, Forbidden, InvalidInput
from opop_events.core.i18n import _
from opop_events.db import is_postgres, raw, write_transaction
from opop_events.deals import schemas
from opop_events.deals.enums import (
    STATE_HINTS,
    STATE_LABELS,
    DealAction,
    DealKind,
    DealState,
    Origin,
)
from opop_events.deals.projection import refresh_deals
from opop_events.deals.rules import (
    needs_review,
)
from opop_events.deals.services.current import (
    _Current,
    awaiting,
    deal_number,
)
from opop_events.deals.services.permissions import allowed_actions
from opop_events.deals.services.revisions import (
    _append_event,
    _check_deal_date,
    _clean_lines,
    _CleanLine,
    _new_revision,
    _snapshot,
)
from opop_events.events.enums import EventStatus
from opop_events.events.services import event_header, is_registered
from opop_events.matching.services import check_meeting_for_deal
from opop_events.notifications import services as notify


@dataclass(frozen=True)
class _Parties:
    """What logging a deal needs to know about its event, seller and buyer (read through their domains)."""

    event_id: int
    event_slug: str
    event_name: str
    pesantren_id: int
    pesantren_name: str
    wilayah_code: str
    wilayah_name: str
    buyer_name: str | None  # None: no such buyer
    buyer_type: str | None


async def _parties(*, slug: str, pesantren_id: int, buyer_id: int | None, pesantren_field: str) -> _Parties:
    """The event (must exist and not be a draft), the pesantren (must be registered for it) and the buyer."""
    event = await event_header(slug)
    if event is None:  # the event is named in the body: a field of this request, not the resource asked for
        raise InvalidInput.field("event_slug", _("acara '{slug}' tidak ditemukan").format(slug=slug))
    if event["status"] is EventStatus.draft:
        raise Conflict(_("Acara '{slug}' masih draf; transaksi belum bisa dicatat.").format(slug=slug))
    seller = await pesantren_region(pesantren_id)
    if seller is None or not await is_registered(event["id"], pesantren_id=pesantren_id):
        raise InvalidInput.field(pesantren_field, _("pesantren ini tidak terdaftar di acara tersebut"))
    buyer = await buyer_summary(buyer_id) if buyer_id is not None else None
    return _Parties(
        event_id=event["id"], event_slug=slug, event_name=event["name"], pesantren_id=pesantren_id,
        pesantren_name=seller[0], wilayah_code=seller[1], wilayah_name=seller[2],
        buyer_name=buyer[0] if buyer else None, buyer_type=buyer[1] if buyer else None,
    )


async def _create(
    *,
    actor: Actor,
    parties: _Parties,
    buyer_id: int,
    buyer_name: str,
    buyer_type: str,
    origin: Origin,
    state: DealState,
    action: DealAction,
    kind: str,
    deal_date: date,
    note: str,
    lines: list[_CleanLine],
    meeting_id: int | None,
    actor_label: str = "",
) -> schemas.Deal:
    """Insert a new deal (identity, first revision, first history row) and return it as `get_deal` would read it
    back, without reading it back: everything it shows is known here."""
    at = now_utc()
    snapshot = _snapshot(state, kind, deal_date, note, lines)
    label = actor_label or f"{actor.name or actor.email}"
    if is_postgres():
        deal_id, revision_id = await _insert_new_deal_pg(
            parties=parties, buyer_id=buyer_id, origin=origin, meeting_id=meeting_id, actor=actor, at=at,
            kind=kind, deal_date=deal_date, note=note, lines=lines, action=action, state=state, label=label,
            snapshot=snapshot,
        )
        await refresh_deals([deal_id])  # the current-state projection, in this same transaction
    else:
        rows = await raw(
            "INSERT INTO deal (event, pesantren, buyer, origin, meeting_id, created_by, created_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id",
            parties.event_id, parties.pesantren_id, buyer_id, origin.value, meeting_id, actor.recorded_user_id, at,
        )
        deal_id = rows[0]["id"]
        revision_id = await _new_revision(deal_id, kind, deal_date, note, lines, at=at)
        await _append_event(
            deal_id=deal_id, version=1, action=action, state=state, revision_id=revision_id, actor=actor,
            actor_label=label, after=snapshot, at=at,
        )
    current = _Current(
        deal_id=deal_id, event_id=parties.event_id, pesantren_id=parties.pesantren_id, buyer_id=buyer_id,
        origin=origin, state=state, version=1, revision_id=revision_id,
    )
    deal_lines = [
        schemas.Line(
            position=i + 1, product_id=line.product_id, description=line.description,
            category=Category(line.category), quantity=line.quantity, unit=line.unit,
            unit_price_rp=line.unit_price_rp, value_rp=line.value_rp,
        )
        for i, line in enumerate(lines)
    ]
    return schemas.Deal(
        id=deal_id,
        number=deal_number(deal_id),
        event_slug=parties.event_slug,
        event_name=parties.event_name,
        pesantren=schemas.PesantrenRef(
            id=parties.pesantren_id, name=parties.pesantren_name, wilayah_code=parties.wilayah_code,
            wilayah_name=parties.wilayah_name,
        ),
        buyer=schemas.BuyerRef(
            id=buyer_id, name=buyer_name, buyer_type=BuyerType(buyer_type),
            buyer_type_label=_(BUYER_TYPE_LABELS[BuyerType(buyer_type)]),
        ),
        origin=origin,
        state=state,
        state_label=_(STATE_LABELS[state]),
        version=1,
        kind=DealKind(kind),
        deal_date=deal_date,
        note=note[:1000],
        lines=deal_lines,
        total_rp=sum(line.value_rp for line in lines),
        realised_rp=0,
        meeting_id=meeting_id,
        created_at=at,
        changed_at=at,
        allowed_actions=allowed_actions(actor, current),
        state_hint=_(STATE_HINTS[state]),
        awaiting=awaiting(current),
        needs_review=needs_review(sum(line.value_rp for line in lines)),
    )


async def _insert_new_deal_pg(
    *, parties: _Parties, buyer_id: int, origin: Origin, meeting_id: int | None, actor: Actor, at: datetime,
    kind: str, deal_date: date, note: str, lines: list[_CleanLine], action: DealAction, state: DealState,
    label: str, snapshot: str,
) -> tuple[int, int]:
    """The four rows of a new deal (identity, revision, lines, first history row) in one PostgreSQL statement
    (data-modifying CTEs): one round trip instead of four for the busiest write of an event. SQLite has no such
    statement; `_create` runs the same inserts one by one there. Both write the same rows."""
    values, args = [], []
    for i, line in enumerate(lines):
        values.append("({}::int, {}::int, {}::varchar, {}::varchar, {}::varchar, {}::varchar, {}::bigint, {}::bigint)")
        args += [i + 1, line.product_id, line.description, line.category, line.quantity, line.unit,
                 line.unit_price_rp, line.value_rp]
    rows = await raw(
        "WITH d AS (INSERT INTO deal (event, pesantren, buyer, origin, meeting_id, created_by, created_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id), "
        "r AS (INSERT INTO deal_revision (deal, kind, deal_date, note, created_at) "
        "SELECT d.id, {}, {}::date, {}, {}::timestamptz FROM d RETURNING id, deal), "
        'l AS (INSERT INTO deal_line (revision, "position", product, description, category, quantity, unit, '
        "unit_price_rp, value_rp) SELECT r.id, v.* FROM r, (VALUES " + ", ".join(values) + ") AS v), "
        'e AS (INSERT INTO deal_event (deal, version, action, state, revision, actor, actor_label, reason, "at", '
        '"before", "after") SELECT r.deal, 1, {}, {}, r.id, {}::int, {}, \'\', {}::timestamptz, \'\', {} FROM r) '
        "SELECT deal, id FROM r",
        parties.event_id, parties.pesantren_id, buyer_id, origin.value, meeting_id, actor.recorded_user_id, at,
        kind, deal_date, note[:1000], at,
        *args,
        action.value, state.value, actor.recorded_user_id, label, at, snapshot,
    )
    return rows[0]["deal"], rows[0]["id"]


async def log_deal(*, actor: Actor | None, data: schemas.DealCreate) -> schemas.Deal:
    """A pesantren logs a deal it closed (state `dicatat`; the buyer confirms it). Admin may log for any
    pesantren. A buyer not yet in the catalog can be added on the way (`new_buyer`)."""
    actor = require_role(actor, Role.seller, Role.admin)
    if actor.role is Role.seller:
        if data.pesantren_id not in (None, actor.pesantren_id):
            raise Forbidden(_("Anda hanya boleh mencatat transaksi pesantren Anda sendiri."))
        pesantren_id = actor.pesantren_id
    else:
        if data.pesantren_id is None:
            raise InvalidInput.field("pesantren_id", _("wajib diisi oleh staf Dinas"))
        pesantren_id = data.pesantren_id
    assert pesantren_id is not None
    if (data.buyer_id is None) == (data.new_buyer is None):
        raise InvalidInput.field("buyer_id", _("isi tepat satu: buyer_id atau new_buyer"))
    parties = await _parties(
        slug=data.event_slug, pesantren_id=pesantren_id, buyer_id=data.buyer_id, pesantren_field="event_slug"
    )
    if data.buyer_id is not None and parties.buyer_name is None:
        raise InvalidInput.field("buyer_id", _("pembeli {id} tidak ada").format(id=data.buyer_id))
    await _check_deal_date(data.deal_date, parties.event_id)
    lines = await _clean_lines(data.lines, pesantren_id)
    if data.meeting_id is not None and data.new_buyer is not None:
        raise InvalidInput.field(
            "meeting_id", _("pertemuan selalu dengan pembeli yang sudah terdaftar; pilih buyer_id")
        )
    if data.meeting_id is not None and data.buyer_id is not None:
        await check_meeting_for_deal(
            meeting_id=data.meeting_id, event_id=parties.event_id, pesantren_id=pesantren_id, buyer_id=data.buyer_id
        )
    whatsapp = clean_whatsapp(data.new_buyer.whatsapp, field="new_buyer.whatsapp") if data.new_buyer else None
    async with write_transaction():
        buyer_id, buyer_name, buyer_type = data.buyer_id, parties.buyer_name, parties.buyer_type
        if data.new_buyer is not None:
            buyer_name, buyer_type = data.new_buyer.name.strip(), data.new_buyer.buyer_type.value
            created = await Buyer.insert(
                Buyer(
                    name=buyer_name,
                    buyer_type=buyer_type,
                    whatsapp=whatsapp or "",
                    contact_person=data.new_buyer.contact_person.strip(),
                    city=data.new_buyer.city.strip(),
                    province="",
                )
            ).returning(Buyer.id)
            buyer_id = created[0]["id"]
        assert buyer_id is not None and buyer_name is not None and buyer_type is not None
        deal = await _create(
            actor=actor,
            parties=parties,
            buyer_id=buyer_id,
            buyer_name=buyer_name,
            buyer_type=buyer_type,
            origin=Origin.pesantren,
            state=DealState.dicatat,
            action=DealAction.catat,
            kind=data.kind.value,
            deal_date=data.deal_date,
            note=data.note,
            lines=lines,
            meeting_id=data.meeting_id,
        )
        await notify.deal_logged(
            deal_id=deal.id, number=deal.number, total_rp=deal.total_rp, pesantren_name=deal.pesantren.name,
            buyer_id=buyer_id,
        )
        return deal


async def register_interest(*, actor: Actor | None, data: schemas.InterestCreate) -> schemas.Deal:
    """A buyer registers interest (minat beli) in a pesantren's products; the pesantren confirms it into a deal."""
    actor = require_role(actor, Role.buyer)
    assert actor.buyer_id is not None
    parties = await _parties(
        slug=data.event_slug, pesantren_id=data.pesantren_id, buyer_id=actor.buyer_id, pesantren_field="pesantren_id"
    )
    assert parties.buyer_name is not None and parties.buyer_type is not None
    deal_date = data.deal_date or today_wib()
    await _check_deal_date(deal_date, parties.event_id)
    lines = await _clean_lines(data.lines, data.pesantren_id, min_order=True)
    if data.meeting_id is not None:
        await check_meeting_for_deal(
            meeting_id=data.meeting_id, event_id=parties.event_id, pesantren_id=data.pesantren_id,
            buyer_id=actor.buyer_id,
        )
    async with write_transaction():
        deal = await _create(
            actor=actor,
            parties=parties,
            buyer_id=actor.buyer_id,
            buyer_name=parties.buyer_name,
            buyer_type=parties.buyer_type,
            origin=Origin.buyer,
            state=DealState.minat,
            action=DealAction.minat,
            kind=data.kind.value,
            deal_date=deal_date,
            note=data.note,
            lines=lines,
            meeting_id=data.meeting_id,
        )
        await notify.interest_registered(
            deal_id=deal.id, number=deal.number, buyer_name=deal.buyer.name, pesantren_id=data.pesantren_id
        )
        return deal


