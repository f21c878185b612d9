"""Shared pieces of the matching rules: which meeting states are active, which are published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from opop_events.matching.enums import (
    MeetingStatus,
)

ACTIVE = (MeetingStatus.usulan, MeetingStatus.terjadwal, MeetingStatus.hadir, MeetingStatus.tidak_hadir)
_ACTIVE_SQL = "(" + ", ".join(f"'{s.value}'" for s in ACTIVE) + ")"
PUBLISHED = (MeetingStatus.terjadwal, MeetingStatus.hadir, MeetingStatus.tidak_hadir)
"""A published meeting: on the participants' agendas."""
_PUBLISHED_SQL = "(" + ", ".join(f"'{s.value}'" for s in PUBLISHED) + ")"


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


