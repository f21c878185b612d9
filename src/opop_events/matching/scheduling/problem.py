"""Reading and validating problem.json into an index-based Problem the solver works on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opop_events.core.i18n import N_, _

MAX_SLOTS = 200
MAX_TABLES = 5_000
MAX_PARTICIPANTS = 50_000
MAX_MEETINGS = 20_000
MAX_MEETING_SLOT_PAIRS = 2_000_000
MAX_PARTICIPANTS_PER_MEETING = 10
MAX_ID_LENGTH = 100
PRIORITY_MIN, PRIORITY_MAX = 1, 5


class ProblemError(ValueError):
    """problem.json is malformed or inconsistent; the message (Bahasa Indonesia) names the field path."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.detail = message
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class Problem:
    """A validated problem. Everything is an index; the original ids are kept for output."""

    slot_ids: list[str]
    slot_sessions: list[str | None]
    table_ids: list[str]
    participant_ids: list[str]
    unavailable: list[frozenset[int]]  # per participant: slot indices
    meeting_ids: list[str]
    meeting_participants: list[tuple[int, ...]]
    meeting_session: list[str | None]
    meeting_fixed_slot: list[int | None]
    meeting_after: list[tuple[int, ...]]  # per meeting: meetings that must be held strictly earlier
    meeting_priority: list[int]
    fairness: int | None
    meetings_of: list[list[int]] = field(default_factory=list)  # per participant, derived

    @property
    def n_slots(self) -> int:
        return len(self.slot_ids)

    @property
    def n_meetings(self) -> int:
        return len(self.meeting_ids)


def _expect(cond: bool, path: str, message: str, **values: Any) -> None:
    """Raise ProblemError at `path` unless `cond`; `message` is marked with N_ and translated only on failure."""
    if not cond:
        raise ProblemError(path, _(message).format(**values))


def _ident(value: Any, path: str) -> str:
    _expect(isinstance(value, str), path, N_("harus berupa teks (string)"))
    _expect(0 < len(value) <= MAX_ID_LENGTH, path, N_("panjang id harus 1–{limit} karakter"), limit=MAX_ID_LENGTH)
    return value


def _list(value: Any, path: str, limit: int) -> list[Any]:
    _expect(isinstance(value, list), path, N_("harus berupa daftar (array)"))
    _expect(
        len(value) <= limit, path, N_("terlalu banyak isi ({count}; batas {limit})"), count=len(value), limit=limit
    )
    return value


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    _expect(isinstance(value, Mapping), path, N_("harus berupa objek"))
    return value


def _unknown_keys(obj: Mapping[str, Any], allowed: Sequence[str], path: str) -> None:
    for key in obj:
        _expect(key in allowed, f"{path}.{key}" if path else str(key), N_("kolom tidak dikenal"))


def parse_problem(data: Any) -> Problem:
    """Validate problem.json content (already decoded JSON) and return a Problem, or raise ProblemError."""
    root = _obj(data, "")
    _unknown_keys(root, ("slots", "tables", "participants", "meetings", "fairness"), "")
    for key in ("slots", "tables", "participants", "meetings"):
        _expect(key in root, key, N_("wajib ada"))

    slots = _list(root["slots"], "slots", MAX_SLOTS)
    _expect(len(slots) > 0, "slots", N_("minimal satu slot"))
    slot_ids: list[str] = []
    slot_sessions: list[str | None] = []
    slot_index: dict[str, int] = {}
    for i, raw in enumerate(slots):
        path = f"slots[{i}]"
        obj = _obj(raw, path)
        _unknown_keys(obj, ("id", "session"), path)
        sid = _ident(obj.get("id"), f"{path}.id")
        _expect(sid not in slot_index, f"{path}.id", N_("id slot '{id}' ganda"), id=sid)
        session = obj.get("session")
        if session is not None:
            session = _ident(session, f"{path}.session")
        slot_index[sid] = i
        slot_ids.append(sid)
        slot_sessions.append(session)
    sessions = {s for s in slot_sessions if s is not None}

    tables = _list(root["tables"], "tables", MAX_TABLES)
    _expect(len(tables) > 0, "tables", N_("minimal satu meja"))
    table_ids: list[str] = []
    seen_tables: set[str] = set()
    for i, raw in enumerate(tables):
        tid = _ident(raw, f"tables[{i}]")
        _expect(tid not in seen_tables, f"tables[{i}]", N_("id meja '{id}' ganda"), id=tid)
        seen_tables.add(tid)
        table_ids.append(tid)

    participants = _list(root["participants"], "participants", MAX_PARTICIPANTS)
    participant_ids: list[str] = []
    participant_index: dict[str, int] = {}
    unavailable: list[frozenset[int]] = []
    for i, raw in enumerate(participants):
        path = f"participants[{i}]"
        obj = _obj(raw, path)
        _unknown_keys(obj, ("id", "unavailable"), path)
        pid = _ident(obj.get("id"), f"{path}.id")
        _expect(pid not in participant_index, f"{path}.id", N_("id peserta '{id}' ganda"), id=pid)
        blocked: set[int] = set()
        for j, sid in enumerate(_list(obj.get("unavailable", []), f"{path}.unavailable", MAX_SLOTS)):
            sid = _ident(sid, f"{path}.unavailable[{j}]")
            _expect(sid in slot_index, f"{path}.unavailable[{j}]", N_("slot '{id}' tidak dikenal"), id=sid)
            blocked.add(slot_index[sid])
        participant_index[pid] = i
        participant_ids.append(pid)
        unavailable.append(frozenset(blocked))

    meetings = _list(root["meetings"], "meetings", MAX_MEETINGS)
    _expect(
        len(meetings) * len(slot_ids) <= MAX_MEETING_SLOT_PAIRS,
        "meetings",
        N_("masalah terlalu besar: {meetings} pertemuan × {slots} slot melebihi {limit}"),
        meetings=len(meetings),
        slots=len(slot_ids),
        limit=MAX_MEETING_SLOT_PAIRS,
    )
    meeting_index: dict[str, int] = {}
    for i, raw in enumerate(meetings):
        path = f"meetings[{i}]"
        obj = _obj(raw, path)
        mid = _ident(obj.get("id"), f"{path}.id")
        _expect(mid not in meeting_index, f"{path}.id", N_("id pertemuan '{id}' ganda"), id=mid)
        meeting_index[mid] = i

    meeting_ids: list[str] = []
    meeting_participants: list[tuple[int, ...]] = []
    meeting_session: list[str | None] = []
    meeting_fixed: list[int | None] = []
    meeting_after: list[tuple[int, ...]] = []
    meeting_priority: list[int] = []
    for i, raw in enumerate(meetings):
        path = f"meetings[{i}]"
        obj = raw
        _unknown_keys(obj, ("id", "participants", "session", "slot", "after", "priority"), path)
        meeting_ids.append(obj["id"])
        members = _list(obj.get("participants"), f"{path}.participants", MAX_PARTICIPANTS_PER_MEETING)
        _expect(len(members) > 0, f"{path}.participants", N_("minimal satu peserta"))
        idx: list[int] = []
        for j, pid in enumerate(members):
            pid = _ident(pid, f"{path}.participants[{j}]")
            where = f"{path}.participants[{j}]"
            _expect(pid in participant_index, where, N_("peserta '{id}' tidak dikenal"), id=pid)
            _expect(participant_index[pid] not in idx, where, N_("peserta '{id}' ganda"), id=pid)
            idx.append(participant_index[pid])
        meeting_participants.append(tuple(idx))

        session = obj.get("session")
        if session is not None:
            session = _ident(session, f"{path}.session")
            _expect(session in sessions, f"{path}.session", N_("sesi '{id}' tidak dikenal"), id=session)
        meeting_session.append(session)

        fixed = obj.get("slot")
        if fixed is not None:
            fixed = _ident(fixed, f"{path}.slot")
            _expect(fixed in slot_index, f"{path}.slot", N_("slot '{id}' tidak dikenal"), id=fixed)
            fixed = slot_index[fixed]
        meeting_fixed.append(fixed)

        after: list[int] = []
        for j, other in enumerate(_list(obj.get("after", []) or [], f"{path}.after", MAX_MEETINGS)):
            other = _ident(other, f"{path}.after[{j}]")
            _expect(other in meeting_index, f"{path}.after[{j}]", N_("pertemuan '{id}' tidak dikenal"), id=other)
            _expect(other != obj["id"], f"{path}.after[{j}]", N_("pertemuan tidak bisa setelah dirinya sendiri"))
            if meeting_index[other] not in after:
                after.append(meeting_index[other])
        meeting_after.append(tuple(after))

        priority = obj.get("priority", 1)
        if priority is None:
            priority = 1
        _expect(
            isinstance(priority, int) and not isinstance(priority, bool)
            and PRIORITY_MIN <= priority <= PRIORITY_MAX,
            f"{path}.priority",
            N_("harus bilangan bulat {low}–{high} (lebih besar = lebih penting)"),
            low=PRIORITY_MIN,
            high=PRIORITY_MAX,
        )
        meeting_priority.append(priority)

    _check_acyclic(meeting_after, meeting_ids)

    fairness = root.get("fairness")
    if fairness is not None:
        _expect(
            isinstance(fairness, int) and not isinstance(fairness, bool) and 0 <= fairness <= MAX_SLOTS,
            "fairness",
            N_("harus bilangan bulat 0–{limit} atau null"),
            limit=MAX_SLOTS,
        )

    meetings_of: list[list[int]] = [[] for _ in participant_ids]
    for m, members_idx in enumerate(meeting_participants):
        for p in members_idx:
            meetings_of[p].append(m)

    return Problem(
        slot_ids=slot_ids,
        slot_sessions=slot_sessions,
        table_ids=table_ids,
        participant_ids=participant_ids,
        unavailable=unavailable,
        meeting_ids=meeting_ids,
        meeting_participants=meeting_participants,
        meeting_session=meeting_session,
        meeting_fixed_slot=meeting_fixed,
        meeting_after=meeting_after,
        meeting_priority=meeting_priority,
        fairness=fairness,
        meetings_of=meetings_of,
    )


def _check_acyclic(after: list[tuple[int, ...]], ids: list[str]) -> None:
    state = [0] * len(after)  # 0 new, 1 on stack, 2 done
    for root in range(len(after)):
        if state[root]:
            continue
        stack: list[tuple[int, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, k = stack[-1]
            if k < len(after[node]):
                stack[-1] = (node, k + 1)
                nxt = after[node][k]
                if state[nxt] == 1:
                    raise ProblemError(
                        "meetings",
                        _("aturan 'after' membentuk siklus yang melibatkan pertemuan '{id}'").format(id=ids[nxt]),
                    )
                if state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                stack.pop()
