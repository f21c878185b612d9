"""The CP-SAT models of the slot phases: the x[m,t] slot model and the busy-pattern relaxation (a lower bound)."""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model

from opop_events.matching.scheduling.problem import Problem


class SlotModel:
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


def relaxation(problem: Problem, domains: list[list[int]], meetings: Sequence[int], fairness: int | None,
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
