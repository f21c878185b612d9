"""SAT decisions "total breaks <= limit" for a fixed set of held meetings, with CaDiCaL (python-sat).

Encoding: x[m,t] (meeting m in slot t, exactly one per meeting), y[p,t] (participant p busy at slot t, the
or of its meetings' x, at most one of them; exactly as many busy slots as meetings, an implied count),
seen[p,t] (p busy at some slot <= t) and b[p,t] (p starts a run at t after an earlier run: a break).
Tables bound each slot's meetings; `after` forbids slot pairs.
The breaks of every participant are at most the fairness spread (valid whenever the limit is below the
number of busy participants: then someone has no break, so nobody may have more than the spread), and
an incremental totalizer over all b bounds the total, so one solver answers the limits in turn under
assumptions: a refuted limit is a proven lower bound, a model a schedule. On these event sizes a CDCL
solver finds zero- and few-break schedules that CP-SAT's x[m,t] and block models do not find in a minute.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Solver

from opop_events.matching.scheduling.greedy import participant_breaks
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
                                              encoding=EncType.totalizer).clauses)
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
            # implied: exactly n busy slots (each meeting in its own slot). Redundant, but it turns the
            # counting CDCL cannot do by itself into propagation: measured on ticf-13crafb "<= 3",
            # 143 s without it, 22 s with it (forum-13crafb "<= 6": 100 s -> 17 s).
            n = len(pm)
            ys = [y for y in busy if y is not None]
            if len(ys) > n:
                clauses.extend(CardEnc.equals(ys, n, vpool=pool, encoding=EncType.totalizer).clauses)
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


def count_breaks(problem: Problem, slot_of: Sequence[int | None]) -> int:
    """Total breaks of a schedule (the solver's own count)."""
    return sum(participant_breaks(problem, slot_of).values())


def _race_worker(conn: Connection, problem: Problem, domains: list[list[int]], held: list[int],
                 fairness: int | None, lower: int, upper: int, direction: str,
                 known: ctypes.c_int | None = None) -> None:
    """Child process. "up": ask limits lower, lower+1, ... below `upper`; the first schedule is optimal.
    "down": ask upper-1, then one below each schedule found (or below `known`, the best the parent holds
    meanwhile), so every answer is a better schedule, until a refusal proves the best one optimal. Each
    answer is reported as it comes."""
    with contextlib.suppress(BrokenPipeError, EOFError, OSError):  # the parent has what it needs and left
        if direction == "up" and lower == 0 < upper:
            found = zero_break_schedule(problem, domains, held)
            if found is not None:
                conn.send(("sat", 0, found))
                conn.send(("done", 0, None))
                conn.close()
                return
            conn.send(("unsat", 0, None))
            lower = 1
        model = BreaksSat(problem, domains, held, fairness=fairness, upper=upper)

        def sound(limit: int) -> bool:
            # the fairness cap per participant is only sound while someone must have no break
            return fairness is None or limit < model.active

        if direction == "up":
            limit = lower
            while limit < upper and sound(limit):
                found = model.decide(limit)
                if found is None:
                    conn.send(("unsat", limit, None))
                    limit += 1
                else:
                    conn.send(("sat", count_breaks(problem, found), found))
                    break
        else:
            limit = upper - 1
            while True:
                if known is not None:
                    limit = min(limit, known.value - 1)
                if limit < lower or not sound(limit):
                    break
                found = model.decide(limit)
                if found is None:
                    conn.send(("unsat", limit, None))
                    break
                breaks = count_breaks(problem, found)
                conn.send(("sat", breaks, found))
                limit = breaks - 1
        conn.send(("done", limit, None))
        model.close()
        conn.close()


class SatRace:
    """SAT decisions in child processes beside the CP-SAT phases; they are killed when time is up.

    Two children share the work: one climbs from the lower bound (each refusal raises `lower`, its first
    schedule is optimal), the other descends from the caller's schedule (each answer is a better
    `schedule`, worth having even if time runs out). CaDiCaL's running times on one question spread widely
    (measured: 9–107 s for the same "<= 3"), so two independent searches meeting in the middle finish far
    sooner than either alone. `solved` tells that the optimum is settled: the best schedule reaches
    `lower`, or every limit below `upper` was refuted (the caller's schedule is optimal then); `on_solved`
    then runs in a watcher thread, e.g. to stop a running CP-SAT search.
    """

    def __init__(self, problem: Problem, domains: list[list[int]], held: Sequence[int], *,
                 fairness: int | None, lower: int, upper: int, descend: bool = True) -> None:
        self.lower = lower
        self.upper = upper
        self.best = upper  # breaks of `schedule`; the caller already holds a schedule with `upper`
        self.offered = upper  # the best the caller holds since (see `offer`)
        self.schedule: list[int | None] | None = None
        self.finished = threading.Event()
        self.solved = False
        self.on_solved: Callable[[], None] | None = None
        self._lock = threading.Lock()
        context = multiprocessing.get_context("spawn")
        self._known = context.Value("i", upper, lock=False)
        self._children: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        for direction in ("up", "down") if descend and upper - lower > 1 else ("up",):
            conn, child = context.Pipe(duplex=False)
            process = context.Process(
                target=_race_worker,
                args=(child, problem, domains, list(held), fairness, lower, upper, direction, self._known),
                daemon=True)
            process.start()
            child.close()
            self._children.append((process, conn))
        self._open = len(self._children)
        self._watchers = [threading.Thread(target=self._watch, args=(conn,), daemon=True)
                          for _, conn in self._children]
        for watcher in self._watchers:
            watcher.start()

    def _watch(self, conn: Connection) -> None:
        with contextlib.suppress(EOFError, OSError):  # the child was killed: nothing more to read
            while not self.finished.is_set():
                kind, value, found = conn.recv()
                with self._lock:
                    if kind == "unsat":
                        self.lower = max(self.lower, value + 1)
                    elif kind == "sat" and value < self.best:
                        self.best, self.schedule = value, found
                    if kind == "done":
                        break
                    if self._settled():
                        break
        with self._lock:
            self._open -= 1
            won = self._settled() and not self.solved
            if won:
                self.solved = True
            if won or self._open == 0:
                self.finished.set()
        if won:
            self._kill()
            if self.on_solved is not None:
                self.on_solved()

    def offer(self, breaks: int) -> bool:
        """The caller found a fair schedule with `breaks` (e.g. by local search): the descent continues
        below it, and it is optimal once the climb refutes every limit under it. True when that already
        settles the optimum."""
        with self._lock:
            self.offered = min(self.offered, breaks)
            self._known.value = min(self._known.value, breaks)
            won = self._settled() and not self.solved
            if won:
                self.solved = True
                self.finished.set()
        if won:
            self._kill()
            if self.on_solved is not None:
                self.on_solved()
        return self.solved

    def _kill(self) -> None:
        for process, _ in self._children:  # the searches have nothing left to find
            if process.is_alive():
                process.kill()

    def _settled(self) -> bool:
        return min(self.best, self.offered) <= self.lower

    def running(self) -> bool:
        return not self.finished.is_set()

    def stop(self) -> None:
        """End the children (if still searching) and wait for the watchers."""
        for process, _ in self._children:
            if process.is_alive():
                process.kill()
            process.join()
        for watcher in self._watchers:
            watcher.join(timeout=1.0)
        for _, conn in self._children:
            conn.close()
