"""Slot assignment: greedy start, Kempe repair and search, CP-SAT phases, a relaxation lower bound."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from opop_events.core.i18n import _
from opop_events.matching.scheduling.cp_models import SlotModel, relaxation
from opop_events.matching.scheduling.greedy import (
    greedy,
    greedy_insert,
    meeting_domains,
    participant_breaks,
    priority_weights,
)
from opop_events.matching.scheduling.local_search import improve, insert_with_chains, schedule_cost
from opop_events.matching.scheduling.problem import Problem
from opop_events.matching.scheduling.sat import SatRace

Progress = Callable[[str], None]


@dataclass
class SlotResult:
    """Slots chosen per meeting (None = unscheduled) and what the search proved."""

    slot_of: list[int | None]
    meetings_optimal: bool = False  # no schedule holds more (by priority) meetings
    # proven, among schedules with at least this many meetings (and fair, if asked)
    breaks_lower_bound: int = 0
    breaks_optimal: bool = False
    fairness_met: bool | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- driver


class _Clock:
    def __init__(self, limit: float) -> None:
        self.start = time.monotonic()
        self.deadline = self.start + limit

    def left(self) -> float:
        return self.deadline - time.monotonic()


def _solver(seconds: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 7
    return solver


FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)
# meetings x slots above which the full CP-SAT break model does not pay off within a minute
LARGE = 15_000


def solve_slots(problem: Problem, *, time_limit: float, workers: int = 2, reserve: float = 0.0,
                progress: Progress | None = None) -> SlotResult:
    """Choose a slot for as many meetings as possible, then minimise breaks. Always returns a valid choice."""
    clock = _Clock(max(0.0, time_limit - reserve))

    def say(msg: str) -> None:
        if progress is not None:
            progress(f"[{time.monotonic() - clock.start:6.1f} d] {msg}")

    domains = meeting_domains(problem)
    possible = [m for m in range(problem.n_meetings) if domains[m]]
    slot_of = greedy(problem, domains)
    say(_("awal (greedy): {held} dari {total} pertemuan terjadwal").format(
        held=sum(s is not None for s in slot_of), total=problem.n_meetings
    ))
    weights = priority_weights(problem)
    if any(slot_of[m] is None for m in possible):
        order = sorted(possible, key=lambda m: (-weights[m], len(domains[m]), m))
        slot_of = insert_with_chains(problem, domains, slot_of, seconds=min(0.1 * clock.left(), 5.0),
                                     order=order)
        say(_("rantai Kempe: {held} terjadwal").format(held=sum(s is not None for s in slot_of)))
    result = SlotResult(slot_of=slot_of)

    # Phase A: hold as many meetings as possible (priority-weighted).
    if all(slot_of[m] is not None for m in possible):
        result.meetings_optimal = True
    elif clock.left() > 0.1:
        sm = SlotModel(problem, domains, possible, mandatory=False)
        sm.model.maximize(sum(weights[m] * sm.held[m] for m in possible))
        sm.hint(slot_of)
        solver = _solver(min(clock.left(), max(0.35 * clock.left(), 2.0)), workers)
        status = solver.solve(sm.model)
        if status in FOUND:
            found = sm.read(solver)
            if _weight(found, weights) >= _weight(slot_of, weights):
                slot_of = found
            result.meetings_optimal = status == cp_model.OPTIMAL
        say(_("fase pertemuan: {held} terjadwal, {status}").format(
            held=sum(s is not None for s in slot_of), status=solver.status_name(status)
        ))
    result.slot_of = slot_of
    held = [m for m in possible if slot_of[m] is not None]
    complete = len(held) == len(possible)

    # Phase B: minimise breaks (fairness hard when given; soft if proven impossible).
    fairness = problem.fairness
    current = sum(participant_breaks(problem, slot_of).values())
    lower = 0
    soft = False
    large = len(held) * problem.n_slots > LARGE
    if complete and clock.left() > 0.1 and held:
        relax = relaxation(problem, domains, held, fairness)
        solver = _solver(clock.left() * (0.15 if large else 0.25), workers)
        status = solver.solve(relax)
        if status == cp_model.INFEASIBLE and fairness is not None:
            soft = True
            say(_("relaksasi: keadilan jeda tidak mungkin dipenuhi"))
        elif status in FOUND or status == cp_model.OPTIMAL:
            lower = math.ceil(solver.best_objective_bound - 1e-6)
            say(_("relaksasi: batas bawah jeda {lower} ({status})").format(
                lower=lower, status=solver.status_name(status)
            ))
    # SAT decisions in two child processes beside everything below: "breaks <= lower, lower+1, ..." climbing,
    # and a descent below the best schedule (see SatRace); CP-SAT runs on one worker while they do.
    race: SatRace | None = None
    running: list[cp_model.CpSolver] = []
    exc0, breaks0 = schedule_cost(problem, slot_of, fairness)
    if complete and not soft and not large and len(held) > 1 and clock.left() > 1.0 and (
            exc0 > 0 or breaks0 > lower):
        upper = breaks0 if exc0 == 0 else len(problem.participant_ids)
        try:
            race = SatRace(problem, domains, held, fairness=fairness, lower=lower, upper=upper)
        except (OSError, AssertionError) as exc:  # no child process here (e.g. inside a daemonic worker)
            say(_("SAT: tidak bisa dimulai ({error})").format(error=exc))
        else:

            def stop_cp_sat() -> None:
                for solver in running.copy():  # the main thread may change the list meanwhile
                    solver.stop_search()

            race.on_solved = stop_cp_sat
            say(_("SAT: mulai"))

    def cp_workers() -> int:
        return 1 if race is not None and race.running() else workers

    def race_won() -> bool:
        return race is not None and race.solved

    # Local search on the held set: quick few-break schedules, stops once it meets the bound.
    if clock.left() > 0.2 and held and len(held) > 1:
        exc0, before = schedule_cost(problem, slot_of, fairness)
        # small events: a few seconds, then CP-SAT takes over; big ones: CP-SAT cannot help, search on
        budget = clock.left() if large else min(clock.left() * 0.4, 0.3 + len(held) / 15)
        improved = improve(problem, domains, slot_of, seconds=budget,
                           fairness=fairness, target=lower, stop=race_won)
        if schedule_cost(problem, improved, fairness) <= (exc0, before):
            slot_of = improved
        say(_("pencarian lokal: jeda {before} -> {after}").format(
            before=before, after=schedule_cost(problem, slot_of, fairness)[1]
        ))
    exc_now, cur_breaks = schedule_cost(problem, slot_of, fairness)
    best_breaks = cur_breaks if complete and exc_now == 0 and not soft else None

    def offer(breaks: int | None) -> None:
        # the SAT descent goes on below the best fair schedule found here
        if race is not None and breaks is not None:
            race.offer(breaks)

    offer(best_breaks)
    if complete and not soft and not large and best_breaks is not None:
        # Decide "total breaks <= lower" first: with few breaks allowed, propagation is strong, so this
        # either refutes the bound (raising it) or hits it (optimal) faster than plain minimisation.
        while best_breaks > lower and clock.left() > 0.5 and not race_won():
            dm = SlotModel(problem, domains, held, mandatory=True)
            dm.add_breaks(fairness=fairness, soft_fairness=False, lower_bound=0)
            dm.model.clear_objective()
            dm.model.add(dm.total_breaks <= lower)
            dm.hint(slot_of)
            solver = _solver(max(min(clock.left(), 5.0), 0.3 * clock.left()), cp_workers())
            running.append(solver)
            status = solver.solve(dm.model)
            running.remove(solver)
            if race_won():
                break
            say(_("uji jeda <= {lower}: {status}").format(lower=lower, status=solver.status_name(status)))
            if status == cp_model.INFEASIBLE:
                lower += 1
            elif status in FOUND:
                slot_of = dm.read(solver)
                best_breaks = schedule_cost(problem, slot_of, fairness)[1]
                offer(best_breaks)
            else:
                break
    if (best_breaks is None or best_breaks > lower) and clock.left() > 0.1 and held and not large and (
            not race_won()):
        sm = SlotModel(problem, domains, held if complete else possible, mandatory=complete)
        if not complete:
            sm.model.add(sum(weights[m] * sm.held[m] for m in possible) >= _weight(slot_of, weights))
        sm.add_breaks(fairness=fairness, soft_fairness=soft, lower_bound=lower)
        sm.hint(slot_of)
        solver = _solver(clock.left(), cp_workers())
        running.append(solver)
        status = solver.solve(sm.model)
        running.remove(solver)
        say(_("fase jeda: {status} nilai {value} batas {bound}").format(
            status=solver.status_name(status),
            value=solver.objective_value if status in FOUND else "-",
            bound=solver.best_objective_bound,
        ))
        if status in FOUND:
            found = sm.read(solver)
            if schedule_cost(problem, found, fairness) <= schedule_cost(problem, slot_of, fairness):
                slot_of = found
            if sm.excess is None:
                # the bound holds for every (fair) schedule holding the required meetings
                lower = max(lower, math.ceil(solver.best_objective_bound - 1e-6))
                if not soft and schedule_cost(problem, slot_of, fairness)[0] == 0:
                    best_breaks = schedule_cost(problem, slot_of, fairness)[1]
        elif status == cp_model.INFEASIBLE and fairness is not None and not soft:
            soft = True
    if race is not None:
        race.stop()
        if race.schedule is not None and schedule_cost(problem, race.schedule, fairness) <= schedule_cost(
                problem, slot_of, fairness):
            slot_of = race.schedule
            best_breaks = schedule_cost(problem, slot_of, fairness)[1]
        lower = max(lower, race.lower)
        if race.schedule is not None:
            say(_("SAT: batas bawah {lower}, jadwal ada").format(lower=race.lower))
        else:
            say(_("SAT: batas bawah {lower}, jadwal tidak ada").format(lower=race.lower))
    if best_breaks is not None and best_breaks <= lower and not soft:
        result.breaks_optimal = True
    if held and soft and complete and not large and clock.left() > 0.1:
        sm = SlotModel(problem, domains, held, mandatory=True)
        sm.add_breaks(fairness=fairness, soft_fairness=True, lower_bound=0)
        sm.hint(slot_of)
        solver = _solver(clock.left(), workers)
        status = solver.solve(sm.model)
        if status in FOUND and schedule_cost(problem, sm.read(solver), fairness) <= schedule_cost(
                problem, slot_of, fairness):
            slot_of = sm.read(solver)
    del current  # not needed further
    missing = [m for m in possible if slot_of[m] is None]
    if missing:  # a search cut short may leave room that a plain insertion still finds
        slot_of = list(slot_of)
        greedy_insert(problem, domains, slot_of, sorted(missing, key=lambda m: -weights[m]))
    if soft:
        lower = 0  # no fair schedule exists; claim nothing about breaks
    result.slot_of = slot_of
    result.breaks_lower_bound = lower
    if fairness is not None:
        per = participant_breaks(problem, slot_of)
        result.fairness_met = (max(per.values()) - min(per.values()) <= fairness) if per else True
        if soft:
            result.breaks_optimal = False
    if not result.meetings_optimal:
        result.breaks_optimal = False
    return result


def _weight(slot_of: Sequence[int | None], weights: Sequence[int]) -> int:
    return sum(w for s, w in zip(slot_of, weights, strict=True) if s is not None)
