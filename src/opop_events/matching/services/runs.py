"""Running the scheduler on an event: the problem from the database, the result back as proposed meetings."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from opop_events.accounts.services import Actor, require_actor
from opop_events.core.errors import Conflict
from opop_events.core.i18n import _
from opop_events.db import raw, write_transaction
from opop_events.events.services import get_event, require_organizer
from opop_events.events.tables import MeetingTable
from opop_events.matching import schemas
from opop_events.matching.enums import (
    PRIORITY_WEIGHT,
    MeetingStatus,
    Priority,
    RequestStatus,
)
from opop_events.matching.services.meetings import _event_slots, list_meetings
from opop_events.matching.tables import (
    Meeting,
    MeetingRequest,
    ScheduleRun,
    Unavailability,
)

# -- the scheduler ------------------------------------------------------------------------------------------


async def build_problem(*, event_id: int, fairness: int | None) -> tuple[dict[str, Any], dict[str, int]]:
    """The problem.json of an event: its slots, tables, participants with unavailable slots, and one meeting
    per accepted request (pinned meetings keep their slot). Returns the problem and meeting-key → request id."""
    slots = await _event_slots(event_id)
    tables = await MeetingTable.select(MeetingTable.code).where(MeetingTable.event == event_id).order_by(MeetingTable.code)
    requests = await raw(
        "SELECT q.id, q.buyer, q.pesantren, q.priority, m.slot AS pinned_slot FROM meeting_request q "
        "LEFT JOIN meeting m ON m.request = q.id AND m.pinned = {} AND m.status IN ({}, {}) "
        "WHERE q.event = {} AND q.status = {} ORDER BY q.id",
        True,
        MeetingStatus.usulan.value,
        MeetingStatus.terjadwal.value,
        event_id,
        RequestStatus.diterima.value,
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
    # loaded when a run starts, not at app start: the scheduler brings in OR-Tools (CP-SAT), a heavy library
    from opop_events.matching.scheduler import solve

    actor = require_actor(actor)
    event = await get_event(slug=slug)
    await require_organizer(actor, event)
    if await Meeting.exists().where((Meeting.event == event.id) & (Meeting.status == MeetingStatus.terjadwal.value)):
        raise Conflict(_("Jadwal acara ini sudah terbit; ubah dengan memindah atau menambah pertemuan."))
    problem, request_of = await build_problem(event_id=event.id, fairness=data.fairness)
    if not problem["meetings"]:
        raise Conflict(_("Belum ada permintaan pertemuan yang diterima."))
    if not problem["slots"] or not problem["tables"]:
        raise Conflict(_("Acara belum punya slot waktu atau meja."))
    result = await asyncio.to_thread(solve, problem, time_limit=data.time_limit, workers=2)
    tables = {r["code"]: r["id"] for r in await MeetingTable.select().where(MeetingTable.event == event.id)}
    requests = {r["id"]: r for r in await MeetingRequest.select().where(MeetingRequest.event == event.id)}
    async with write_transaction():
        pinned = {
            r["request"]: r
            for r in await Meeting.select().where((Meeting.event == event.id) & (Meeting.pinned == True))
        }
        await Meeting.delete().where(
            (Meeting.event == event.id)
            & Meeting.status.is_in([MeetingStatus.usulan.value, MeetingStatus.belum_terjadwal.value])
            & (Meeting.pinned == False)
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


