"""SAT decisions "total breaks <= limit" for a fixed set of held meetings, with CaDiCaL (python-sat).

Encoding: x[m,t] (meeting m in slot t, exactly one per meeting), y[p,t] (participant p busy at slot t, the
or of its meetings' x, at most one of them), seen[p,t] (p busy at some slot <= t) and b[p,t] (p starts a
run at t after an earlier run: a break). Tables bound each slot's meetings; `after` forbids slot pairs.
The breaks of every participant are at most the fairness spread (valid whenever the limit is below the
number of busy participants: then someone has no break, so nobody may have more than the spread), and
an incremental totalizer over all b bounds the total, so one solver answers the limits in turn under
assumptions: a refuted limit is a proven lower bound, a model a schedule. On these event sizes a CDCL
solver finds zero- and few-break schedules that CP-SAT's x[m,t] and block models do not find in a minute.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Solver

from opop_events.matching.scheduling.problem import Problem

SOLVER_NAME = "cadical195"


class BreaksSat:
    """Incremental SAT model of the held meetings; `decide(limit)` asks "total breaks <= limit"."""

    def __init__(self, problem: Problem, domains: list[list[int]], held: Sequence[int], *,
                 fairness: int | None, upper: int) -> None:
        self.problem = problem
        self.held = list(held)
        self.domains = domains
        pool = self.pool = IDPool()
        clauses: list[list[int]] = []
        T = problem.n_slots
        chosen = set(self.held)

        def amo(lits: list[int]) -> None:
            kind = EncType.pairwise if len(lits) <= 6 else EncType.seqcounter
            clauses.extend(CardEnc.atmost(lits, 1, vpool=pool, encoding=kind).clauses)

        for m in self.held:
            lits = [self.x(m, t) for t in domains[m]]
            clauses.append(lits)
            amo(lits)
        n_tables = len(problem.table_ids)
        for t in range(T):
            column = [self.x(m, t) for m in self.held if t in domains[m]]
            if len(column) > n_tables:
                clauses.extend(CardEnc.atmost(column, n_tables, vpool=pool,
                                              encoding=EncType.seqcounter).clauses)
        for m in self.held:
            for q in problem.meeting_after[m]:
                if q in chosen:
                    clauses.extend([-self.x(m, t), -self.x(q, u)] for t in domains[m] for u in domains[q]
                                   if u >= t)
        break_lits: list[int] = []
        for pm_all in problem.meetings_of:
            pm = [m for m in pm_all if m in chosen]
            if not pm:
                continue
            busy: list[int | None] = []
            for t in range(T):
                lits = [self.x(m, t) for m in pm if t in domains[m]]
                if not lits:
                    busy.append(None)
                    continue
                if len(lits) > 1:
                    amo(lits)
                y = pool.id()
                clauses.append([-y, *lits])
                clauses.extend([-lit, y] for lit in lits)
                busy.append(y)
            own: list[int] = []
            seen: int | None = None
            for t in range(T):
                y = busy[t]
                if y is not None and seen is not None:
                    b = pool.id()
                    prev = busy[t - 1]
                    clauses.append([-y, -seen, b] if prev is None else [-y, prev, -seen, b])
                    own.append(b)
                if y is not None or seen is not None:
                    s = pool.id()
                    if y is not None:
                        clauses.append([-y, s])
                    if seen is not None:
                        clauses.append([-seen, s])
                    seen = s
            # implied: without a break, the busy slots are one window of n slots
            n = len(pm)
            windows = [a for a in range(T - n + 1) if all(busy[t] is not None for t in range(a, a + n))]
            window_lits = []
            for a in windows:
                w = pool.id()
                clauses.extend([-w, busy[t]] for t in range(a, a + n))  # type: ignore[list-item]
                clauses.extend([-w, -y] for t, y in enumerate(busy) if y is not None and not a <= t < a + n)
                window_lits.append(w)
            clauses.append(own + window_lits)
            if own and fairness is not None and fairness < len(own):
                clauses.extend(CardEnc.atmost(own, fairness, vpool=pool, encoding=EncType.seqcounter).clauses)
            break_lits.extend(own)
        self.solver = Solver(name=SOLVER_NAME, bootstrap_with=clauses)
        self.totalizer: ITotalizer | None = None
        if break_lits:
            self.totalizer = ITotalizer(lits=break_lits, ubound=max(0, min(upper, len(break_lits))),
                                        top_id=pool.top)
            self.solver.append_formula(self.totalizer.cnf.clauses)
        self.active = sum(1 for pm in problem.meetings_of if any(m in chosen for m in pm))

    def x(self, m: int, t: int) -> int:
        return self.pool.id(("x", m, t))

    def decide(self, limit: int) -> list[int | None] | None:
        """A schedule with at most `limit` breaks, or None if none exists (no time limit: run it in a
        process that can be killed, see SatRace)."""
        assumptions: list[int] = []
        if self.totalizer is not None and limit < len(self.totalizer.rhs):
            assumptions = [-self.totalizer.rhs[limit]]
        if not self.solver.solve(assumptions=assumptions):
            return None
        model = self.solver.get_model() or []
        true = {lit for lit in model if lit > 0}
        slot_of: list[int | None] = [None] * self.problem.n_meetings
        for m in self.held:
            slot_of[m] = next(t for t in self.domains[m] if self.x(m, t) in true)
        return slot_of

    def close(self) -> None:
        self.solver.delete()


def zero_break_schedule(problem: Problem, domains: list[list[int]], held: Sequence[int]) -> list[int | None] | None:
    """A schedule of the held meetings in which nobody has a break, or None if there is none.

    Leaner than BreaksSat at limit 0 (measured: ticf-14crafa in 10 s instead of 35–40 s): each participant
    picks exactly one window of n slots; a meeting may only sit in a slot that a window of each of its
    participants covers, and every slot of a chosen window holds one of the participant's meetings.
    """
    pool = IDPool()
    clauses: list[list[int]] = []
    chosen = set(held)
    T = problem.n_slots

    def x(m: int, t: int) -> int:
        return pool.id(("x", m, t))

    def amo(lits: list[int]) -> None:
        kind = EncType.pairwise if len(lits) <= 6 else EncType.seqcounter
        clauses.extend(CardEnc.atmost(lits, 1, vpool=pool, encoding=kind).clauses)

    for m in held:
        lits = [x(m, t) for t in domains[m]]
        clauses.append(lits)
        amo(lits)
    n_tables = len(problem.table_ids)
    for t in range(T):
        column = [x(m, t) for m in held if t in domains[m]]
        if len(column) > n_tables:
            clauses.extend(CardEnc.atmost(column, n_tables, vpool=pool, encoding=EncType.seqcounter).clauses)
    for m in held:
        for q in problem.meeting_after[m]:
            if q in chosen:
                clauses.extend([-x(m, t), -x(q, u)] for t in domains[m] for u in domains[q] if u >= t)
    for pm_all in problem.meetings_of:
        pm = [m for m in pm_all if m in chosen]
        if not pm:
            continue
        n = len(pm)
        at = [[x(m, t) for m in pm if t in domains[m]] for t in range(T)]
        windows = {a: pool.id() for a in range(T - n + 1) if all(at[t] for t in range(a, a + n))}
        if not windows:
            return None
        clauses.append(list(windows.values()))
        amo(list(windows.values()))
        for t in range(T):
            if len(at[t]) > 1:
                amo(at[t])
            cover = [w for a, w in windows.items() if a <= t < a + n]
            clauses.extend([-w, *at[t]] for w in cover)
            clauses.extend([-lit, *cover] for lit in at[t])
    with Solver(name=SOLVER_NAME, bootstrap_with=clauses) as solver:
        if not solver.solve():
            return None
        true = {lit for lit in solver.get_model() or [] if lit > 0}
    slot_of: list[int | None] = [None] * problem.n_meetings
    for m in held:
        slot_of[m] = next(t for t in domains[m] if x(m, t) in true)
    return slot_of


def _race_worker(conn: Connection, problem: Problem, domains: list[list[int]], held: list[int],
                 fairness: int | None, lower: int, upper: int) -> None:
    """Child process: ask limits lower, lower+1, ... below `upper`; report each answer as it comes."""
    limit = lower
    if limit == 0 < upper:
        found = zero_break_schedule(problem, domains, held)
        conn.send(("unsat", 0, None) if found is None else ("sat", 0, found))
        if found is not None:
            conn.send(("done", 0, None))
            conn.close()
            return
        limit = 1
    model = BreaksSat(problem, domains, held, fairness=fairness, upper=upper)
    # the fairness cap per participant is only sound while someone must have no break
    while limit < upper and (fairness is None or limit < model.active):
        found = model.decide(limit)
        if found is None:
            conn.send(("unsat", limit, None))
            limit += 1
        else:
            conn.send(("sat", limit, found))
            break
    conn.send(("done", limit, None))
    model.close()
    conn.close()


class SatRace:
    """The SAT decisions run in a child process beside the CP-SAT phases; kill it when time is up.

    `lower` becomes the first limit not refuted; `schedule` is the first schedule found (with at most
    `lower` breaks, so optimal among fair schedules of the held meetings); `solved` tells that the child
    settled the optimum (a schedule, or every limit below `upper` refuted); `on_solved` then runs in a
    watcher thread, e.g. to stop a running CP-SAT search.
    """

    def __init__(self, problem: Problem, domains: list[list[int]], held: Sequence[int], *,
                 fairness: int | None, lower: int, upper: int) -> None:
        self.lower = lower
        self.upper = upper
        self.schedule: list[int | None] | None = None
        self.finished = threading.Event()
        self.solved = False  # the child answered every limit it was given
        self.on_solved: Callable[[], None] | None = None
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_race_worker, args=(child, problem, domains, list(held), fairness, lower, upper),
            daemon=True)
        self._process.start()
        child.close()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        with contextlib.suppress(EOFError, OSError):  # the child was killed at the deadline: nothing more to read
            while True:
                kind, limit, found = self._conn.recv()
                if kind == "unsat":
                    self.lower = max(self.lower, limit + 1)
                elif kind == "sat":
                    self.schedule = found
                else:
                    # every limit below `upper` refuted proves the caller's schedule optimal too
                    self.solved = self.schedule is not None or self.lower >= self.upper
                    break
        self.finished.set()
        if self.solved and self.on_solved is not None:
            self.on_solved()

    def running(self) -> bool:
        return not self.finished.is_set()

    def stop(self) -> None:
        """End the child (if still searching) and wait for the watcher."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._watcher.join(timeout=1.0)
        self._conn.close()
