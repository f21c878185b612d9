"""Matching rules: meeting requests with quotas and a deadline, availability, running the scheduler on an
event, reviewing, pinning and moving meetings, publishing, walk-ins, attendance and outcomes.

Meetings are never dropped silently: an accepted request the scheduler could not place stays as a meeting in
state `belum_terjadwal` with the reason, and every change after publishing is logged in `meeting_change`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.catalog.tables import Buyer, Pesantren, Product
from opop_events.core.dates import format_datetime, now_utc
from opop_events.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from opop_events.db import is_unique_violation, raw, write_transaction
from opop_events.events.enums import EventStatus
from opop_events.events.services import get_event, is_organizer, require_organizer
from opop_events.events.tables import Event, MeetingTable, Registration
from opop_events.matching import schemas
from opop_events.matching.enums import (
    MEETING_STATUS_LABELS,
    OUTCOME_LABELS,
    PRIORITY_WEIGHT,
    REQUEST_STATUS_LABELS,
    MeetingStatus,
    Outcome,
    Priority,
    RequestStatus,
    Side,
)
from opop_events.matching.tables import (
    Meeting,
    MeetingChange,
    MeetingOutcome,
    MeetingRequest,
    ScheduleRun,
    Unavailability,
)
from opop_events.settings import get_settings

ACTIVE = (MeetingStatus.usulan, MeetingStatus.terjadwal, MeetingStatus.hadir, MeetingStatus.tidak_hadir)
_ACTIVE_SQL = "(" + ", ".join(f"'{s.value}'" for s in ACTIVE) + ")"


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


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
        status_label=REQUEST_STATUS_LABELS[status],
        created_at=_dt(row["created_at"]),  # type: ignore[arg-type]
        responded_at=_dt(row["responded_at"]),
    )


async def _registered(event_id: int, *, buyer_id: int | None = None, pesantren_id: int | None = None) -> bool:
    where = (Registration.event == event_id) & (Registration.status == "terdaftar")
    where &= (Registration.buyer == buyer_id) if buyer_id else (Registration.pesantren == pesantren_id)
    return await Registration.exists().where(where)


async def _quota_used(event_id: int, *, buyer_id: int | None = None, pesantren_id: int | None = None) -> int:
    column, value = ("buyer", buyer_id) if buyer_id else ("pesantren", pesantren_id)
    rows = await raw(
        f"SELECT COUNT(*) AS n FROM meeting_request WHERE event = {{}} AND {column} = {{}} "
        "AND status IN ('menunggu', 'diterima')",
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
            raise Forbidden("Anda hanya boleh meminta pertemuan atas nama organisasi Anda.")
    elif actor.role is Role.seller and not organizer:
        buyer_id, pesantren_id, side = data.buyer_id, actor.pesantren_id, Side.pesantren
        if data.pesantren_id not in (None, actor.pesantren_id):
            raise Forbidden("Anda hanya boleh meminta pertemuan atas nama pesantren Anda.")
    elif organizer:
        buyer_id, pesantren_id, side = data.buyer_id, data.pesantren_id, Side.buyer
    else:
        raise Forbidden("Hanya peserta atau penyelenggara acara yang membuat permintaan pertemuan.")
    if buyer_id is None:
        raise InvalidInput.field("buyer_id", "wajib diisi")
    if pesantren_id is None:
        raise InvalidInput.field("pesantren_id", "wajib diisi")
    if event.status is not EventStatus.open and not organizer:
        raise Conflict("Permintaan pertemuan hanya bisa dibuat saat pendaftaran acara dibuka.")
    if event.request_deadline and now_utc() > event.request_deadline and not organizer:
        raise Conflict(f"Batas waktu permintaan sudah lewat ({format_datetime(event.request_deadline)}).")
    if not await _registered(event.id, buyer_id=buyer_id):
        raise InvalidInput.field("buyer_id", "pembeli ini tidak terdaftar di acara")
    if not await _registered(event.id, pesantren_id=pesantren_id):
        raise InvalidInput.field("pesantren_id", "pesantren ini tidak terdaftar di acara")
    if data.product_id is not None:
        product = await Product.select(Product.pesantren).where(Product.id == data.product_id).first()
        if product is None or product["pesantren"] != pesantren_id:
            raise InvalidInput.field("product_id", "produk tidak ada atau bukan milik pesantren ini")
    async with write_transaction():
        duplicate = await MeetingRequest.exists().where(
            (MeetingRequest.event == event.id)
            & (MeetingRequest.buyer == buyer_id)
            & (MeetingRequest.pesantren == pesantren_id)
            & MeetingRequest.status.is_in(["menunggu", "diterima"])
        )
        if duplicate:
            raise Conflict("Sudah ada permintaan pertemuan untuk pasangan ini.")
        for kwargs, who in (({"buyer_id": buyer_id}, "Pembeli"), ({"pesantren_id": pesantren_id}, "Pesantren")):
            if await _quota_used(event.id, **kwargs) >= event.meeting_quota:
                raise Conflict(f"{who} ini sudah mencapai kuota {event.meeting_quota} pertemuan.")
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
    where, args = ["q.event = {}"], [event.id]
    if not await is_organizer(actor, event.id):
        if actor.role is Role.buyer:
            where.append("q.buyer = {}")
            args.append(actor.buyer_id)
        elif actor.role is Role.seller:
            where.append("q.pesantren = {}")
            args.append(actor.pesantren_id)
        else:
            raise Forbidden(f"Anda bukan penyelenggara acara '{slug}'.")
    items = [_request(r) for r in await _request_rows(" AND ".join(where), args)]
    return [i for i in items if status is None or i.status is status]


async def answer_request(*, actor: Actor | None, request_id: int, data: schemas.RequestAnswer) -> schemas.MeetingRequest:
    """The other side (or an organizer) accepts or declines a pending request before the deadline."""
    actor = require_actor(actor)
    rows = await _request_rows("q.id = {}", [request_id])
    if not rows:
        raise NotFound(f"Permintaan {request_id} tidak ditemukan.")
    row = rows[0]
    current = _request(row)
    organizer = await is_organizer(actor, row["event"])
    other_side = (
        (current.requested_by is Side.buyer and actor.role is Role.seller and actor.pesantren_id == current.pesantren_id)
        or (current.requested_by is Side.pesantren and actor.role is Role.buyer and actor.buyer_id == current.buyer_id)
    )
    if not (other_side or organizer):
        raise Forbidden("Permintaan ini dijawab oleh pihak yang diminta.")
    if current.status is not RequestStatus.menunggu:
        raise Conflict(f"Permintaan ini sudah {current.status_label.lower()}.")
    async with write_transaction():
        changed = await MeetingRequest.update(
            {
                MeetingRequest.status: (RequestStatus.diterima if data.accept else RequestStatus.ditolak).value,
                MeetingRequest.responded_at: now_utc(),
                MeetingRequest.response_note: data.note.strip(),
            }
        ).where((MeetingRequest.id == request_id) & (MeetingRequest.status == "menunggu")).returning(MeetingRequest.id)
        if not changed:
            raise Conflict("Permintaan ini baru saja dijawab.")
    return _request((await _request_rows("q.id = {}", [request_id]))[0])


async def cancel_request(*, actor: Actor | None, request_id: int) -> schemas.MeetingRequest:
    actor = require_actor(actor)
    rows = await _request_rows("q.id = {}", [request_id])
    if not rows:
        raise NotFound(f"Permintaan {request_id} tidak ditemukan.")
    current = _request(rows[0])
    mine = (current.requested_by is Side.buyer and actor.buyer_id == current.buyer_id) or (
        current.requested_by is Side.pesantren and actor.pesantren_id == current.pesantren_id
    )
    if not (mine or await is_organizer(actor, rows[0]["event"])):
        raise Forbidden("Hanya pengirim permintaan yang boleh membatalkannya.")
    if current.status is not RequestStatus.menunggu:
        raise Conflict("Hanya permintaan yang masih menunggu yang bisa dibatalkan.")
    async with write_transaction():
        await MeetingRequest.update({MeetingRequest.status: RequestStatus.dibatalkan.value}).where(
            MeetingRequest.id == request_id
        )
    return _request((await _request_rows("q.id = {}", [request_id]))[0])


# -- availability -------------------------------------------------------------------------------------------


async def _party(actor: Actor, event_id: int, buyer_id: int | None, pesantren_id: int | None) -> tuple[int | None, int | None]:
    organizer = await is_organizer(actor, event_id)
    if not organizer and actor.role in (Role.buyer, Role.seller):
        own = (actor.buyer_id, None) if actor.role is Role.buyer else (None, actor.pesantren_id)
        if (buyer_id, pesantren_id) not in ((None, None), own):
            raise Forbidden("Anda hanya boleh melihat atau mengubah data organisasi Anda sendiri.")
        return own
    if not organizer:
        raise Forbidden("Anda bukan peserta atau penyelenggara acara ini.")
    if (buyer_id is None) == (pesantren_id is None):
        raise InvalidInput.field("buyer_id", "isi tepat satu: buyer_id atau pesantren_id")
    return buyer_id, pesantren_id


async def _event_slots(event_id: int) -> list[dict[str, Any]]:
    return await raw(
        "SELECT s.id, s.starts_at, s.ends_at, es.name AS session_name, es.id AS session_id FROM time_slot s "
        "JOIN event_session es ON es.id = s.session WHERE es.event = {} ORDER BY s.starts_at, s.id",
        event_id,
    )


async def set_availability(*, actor: Actor | None, slug: str, data: schemas.AvailabilityIn) -> schemas.Availability:
    """Replace the set of slots a participant is not available in."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    buyer_id, pesantren_id = await _party(actor, event.id, data.buyer_id, data.pesantren_id)
    valid = {s["id"] for s in await _event_slots(event.id)}
    wanted = sorted(set(data.unavailable_slot_ids))
    unknown = [s for s in wanted if s not in valid]
    if unknown:
        raise InvalidInput.field("unavailable_slot_ids", f"slot {unknown[0]} bukan slot acara ini")
    party = (Unavailability.buyer == buyer_id) if buyer_id else (Unavailability.pesantren == pesantren_id)
    async with write_transaction():
        await Unavailability.delete().where((Unavailability.event == event.id) & party)
        if wanted:
            await Unavailability.insert(
                *[Unavailability(event=event.id, buyer=buyer_id, pesantren=pesantren_id, slot=s) for s in wanted]
            )
    return schemas.Availability(buyer_id=buyer_id, pesantren_id=pesantren_id, unavailable_slot_ids=wanted)


# -- meetings -----------------------------------------------------------------------------------------------


_MEETING_SELECT = (
    "SELECT m.*, ev.slug AS event_slug, b.name AS buyer_name, b.whatsapp AS buyer_whatsapp, p.name AS pesantren_name, "
    "p.whatsapp AS pesantren_whatsapp, s.starts_at, s.ends_at, t.code AS table_code FROM meeting m "
    "JOIN event ev ON ev.id = m.event JOIN buyer b ON b.id = m.buyer JOIN pesantren p ON p.id = m.pesantren "
    'LEFT JOIN time_slot s ON s.id = m.slot LEFT JOIN meeting_table t ON t.id = m."table" '
)


async def _meeting_rows(where: str, args: list[Any]) -> list[dict[str, Any]]:
    return await raw(_MEETING_SELECT + f"WHERE {where} ORDER BY s.starts_at, t.code, m.id", *args)


def _meeting(row: dict[str, Any]) -> schemas.Meeting:
    status = MeetingStatus(row["status"])
    return schemas.Meeting(
        id=row["id"], event_slug=row["event_slug"], request_id=row["request"], buyer_id=row["buyer"],
        buyer_name=row["buyer_name"], pesantren_id=row["pesantren"], pesantren_name=row["pesantren_name"],
        slot_id=row["slot"], starts_at=_dt(row["starts_at"]), ends_at=_dt(row["ends_at"]), table_id=row["table"],
        table_code=row["table_code"], status=status, status_label=MEETING_STATUS_LABELS[status],
        pinned=bool(row["pinned"]), source=row["source"], unscheduled_reason=row["unscheduled_reason"],
        held_at=_dt(row["held_at"]),
    )


async def list_meetings(*, actor: Actor | None, slug: str) -> list[schemas.Meeting]:
    """Organizers see the whole grid; participants their own meetings once the schedule is published."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    where, args = ["m.event = {}"], [event.id]
    if not await is_organizer(actor, event.id):
        if actor.role is Role.buyer:
            where.append("m.buyer = {}")
            args.append(actor.buyer_id)
        elif actor.role is Role.seller:
            where.append("m.pesantren = {}")
            args.append(actor.pesantren_id)
        else:
            raise Forbidden(f"Anda bukan penyelenggara acara '{slug}'.")
        where.append("m.status IN ('terjadwal', 'hadir', 'tidak_hadir')")
    return [_meeting(r) for r in await _meeting_rows(" AND ".join(where), args)]


async def get_meeting(*, meeting_id: int) -> schemas.Meeting:
    rows = await _meeting_rows("m.id = {}", [meeting_id])
    if not rows:
        raise NotFound(f"Pertemuan {meeting_id} tidak ditemukan.")
    return _meeting(rows[0])


# -- the scheduler ------------------------------------------------------------------------------------------


async def build_problem(*, event_id: int, fairness: int | None) -> tuple[dict[str, Any], dict[str, int]]:
    """The problem.json of an event: its slots, tables, participants with unavailable slots, and one meeting
    per accepted request (pinned meetings keep their slot). Returns the problem and meeting-key → request id."""
    slots = await _event_slots(event_id)
    tables = await MeetingTable.select(MeetingTable.code).where(MeetingTable.event == event_id).order_by(MeetingTable.code)
    requests = await raw(
        "SELECT q.id, q.buyer, q.pesantren, q.priority, m.slot AS pinned_slot FROM meeting_request q "
        "LEFT JOIN meeting m ON m.request = q.id AND m.pinned = {} AND m.status IN ('usulan', 'terjadwal') "
        "WHERE q.event = {} AND q.status = 'diterima' ORDER BY q.id",
        True,
        event_id,
    )
    unavailable = await Unavailability.select().where(Unavailability.event == event_id)
    blocked: dict[str, list[str]] = {}
    for row in unavailable:
        key = f"b{row['buyer']}" if row["buyer"] else f"p{row['pesantren']}"
        blocked.setdefault(key, []).append(str(row["slot"]))
    participants = sorted({f"b{r['buyer']}" for r in requests} | {f"p{r['pesantren']}" for r in requests})
    problem = {
        "slots": [{"id": str(s["id"]), "session": f"{s['session_id']}"} for s in slots],
        "tables": [t["code"] for t in tables],
        "participants": [{"id": p, "unavailable": blocked.get(p, [])} for p in participants],
        "meetings": [
            {
                "id": f"r{r['id']}",
                "participants": [f"b{r['buyer']}", f"p{r['pesantren']}"],
                "session": None,
                "slot": str(r["pinned_slot"]) if r["pinned_slot"] else None,
                "after": [],
                "priority": PRIORITY_WEIGHT[Priority(r["priority"])],
            }
            for r in requests
        ],
        "fairness": fairness,
    }
    return problem, {f"r{r['id']}": r["id"] for r in requests}


async def run_scheduler(*, actor: Actor | None, slug: str, data: schemas.ScheduleRunIn) -> schemas.ScheduleResult:
    """Run the scheduler on every accepted request and store the result as a draft (`usulan`) for review.
    Pinned meetings keep their slot; a published schedule is changed by hand, not re-run."""
    from opop_events.matching.scheduler import solve

    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    if await Meeting.exists().where((Meeting.event == event.id) & (Meeting.status == MeetingStatus.terjadwal.value)):
        raise Conflict("Jadwal acara ini sudah terbit; ubah dengan memindah atau menambah pertemuan.")
    problem, request_of = await build_problem(event_id=event.id, fairness=data.fairness)
    if not problem["meetings"]:
        raise Conflict("Belum ada permintaan pertemuan yang diterima.")
    if not problem["slots"] or not problem["tables"]:
        raise Conflict("Acara belum punya slot waktu atau meja.")
    result = await asyncio.to_thread(solve, problem, time_limit=data.time_limit, workers=2)
    tables = {r["code"]: r["id"] for r in await MeetingTable.select().where(MeetingTable.event == event.id)}
    requests = {r["id"]: r for r in await MeetingRequest.select().where(MeetingRequest.event == event.id)}
    async with write_transaction():
        pinned = {
            r["request"]: r
            for r in await Meeting.select().where((Meeting.event == event.id) & (Meeting.pinned == True))  # noqa: E712
        }
        await Meeting.delete().where(
            (Meeting.event == event.id)
            & Meeting.status.is_in([MeetingStatus.usulan.value, MeetingStatus.belum_terjadwal.value])
            & (Meeting.pinned == False)  # noqa: E712
            & Meeting.request.is_not_null()
        )
        if pinned:
            await Meeting.delete().where(Meeting.id.is_in([p["id"] for p in pinned.values()]))
        rows: list[Meeting] = []
        for item in result["meetings"]:
            request = requests[request_of[item["id"]]]
            rows.append(
                Meeting(event=event.id, request=request["id"], buyer=request["buyer"], pesantren=request["pesantren"],
                        slot=int(item["slot"]), table=tables[item["table"]], status=MeetingStatus.usulan.value,
                        pinned=request["id"] in pinned, source="jadwal")
            )
        for item in result["unscheduled"]:
            request = requests[request_of[item["id"]]]
            rows.append(
                Meeting(event=event.id, request=request["id"], buyer=request["buyer"], pesantren=request["pesantren"],
                        status=MeetingStatus.belum_terjadwal.value, unscheduled_reason=item["reason"][:500],
                        source="jadwal")
            )
        for start in range(0, len(rows), 500):
            await Meeting.insert(*rows[start : start + 500])
        stats = result["stats"]
        run = await ScheduleRun.insert(
            ScheduleRun(event=event.id, started_by=actor.user_id, seconds=int(stats.get("seconds", 0)),
                        stats=json.dumps(stats))
        ).returning(ScheduleRun.id)
    meetings = await list_meetings(actor=actor, slug=slug)
    with_meeting = {f"b{m.buyer_id}" for m in meetings if m.slot_id} | {f"p{m.pesantren_id}" for m in meetings if m.slot_id}
    return schemas.ScheduleResult(
        run_id=run[0]["id"],
        requested=int(stats["requested"]),
        scheduled=int(stats["scheduled"]),
        unscheduled=[m for m in meetings if m.status is MeetingStatus.belum_terjadwal],
        breaks_total=int(stats.get("breaks_total", 0)),
        optimal=bool(stats.get("optimal", False)),
        seconds=float(stats.get("seconds", 0.0)),
        participants_without_meeting=sorted(
            {p["id"] for p in problem["participants"]} - with_meeting
        ),
    )


async def _check_placement(meeting: schemas.Meeting, event_id: int, slot_id: int, table_id: int) -> None:
    slot_ok = await raw(
        "SELECT s.id FROM time_slot s JOIN event_session es ON es.id = s.session WHERE s.id = {} AND es.event = {}",
        slot_id, event_id,
    )
    if not slot_ok:
        raise InvalidInput.field("slot_id", "slot bukan milik acara ini")
    if not await MeetingTable.exists().where((MeetingTable.id == table_id) & (MeetingTable.event == event_id)):
        raise InvalidInput.field("table_id", "meja bukan milik acara ini")
    blocked = await raw(
        "SELECT buyer, pesantren FROM unavailability WHERE event = {} AND slot = {} AND (buyer = {} OR pesantren = {})",
        event_id, slot_id, meeting.buyer_id, meeting.pesantren_id,
    )
    if blocked:
        who = meeting.buyer_name if blocked[0]["buyer"] else meeting.pesantren_name
        raise Conflict(f"{who} tidak tersedia pada slot itu.")
    clash = await raw(
        f'SELECT m.id, m.buyer, m.pesantren, m."table", b.name AS buyer_name, p.name AS pesantren_name FROM meeting m '
        "JOIN buyer b ON b.id = m.buyer JOIN pesantren p ON p.id = m.pesantren "
        f"WHERE m.slot = {{}} AND m.id <> {{}} AND m.status IN {_ACTIVE_SQL} "
        'AND (m.buyer = {} OR m.pesantren = {} OR m."table" = {})',
        slot_id, meeting.id, meeting.buyer_id, meeting.pesantren_id, table_id,
    )
    for other in clash:
        if other["buyer"] == meeting.buyer_id:
            raise Conflict(f"{meeting.buyer_name} sudah punya pertemuan lain (dengan {other['pesantren_name']}) di slot itu.")
        if other["pesantren"] == meeting.pesantren_id:
            raise Conflict(f"{meeting.pesantren_name} sudah punya pertemuan lain (dengan {other['buyer_name']}) di slot itu.")
        raise Conflict("Meja itu sudah dipakai pertemuan lain di slot tersebut.")


async def _free_table(event_id: int, slot_id: int) -> int | None:
    rows = await raw(
        "SELECT t.id FROM meeting_table t WHERE t.event = {} AND t.id NOT IN "
        f'(SELECT m."table" FROM meeting m WHERE m.slot = {{}} AND m."table" IS NOT NULL AND m.status IN {_ACTIVE_SQL}) '
        "ORDER BY t.code LIMIT 1",
        event_id, slot_id,
    )
    return rows[0]["id"] if rows else None


async def _log_change(meeting_id: int, actor: Actor, action: str, detail: str) -> None:
    await MeetingChange.insert(MeetingChange(meeting=meeting_id, action=action, detail=detail[:1000], actor=actor.user_id))


async def move_meeting(*, actor: Actor | None, meeting_id: int, data: schemas.MeetingMove) -> schemas.Meeting:
    """Pin or move a meeting to a slot (and table); refused with a clear message when it would clash."""
    actor = require_actor(actor)
    meeting = await get_meeting(meeting_id=meeting_id)
    event = await get_event(slug=meeting.event_slug)
    await require_organizer(actor, event)
    if meeting.status in (MeetingStatus.hadir, MeetingStatus.tidak_hadir, MeetingStatus.dibatalkan):
        raise Conflict(f"Pertemuan berstatus {meeting.status_label.lower()} tidak bisa dipindah.")
    async with write_transaction():
        table_id = data.table_id or await _free_table(event.id, data.slot_id)
        if table_id is None:
            raise Conflict("Tidak ada meja kosong pada slot itu.")
        await _check_placement(meeting, event.id, data.slot_id, table_id)
        published = meeting.status is MeetingStatus.terjadwal or await Meeting.exists().where(
            (Meeting.event == event.id) & (Meeting.status == MeetingStatus.terjadwal.value)
        )
        new_status = MeetingStatus.terjadwal if published else MeetingStatus.usulan
        try:
            await Meeting.update(
                {Meeting.slot: data.slot_id, Meeting.table: table_id, Meeting.pinned: data.pinned,
                 Meeting.status: new_status.value, Meeting.unscheduled_reason: ""}
            ).where(Meeting.id == meeting_id)
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict("Slot atau meja itu baru saja terisi; muat ulang lalu coba lagi.") from exc
            raise
        if published:
            await _log_change(meeting_id, actor, "pindah", f"{meeting.slot_id}/{meeting.table_code} → {data.slot_id}/{table_id}. {data.reason}")
    return await get_meeting(meeting_id=meeting_id)


async def publish(*, actor: Actor | None, slug: str) -> list[schemas.Meeting]:
    """Publish the reviewed schedule: draft meetings become `terjadwal`; the event moves to `scheduled`."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    async with write_transaction():
        updated = await Meeting.update({Meeting.status: MeetingStatus.terjadwal.value}).where(
            (Meeting.event == event.id) & (Meeting.status == MeetingStatus.usulan.value)
        ).returning(Meeting.id)
        if not updated:
            raise Conflict("Tidak ada usulan jadwal untuk diterbitkan; jalankan penjadwal dulu.")
        await ScheduleRun.update({ScheduleRun.published_at: now_utc()}).where(
            (ScheduleRun.event == event.id) & ScheduleRun.published_at.is_null()
        )
        if event.status is EventStatus.open:
            await Event.update({Event.status: EventStatus.scheduled.value}).where(Event.id == event.id)
    return await list_meetings(actor=actor, slug=slug)


async def walk_in(*, actor: Actor | None, slug: str, data: schemas.WalkIn) -> schemas.Meeting:
    """Add a meeting live during the event into a free slot (the first one from now when none is given)."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    if not await _registered(event.id, buyer_id=data.buyer_id):
        raise InvalidInput.field("buyer_id", "pembeli ini tidak terdaftar di acara")
    if not await _registered(event.id, pesantren_id=data.pesantren_id):
        raise InvalidInput.field("pesantren_id", "pesantren ini tidak terdaftar di acara")
    buyer = await Buyer.select(Buyer.name).where(Buyer.id == data.buyer_id).first()
    pesantren = await Pesantren.select(Pesantren.name).where(Pesantren.id == data.pesantren_id).first()
    probe = schemas.Meeting(
        id=0, event_slug=slug, request_id=None, buyer_id=data.buyer_id, buyer_name=buyer["name"],
        pesantren_id=data.pesantren_id, pesantren_name=pesantren["name"], slot_id=None, starts_at=None, ends_at=None,
        table_id=None, table_code=None, status=MeetingStatus.terjadwal, status_label="", pinned=True, source="walk_in",
        unscheduled_reason="", held_at=None,
    )
    async with write_transaction():
        candidates = [data.slot_id] if data.slot_id else [
            s["id"] for s in await _event_slots(event.id) if _dt(s["ends_at"]) > now_utc()  # type: ignore[operator]
        ]
        last_problem: Conflict | None = None
        for slot_id in candidates:
            table_id = data.table_id or await _free_table(event.id, slot_id)
            if table_id is None:
                last_problem = Conflict("Tidak ada meja kosong pada slot itu.")
                continue
            try:
                await _check_placement(probe, event.id, slot_id, table_id)
            except Conflict as exc:
                last_problem = exc
                continue
            rows = await Meeting.insert(
                Meeting(event=event.id, buyer=data.buyer_id, pesantren=data.pesantren_id, slot=slot_id, table=table_id,
                        status=MeetingStatus.terjadwal.value, pinned=True, source="walk_in")
            ).returning(Meeting.id)
            await _log_change(rows[0]["id"], actor, "walk_in", f"slot {slot_id}, meja {table_id}")
            break
        else:
            raise last_problem or Conflict("Tidak ada slot tersisa hari ini untuk pasangan ini.")
    return await get_meeting(meeting_id=rows[0]["id"])


async def mark_attendance(*, actor: Actor | None, meeting_id: int, data: schemas.Attendance) -> schemas.Meeting:
    actor = require_actor(actor)
    meeting = await get_meeting(meeting_id=meeting_id)
    event = await get_event(slug=meeting.event_slug)
    await require_organizer(actor, event)
    if meeting.slot_id is None or meeting.status in (MeetingStatus.usulan, MeetingStatus.dibatalkan, MeetingStatus.belum_terjadwal):
        raise Conflict("Hanya pertemuan yang terjadwal yang bisa dicatat kehadirannya.")
    status = MeetingStatus.hadir if data.held else MeetingStatus.tidak_hadir
    async with write_transaction():
        await Meeting.update(
            {Meeting.status: status.value, Meeting.held_at: now_utc() if data.held else None}
        ).where(Meeting.id == meeting_id)
        await _log_change(meeting_id, actor, status.value, "")
    return await get_meeting(meeting_id=meeting_id)


async def rate_meeting(*, actor: Actor | None, meeting_id: int, data: schemas.OutcomeIn) -> schemas.OutcomeOut:
    """A side rates a held meeting; `sepakat` hands back what is needed to log the deal with the meeting linked."""
    actor = require_actor(actor)
    meeting = await get_meeting(meeting_id=meeting_id)
    if actor.role is Role.buyer and actor.buyer_id == meeting.buyer_id:
        side = Side.buyer
    elif actor.role is Role.seller and actor.pesantren_id == meeting.pesantren_id:
        side = Side.pesantren
    elif await is_organizer(actor, (await get_event(slug=meeting.event_slug)).id) and data.side is not None:
        side = data.side
    else:
        raise Forbidden("Hanya peserta pertemuan ini yang menilai hasilnya.")
    if meeting.status is not MeetingStatus.hadir:
        raise Conflict("Hasil pertemuan dinilai setelah pertemuan tercatat terlaksana.")
    async with write_transaction():
        await MeetingOutcome.delete().where((MeetingOutcome.meeting == meeting_id) & (MeetingOutcome.side == side.value))
        await MeetingOutcome.insert(
            MeetingOutcome(meeting=meeting_id, side=side.value, outcome=data.outcome.value, note=data.note.strip(),
                           actor=actor.user_id)
        )
    log_deal = None
    if data.outcome is Outcome.sepakat:
        log_deal = {"event_slug": meeting.event_slug, "meeting_id": meeting_id, "buyer_id": meeting.buyer_id,
                    "pesantren_id": meeting.pesantren_id}
    return schemas.OutcomeOut(meeting_id=meeting_id, side=side, outcome=data.outcome,
                              outcome_label=OUTCOME_LABELS[data.outcome], note=data.note.strip(), log_deal=log_deal)


async def agenda(*, actor: Actor | None, slug: str, buyer_id: int | None = None, pesantren_id: int | None = None) -> schemas.Agenda:
    """A participant's published meetings in time order, with table, counterpart and counterpart's WhatsApp."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    buyer_id, pesantren_id = await _party(actor, event.id, buyer_id, pesantren_id)
    column, value = ("m.buyer", buyer_id) if buyer_id else ("m.pesantren", pesantren_id)
    rows = await _meeting_rows(
        f"m.event = {{}} AND {column} = {{}} AND m.status IN ('terjadwal', 'hadir', 'tidak_hadir')", [event.id, value]
    )
    name = (await Buyer.select(Buyer.name).where(Buyer.id == buyer_id).first() if buyer_id else
            await Pesantren.select(Pesantren.name).where(Pesantren.id == pesantren_id).first())
    return schemas.Agenda(
        event_slug=slug,
        event_name=event.name,
        participant=name["name"] if name else "",
        items=[
            schemas.AgendaItem(
                meeting_id=r["id"], starts_at=_dt(r["starts_at"]), ends_at=_dt(r["ends_at"]), table_code=r["table_code"],
                counterpart=r["pesantren_name"] if buyer_id else r["buyer_name"],
                counterpart_whatsapp=r["pesantren_whatsapp"] if buyer_id else r["buyer_whatsapp"],
                status=MeetingStatus(r["status"]), status_label=MEETING_STATUS_LABELS[MeetingStatus(r["status"])],
            )
            for r in rows
        ],
    )


async def check_meeting_for_deal(*, meeting_id: int, event_id: int, pesantren_id: int, buyer_id: int) -> None:
    """A deal may name the meeting it came from only if that meeting is of the same event and pair."""
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    if row is None or (row["event"], row["pesantren"], row["buyer"]) != (event_id, pesantren_id, buyer_id):
        raise InvalidInput.field("meeting_id", "pertemuan tidak ada atau bukan antara pesantren dan pembeli ini")


async def funnel(*, actor: Actor | None, slug: str) -> schemas.Funnel:
    """The event's funnel for organizers and Dinas (figures from the reports' aggregation layer)."""
    from opop_events.reports.queries import Scope, funnel as funnel_query

    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    return schemas.Funnel(**await funnel_query(Scope(event_id=event.id)))


# -- printed schedule: agendas, table sheets, the grid, badges, and the signed agenda link ----------------

_PUBLISHED_SQL = "('terjadwal', 'hadir', 'tidak_hadir')"
_TOKEN = re.compile(r"^([1-9][0-9]{0,15})\.([bp])([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{16})$")
_SIDE_LETTER = {Side.buyer: "b", Side.pesantren: "p"}


@dataclass(frozen=True, slots=True)
class PrintedFile:
    """A rendered document ready to send: bytes, download name and media type."""

    content: bytes
    filename: str
    media_type: str


def _agenda_signature(event_id: int, side: Side, party_id: int) -> str:
    message = f"agenda.{event_id}.{side.value}.{party_id}".encode()
    digest = hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()  # 96 bits, 16 characters, no padding


def make_agenda_token(*, event_id: int, side: Side, party_id: int) -> str:
    """The token in a participant's agenda link (`{OPOP_BASE_URL}/agenda/{token}`), e.g. `12.b34.Xy…`: the
    event, the side and the party in clear, with an HMAC of them under the server secret. It opens only that
    agenda, without an account, and does not expire (changing OPOP_SECRET_KEY revokes every link)."""
    return f"{event_id}.{_SIDE_LETTER[side]}{party_id}.{_agenda_signature(event_id, side, party_id)}"


def verify_agenda_token(token: str) -> tuple[int, Side, int]:
    """`(event_id, side, party_id)` of a genuine agenda token; `NotFound` for anything else (tampered,
    malformed, signed under another secret), so a guessed link reads the same as a missing page."""
    match = _TOKEN.match(token or "")
    if match is None:
        raise NotFound("Tautan agenda tidak sah.")
    event_id, side = int(match[1]), Side.buyer if match[2] == "b" else Side.pesantren
    party_id = int(match[3])
    if not hmac.compare_digest(match[4], _agenda_signature(event_id, side, party_id)):
        raise NotFound("Tautan agenda tidak sah.")
    return event_id, side, party_id


def agenda_url(*, event_id: int, side: Side, party_id: int) -> str:
    """The address a badge's QR code opens: the participant's own agenda page."""
    token = make_agenda_token(event_id=event_id, side=side, party_id=party_id)
    return f"{get_settings().base_url}/agenda/{token}"


def _event_header(event: Any) -> Any:
    from opop_events.matching import printing

    return printing.EventHeader(
        name=event.name, venue=event.venue, starts_on=event.starts_on, ends_on=event.ends_on
    )


async def _participants(event_id: int) -> list[dict[str, Any]]:
    """Registered participants of an event: side, id, organisation name and contact person; buyers first,
    then pesantren, each by name."""
    return await raw(
        "SELECT 'buyer' AS side, b.id, b.name, b.contact_person FROM registration r "
        "JOIN buyer b ON b.id = r.buyer "
        "WHERE r.event = {} AND r.status = 'terdaftar' AND r.party_kind = 'buyer' "
        "UNION SELECT 'pesantren' AS side, p.id, p.name, p.contact_person FROM registration r "
        "JOIN pesantren p ON p.id = r.pesantren WHERE r.event = {} AND r.status = 'terdaftar' "
        "AND r.party_kind = 'pesantren' ORDER BY 1, 3, 2",
        event_id,
        event_id,
    )


def _agenda_data(
    event: Any, side: Side, party: dict[str, Any], rows: list[dict[str, Any]], *, url: str
) -> Any:
    """A participant's agenda for printing from its published meeting rows (`_meeting_rows` order)."""
    from opop_events.matching import printing

    buyer = side is Side.buyer
    return printing.AgendaData(
        event=_event_header(event),
        participant=party["name"],
        role=side.value,
        contact=party.get("contact_person") or "",
        url=url,
        lines=[
            printing.AgendaLine(
                starts_at=_dt(r["starts_at"]),  # type: ignore[arg-type]
                ends_at=_dt(r["ends_at"]),  # type: ignore[arg-type]
                table=r["table_code"] or "-",
                counterpart=r["pesantren_name"] if buyer else r["buyer_name"],
                whatsapp=(r["pesantren_whatsapp"] if buyer else r["buyer_whatsapp"]) or "",
                status=MEETING_STATUS_LABELS[MeetingStatus(r["status"])],
            )
            for r in rows
            if r["starts_at"] is not None
        ],
    )


async def _party_row(side: Side, party_id: int) -> dict[str, Any]:
    table = Buyer if side is Side.buyer else Pesantren
    row = await table.select(table.id, table.name, table.contact_person).where(table.id == party_id).first()
    if row is None:
        raise NotFound("Peserta tidak ditemukan.")
    return row


async def _printable_agendas(
    *, actor: Actor | None, slug: str, buyer_id: int | None, pesantren_id: int | None
) -> tuple[Any, list[Any], str]:
    """Who may print which agendas: a participant its own (403 when it names another), an organizer any one
    participant, or every participant with a published meeting when it names none."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    if buyer_id is not None and pesantren_id is not None:
        raise InvalidInput.field("buyer_id", "isi paling banyak satu: buyer_id atau pesantren_id")
    organizer = await is_organizer(actor, event.id)
    if not organizer:
        if (
            actor.role is Role.buyer
            and actor.buyer_id
            and pesantren_id is None
            and buyer_id in (None, actor.buyer_id)
        ):
            buyer_id = actor.buyer_id
        elif (
            actor.role is Role.seller
            and actor.pesantren_id
            and buyer_id is None
            and pesantren_id in (None, actor.pesantren_id)
        ):
            pesantren_id = actor.pesantren_id
        else:
            raise Forbidden("Anda hanya boleh mencetak agenda Anda sendiri.")
    rows = await _meeting_rows(
        f"m.event = {{}} AND m.status IN {_PUBLISHED_SQL} AND m.slot IS NOT NULL", [event.id]
    )
    if buyer_id is not None or pesantren_id is not None:
        side, party_id = (Side.buyer, buyer_id) if buyer_id is not None else (Side.pesantren, pesantren_id)
        assert party_id is not None
        registered = (
            await _registered(event.id, buyer_id=party_id)
            if side is Side.buyer
            else await _registered(event.id, pesantren_id=party_id)
        )
        if not registered:
            raise NotFound("Peserta ini tidak terdaftar di acara.")
        wanted = [(side, await _party_row(side, party_id))]
        name = f"agenda-{slug}-{'pembeli' if side is Side.buyer else 'pesantren'}-{party_id}.pdf"
    else:
        with_meeting = {("buyer", r["buyer"]) for r in rows} | {("pesantren", r["pesantren"]) for r in rows}
        wanted = [
            (Side(p["side"]), p)
            for p in await _participants(event.id)
            if (p["side"], p["id"]) in with_meeting
        ]
        name = f"agenda-{slug}.pdf"
    agendas = []
    for side, party in wanted:
        column = "buyer" if side is Side.buyer else "pesantren"
        mine = [r for r in rows if r[column] == party["id"]]
        url = agenda_url(event_id=event.id, side=side, party_id=party["id"])
        agendas.append(_agenda_data(event, side, party, mine, url=url))
    return event, agendas, name


async def agenda_pdf(
    *, actor: Actor | None, slug: str, buyer_id: int | None = None, pesantren_id: int | None = None
) -> PrintedFile:
    """Agenda PDF: a participant's own; an organizer's for the participant named, or every participant with a
    published meeting (one page group each, for printing in one go) when none is named."""
    from opop_events.matching import printing

    _, agendas, filename = await _printable_agendas(
        actor=actor, slug=slug, buyer_id=buyer_id, pesantren_id=pesantren_id
    )
    if not agendas:
        raise Conflict("Belum ada pertemuan terbit untuk dicetak; terbitkan jadwal dulu.")
    content = await asyncio.to_thread(printing.agenda_pdf, agendas, printed_at=now_utc())
    return PrintedFile(content, filename, printing.PDF)


async def public_agenda(*, token: str) -> schemas.Agenda:
    """The agenda a badge's QR code opens, without an account: that participant's published meetings only.
    404 for a tampered token, an unknown event, or a participant no longer registered."""
    event, side, party = await _token_party(token)
    rows = await _meeting_rows(
        f"m.event = {{}} AND m.{side.value} = {{}} AND m.status IN {_PUBLISHED_SQL}", [event.id, party["id"]]
    )
    return schemas.Agenda(
        event_slug=event.slug,
        event_name=event.name,
        participant=party["name"],
        items=[
            schemas.AgendaItem(
                meeting_id=r["id"],
                starts_at=_dt(r["starts_at"]),
                ends_at=_dt(r["ends_at"]),
                table_code=r["table_code"],
                counterpart=r["pesantren_name"] if side is Side.buyer else r["buyer_name"],
                counterpart_whatsapp=r["pesantren_whatsapp"] if side is Side.buyer else r["buyer_whatsapp"],
                status=MeetingStatus(r["status"]),
                status_label=MEETING_STATUS_LABELS[MeetingStatus(r["status"])],
            )
            for r in rows
        ],
    )


async def public_agenda_pdf(*, token: str) -> PrintedFile:
    """The same agenda as a PDF, for printing or saving on a phone."""
    from opop_events.matching import printing

    event, side, party = await _token_party(token)
    rows = await _meeting_rows(
        f"m.event = {{}} AND m.{side.value} = {{}} AND m.status IN {_PUBLISHED_SQL} AND m.slot IS NOT NULL",
        [event.id, party["id"]],
    )
    url = agenda_url(event_id=event.id, side=side, party_id=party["id"])
    data = _agenda_data(event, side, party, rows, url=url)
    content = await asyncio.to_thread(printing.agenda_pdf, [data], printed_at=now_utc())
    return PrintedFile(content, f"agenda-{event.slug}.pdf", printing.PDF)


async def _token_party(token: str) -> tuple[Any, Side, dict[str, Any]]:
    event_id, side, party_id = verify_agenda_token(token)
    slug = await Event.select(Event.slug).where(Event.id == event_id).first()
    if slug is None:
        raise NotFound("Tautan agenda tidak sah.")
    event = await get_event(slug=slug["slug"])
    registered = (
        await _registered(event.id, buyer_id=party_id)
        if side is Side.buyer
        else await _registered(event.id, pesantren_id=party_id)
    )
    if not registered:
        raise NotFound("Tautan agenda tidak sah.")
    return event, side, await _party_row(side, party_id)


async def _grid_data(*, actor: Actor | None, slug: str) -> tuple[Any, Any]:
    """The event's active schedule (draft or published) as slots × tables, for organizers only."""
    from opop_events.matching import printing

    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    slots = await _event_slots(event.id)
    tables = (
        await MeetingTable.select(MeetingTable.id, MeetingTable.code)
        .where(MeetingTable.event == event.id)
        .order_by(MeetingTable.code)
    )
    rows = await _meeting_rows(
        f"m.event = {{}} AND m.status IN {_ACTIVE_SQL} AND m.slot IS NOT NULL", [event.id]
    )
    grid = printing.GridData(
        event=_event_header(event),
        slots=[printing.GridSlot(s["id"], _dt(s["starts_at"]), _dt(s["ends_at"])) for s in slots],  # type: ignore[arg-type]
        tables=[printing.GridTable(t["id"], t["code"]) for t in tables],
        meetings=[
            printing.GridMeeting(r["slot"], r["table"], r["buyer_name"], r["pesantren_name"])
            for r in rows
            if r["table"] is not None
        ],
        draft=any(r["status"] == MeetingStatus.usulan.value for r in rows),
    )
    return event, grid


async def table_sheets_pdf(*, actor: Actor | None, slug: str) -> PrintedFile:
    """One sheet per table for the table stewards (organizers only); a draft schedule is marked as such."""
    from opop_events.matching import printing

    event, grid = await _grid_data(actor=actor, slug=slug)
    content = await asyncio.to_thread(printing.table_sheets_pdf, grid, printed_at=now_utc())
    return PrintedFile(content, f"meja-{event.slug}.pdf", printing.PDF)


async def grid_pdf(*, actor: Actor | None, slug: str, paper: str = "a4") -> PrintedFile:
    """The full grid, slots × tables, landscape A4 or A3 (`paper`), for organizers only."""
    from reportlab.lib.pagesizes import A3, A4, landscape

    from opop_events.matching import printing

    event, grid = await _grid_data(actor=actor, slug=slug)
    pagesize = landscape(A3 if paper == "a3" else A4)
    content = await asyncio.to_thread(printing.grid_pdf, grid, printed_at=now_utc(), pagesize=pagesize)
    return PrintedFile(content, f"jadwal-{event.slug}.pdf", printing.PDF)


async def grid_xlsx(*, actor: Actor | None, slug: str) -> PrintedFile:
    """The full grid and the meeting list as a workbook (organizers only)."""
    from opop_events.matching import printing

    event, grid = await _grid_data(actor=actor, slug=slug)
    content = await asyncio.to_thread(printing.grid_xlsx, grid, printed_at=now_utc())
    return PrintedFile(content, f"jadwal-{event.slug}.xlsx", printing.XLSX)


async def badges_pdf(*, actor: Actor | None, slug: str) -> PrintedFile:
    """Badges for every registered participant (organizers only), eight to an A4 sheet, each with a QR code
    of the participant's agenda link."""
    from opop_events.matching import printing

    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    badges = [
        printing.BadgeData(
            name=p["contact_person"] or p["name"],
            organisation=p["name"] if p["contact_person"] else "",
            role=p["side"],
            event_name=event.name,
            url=agenda_url(event_id=event.id, side=Side(p["side"]), party_id=p["id"]),
        )
        for p in await _participants(event.id)
    ]
    content = await asyncio.to_thread(printing.badges_pdf, badges)
    return PrintedFile(content, f"tanda-peserta-{event.slug}.pdf", printing.PDF)


# -- read helpers for the web pages -------------------------------------------------------------------------


async def get_availability(
    *, actor: Actor | None, slug: str, buyer_id: int | None = None, pesantren_id: int | None = None
) -> schemas.Availability:
    """The slots a participant marked as not available (asked by the participant, or an organizer naming one)."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    buyer_id, pesantren_id = await _party(actor, event.id, buyer_id, pesantren_id)
    party = (Unavailability.buyer == buyer_id) if buyer_id else (Unavailability.pesantren == pesantren_id)
    rows = await Unavailability.select(Unavailability.slot).where((Unavailability.event == event.id) & party)
    return schemas.Availability(
        buyer_id=buyer_id, pesantren_id=pesantren_id, unavailable_slot_ids=sorted(r["slot"] for r in rows)
    )


async def list_counterparts(*, actor: Actor | None, slug: str) -> list[schemas.Counterpart]:
    """Who a participant may ask to meet: a seller sees the event's registered buyers, a buyer its registered
    pesantren (names only; contact details stay private until a meeting is published)."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    if actor.role is Role.seller:
        rows = await raw(
            "SELECT b.id, b.name FROM registration r JOIN buyer b ON b.id = r.buyer "
            "WHERE r.event = {} AND r.status = 'terdaftar' ORDER BY b.name, b.id",
            event.id,
        )
    elif actor.role is Role.buyer or await is_organizer(actor, event.id):
        rows = await raw(
            "SELECT p.id, p.name FROM registration r JOIN pesantren p ON p.id = r.pesantren "
            "WHERE r.event = {} AND r.status = 'terdaftar' ORDER BY p.name, p.id",
            event.id,
        )
    else:
        raise Forbidden("Anda bukan peserta atau penyelenggara acara ini.")
    return [schemas.Counterpart(id=r["id"], name=r["name"]) for r in rows]


async def last_schedule_run(*, actor: Actor | None, slug: str) -> schemas.ScheduleRunInfo | None:
    """The latest scheduler run of an event with its statistics, for organizers reviewing the draft."""
    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    row = (
        await ScheduleRun.select()
        .where(ScheduleRun.event == event.id)
        .order_by(ScheduleRun.id, ascending=False)
        .first()
    )
    if row is None:
        return None
    stats = json.loads(row["stats"] or "{}")
    return schemas.ScheduleRunInfo(
        run_id=row["id"],
        started_at=_dt(row["started_at"]),  # type: ignore[arg-type]
        published_at=_dt(row["published_at"]),
        requested=int(stats.get("requested", 0)),
        scheduled=int(stats.get("scheduled", 0)),
        breaks_total=int(stats.get("breaks_total", 0)),
        optimal=bool(stats.get("optimal", False)),
        seconds=float(stats.get("seconds", 0.0)),
    )


async def meeting_outcomes(*, actor: Actor | None, meeting_ids: list[int]) -> dict[int, schemas.OutcomeOut]:
    """The actor's own side's rating of each of these meetings (for showing what was already chosen)."""
    actor = require_actor(actor)
    side = Side.buyer if actor.role is Role.buyer else Side.pesantren if actor.role is Role.seller else None
    if side is None or not meeting_ids:
        return {}
    rows = await MeetingOutcome.select().where(
        MeetingOutcome.meeting.is_in(meeting_ids) & (MeetingOutcome.side == side.value)
    )
    return {
        r["meeting"]: schemas.OutcomeOut(
            meeting_id=r["meeting"],
            side=side,
            outcome=Outcome(r["outcome"]),
            outcome_label=OUTCOME_LABELS[Outcome(r["outcome"])],
            note=r["note"],
        )
        for r in rows
    }
