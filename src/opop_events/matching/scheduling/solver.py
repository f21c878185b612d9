"""Slot assignment: greedy start, Kempe repair and search, CP-SAT phases, a relaxation lower bound."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

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


# ---------------------------------------------------------------- domains and independent helpers


def meeting_domains(problem: Problem) -> list[list[int]]:
    """Slots each meeting may use on its own: session, fixed slot, every participant available."""
    domains: list[list[int]] = []
    for m in range(problem.n_meetings):
        session = problem.meeting_session[m]
        fixed = problem.meeting_fixed_slot[m]
        members = problem.meeting_participants[m]
        domains.append(
            [
                t
                for t in range(problem.n_slots)
                if (session is None or problem.slot_sessions[t] == session)
                and (fixed is None or fixed == t)
                and not any(t in problem.unavailable[p] for p in members)
            ]
        )
    return domains


def participant_breaks(problem: Problem, slot_of: Sequence[int | None]) -> dict[int, int]:
    """Breaks per participant that has at least one scheduled meeting."""
    result: dict[int, int] = {}
    for p, meetings in enumerate(problem.meetings_of):
        slots = sorted(slot_of[m] for m in meetings if slot_of[m] is not None)  # type: ignore[type-var]
        if slots:
            result[p] = sum(1 for a, b in zip(slots, slots[1:], strict=False) if b != a + 1)
    return result


def _fits(problem: Problem, m: int, t: int, slot_of: Sequence[int | None], busy: list[set[int]],
          load: list[int], successors: list[list[int]]) -> bool:
    if load[t] >= len(problem.table_ids):
        return False
    if any(t in busy[p] for p in problem.meeting_participants[m]):
        return False
    for q in problem.meeting_after[m]:
        s = slot_of[q]
        if s is not None and s >= t:
            return False
    for q in successors[m]:
        s = slot_of[q]
        if s is not None and s <= t:
            return False
    return True


def successors_of(problem: Problem) -> list[list[int]]:
    succ: list[list[int]] = [[] for _ in range(problem.n_meetings)]
    for m, before in enumerate(problem.meeting_after):
        for q in before:
            succ[q].append(m)
    return succ


def greedy_insert(problem: Problem, domains: list[list[int]], slot_of: list[int | None],
                  order: Sequence[int]) -> None:
    """Place each unscheduled meeting of `order` into a valid slot, preferring slots that add no break."""
    succ = successors_of(problem)
    busy: list[set[int]] = [set() for _ in problem.participant_ids]
    load = [0] * problem.n_slots
    for m, t in enumerate(slot_of):
        if t is not None:
            load[t] += 1
            for p in problem.meeting_participants[m]:
                busy[p].add(t)
    for m in order:
        if slot_of[m] is not None:
            continue
        best, best_key = None, None
        for t in domains[m]:
            if not _fits(problem, m, t, slot_of, busy, load, succ):
                continue
            # prefer extending someone's block, then earlier slots; never-touched participants cost nothing
            adjacent = sum(
                1 for p in problem.meeting_participants[m] if (t - 1) in busy[p] or (t + 1) in busy[p]
            )
            lonely = sum(1 for p in problem.meeting_participants[m] if busy[p] and not (
                (t - 1) in busy[p] or (t + 1) in busy[p]))
            key = (lonely, -adjacent, load[t], t)
            if best_key is None or key < best_key:
                best, best_key = t, key
        if best is not None:
            slot_of[m] = best
            load[best] += 1
            for p in problem.meeting_participants[m]:
                busy[p].add(best)


def greedy(problem: Problem, domains: list[list[int]]) -> list[int | None]:
    slot_of: list[int | None] = [None] * problem.n_meetings
    order = sorted(
        (m for m in range(problem.n_meetings) if domains[m]),
        key=lambda m: (-problem.meeting_priority[m], len(domains[m]),
                       -sum(len(problem.meetings_of[p]) for p in problem.meeting_participants[m])),
    )
    greedy_insert(problem, domains, slot_of, order)
    return slot_of


def priority_weights(problem: Problem) -> list[int]:
    """Lexicographic weights: one meeting of a higher priority outweighs all meetings of lower ones."""
    levels = sorted(set(problem.meeting_priority))
    counts = {lv: problem.meeting_priority.count(lv) for lv in levels}
    weight: dict[int, int] = {}
    total = 0
    for lv in levels:
        weight[lv] = total + 1
        total += weight[lv] * counts[lv]
    return [weight[problem.meeting_priority[m]] for m in range(problem.n_meetings)]


# ---------------------------------------------------------------- CP-SAT models


class _SlotModel:
    """x[m,t] model shared by the phases; `mandatory` fixes the set of meetings to hold."""

    def __init__(self, problem: Problem, domains: list[list[int]], meetings: Sequence[int], *,
                 mandatory: bool) -> None:
        self.problem = problem
        self.domains = domains
        self.meetings = list(meetings)
        self.mandatory = mandatory
        md = self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.held: dict[int, cp_model.IntVar | int] = {}
        self.slot_expr: dict[int, cp_model.LinearExprT] = {}
        per_slot: list[list[cp_model.IntVar]] = [[] for _ in range(problem.n_slots)]
        for m in self.meetings:
            lits = []
            for t in domains[m]:
                v = md.new_bool_var(f"x{m}_{t}")
                self.x[m, t] = v
                lits.append(v)
                per_slot[t].append(v)
            if mandatory:
                md.add_exactly_one(lits)
                self.held[m] = 1
            else:
                h = md.new_bool_var(f"h{m}")
                md.add(sum(lits) == h)
                self.held[m] = h
            self.slot_expr[m] = sum(t * self.x[m, t] for t in domains[m])
        n_tables = len(problem.table_ids)
        for t in range(problem.n_slots):
            if len(per_slot[t]) > n_tables:
                md.add(sum(per_slot[t]) <= n_tables)
        chosen = set(self.meetings)
        for m in self.meetings:
            for q in problem.meeting_after[m]:
                if q not in chosen:
                    continue
                c = md.add(self.slot_expr[m] >= self.slot_expr[q] + 1)
                if not mandatory:
                    c.only_enforce_if([self.held[m], self.held[q]])  # type: ignore[list-item]
        # y[p][t]: participant p busy at slot t (None where impossible)
        self.busy: dict[int, list[cp_model.IntVar | None]] = {}
        for p, pm in enumerate(problem.meetings_of):
            pm = [m for m in pm if m in chosen]
            if not pm:
                continue
            row: list[cp_model.IntVar | None] = []
            for t in range(problem.n_slots):
                lits = [self.x[m, t] for m in pm if (m, t) in self.x]
                if not lits:
                    row.append(None)
                elif len(lits) == 1:
                    row.append(lits[0])
                else:
                    v = md.new_bool_var(f"y{p}_{t}")
                    md.add(sum(lits) == v)
                    row.append(v)
            if any(v is not None for v in row):
                self.busy[p] = row

    def hint(self, slot_of: Sequence[int | None]) -> None:
        for (m, t), v in self.x.items():
            self.model.add_hint(v, 1 if slot_of[m] == t else 0)

    def read(self, solver: cp_model.CpSolver) -> list[int | None]:
        slot_of: list[int | None] = [None] * self.problem.n_meetings
        for (m, t), v in self.x.items():
            if solver.boolean_value(v):
                slot_of[m] = t
        return slot_of

    def add_breaks(self, *, fairness: int | None, soft_fairness: bool, lower_bound: int,
                   implied: bool = True, cumulative: bool = True,
                   windows: bool = True) -> None:
        """Objective on breaks: runs of busy slots minus one per participant; implied block constraints."""
        problem, md = self.problem, self.model
        T = problem.n_slots
        self.breaks: dict[int, cp_model.IntVar] = {}
        intervals, demands = [], []
        max_size = max((len(problem.meeting_participants[m]) for m in self.meetings), default=1)
        for p, row in self.busy.items():
            starts = []
            for t in range(T):
                if row[t] is None:
                    continue
                prev = row[t - 1] if t > 0 else None
                if prev is None:
                    starts.append(row[t])
                    continue
                st = md.new_bool_var(f"st{p}_{t}")
                md.add_bool_and([row[t], prev.Not()]).only_enforce_if(st)  # type: ignore[list-item]
                md.add_bool_or([row[t].Not(), prev, st])  # type: ignore[list-item,union-attr]
                starts.append(st)
            b = md.new_int_var(0, T, f"b{p}")
            self.breaks[p] = b
            if not self.mandatory:
                has = md.new_bool_var(f"has{p}")
                md.add_max_equality(has, [v for v in row if v is not None])
                md.add(b == sum(starts) - has)
                continue
            md.add(b == sum(starts) - 1)
            if not implied:
                continue
            pm = [m for m in problem.meetings_of[p] if m in self.held]
            n = len(pm)
            slots = []
            for m in pm:
                s = md.new_int_var_from_domain(cp_model.Domain.from_values(self.domains[m]), f"s{m}_{p}")
                md.add(s == self.slot_expr[m])
                slots.append(s)
            if n > 1:
                md.add_all_different(slots)
            first = md.new_int_var(0, T - 1, f"f{p}")
            last = md.new_int_var(0, T - 1, f"l{p}")
            md.add_min_equality(first, slots)
            md.add_max_equality(last, slots)
            idle = md.new_int_var(0, T - n, f"i{p}")
            md.add(last - first + 1 == n + idle)
            md.add(idle >= b)
            md.add(idle <= (T - n) * b)
            if not cumulative:
                continue
            # participant as one block of n slots when it has no break: feeds a cumulative over participants
            whole = md.new_bool_var(f"w{p}")
            md.add(b == 0).only_enforce_if(whole)
            md.add(b >= 1).only_enforce_if(whole.Not())
            if windows:
                # window starts: y is exactly one run of n slots when whole; a slot nobody can use kills
                # every window over it (stronger than the first/last bounds)
                starts_ok = [a for a in range(T - n + 1) if all(row[t] is not None for t in range(a, a + n))]
                w = {a: md.new_bool_var(f"win{p}_{a}") for a in starts_ok}
                md.add(sum(w.values()) == whole)
                for a, v in w.items():
                    md.add(first == a).only_enforce_if(v)
                for t in range(T):
                    cover = [w[a] for a in range(max(0, t - n + 1), t + 1) if a in w]
                    if row[t] is None:
                        continue
                    md.add(row[t] == sum(cover)).only_enforce_if(whole)  # type: ignore[arg-type]
            intervals.append(md.new_optional_fixed_size_interval_var(first, n, whole, f"blk{p}"))
            demands.append(1)
            for t in range(T):
                if row[t] is None:
                    continue
                u = md.new_bool_var(f"u{p}_{t}")
                md.add_implication(u, row[t])  # type: ignore[arg-type]
                md.add_implication(u, whole.Not())
                md.add_bool_or([u, row[t].Not(), whole])  # type: ignore[union-attr]
                intervals.append(md.new_optional_fixed_size_interval_var(t, 1, u, f"un{p}_{t}"))
                demands.append(1)
        if intervals:
            md.add_cumulative(intervals, demands, len(problem.table_ids) * max_size)
        total = sum(self.breaks.values())
        self.excess = None
        if fairness is not None and self.breaks:
            lo = md.new_int_var(0, T, "lo")
            hi = md.new_int_var(0, T, "hi")
            for p, b in self.breaks.items():
                c = md.add(lo <= b)
                if not self.mandatory:
                    has_lit = md.new_bool_var(f"hl{p}")
                    md.add_max_equality(has_lit, [v for v in self.busy[p] if v is not None])
                    c.only_enforce_if(has_lit)
                md.add(hi >= b)
            if soft_fairness:
                self.excess = md.new_int_var(0, T, "excess")
                md.add(self.excess >= hi - lo - fairness)
            else:
                md.add(hi - lo <= fairness)
        if self.excess is not None:
            md.minimize(self.excess * (T * len(self.breaks) + 1) + total)
        else:
            if lower_bound > 0:
                md.add(total >= lower_bound)
            md.minimize(total)
        self.total_breaks = total


def _relaxation(problem: Problem, domains: list[list[int]], meetings: Sequence[int], fairness: int | None,
                *, upper: int | None = None) -> cp_model.CpModel:
    """Busy-pattern relaxation: which slots each participant is busy in, without who meets whom.

    Each participant holds its fixed number of meetings in its possible slots, the busy counts per slot fit
    the tables (and are a multiple of the meeting size), each busy participant has a possible partner busy,
    session counts fit. Its optimum is a lower bound on total breaks; it is small and solves in seconds.
    """
    md = cp_model.CpModel()
    T = problem.n_slots
    chosen = set(meetings)
    sizes = {len(problem.meeting_participants[m]) for m in meetings}
    sessions = sorted({s for s in problem.slot_sessions if s is not None})
    busy: dict[int, list[cp_model.IntVar | None]] = {}
    breaks = []
    for p, pm_all in enumerate(problem.meetings_of):
        pm = [m for m in pm_all if m in chosen]
        if not pm:
            continue
        n = len(pm)
        possible = {t for m in pm for t in domains[m]}
        row: list[cp_model.IntVar | None] = [
            md.new_bool_var(f"y{p}_{t}") if t in possible else None for t in range(T)
        ]
        busy[p] = row
        md.add(sum(v for v in row if v is not None) == n)
        for m in pm:
            if len(domains[m]) == 1:
                md.add(row[domains[m][0]] == 1)  # type: ignore[arg-type]
        for sess in sessions:
            inside = sum(1 for m in pm if all(problem.slot_sessions[t] == sess for t in domains[m]))
            can = sum(1 for m in pm if any(problem.slot_sessions[t] == sess for t in domains[m]))
            vs = [row[t] for t in range(T) if problem.slot_sessions[t] == sess and row[t] is not None]
            if vs:
                md.add(sum(vs) >= inside)
                md.add(sum(vs) <= can)
        starts = []
        for t in range(T):
            if row[t] is None:
                continue
            prev = row[t - 1] if t > 0 else None
            if prev is None:
                starts.append(row[t])
                continue
            st = md.new_bool_var("")
            md.add_bool_and([row[t], prev.Not()]).only_enforce_if(st)  # type: ignore[list-item]
            md.add_bool_or([row[t].Not(), prev, st])  # type: ignore[list-item,union-attr]
            starts.append(st)
        b = md.new_int_var(0, T, f"b{p}")
        md.add(b == sum(starts) - 1)
        first = md.new_int_var(0, T - 1, "")
        last = md.new_int_var(0, T - 1, "")
        for t in range(T):
            if row[t] is not None:
                md.add(first <= t).only_enforce_if(row[t])  # type: ignore[arg-type]
                md.add(last >= t).only_enforce_if(row[t])  # type: ignore[arg-type]
        idle = md.new_int_var(0, T - n, "")
        md.add(last - first + 1 == n + idle)
        md.add(idle >= b)
        md.add(idle <= (T - n) * b)
        breaks.append((p, b))
    n_tables = len(problem.table_ids)
    for t in range(T):
        col = [busy[p][t] for p in busy if busy[p][t] is not None]
        if not col:
            continue
        if len(sizes) == 1:
            k = next(iter(sizes))
            z = md.new_int_var(0, n_tables, f"z{t}")
            md.add(sum(col) == k * z)  # type: ignore[arg-type]
        else:
            md.add(sum(col) <= n_tables * max(sizes))  # type: ignore[arg-type]
    # a busy participant needs some partner busy in the same slot (two-person meetings)
    for p, row in busy.items():
        for t in range(T):
            if row[t] is None:
                continue
            partners: set[int] = set()
            solo = False
            for m in problem.meetings_of[p]:
                if m in chosen and t in domains[m]:
                    others = [q for q in problem.meeting_participants[m] if q != p]
                    if not others:
                        solo = True
                    partners.update(others)
            if solo:
                continue
            md.add(sum(busy[q][t] for q in partners if busy[q][t] is not None) >= 1).only_enforce_if(
                row[t]  # type: ignore[arg-type]
            )
    total = sum(b for _, b in breaks)
    if fairness is not None and breaks:
        lo = md.new_int_var(0, T, "lo")
        hi = md.new_int_var(0, T, "hi")
        for _, b in breaks:
            md.add(lo <= b)
            md.add(hi >= b)
        md.add(hi - lo <= fairness)
    if upper is not None:
        md.add(total <= upper)
    md.minimize(total)
    return md


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
    say(f"awal (greedy): {sum(s is not None for s in slot_of)} dari {problem.n_meetings} pertemuan terjadwal")
    weights = priority_weights(problem)
    if any(slot_of[m] is None for m in possible):
        order = sorted(possible, key=lambda m: (-weights[m], len(domains[m]), m))
        slot_of = insert_with_chains(problem, domains, slot_of, seconds=min(0.1 * clock.left(), 5.0),
                                     order=order)
        say(f"rantai Kempe: {sum(s is not None for s in slot_of)} terjadwal")
    result = SlotResult(slot_of=slot_of)

    # Phase A: hold as many meetings as possible (priority-weighted).
    if all(slot_of[m] is not None for m in possible):
        result.meetings_optimal = True
    elif clock.left() > 0.1:
        sm = _SlotModel(problem, domains, possible, mandatory=False)
        sm.model.maximize(sum(weights[m] * sm.held[m] for m in possible))
        sm.hint(slot_of)
        solver = _solver(min(clock.left(), max(0.35 * clock.left(), 2.0)), workers)
        status = solver.solve(sm.model)
        if status in FOUND:
            found = sm.read(solver)
            if _weight(found, weights) >= _weight(slot_of, weights):
                slot_of = found
            result.meetings_optimal = status == cp_model.OPTIMAL
        say(f"fase pertemuan: {sum(s is not None for s in slot_of)} terjadwal, {solver.status_name(status)}")
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
        relax = _relaxation(problem, domains, held, fairness)
        solver = _solver(clock.left() * (0.15 if large else 0.25), workers)
        status = solver.solve(relax)
        if status == cp_model.INFEASIBLE and fairness is not None:
            soft = True
            say("relaksasi: keadilan jeda tidak mungkin dipenuhi")
        elif status in FOUND or status == cp_model.OPTIMAL:
            lower = math.ceil(solver.best_objective_bound - 1e-6)
            say(f"relaksasi: batas bawah jeda {lower} ({solver.status_name(status)})")
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
            say(f"SAT: tidak bisa dimulai ({exc})")
        else:

            def stop_cp_sat() -> None:
                for solver in running.copy():  # the main thread may change the list meanwhile
                    solver.stop_search()

            race.on_solved = stop_cp_sat
            say("SAT: mulai")

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
        say(f"pencarian lokal: jeda {before} -> {schedule_cost(problem, slot_of, fairness)[1]}")
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
            dm = _SlotModel(problem, domains, held, mandatory=True)
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
            say(f"uji jeda <= {lower}: {solver.status_name(status)}")
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
        sm = _SlotModel(problem, domains, held if complete else possible, mandatory=complete)
        if not complete:
            sm.model.add(sum(weights[m] * sm.held[m] for m in possible) >= _weight(slot_of, weights))
        sm.add_breaks(fairness=fairness, soft_fairness=soft, lower_bound=lower)
        sm.hint(slot_of)
        solver = _solver(clock.left(), cp_workers())
        running.append(solver)
        status = solver.solve(sm.model)
        running.remove(solver)
        say(f"fase jeda: {solver.status_name(status)} nilai "
            f"{solver.objective_value if status in FOUND else '-'} batas {solver.best_objective_bound}")
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
        say(f"SAT: batas bawah {race.lower}, jadwal {'ada' if race.schedule is not None else 'tidak ada'}")
    if best_breaks is not None and best_breaks <= lower and not soft:
        result.breaks_optimal = True
    if held and soft and complete and not large and clock.left() > 0.1:
        sm = _SlotModel(problem, domains, held, mandatory=True)
        sm.add_breaks(fairness=fairness, soft_fairness=True, lower_bound=0)
        sm.hint(slot_of)
        solver = _solver(clock.left(), workers)
        status = solver.solve(sm.model)
        if status in FOUND and schedule_cost(problem, sm.read(solver), fairness) <= schedule_cost(
                problem, slot_of, fairness):
            slot_of = sm.read(solver)
    _ = current
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
