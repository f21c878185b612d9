"""The SAT decisions on breaks: schedules checked by an independent break count, refutations on tiny cases."""

from __future__ import annotations

import contextlib
import multiprocessing
from typing import Any

from opop_events.matching.scheduling.problem import Problem, parse_problem
from opop_events.matching.scheduling.sat import BreaksSat, SatRace, _race_worker, zero_break_schedule
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


def _messages(problem: Problem, held: list[int], *, lower: int, upper: int, direction: str) -> list[tuple]:
    """Run one race child in this process and collect what it reports."""
    receiver, sender = multiprocessing.Pipe(duplex=False)
    _race_worker(sender, problem, meeting_domains(problem), held, problem.fairness, lower, upper, direction)
    messages = []
    with contextlib.suppress(EOFError):  # the child closed its end after its last message
        while True:
            messages.append(receiver.recv())
    return messages


def test_descending_child_reports_ever_better_schedules_then_proves_the_last() -> None:
    # a must meet b in slot 0 and c in slot 2: one break at best, so the descent ends refusing "<= 0"
    problem = _problem(3, [("a", "b"), ("a", "c")], tables=2, fairness=None,
                       unavailable={"b": [1, 2], "c": [0, 1]})

    messages = _messages(problem, [0, 1], lower=0, upper=3, direction="down")

    kinds = [kind for kind, _, _ in messages]
    found = [(value, slot_of) for kind, value, slot_of in messages if kind == "sat"]
    assert kinds[-2:] == ["unsat", "done"]
    assert found and all(_check(problem, slot_of) == value for value, slot_of in found)
    assert [value for value, _ in found] == sorted({value for value, _ in found}, reverse=True)
    assert found[-1][0] == 1 and messages[-2][1] == 0  # 1 break found, "<= 0" refused


def test_ascending_child_refuses_limits_below_the_optimum_then_finds_it() -> None:
    problem = _problem(3, [("a", "b"), ("a", "c")], tables=2, fairness=None,
                       unavailable={"b": [1, 2], "c": [0, 1]})

    messages = _messages(problem, [0, 1], lower=0, upper=3, direction="up")

    assert [(kind, value) for kind, value, _ in messages] == [("unsat", 0), ("sat", 1), ("done", 1)]
    assert _check(problem, messages[1][2]) == 1


def test_race_with_both_children_settles_a_zero_break_optimum() -> None:
    problem = _two_stars()
    race = SatRace(problem, meeting_domains(problem), list(range(problem.n_meetings)), fairness=2, lower=0,
                   upper=5)

    race.finished.wait(timeout=120)
    race.stop()

    assert race.solved and race.best == 0 and race.lower == 0
    assert race.schedule is not None and _check(problem, race.schedule) == 0


def test_offering_a_schedule_at_the_lower_bound_settles_the_race_at_once() -> None:
    problem = _problem(3, [("a", "b"), ("a", "c")], tables=2, fairness=None,
                       unavailable={"b": [1, 2], "c": [0, 1]})
    race = SatRace(problem, meeting_domains(problem), [0, 1], fairness=None, lower=1, upper=3)
    stopped: list[bool] = []
    race.on_solved = lambda: stopped.append(True)

    settled_early = race.offer(2)
    settled = race.offer(1)
    race.stop()

    assert (settled_early, settled) in {(False, True), (True, True)}  # a child may have found 1 meanwhile
    assert race.solved and not race.running() and stopped == [True]
