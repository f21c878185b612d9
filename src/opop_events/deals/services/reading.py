"""Reading deals: one deal, the lists each role may see, the history."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.catalog.enums import BUYER_TYPE_LABELS, BuyerType
from opop_events.core.dates import as_date, as_datetime
from opop_events.core.errors import Forbidden, NotFound
from opop_events.core.i18n import _
from opop_events.core.pagination import Page, offset
from opop_events.db import raw
from opop_events.deals import schemas
from opop_events.deals.enums import (
    ACTION_LABELS,
    STATE_LABELS,
    DealAction,
    DealKind,
    DealState,
    Origin,
)
from opop_events.deals.queries import current_event_join, join_parts, realised_column
from opop_events.deals.rules import (
    needs_review,
)
from opop_events.deals.services.current import (
    _Current,
    _current,
    _lines,
    awaiting,
    deal_number,
    hint,
)
from opop_events.deals.services.permissions import allowed_actions
from opop_events.deals.tables import DealRevision
from opop_events.events.services import is_organizer

_DEAL_COLUMNS = (
    "SELECT d.id, d.origin, d.meeting_id, d.created_at, d.pesantren, d.buyer, d.event, "
    "ev.slug AS event_slug, ev.name AS event_name, p.name AS pesantren_name, w.code AS wilayah_code, "
    "w.name AS wilayah_name, b.name AS buyer_name, b.buyer_type, cur.state, cur.version, cur.revision, "
    "cur.offer, cur.offer_by, cur.action, cur.at AS changed_at, r.kind, r.deal_date, r.note, "
)
_DEAL_JOINS = (
    "JOIN deal_revision r ON r.id = cur.revision JOIN event ev ON ev.id = d.event "
    "JOIN pesantren p ON p.id = d.pesantren JOIN wilayah w ON w.id = p.wilayah JOIN buyer b ON b.id = d.buyer "
)


async def _deal_rows(where: str, args: list[Any], *, order: str = "d.id DESC", limit: int | None = None,
                     skip: int = 0, as_of: datetime | None = None) -> list[dict[str, Any]]:
    real, real_args = realised_column(as_of)
    cur, cur_args = current_event_join(as_of)
    sql = f"{_DEAL_COLUMNS}{real} FROM deal d {cur}{_DEAL_JOINS}WHERE {where} ORDER BY {order}"
    params = [*real_args, *cur_args, *args]
    if limit is not None:
        sql += " LIMIT {} OFFSET {}"
        params += [limit, skip]
    return await raw(sql, *params)


async def _offers(rows: list[dict[str, Any]]) -> dict[int, schemas.Offer]:
    """The proposed terms of the deals in state `perubahan` among `rows`, by revision id."""
    ids = [r["offer"] for r in rows if r.get("offer")]
    if not ids:
        return {}
    revisions = await DealRevision.select().where(DealRevision.id.is_in(ids))
    lines = await _lines(ids)
    by = {r["offer"]: r["offer_by"] for r in rows if r.get("offer")}
    return {
        rev["id"]: schemas.Offer(
            by=by[rev["id"]], kind=DealKind(rev["kind"]), deal_date=as_date(rev["deal_date"]), note=rev["note"],
            lines=lines.get(rev["id"], []), total_rp=sum(line.value_rp for line in lines.get(rev["id"], [])),
        )
        for rev in revisions
    }


async def _to_schemas(rows: list[dict[str, Any]], actor: Actor | None = None) -> list[schemas.Deal]:
    lines = await _lines([r["revision"] for r in rows])
    offers = await _offers(rows)
    out = []
    for r in rows:
        deal_lines = lines.get(r["revision"], [])
        state = DealState(r["state"])
        current = _Current(
            deal_id=r["id"], event_id=r["event"], pesantren_id=r["pesantren"], buyer_id=r["buyer"],
            origin=Origin(r["origin"]), state=state, version=r["version"], revision_id=r["revision"],
            offer_revision_id=r["offer"], offer_by=r["offer_by"] or "", action=r["action"],
        )
        out.append(
            schemas.Deal(
                id=r["id"],
                number=deal_number(r["id"]),
                event_slug=r["event_slug"],
                event_name=r["event_name"],
                pesantren=schemas.PesantrenRef(
                    id=r["pesantren"], name=r["pesantren_name"], wilayah_code=r["wilayah_code"],
                    wilayah_name=r["wilayah_name"],
                ),
                buyer=schemas.BuyerRef(
                    id=r["buyer"], name=r["buyer_name"], buyer_type=BuyerType(r["buyer_type"]),
                    buyer_type_label=_(BUYER_TYPE_LABELS[BuyerType(r["buyer_type"])]),
                ),
                origin=Origin(r["origin"]),
                state=state,
                state_label=_(STATE_LABELS[state]),
                version=r["version"],
                kind=DealKind(r["kind"]),
                deal_date=as_date(r["deal_date"]),
                note=r["note"],
                lines=deal_lines,
                total_rp=sum(line.value_rp for line in deal_lines),
                realised_rp=join_parts(r, "realised"),
                meeting_id=r["meeting_id"],
                created_at=as_datetime(r["created_at"]),
                changed_at=as_datetime(r["changed_at"]),
                allowed_actions=allowed_actions(actor, current) if actor else [],
                state_hint=hint(current),
                offer=offers.get(r["offer"]) if r["offer"] else None,
                awaiting=awaiting(current),
                needs_review=needs_review(sum(line.value_rp for line in deal_lines)),
            )
        )
    return out


async def _can_see(actor: Actor, current: _Current) -> bool:
    if actor.is_admin:
        return True
    if actor.role is Role.seller:
        return actor.pesantren_id == current.pesantren_id
    if actor.role is Role.buyer:
        return actor.buyer_id == current.buyer_id
    return await is_organizer(actor, current.event_id)


async def get_deal(*, actor: Actor | None, deal_id: int, as_of: datetime | None = None) -> schemas.Deal:
    """One deal as it stands now (or stood at `as_of`): seller, buyer, the event's organizers and admin."""
    actor = require_actor(actor)
    current = await _current(deal_id)
    if not await _can_see(actor, current):
        raise Forbidden(_("Anda tidak berhak melihat transaksi ini."))
    rows = await _deal_rows("d.id = {}", [deal_id], as_of=as_of)
    if not rows:
        raise NotFound(_("Transaksi {number} belum ada pada waktu itu.").format(number=deal_number(deal_id)))
    return (await _to_schemas(rows, actor))[0]


async def list_deals(
    *,
    actor: Actor | None,
    event_slug: str | None = None,
    state: DealState | None = None,
    pesantren_id: int | None = None,
    buyer_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[schemas.Deal]:
    """Deals the caller may see: its own (seller, buyer), its events' (organizer), all (admin)."""
    actor = require_actor(actor)
    where: list[str] = ["1 = 1"]
    args: list[Any] = []
    if actor.role is Role.seller:
        where.append("d.pesantren = {}")
        args.append(actor.pesantren_id)
    elif actor.role is Role.buyer:
        where.append("d.buyer = {}")
        args.append(actor.buyer_id)
    elif actor.role is Role.organizer:
        where.append('d.event IN (SELECT event FROM event_organizer WHERE "user" = {})')
        args.append(actor.user_id)
    if event_slug:
        where.append("ev.slug = {}")
        args.append(event_slug)
    if state:
        where.append("cur.state = {}")
        args.append(state.value)
    if pesantren_id:
        where.append("d.pesantren = {}")
        args.append(pesantren_id)
    if buyer_id:
        where.append("d.buyer = {}")
        args.append(buyer_id)
    clause = " AND ".join(where)
    rows = await _deal_rows(clause, args, limit=per_page, skip=offset(page, per_page))
    cur, cur_args = current_event_join(None)
    count = await raw(
        f"SELECT COUNT(*) AS n FROM deal d {cur}JOIN event ev ON ev.id = d.event WHERE {clause}",
        *cur_args,
        *args,
    )
    return Page(items=await _to_schemas(rows, actor), total=count[0]["n"], page=page, per_page=per_page)


async def history(*, actor: Actor | None, deal_id: int) -> list[schemas.HistoryEntry]:
    await get_deal(actor=actor, deal_id=deal_id)
    rows = await raw(
        "SELECT e.version, e.action, e.state, e.actor_label, e.reason, e.at, e.before, e.after, u.name AS user_name "
        "FROM deal_event e LEFT JOIN app_user u ON u.id = e.actor WHERE e.deal = {} ORDER BY e.version",
        deal_id,
    )
    return [
        schemas.HistoryEntry(
            version=r["version"],
            action=DealAction(r["action"]),
            action_label=_(ACTION_LABELS[DealAction(r["action"])]),
            state=DealState(r["state"]),
            actor=r["actor_label"] or r["user_name"] or "",
            reason=r["reason"],
            at=as_datetime(r["at"]),
            before=json.loads(r["before"]) if r["before"] else None,
            after=json.loads(r["after"]) if r["after"] else None,
        )
        for r in rows
    ]


