"""The SAT decisions on breaks: schedules checked by an independent break count, refutations on tiny cases."""

from __future__ import annotations

from typing import Any

from opop_events.matching.scheduling.problem import Problem, parse_problem
from opop_events.matching.scheduling.sat import BreaksSat, SatRace, zero_break_schedule
from opop_events.matching.scheduling.solver import meeting_domains


def _problem(n_slots: int, pairs: list[tuple[str, str]], *, tables: int, fairness: int | None,
             unavailable: dict[str, list[int]] | None = None) -> Problem:
    names = sorted({p for pair in pairs for p in pair})
    unavailable = unavailable or {}
    data: dict[str, Any] = {
        "slots": [{"id": f"s{t}"} for t in range(n_slots)],
        "tables": [f"M{i}" for i in range(tables)],
        "participants": [{"id": p, "unavailable": [f"s{t}" for t in unavailable.get(p, [])]} for p in names],
        "meetings": [{"id": f"m{i}", "participants": list(pair)} for i, pair in enumerate(pairs)],
        "fairness": fairness,
    }
    return parse_problem(data)


def _check(problem: Problem, slot_of: list[int | None]) -> int:
    """Validate a complete schedule and return its total breaks, counted without the solver's code."""
    n_tables = len(problem.table_ids)
    per_slot: dict[int, int] = {}
    busy: dict[int, list[int]] = {}
    for m, t in enumerate(slot_of):
        assert t is not None
        per_slot[t] = per_slot.get(t, 0) + 1
        for p in problem.meeting_participants[m]:
            assert t not in problem.unavailable[p]
            assert t not in busy.setdefault(p, [])
            busy[p].append(t)
    assert max(per_slot.values()) <= n_tables
    total = 0
    for slots in busy.values():
        slots.sort()
        total += sum(1 for i in range(1, len(slots)) if slots[i] != slots[i - 1] + 1)
    return total


def _two_stars() -> Problem:
    # hub a meets 4, hub b meets 4 and a: with 2 tables both hubs can hold one block each
    pairs = [("a", f"x{i}") for i in range(4)] + [("b", f"y{i}") for i in range(4)] + [("a", "b")]
    return _problem(6, pairs, tables=2, fairness=2)


def test_breaks_sat_finds_a_zero_break_schedule() -> None:
    problem = _two_stars()
    domains = meeting_domains(problem)
    model = BreaksSat(problem, domains, list(range(problem.n_meetings)), fairness=2, upper=5)

    found = model.decide(0)
    model.close()

    assert found is not None
    assert _check(problem, found) == 0


def test_zero_break_schedule_finds_one_or_refutes() -> None:
    problem = _two_stars()
    found = zero_break_schedule(problem, meeting_domains(problem), list(range(problem.n_meetings)))
    forced = _problem(3, [("a", "b"), ("a", "c")], tables=2, fairness=None,
                      unavailable={"b": [1, 2], "c": [0, 1]})

    refuted = zero_break_schedule(forced, meeting_domains(forced), [0, 1])

    assert found is not None
    assert _check(problem, found) == 0
    assert refuted is None


def test_breaks_sat_refutes_zero_when_a_break_is_forced() -> None:
    # a meets b and c; b can only meet in slot 0, c only in slot 2: a has a break in every schedule
    problem = _problem(3, [("a", "b"), ("a", "c")], tables=2, fairness=None,
                       unavailable={"b": [1, 2], "c": [0, 1]})
    domains = meeting_domains(problem)
    model = BreaksSat(problem, domains, [0, 1], fairness=None, upper=3)

    refuted = model.decide(0)
    found = model.decide(1)
    model.close()

    assert refuted is None
    assert found is not None
    assert _check(problem, found) == 1


def test_sat_race_reports_the_optimum_and_its_bound() -> None:
    problem = _problem(3, [("a", "b"), ("a", "c")], tables=2, fairness=None,
                       unavailable={"b": [1, 2], "c": [0, 1]})
    domains = meeting_domains(problem)
    race = SatRace(problem, domains, [0, 1], fairness=None, lower=0, upper=3)

    race.finished.wait(timeout=120)
    race.stop()

    assert race.solved
    assert race.lower == 1
    assert race.schedule is not None
    assert _check(problem, race.schedule) == 1
