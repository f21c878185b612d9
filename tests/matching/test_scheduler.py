"""Tests for the pure meeting scheduler: hard rules (independent validator), objective, input errors."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opop_events.matching.scheduler import ProblemError, main, run_files, solve

# ---------------------------------------------------------------- independent validator


def validate(problem: dict[str, Any], schedule: dict[str, Any]) -> dict[str, int]:
    """Check every hard rule from problem.json alone; return breaks per participant with a meeting."""
    order = {s["id"]: i for i, s in enumerate(problem["slots"])}
    session_of = {s["id"]: s.get("session") for s in problem["slots"]}
    away = {p["id"]: set(p.get("unavailable", [])) for p in problem["participants"]}
    requested = {m["id"]: m for m in problem["meetings"]}
    placed: dict[str, str] = {}
    people: set[tuple[str, str]] = set()
    seats: set[tuple[str, str]] = set()
    for row in schedule["meetings"]:
        meeting = requested[row["id"]]
        assert row["id"] not in placed
        assert row["table"] in problem["tables"]
        assert (row["slot"], row["table"]) not in seats
        seats.add((row["slot"], row["table"]))
        for p in meeting["participants"]:
            assert (row["slot"], p) not in people
            people.add((row["slot"], p))
            assert row["slot"] not in away[p]
        if meeting.get("session"):
            assert session_of[row["slot"]] == meeting["session"]
        if meeting.get("slot"):
            assert row["slot"] == meeting["slot"]
        placed[row["id"]] = row["slot"]
    for mid, slot in placed.items():
        for before in requested[mid].get("after") or []:
            if before in placed:
                assert order[placed[before]] < order[slot]
    assert {u["id"] for u in schedule["unscheduled"]} == set(requested) - set(placed)
    assert all(u["reason"] for u in schedule["unscheduled"])
    busy: dict[str, list[int]] = {}
    for mid, slot in placed.items():
        for p in requested[mid]["participants"]:
            busy.setdefault(p, []).append(order[slot])
    breaks = {}
    for p, slots in busy.items():
        slots.sort()
        breaks[p] = sum(1 for a, b in itertools.pairwise(slots) if b != a + 1)
    stats = schedule["stats"]
    assert stats["scheduled"] == len(placed)
    assert stats["requested"] == len(requested)
    assert stats["breaks_total"] == sum(breaks.values())
    assert stats["breaks_max"] == max(breaks.values(), default=0)
    assert stats["breaks_min"] == min(breaks.values(), default=0)
    assert 0 <= stats["lower_bound"] <= stats["breaks_total"]
    return breaks


def make_problem(n_slots: int, meetings: list[tuple[str, ...]], *, tables: int = 5,
                 unavailable: dict[str, list[str]] | None = None, fairness: int | None = None,
                 sessions: list[str] | None = None, **extra: dict[str, Any]) -> dict[str, Any]:
    unavailable = unavailable or {}
    names = sorted({p for m in meetings for p in m} | set(unavailable))
    return {
        "slots": [
            {"id": str(t), "session": sessions[t - 1] if sessions else "pagi"} for t in range(1, n_slots + 1)
        ],
        "tables": [f"M{i:02d}" for i in range(1, tables + 1)],
        "participants": [{"id": p, "unavailable": unavailable.get(p, [])} for p in names],
        "meetings": [
            {"id": f"m{i}", "participants": list(pair), "session": None, "slot": None, "after": [],
             "priority": 1, **extra.get(f"m{i}", {})}
            for i, pair in enumerate(meetings, start=1)
        ],
        "fairness": fairness,
    }


# ---------------------------------------------------------------- behaviour


def test_solve_complete_star_is_one_block_without_breaks() -> None:
    problem = make_problem(6, [("hub", f"v{i}") for i in range(5)], tables=1)

    schedule = solve(problem, time_limit=5)

    breaks = validate(problem, schedule)
    assert schedule["stats"]["scheduled"] == 5
    assert sum(breaks.values()) == 0
    assert schedule["stats"]["optimal"] is True
    assert schedule["stats"]["lower_bound"] == 0


def test_solve_forced_break_is_proven_optimal() -> None:
    # b can only come in slot 1 and the meeting with c is fixed to slot 3, so a waits in slot 2: one break,
    # and the solver must prove that nothing better exists.
    problem = make_problem(
        4, [("a", "b"), ("a", "c")], unavailable={"b": ["2", "3", "4"]},
        m2={"slot": "3"},
    )
    problem["participants"].append({"id": "d", "unavailable": []})

    schedule = solve(problem, time_limit=5)

    breaks = validate(problem, schedule)
    assert breaks == {"a": 1, "b": 0, "c": 0}
    assert schedule["stats"] | {"seconds": 0} == {
        "requested": 2, "scheduled": 2, "breaks_total": 1, "breaks_max": 1, "breaks_min": 0, "lower_bound": 1,
        "optimal": True, "meetings_optimal": True, "fairness_met": None, "tables_per_participant_max": 1,
        "seconds": 0,
    }


def test_solve_respects_session_fixed_after_and_unavailable() -> None:
    sessions = ["pagi", "pagi", "pagi", "siang", "siang", "siang"]
    problem = make_problem(
        6, [("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("a", "d")], tables=2, sessions=sessions,
        unavailable={"d": ["1", "2"]},
        m1={"session": "siang"}, m2={"slot": "2"}, m3={"after": ["m1"]}, m5={"after": ["m4"], "priority": 3},
    )

    schedule = solve(problem, time_limit=5)

    validate(problem, schedule)
    assert schedule["stats"]["scheduled"] == 5


def test_solve_reports_unschedulable_meetings_with_reasons() -> None:
    problem = make_problem(
        3, [("a", "b"), ("a", "c"), ("a", "d"), ("a", "e"), ("f", "g"), ("h", "i")], tables=3,
        unavailable={"f": ["1", "2", "3"], "h": ["1"], "i": ["2", "3"]},
    )

    schedule = solve(problem, time_limit=5)

    validate(problem, schedule)
    reasons = {u["id"]: u["reason"] for u in schedule["unscheduled"]}
    assert len(reasons) == 3  # a has 4 requests but only 3 slots; f is never there; h and i never overlap
    assert reasons["m5"] == "peserta f tidak tersedia di semua slot jadwal"
    assert reasons["m6"] == "tidak ada slot jadwal saat semua peserta tersedia bersama"
    assert [r for k, r in reasons.items() if k not in ("m5", "m6")] == [
        "peserta a punya 4 permintaan pertemuan tetapi hanya bisa bertemu di 3 slot"
    ]
    assert schedule["stats"]["scheduled"] == 3
    assert schedule["stats"]["meetings_optimal"] is True


def test_solve_prefers_higher_priority_when_not_everything_fits() -> None:
    problem = make_problem(2, [("a", "b"), ("a", "c"), ("a", "d")], tables=2,
                           m3={"priority": 3}, m2={"priority": 2})

    schedule = solve(problem, time_limit=5)

    validate(problem, schedule)
    assert {row["id"] for row in schedule["meetings"]} == {"m2", "m3"}


def test_solve_table_capacity_limits_meetings_per_slot() -> None:
    problem = make_problem(3, [(f"a{i}", f"b{i}") for i in range(6)], tables=2)

    schedule = solve(problem, time_limit=5)

    validate(problem, schedule)
    assert schedule["stats"]["scheduled"] == 6
    per_slot: dict[str, int] = {}
    for row in schedule["meetings"]:
        per_slot[row["slot"]] = per_slot.get(row["slot"], 0) + 1
    assert per_slot == {"1": 2, "2": 2, "3": 2}


def test_solve_fairness_spreads_breaks() -> None:
    # two hubs, each must break once in any schedule without fairness issues; fairness 0 keeps everyone equal
    # only if possible — here breaks differ necessarily (leaves have 0), so fairness 0 is unmet and reported.
    problem = make_problem(5, [("h", "x"), ("h", "y")], unavailable={"h": ["2"], "x": ["3", "4", "5"],
                                                                   "y": ["1", "2", "3"]}, fairness=0)

    schedule = solve(problem, time_limit=5)

    breaks = validate(problem, schedule)
    assert breaks["h"] == 1
    assert schedule["stats"]["fairness_met"] is False
    assert schedule["stats"]["optimal"] is False


def test_solve_fairness_two_is_met_on_small_event() -> None:
    pairs = [(f"p{i}", f"p{j}") for i in range(6) for j in range(i + 1, 6) if (i + j) % 2]
    problem = make_problem(9, pairs, tables=3, fairness=1, unavailable={"p0": ["4"]})

    schedule = solve(problem, time_limit=5)

    breaks = validate(problem, schedule)
    assert schedule["stats"]["scheduled"] == len(pairs)
    assert max(breaks.values()) - min(breaks.values()) <= 1
    assert schedule["stats"]["fairness_met"] is True


def test_solve_keeps_a_participant_at_one_table_when_possible() -> None:
    problem = make_problem(4, [("seller", f"buyer{i}") for i in range(4)], tables=3)

    schedule = solve(problem, time_limit=5)

    validate(problem, schedule)
    assert {row["table"] for row in schedule["meetings"]} == {"M01"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_slots=st.integers(2, 6),
    tables=st.integers(1, 3),
    edges=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)).filter(lambda e: e[0] != e[1]),
                   max_size=12, unique=True),
    away=st.dictionaries(st.integers(0, 5), st.sets(st.integers(1, 6), max_size=3), max_size=3),
    fairness=st.none() | st.integers(0, 2),
)
def test_solve_random_problems_always_valid(n_slots: int, tables: int, edges: list[tuple[int, int]],
                                            away: dict[int, set[int]], fairness: int | None) -> None:
    problem = make_problem(
        n_slots, [(f"p{a}", f"p{b}") for a, b in edges], tables=tables, fairness=fairness,
        unavailable={f"p{p}": [str(t) for t in sorted(ts) if t <= n_slots] for p, ts in away.items()},
    )

    schedule = solve(problem, time_limit=0.5)

    validate(problem, schedule)


# ---------------------------------------------------------------- files, CLI and bad input


def test_run_files_writes_schedule_and_returns_stats(tmp_path: Path) -> None:
    problem = make_problem(3, [("a", "b"), ("b", "c")])
    src, dst = tmp_path / "problem.json", tmp_path / "schedule.json"
    src.write_text(json.dumps(problem), encoding="utf-8")

    stats = run_files(src, dst, time_limit=5)

    schedule = json.loads(dst.read_text(encoding="utf-8"))
    validate(problem, schedule)
    assert stats == schedule["stats"]
    assert stats["scheduled"] == 2 and stats["breaks_total"] == 0


def test_main_reports_bad_input_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "problem.json"
    src.write_text("{not json", encoding="utf-8")

    code = main(["--input", str(src), "--output", str(tmp_path / "out.json"), "--time-limit", "1"])

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("Galat: input: JSON tidak valid di baris 1")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p["meetings"][0].update(participants=["a", "zz"]),
         "meetings[0].participants[1]: peserta 'zz' tidak dikenal"),
        (lambda p: p["meetings"].append(dict(p["meetings"][0])), "meetings[2].id: id pertemuan 'm1' ganda"),
        (lambda p: p["participants"].append({"id": "a"}), "participants[3].id: id peserta 'a' ganda"),
        (lambda p: p["slots"].append({"id": "1"}), "slots[3].id: id slot '1' ganda"),
        (lambda p: p["meetings"][1].update(after=["m9"]),
         "meetings[1].after[0]: pertemuan 'm9' tidak dikenal"),
        (lambda p: p["meetings"][0].update(slot="7"), "meetings[0].slot: slot '7' tidak dikenal"),
        (lambda p: p["meetings"][0].update(session="malam"),
         "meetings[0].session: sesi 'malam' tidak dikenal"),
        (lambda p: p["meetings"][0].update(priority=9),
         "meetings[0].priority: harus bilangan bulat 1–5 (lebih besar = lebih penting)"),
        (lambda p: p.update(fairness="dua"), "fairness: harus bilangan bulat 0–200 atau null"),
        (lambda p: p.update(tables="M01"), "tables: harus berupa daftar (array)"),
        (lambda p: p.pop("slots"), "slots: wajib ada"),
        (lambda p: p["participants"][0].update(unavailable=["99"]),
         "participants[0].unavailable[0]: slot '99' tidak dikenal"),
        (lambda p: (p["meetings"][0].update(after=["m2"]), p["meetings"][1].update(after=["m1"])),
         "meetings: aturan 'after' membentuk siklus yang melibatkan pertemuan 'm1'"),
        (lambda p: p.update(extra=1), "extra: kolom tidak dikenal"),
    ],
)
def test_solve_rejects_invalid_problem(mutate: Any, message: str) -> None:
    problem = make_problem(3, [("a", "b"), ("b", "c")])
    mutate(problem)

    with pytest.raises(ProblemError) as info:
        solve(problem, time_limit=1)

    assert str(info.value) == message
