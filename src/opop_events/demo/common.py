"""What the demo loaders share: chunked multi-row inserts, phone numbers, an event's layout, times of day."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from piccolo.table import Table

from opop_events.core.dates import WIB
from opop_events.events.tables import (
    EventSession,
    MeetingTable,
    TimeSlot,
)

CHUNK = 500


async def insert_chunked(table: type[Table], rows: Sequence[Table], *, chunk: int = CHUNK) -> list[int]:
    """Insert rows a chunk at a time (one multi-row statement each); returns the new ids in order."""
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        result = await table.insert(*rows[start : start + chunk]).returning(table.id)
        ids.extend(r["id"] for r in result)
    return ids


def phone_number(rng: random.Random) -> str:
    return f"628{rng.choice('1257')}{rng.randint(1, 9)}{rng.randint(10_000_000, 99_999_999)}"


def spread(rng: random.Random, items: Sequence[Any], count: int) -> Iterable[Any]:
    for i in range(count):
        yield items[i % len(items)] if i < len(items) else rng.choice(items)


async def insert_layout(event_id: int, spec: dict[str, Any]) -> None:
    """An event's sessions with their consecutive slots (WIB) and its numbered tables, from a fixture spec."""
    for position, session in enumerate(spec["sessions"]):
        day = date.fromisoformat(session["day"])
        rows = await EventSession.insert(
            EventSession(event=event_id, name=session["name"], day=day, position=position)
        ).returning(EventSession.id)
        hour, minute = (int(x) for x in session["start"].split(":"))
        start = datetime.combine(day, time(hour, minute), tzinfo=WIB)
        length = timedelta(minutes=session["minutes"])
        await TimeSlot.insert(
            *[
                TimeSlot(session=rows[0]["id"], starts_at=start + n * length, ends_at=start + (n + 1) * length)
                for n in range(session["count"])
            ]
        )
    await insert_chunked(
        MeetingTable,
        [MeetingTable(event=event_id, code=f"M{n:02d}", label=f"Meja M{n:02d}") for n in range(1, spec["tables"] + 1)],
    )


def at_minutes(day: date, minutes_after_nine: int) -> datetime:
    """A moment of `day`, so many minutes after 09.00 WIB."""
    return datetime.combine(day, time(9, 0), tzinfo=WIB) + timedelta(minutes=minutes_after_nine)
