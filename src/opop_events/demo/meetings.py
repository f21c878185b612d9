"""The demo's matchmaking: the 2020 event's meetings as they happened, and an upcoming event ready to schedule."""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

from opop_events.catalog.tables import Wilayah
from opop_events.core.dates import WIB
from opop_events.db import raw
from opop_events.demo.common import insert_chunked, insert_layout
from opop_events.events.tables import (
    Event,
    EventOrganizer,
    MeetingTable,
    Registration,
)
from opop_events.matching.tables import Meeting, MeetingOutcome, MeetingRequest


async def load_meetings(
    *,
    rng: random.Random,
    spec: dict[str, Any],
    event_id: int,
    pairs: list[tuple[int, int]],
    pesantren_ids: list[int],
    buyer_ids: list[int],
) -> dict[tuple[int, int], int]:
    """The 2020 event's matchmaking as it happened: accepted requests (most deals came from a meeting, plus
    meetings that led nowhere), placed without clashes in the event's slots and tables, mostly held.
    Returns the held meeting of each (pesantren, buyer) pair."""

    wanted: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    for pair in pairs:
        if pair not in seen and rng.random() < 0.7:
            seen.add(pair)
            wanted.append(pair)
    while len(wanted) < spec["demo_meetings"]:
        pair = (rng.choice(pesantren_ids), rng.choice(buyer_ids))
        if pair not in seen:
            seen.add(pair)
            wanted.append(pair)
    slots = await raw(
        "SELECT s.id, s.starts_at FROM time_slot s JOIN event_session es ON es.id = s.session "
        "WHERE es.event = {} ORDER BY s.starts_at",
        event_id,
    )
    tables = [t["id"] for t in await MeetingTable.select(MeetingTable.id).where(MeetingTable.event == event_id).order_by(MeetingTable.code)]
    busy: set[tuple[int, str, int]] = set()
    used_tables: dict[int, int] = {}
    priorities = ["wajib", "penting", "penting", "opsional"]
    request_rows = [
        MeetingRequest(event=event_id, requested_by="buyer", buyer=b, pesantren=p, priority=rng.choice(priorities),
                       status="diterima", message="Kami tertarik dengan produk Anda.",
                       created_at=datetime(2020, 12, 1, 10, tzinfo=WIB), responded_at=datetime(2020, 12, 2, 10, tzinfo=WIB))
        for p, b in wanted
    ]
    request_ids = await insert_chunked(MeetingRequest, request_rows)
    meeting_rows: list[Meeting] = []
    placed: list[tuple[int, int]] = []
    for (p, b), request_id in zip(wanted, request_ids, strict=True):
        for slot in slots:
            if (slot["id"], "p", p) in busy or (slot["id"], "b", b) in busy:
                continue
            table_index = used_tables.get(slot["id"], 0)
            if table_index >= len(tables):
                continue
            used_tables[slot["id"]] = table_index + 1
            busy.add((slot["id"], "p", p))
            busy.add((slot["id"], "b", b))
            held = rng.random() < 0.88
            meeting_rows.append(
                Meeting(event=event_id, request=request_id, buyer=b, pesantren=p, slot=slot["id"],
                        table=tables[table_index], status="hadir" if held else "tidak_hadir", source="jadwal",
                        held_at=slot["starts_at"] if held else None)
            )
            placed.append((p, b))
            break
    meeting_ids = await insert_chunked(Meeting, meeting_rows)
    held_of = {
        pair: mid for pair, mid, row in zip(placed, meeting_ids, meeting_rows, strict=True) if row.status == "hadir"
    }
    deal_pairs = set(pairs)
    outcomes = []
    for pair, meeting_id in held_of.items():
        outcome = "sepakat" if pair in deal_pairs else rng.choice(["tidak_berlanjut", "perlu_tindak_lanjut", "potensi_kerja_sama"])
        outcomes.append(MeetingOutcome(meeting=meeting_id, side="pesantren", outcome=outcome))
    await insert_chunked(MeetingOutcome, outcomes)
    return held_of


async def load_upcoming_event(*, rng: random.Random, fixtures_dir: Path, organizer_id: int,
                               pesantren_ids: list[int], buyer_ids: list[int]) -> None:
    """A second, upcoming event with registrations and accepted meeting requests, ready for the organizer to
    run the scheduler, publish and print agendas."""

    spec = json.loads((fixtures_dir / "demo" / "upcoming.json").read_text(encoding="utf-8"))
    region = await Wilayah.select(Wilayah.id).where(Wilayah.code == spec["wilayah_code"]).first()
    event_rows = await Event.insert(
        Event(slug=spec["slug"], name=spec["name"], venue=spec["venue"], wilayah=region["id"],
              starts_on=date.fromisoformat(spec["starts_on"]), ends_on=date.fromisoformat(spec["ends_on"]),
              status="open", description=spec["description"], meeting_quota=spec["meeting_quota"])
    ).returning(Event.id)
    event_id = event_rows[0]["id"]
    await EventOrganizer.insert(EventOrganizer(event=event_id, user=organizer_id))
    await insert_layout(event_id, spec)
    # The demo seller's and buyer's organisations take part, so their accounts see this event too.
    sellers = [pesantren_ids[0], *rng.sample(pesantren_ids[1:], spec["pesantren"] - 1)]
    buyers = [buyer_ids[0], *rng.sample(buyer_ids[1:], spec["buyers"] - 1)]
    await insert_chunked(
        Registration,
        [Registration(event=event_id, party_kind="pesantren", pesantren=p) for p in sellers]
        + [Registration(event=event_id, party_kind="buyer", buyer=b) for b in buyers],
    )
    load: dict[int, int] = {}
    seen: set[tuple[int, int]] = set()
    requests = []
    for buyer in buyers:
        for pesantren in rng.sample(sellers, spec["requests_per_buyer"]):
            if load.get(pesantren, 0) >= spec["meeting_quota"] or (pesantren, buyer) in seen:
                continue
            seen.add((pesantren, buyer))
            load[pesantren] = load.get(pesantren, 0) + 1
            status = "diterima" if rng.random() < 0.85 else "menunggu"
            requests.append(
                MeetingRequest(event=event_id, requested_by="buyer", buyer=buyer, pesantren=pesantren,
                               priority=rng.choice(["wajib", "penting", "penting", "opsional"]), status=status,
                               message="Mohon waktu untuk membahas pasokan.")
            )
    await insert_chunked(MeetingRequest, requests)
