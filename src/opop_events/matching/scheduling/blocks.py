"""Block model for "total breaks <= limit": each participant's meetings fill a few contiguous blocks.

A participant with n meetings and at most k breaks owns k+1 blocks (start, length) in slot order with at
least one free slot between two used blocks; each of its meetings lies in one of its blocks, and its
meetings take pairwise different slots, so the blocks are exactly its busy slots and its breaks are the
number of used blocks minus one. A meeting has one integer slot variable inside the blocks of all its
participants. With few breaks allowed this is far smaller and propagates far better than the x[meeting,
slot] model: a participant without breaks is one start variable and an AllDifferent over its meetings.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from opop_events.matching.scheduling.local_search import schedule_cost
from opop_events.matching.scheduling.problem import Problem


class BlockModel:
    """CP-SAT model of the held meetings with total breaks at most `limit` (and the fairness spread)."""

    def __init__(self, problem: Problem, domains: list[list[int]], held: Sequence[int], *, limit: int,
                 fairness: int | None) -> None:
        self.problem = problem
        self.held = list(held)
        md = self.model = cp_model.CpModel()
        T = problem.n_slots
        chosen = set(self.held)
        self.slot: dict[int, cp_model.IntVar] = {}
        for m in self.held:
            self.slot[m] = md.new_int_var_from_domain(cp_model.Domain.from_values(domains[m]), f"s{m}")
        for m in self.held:
            for q in problem.meeting_after[m]:
                if q in chosen:
                    md.add(self.slot[m] >= self.slot[q] + 1)
        # at most one meeting per table and slot
        n_tables = len(problem.table_ids)
        if len(self.held) > n_tables:
            unit = [md.new_fixed_size_interval_var(self.slot[m], 1, f"i{m}") for m in self.held]
            md.add_cumulative(unit, [1] * len(unit), n_tables)
        active = [p for p, pm in enumerate(problem.meetings_of) if any(m in chosen for m in pm)]
        # fewer breaks than active participants: someone has none, so nobody may exceed the spread
        cap = limit
        if fairness is not None and limit < len(active):
            cap = min(cap, fairness)
        self.breaks: dict[int, cp_model.IntVar | int] = {}
        block_intervals: list[cp_model.IntervalVar] = []
        max_size = max((len(problem.meeting_participants[m]) for m in self.held), default=1)
        for p in active:
            pm = [m for m in problem.meetings_of[p] if m in chosen]
            n = len(pm)
            if n > 1:
                md.add_all_different([self.slot[m] for m in pm])
            k = min(cap, n - 1)
            if k == 0:
                start = md.new_int_var(0, T - n, f"a{p}")
                for m in pm:
                    md.add(self.slot[m] >= start)
                    md.add(self.slot[m] <= start + n - 1)
                block_intervals.append(md.new_fixed_size_interval_var(start, n, f"blk{p}"))
                self.breaks[p] = 0
                continue
            starts, lengths, used = [], [], []
            for j in range(k + 1):
                s = md.new_int_var(0, T - 1, f"a{p}_{j}")
                ln = md.new_int_var(1 if j == 0 else 0, n, f"n{p}_{j}")
                u = md.new_bool_var(f"u{p}_{j}")
                md.add(ln >= 1).only_enforce_if(u)
                md.add(ln == 0).only_enforce_if(u.Not())
                md.add(s + ln <= T)
                if j == 0:
                    md.add(u == 1)
                else:
                    md.add_implication(u, used[-1])
                    md.add(s >= starts[-1] + lengths[-1] + 1).only_enforce_if(u)
                    md.add(s == starts[-1]).only_enforce_if(u.Not())
                starts.append(s)
                lengths.append(ln)
                used.append(u)
                end = md.new_int_var(0, T, f"e{p}_{j}")
                md.add(end == s + ln)
                block_intervals.append(md.new_optional_interval_var(s, ln, end, u, f"blk{p}_{j}"))
            md.add(sum(lengths) == n)
            for m in pm:
                lits = []
                for j in range(k + 1):
                    a = md.new_bool_var(f"in{m}_{p}_{j}")
                    md.add_implication(a, used[j])
                    md.add(self.slot[m] >= starts[j]).only_enforce_if(a)
                    md.add(self.slot[m] <= starts[j] + lengths[j] - 1).only_enforce_if(a)
                    lits.append(a)
                md.add_exactly_one(lits)
            b = md.new_int_var(0, k, f"b{p}")
            md.add(b == sum(used) - 1)
            self.breaks[p] = b
        if block_intervals:
            md.add_cumulative(block_intervals, [1] * len(block_intervals), n_tables * max_size)
        total = sum(self.breaks.values())
        md.add(total <= limit)
        if fairness is not None and cap > fairness:
            variables = [b for b in self.breaks.values() if not isinstance(b, int)]
            if variables:
                lo = md.new_int_var(0, cap, "lo")
                hi = md.new_int_var(0, cap, "hi")
                for b in self.breaks.values():
                    md.add(lo <= b)
                    md.add(hi >= b)
                md.add(hi - lo <= fairness)
        self.total = total

    def hint(self, slot_of: Sequence[int | None]) -> None:
        for m, v in self.slot.items():
            if slot_of[m] is not None:
                self.model.add_hint(v, slot_of[m])

    def read(self, solver: cp_model.CpSolver) -> list[int | None]:
        slot_of: list[int | None] = [None] * self.problem.n_meetings
        for m, v in self.slot.items():
            slot_of[m] = solver.value(v)
        return slot_of


def _has_break(slot_of: Sequence[int | None], meetings: Sequence[int]) -> bool:
    slots = sorted(s for m in meetings if (s := slot_of[m]) is not None)
    return any(b != a + 1 for a, b in zip(slots, slots[1:], strict=False))


def block_lns(problem: Problem, domains: list[list[int]], slot_of: list[int | None], *, seconds: float,
              fairness: int | None, target: int = 0, workers: int = 2, seed: int = 1) -> list[int | None]:
    """Large neighbourhood search: free the meetings of a few participants, re-solve them with CP-SAT.

    The block model of the held meetings is built once (limit = the incumbent's breaks); each step copies
    it, fixes every meeting outside the neighbourhood to its current slot and minimises the total breaks,
    hinted with the incumbent. A neighbourhood is a participant with breaks plus participants it meets
    (their meetings only), or all meetings in a window of slots. Its size grows while steps are solved to
    optimality and shrinks when they time out. Returns a schedule at least as good as `slot_of`.
    """
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    held = [m for m in range(problem.n_meetings) if slot_of[m] is not None]
    current = list(slot_of)
    cost = schedule_cost(problem, current, fairness)
    if not held or cost[0] > 0 or cost[1] <= target:
        return current
    base = BlockModel(problem, domains, held, limit=cost[1], fairness=fairness)
    base.model.minimize(base.total)
    index = {m: v.index for m, v in base.slot.items()}
    neighbours: list[set[int]] = [set() for _ in problem.participant_ids]
    for m in held:
        for p in problem.meeting_participants[m]:
            neighbours[p].update(q for q in problem.meeting_participants[m] if q != p)
    size = 3
    while cost[1] > target:
        left = deadline - time.monotonic()
        if left < 0.2:
            break
        broken = [p for p, pm in enumerate(problem.meetings_of) if _has_break(current, pm)]
        free: set[int] = set()
        if broken and rng.random() < 0.7:
            chosen = {rng.choice(broken)}
            pool = set(neighbours[next(iter(chosen))])
            while len(chosen) < size and pool:
                q = rng.choice(sorted(pool))
                chosen.add(q)
                pool |= neighbours[q]
                pool -= chosen
            free = {m for p in chosen for m in problem.meetings_of[p] if slot_of[m] is not None}
        else:
            width = max(2, size)
            a = rng.randrange(max(1, problem.n_slots - width + 1))
            free = {m for m in held if a <= current[m] < a + width}  # type: ignore[operator]
        model = base.model.clone()
        proto = model.proto
        for m in held:
            if m not in free:
                var = proto.variables[index[m]]
                del var.domain[:]
                var.domain.extend([current[m], current[m]])
            model.add_hint(base.slot[m], current[m])  # type: ignore[arg-type]
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = min(left, 2.0)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = rng.randrange(1 << 20)
        status = solver.solve(model)
        if status == cp_model.OPTIMAL:
            size += 1
        elif status not in (cp_model.FEASIBLE,):
            size = max(2, size - 1)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found: list[int | None] = list(current)
            for m in held:
                found[m] = solver.value(base.slot[m])
            new_cost = schedule_cost(problem, found, fairness)
            if new_cost <= cost:
                current, cost = found, new_cost
    return current
