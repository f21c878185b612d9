"""Independent checker for schedule.json against problem.json (does not import the scheduler)."""

from __future__ import annotations

import itertools
from typing import Any


def check_schedule(problem: dict[str, Any], schedule: dict[str, Any]) -> dict[str, int]:
    """Raise AssertionError on any hard-rule violation; return recomputed break counts."""
    slot_pos = {s["id"]: i for i, s in enumerate(problem["slots"])}
    slot_session = {s["id"]: s.get("session") for s in problem["slots"]}
    tables = set(problem["tables"])
    unavailable = {p["id"]: set(p.get("unavailable", [])) for p in problem["participants"]}
    meetings = {m["id"]: m for m in problem["meetings"]}
    placed: dict[str, str] = {}
    seen_people: set[tuple[str, str]] = set()
    seen_tables: set[tuple[str, str]] = set()
    for row in schedule["meetings"]:
        mid, slot, table = row["id"], row["slot"], row["table"]
        assert mid in meetings, f"unknown meeting {mid}"
        assert mid not in placed, f"meeting {mid} twice"
        assert slot in slot_pos, f"unknown slot {slot}"
        assert table in tables, f"unknown table {table}"
        assert (slot, table) not in seen_tables, f"table {table} twice in slot {slot}"
        seen_tables.add((slot, table))
        m = meetings[mid]
        for p in m["participants"]:
            assert (slot, p) not in seen_people, f"participant {p} twice in slot {slot}"
            seen_people.add((slot, p))
            assert slot not in unavailable[p], f"participant {p} unavailable in {slot}"
        if m.get("session") is not None:
            assert slot_session[slot] == m["session"], f"{mid} outside its session"
        if m.get("slot") is not None:
            assert slot == m["slot"], f"{mid} not in its fixed slot"
        placed[mid] = slot
    for mid, slot in placed.items():
        for before in meetings[mid].get("after") or []:
            if before in placed:
                assert slot_pos[placed[before]] < slot_pos[slot], f"{mid} not after {before}"
    unscheduled = {u["id"] for u in schedule["unscheduled"]}
    assert unscheduled == set(meetings) - set(placed), "unscheduled list does not match"
    assert all(isinstance(u["reason"], str) and u["reason"] for u in schedule["unscheduled"])
    per: dict[str, list[int]] = {}
    for mid, slot in placed.items():
        for p in meetings[mid]["participants"]:
            per.setdefault(p, []).append(slot_pos[slot])
    breaks = {}
    for p, v in per.items():
        ordered = sorted(v)
        breaks[p] = sum(1 for a, b in itertools.pairwise(ordered) if b != a + 1)
    stats = schedule["stats"]
    assert stats["scheduled"] == len(placed)
    assert stats["breaks_total"] == sum(breaks.values())
    assert stats["lower_bound"] <= stats["breaks_total"]
    return breaks
