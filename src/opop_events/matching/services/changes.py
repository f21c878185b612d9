"""Changes to the schedule: moving, publishing, walk-ins, attendance and outcomes (logged after publishing)."""

from __future__ import annotations

from opop_events.accounts.enums import Role
from opop_events.accounts.services import Actor, require_actor
from opop_events.catalog.tables import Buyer, Pesantren
from opop_events.core.dates import now_utc
from opop_events.core.errors import Conflict, Forbidden, InvalidInput
from opop_events.core.i18n import _
from opop_events.db import is_unique_violation, present, raw, write_transaction
from opop_events.events.enums import EventStatus
from opop_events.events.services import get_event, is_organizer, require_organizer
from opop_events.events.tables import Event, MeetingTable
from opop_events.matching import schemas
from opop_events.matching.enums import (
    OUTCOME_LABELS,
    MeetingStatus,
    Outcome,
    Side,
)
from opop_events.matching.services.common import _ACTIVE_SQL, _dt
from opop_events.matching.services.meetings import _event_slots, get_meeting, list_meetings
from opop_events.matching.services.requests import _registered
from opop_events.matching.tables import (
    Meeting,
    MeetingChange,
    MeetingOutcome,
    ScheduleRun,
)


async def _check_placement(meeting: schemas.Meeting, event_id: int, slot_id: int, table_id: int) -> None:
    slot_ok = await raw(
        "SELECT s.id FROM time_slot s JOIN event_session es ON es.id = s.session WHERE s.id = {} AND es.event = {}",
        slot_id, event_id,
    )
    if not slot_ok:
        raise InvalidInput.field("slot_id", _("slot bukan milik acara ini"))
    if not await MeetingTable.exists().where((MeetingTable.id == table_id) & (MeetingTable.event == event_id)):
        raise InvalidInput.field("table_id", _("meja bukan milik acara ini"))
    blocked = await raw(
        "SELECT buyer, pesantren FROM unavailability WHERE event = {} AND slot = {} AND (buyer = {} OR pesantren = {})",
        event_id, slot_id, meeting.buyer_id, meeting.pesantren_id,
    )
    if blocked:
        who = meeting.buyer_name if blocked[0]["buyer"] else meeting.pesantren_name
        raise Conflict(_("{name} tidak tersedia pada slot itu.").format(name=who))
    clash = await raw(
        f'SELECT m.id, m.buyer, m.pesantren, m."table", b.name AS buyer_name, p.name AS pesantren_name FROM meeting m '
        "JOIN buyer b ON b.id = m.buyer JOIN pesantren p ON p.id = m.pesantren "
        f"WHERE m.slot = {{}} AND m.id <> {{}} AND m.status IN {_ACTIVE_SQL} "
        'AND (m.buyer = {} OR m.pesantren = {} OR m."table" = {})',
        slot_id, meeting.id, meeting.buyer_id, meeting.pesantren_id, table_id,
    )
    for other in clash:
        if other["buyer"] == meeting.buyer_id:
            raise Conflict(_("{name} sudah punya pertemuan lain (dengan {other}) di slot itu.").format(
                name=meeting.buyer_name, other=other["pesantren_name"]
            ))
        if other["pesantren"] == meeting.pesantren_id:
            raise Conflict(_("{name} sudah punya pertemuan lain (dengan {other}) di slot itu.").format(
                name=meeting.pesantren_name, other=other["buyer_name"]
            ))
        raise Conflict(_("Meja itu sudah dipakai pertemuan lain di slot tersebut."))


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
        raise Conflict(_("Pertemuan berstatus {status} tidak bisa dipindah.").format(status=meeting.status_label.lower()))
    async with write_transaction():
        table_id = data.table_id or await _free_table(event.id, data.slot_id)
        if table_id is None:
            raise Conflict(_("Tidak ada meja kosong pada slot itu."))
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
                raise Conflict(_("Slot atau meja itu baru saja terisi; muat ulang lalu coba lagi.")) from exc
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
            raise Conflict(_("Tidak ada usulan jadwal untuk diterbitkan; jalankan penjadwal dulu."))
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
        raise InvalidInput.field("buyer_id", _("pembeli ini tidak terdaftar di acara"))
    if not await _registered(event.id, pesantren_id=data.pesantren_id):
        raise InvalidInput.field("pesantren_id", _("pesantren ini tidak terdaftar di acara"))
    buyer = present(await Buyer.select(Buyer.name).where(Buyer.id == data.buyer_id).first())
    pesantren = present(await Pesantren.select(Pesantren.name).where(Pesantren.id == data.pesantren_id).first())
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
                last_problem = Conflict(_("Tidak ada meja kosong pada slot itu."))
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
            raise last_problem or Conflict(_("Tidak ada slot tersisa hari ini untuk pasangan ini."))
    return await get_meeting(meeting_id=rows[0]["id"])


async def mark_attendance(*, actor: Actor | None, meeting_id: int, data: schemas.Attendance) -> schemas.Meeting:
    actor = require_actor(actor)
    meeting = await get_meeting(meeting_id=meeting_id)
    event = await get_event(slug=meeting.event_slug)
    await require_organizer(actor, event)
    if meeting.slot_id is None or meeting.status in (MeetingStatus.usulan, MeetingStatus.dibatalkan, MeetingStatus.belum_terjadwal):
        raise Conflict(_("Hanya pertemuan yang terjadwal yang bisa dicatat kehadirannya."))
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
        raise Forbidden(_("Hanya peserta pertemuan ini yang menilai hasilnya."))
    if meeting.status is not MeetingStatus.hadir:
        raise Conflict(_("Hasil pertemuan dinilai setelah pertemuan tercatat terlaksana."))
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
                              outcome_label=_(OUTCOME_LABELS[data.outcome]), note=data.note.strip(), log_deal=log_deal)


