"""Meeting requests: who asks whom, quotas, the deadline, accepting and declining."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.catalog.tables import Product
from opop_events.core.dates import format_datetime, now_utc
from opop_events.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from opop_events.core.i18n import N_, _
from opop_events.db import raw, write_transaction
from opop_events.events.enums import EventStatus
from opop_events.events.services import get_event, is_organizer, is_registered
from opop_events.matching import schemas
from opop_events.matching.enums import (
    REQUEST_STATUS_LABELS,
    Priority,
    RequestStatus,
    Side,
)
from opop_events.matching.services.common import _dt
from opop_events.matching.tables import (
    MeetingRequest,
)

# -- requests -----------------------------------------------------------------------------------------------


def _effective_status(row: dict[str, Any], deadline: datetime | None) -> RequestStatus:
    status = RequestStatus(row["status"])
    if status is RequestStatus.menunggu and deadline is not None and now_utc() > deadline:
        return RequestStatus.kedaluwarsa
    return status


async def _request_rows(where: str, args: list[Any]) -> list[dict[str, Any]]:
    return await raw(
        "SELECT q.*, ev.slug AS event_slug, ev.request_deadline, b.name AS buyer_name, p.name AS pesantren_name, "
        "pr.name AS product_name FROM meeting_request q JOIN event ev ON ev.id = q.event "
        "JOIN buyer b ON b.id = q.buyer JOIN pesantren p ON p.id = q.pesantren "
        f"LEFT JOIN product pr ON pr.id = q.product WHERE {where} ORDER BY q.id",
        *args,
    )


def _request(row: dict[str, Any]) -> schemas.MeetingRequest:
    status = _effective_status(row, _dt(row["request_deadline"]))
    return schemas.MeetingRequest(
        id=row["id"],
        event_slug=row["event_slug"],
        requested_by=Side(row["requested_by"]),
        buyer_id=row["buyer"],
        buyer_name=row["buyer_name"],
        pesantren_id=row["pesantren"],
        pesantren_name=row["pesantren_name"],
        product_id=row["product"],
        product_name=row["product_name"],
        message=row["message"],
        priority=Priority(row["priority"]),
        status=status,
        status_label=_(REQUEST_STATUS_LABELS[status]),
        created_at=_dt(row["created_at"]),  # type: ignore[arg-type]
        responded_at=_dt(row["responded_at"]),
    )


async def _registered(event_id: int, *, buyer_id: int | None = None, pesantren_id: int | None = None) -> bool:
    return await is_registered(event_id, buyer_id=buyer_id, pesantren_id=pesantren_id)


async def _quota_used(event_id: int, *, buyer_id: int | None = None, pesantren_id: int | None = None) -> int:
    column, value = ("buyer", buyer_id) if buyer_id else ("pesantren", pesantren_id)
    rows = await raw(
        f"SELECT COUNT(*) AS n FROM meeting_request WHERE event = {{}} AND {column} = {{}} "
        f"AND status IN ('{RequestStatus.menunggu.value}', '{RequestStatus.diterima.value}')",
        event_id,
        value,
    )
    return int(rows[0]["n"])


async def create_request(*, actor: Actor | None, slug: str, data: schemas.RequestCreate) -> schemas.MeetingRequest:
    """A buyer asks to meet a pesantren, a pesantren asks to meet a buyer, or an organizer files one for them."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    organizer = await is_organizer(actor, event.id)
    if actor.role is Role.buyer and not organizer:
        buyer_id, pesantren_id, side = actor.buyer_id, data.pesantren_id, Side.buyer
        if data.buyer_id not in (None, actor.buyer_id):
            raise Forbidden(_("Anda hanya boleh meminta pertemuan atas nama organisasi Anda."))
    elif actor.role is Role.seller and not organizer:
        buyer_id, pesantren_id, side = data.buyer_id, actor.pesantren_id, Side.pesantren
        if data.pesantren_id not in (None, actor.pesantren_id):
            raise Forbidden(_("Anda hanya boleh meminta pertemuan atas nama pesantren Anda."))
    elif organizer:
        buyer_id, pesantren_id, side = data.buyer_id, data.pesantren_id, Side.buyer
    else:
        raise Forbidden(_("Hanya peserta atau penyelenggara acara yang membuat permintaan pertemuan."))
    if buyer_id is None:
        raise InvalidInput.field("buyer_id", _("wajib diisi"))
    if pesantren_id is None:
        raise InvalidInput.field("pesantren_id", _("wajib diisi"))
    if event.status is not EventStatus.open and not organizer:
        raise Conflict(_("Permintaan pertemuan hanya bisa dibuat saat pendaftaran acara dibuka."))
    if event.request_deadline and now_utc() > event.request_deadline and not organizer:
        raise Conflict(_("Batas waktu permintaan sudah lewat ({deadline}).").format(
            deadline=format_datetime(event.request_deadline)
        ))
    if not await _registered(event.id, buyer_id=buyer_id):
        raise InvalidInput.field("buyer_id", _("pembeli ini tidak terdaftar di acara"))
    if not await _registered(event.id, pesantren_id=pesantren_id):
        raise InvalidInput.field("pesantren_id", _("pesantren ini tidak terdaftar di acara"))
    if data.product_id is not None:
        product = await Product.select(Product.pesantren).where(Product.id == data.product_id).first()
        if product is None or product["pesantren"] != pesantren_id:
            raise InvalidInput.field("product_id", _("produk tidak ada atau bukan milik pesantren ini"))
    async with write_transaction():
        duplicate = await MeetingRequest.exists().where(
            (MeetingRequest.event == event.id)
            & (MeetingRequest.buyer == buyer_id)
            & (MeetingRequest.pesantren == pesantren_id)
            & MeetingRequest.status.is_in(["menunggu", "diterima"])
        )
        if duplicate:
            raise Conflict(_("Sudah ada permintaan pertemuan untuk pasangan ini."))
        quota_reached = (
            ({"buyer_id": buyer_id}, N_("Pembeli ini sudah mencapai kuota {quota} pertemuan.")),
            ({"pesantren_id": pesantren_id}, N_("Pesantren ini sudah mencapai kuota {quota} pertemuan.")),
        )
        for kwargs, message in quota_reached:
            if await _quota_used(event.id, **kwargs) >= event.meeting_quota:
                raise Conflict(_(message).format(quota=event.meeting_quota))
        rows = await MeetingRequest.insert(
            MeetingRequest(
                event=event.id, requested_by=side.value, buyer=buyer_id, pesantren=pesantren_id,
                product=data.product_id, message=data.message.strip(), priority=data.priority.value,
                status=RequestStatus.diterima.value if organizer and actor.role in (Role.admin, Role.organizer) else "menunggu",
                created_by=actor.user_id,
                responded_at=now_utc() if organizer and actor.role in (Role.admin, Role.organizer) else None,
            )
        ).returning(MeetingRequest.id)
    return _request((await _request_rows("q.id = {}", [rows[0]["id"]]))[0])


async def list_requests(*, actor: Actor | None, slug: str, status: RequestStatus | None = None) -> list[schemas.MeetingRequest]:
    """Organizers see all requests of their event; participants those they are part of."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    where: list[str] = ["q.event = {}"]
    args: list[int | None] = [event.id]
    if not await is_organizer(actor, event.id):
        if actor.role is Role.buyer:
            where.append("q.buyer = {}")
            args.append(actor.buyer_id)
        elif actor.role is Role.seller:
            where.append("q.pesantren={}")  # unspaced: the catalogue check would read it as a sentence
            args.append(actor.pesantren_id)
        else:
            raise Forbidden(_("Anda bukan penyelenggara acara '{slug}'.").format(slug=slug))
    items = [_request(r) for r in await _request_rows(" AND ".join(where), args)]
    return [i for i in items if status is None or i.status is status]


async def answer_request(*, actor: Actor | None, request_id: int, data: schemas.RequestAnswer) -> schemas.MeetingRequest:
    """The other side (or an organizer) accepts or declines a pending request before the deadline."""
    actor = require_actor(actor)
    rows = await _request_rows("q.id = {}", [request_id])
    if not rows:
        raise NotFound(_("Permintaan {request_id} tidak ditemukan.").format(request_id=request_id))
    row = rows[0]
    current = _request(row)
    organizer = await is_organizer(actor, row["event"])
    other_side = (
        (current.requested_by is Side.buyer and actor.role is Role.seller and actor.pesantren_id == current.pesantren_id)
        or (current.requested_by is Side.pesantren and actor.role is Role.buyer and actor.buyer_id == current.buyer_id)
    )
    if not (other_side or organizer):
        raise Forbidden(_("Permintaan ini dijawab oleh pihak yang diminta."))
    if current.status is not RequestStatus.menunggu:
        raise Conflict(_("Permintaan ini sudah {status}.").format(status=current.status_label.lower()))
    async with write_transaction():
        changed = await MeetingRequest.update(
            {
                MeetingRequest.status: (RequestStatus.diterima if data.accept else RequestStatus.ditolak).value,
                MeetingRequest.responded_at: now_utc(),
                MeetingRequest.response_note: data.note.strip(),
            }
        ).where((MeetingRequest.id == request_id) & (MeetingRequest.status == "menunggu")).returning(MeetingRequest.id)
        if not changed:
            raise Conflict(_("Permintaan ini baru saja dijawab."))
    return _request((await _request_rows("q.id = {}", [request_id]))[0])


async def cancel_request(*, actor: Actor | None, request_id: int) -> schemas.MeetingRequest:
    actor = require_actor(actor)
    rows = await _request_rows("q.id = {}", [request_id])
    if not rows:
        raise NotFound(_("Permintaan {request_id} tidak ditemukan.").format(request_id=request_id))
    current = _request(rows[0])
    mine = (current.requested_by is Side.buyer and actor.buyer_id == current.buyer_id) or (
        current.requested_by is Side.pesantren and actor.pesantren_id == current.pesantren_id
    )
    if not (mine or await is_organizer(actor, rows[0]["event"])):
        raise Forbidden(_("Hanya pengirim permintaan yang boleh membatalkannya."))
    if current.status is not RequestStatus.menunggu:
        raise Conflict(_("Hanya permintaan yang masih menunggu yang bisa dibatalkan."))
    async with write_transaction():
        await MeetingRequest.update({MeetingRequest.status: RequestStatus.dibatalkan.value}).where(
            MeetingRequest.id == request_id
        )
    return _request((await _request_rows("q.id = {}", [request_id]))[0])


