"""Simulated annealing on a complete slot choice with Kempe-chain swaps, to find few-break schedules fast.

A Kempe swap exchanges slots t1 and t2 for one connected group of meetings (meetings sharing a participant
are connected): every participant in the group keeps one meeting per slot, so the move stays conflict-free;
a meeting moving into a slot where its participants are free is the one-meeting case. Only the busy bitmasks
of the touched participants change, so the break delta is a few bit operations.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence

from opop_events.matching.scheduling.problem import Problem


def _runs(mask: int) -> int:
    return (mask & ~(mask << 1)).bit_count()


def improve(problem: Problem, domains: list[list[int]], slot_of: list[int | None], *, seconds: float,
            fairness: int | None, seed: int = 1, target: int = 0, focus: float = 0.7,
            stop: Callable[[], bool] | None = None) -> list[int | None]:
    """Return a schedule with the same held meetings and (usually) fewer breaks; never an invalid one.

    `stop` is polled now and then: when it returns True (another search settled the question), return.
    """
    rng = random.Random(seed)
    held = [m for m in range(problem.n_meetings) if slot_of[m] is not None]
    if not held or seconds <= 0:
        return slot_of
    slot = list(slot_of)
    T = problem.n_slots
    n_tables = len(problem.table_ids)
    members = problem.meeting_participants
    after = problem.meeting_after
    succ: list[list[int]] = [[] for _ in range(problem.n_meetings)]
    for m, before in enumerate(after):
        for q in before:
            succ[q].append(m)
    dom_sets = [frozenset(d) for d in domains]
    at: list[dict[int, int]] = [{} for _ in problem.participant_ids]  # participant -> slot -> meeting
    mask = [0] * len(problem.participant_ids)
    load = [0] * T
    for m in held:
        t = slot[m]
        load[t] += 1  # type: ignore[index]
        for p in members[m]:
            at[p][t] = m  # type: ignore[index]
            mask[p] |= 1 << t  # type: ignore[operator]
    active = [p for p in range(len(mask)) if mask[p]]
    brk = [max(0, _runs(mask[p]) - 1) for p in range(len(mask))]
    hist: dict[int, int] = {}
    for p in active:
        hist[brk[p]] = hist.get(brk[p], 0) + 1
    weight = T * max(1, len(active)) + 1  # fairness excess outweighs any number of breaks

    def excess() -> int:
        if fairness is None or not hist:
            return 0
        return max(0, max(hist) - min(hist) - fairness)

    cur_excess = excess()
    cost = sum(brk[p] for p in active) + weight * cur_excess
    best_cost, best = cost, list(slot)
    start = time.monotonic()
    deadline = start + seconds
    temp0, temp_end = 2.0, 0.05
    it = 0
    held_arr = held
    while True:
        it += 1
        if (it & 255) == 0:
            now = time.monotonic()
            if now >= deadline or best_cost <= target or (stop is not None and stop()):
                break
            frac = (now - start) / seconds
            temp = temp0 * (temp_end / temp0) ** frac
        elif it == 1:
            temp = temp0
        if rng.random() < focus:
            # mostly move meetings of participants who have breaks: that is where the cost is
            p = active[rng.randrange(len(active))]
            for _ in range(4):
                if brk[p]:
                    break
                p = active[rng.randrange(len(active))]
            slots_p = at[p]
            if not slots_p:
                continue
            m = rng.choice(list(slots_p.values()))
        else:
            m = held_arr[rng.randrange(len(held_arr))]
        d = domains[m]
        if len(d) < 2:
            continue
        t1 = slot[m]
        t2 = d[rng.randrange(len(d))]
        if t2 == t1:
            continue
        # Kempe component of m in slots {t1, t2}
        comp = {m}
        stack = [m]
        ok = True
        while stack and ok:
            a = stack.pop()
            for p in members[a]:
                for tt in (t1, t2):
                    b = at[p].get(tt)  # type: ignore[arg-type]
                    if b is not None and b not in comp:
                        comp.add(b)
                        stack.append(b)
                        if len(comp) > 40:
                            ok = False
        if not ok:
            continue
        moved_in = 0  # meetings that go t1 -> t2
        for a in comp:
            other = t2 if slot[a] == t1 else t1
            if other not in dom_sets[a]:
                ok = False
                break
            moved_in += 1 if slot[a] == t1 else -1
        if not ok or load[t2] + moved_in > n_tables or load[t1] - moved_in > n_tables:  # type: ignore[index]
            continue
        # precedence: check final slots of the moved meetings against their neighbours
        for a in comp:
            na = t2 if slot[a] == t1 else t1
            for q in after[a]:
                sq = slot[q]
                if sq is None:
                    continue
                if q in comp:
                    sq = t2 if sq == t1 else t1
                if sq >= na:  # type: ignore[operator]
                    ok = False
                    break
            if not ok:
                break
            for q in succ[a]:
                sq = slot[q]
                if sq is None:
                    continue
                if q in comp:
                    sq = t2 if sq == t1 else t1
                if sq <= na:  # type: ignore[operator]
                    ok = False
                    break
            if not ok:
                break
        if not ok:
            continue
        touched = {p for a in comp for p in members[a]}
        bit1, bit2 = 1 << t1, 1 << t2  # type: ignore[operator]
        delta = 0
        new_masks = {}
        for p in touched:
            mk = mask[p]
            h1, h2 = mk & bit1, mk & bit2
            nm = mk & ~(bit1 | bit2)
            if h1:
                nm |= bit2
            if h2:
                nm |= bit1
            new_masks[p] = nm
            delta += (_runs(nm) - 1) - brk[p]
        if fairness is not None:
            _move_hist(hist, [(brk[p], _runs(nm) - 1) for p, nm in new_masks.items()])
            new_excess = excess()
            _move_hist(hist, [(_runs(nm) - 1, brk[p]) for p, nm in new_masks.items()])
        else:
            new_excess = 0
        new_cost = cost - weight * cur_excess + delta + weight * new_excess
        diff = new_cost - cost
        if diff > 0 and rng.random() >= math.exp(-diff / temp):
            continue
        # apply
        for a in comp:
            old = slot[a]
            new = t2 if old == t1 else t1
            for p in members[a]:
                if at[p].get(old) == a:  # type: ignore[arg-type]
                    del at[p][old]  # type: ignore[arg-type]
        for a in comp:
            old = slot[a]
            new = t2 if old == t1 else t1
            slot[a] = new
            for p in members[a]:
                at[p][new] = a
        load[t2] += moved_in  # type: ignore[index]
        load[t1] -= moved_in  # type: ignore[index]
        if fairness is not None:
            _move_hist(hist, [(brk[p], _runs(nm) - 1) for p, nm in new_masks.items()])
        for p, nm in new_masks.items():
            mask[p] = nm
            brk[p] = _runs(nm) - 1
        cost = new_cost
        cur_excess = new_excess
        if cost < best_cost:
            best_cost, best = cost, list(slot)
    return best


def _move_hist(hist: dict[int, int], changes: list[tuple[int, int]]) -> None:
    for old, new in changes:
        hist[old] -= 1
        if not hist[old]:
            del hist[old]
        hist[new] = hist.get(new, 0) + 1


def schedule_cost(problem: Problem, slot_of: Sequence[int | None], fairness: int | None) -> tuple[int, int]:
    """(fairness excess, total breaks) of a schedule, the order the search minimises them in."""
    per = []
    for ms in problem.meetings_of:
        mk = 0
        for m in ms:
            if slot_of[m] is not None:
                mk |= 1 << slot_of[m]  # type: ignore[operator]
        if mk:
            per.append(_runs(mk) - 1)
    if not per:
        return 0, 0
    exc = max(0, max(per) - min(per) - fairness) if fairness is not None else 0
    return exc, sum(per)


class _State:
    """Slots, per-participant occupancy and loads of a partial schedule, with Kempe swaps."""

    def __init__(self, problem: Problem, domains: list[list[int]], slot_of: list[int | None]) -> None:
        self.problem = problem
        self.domains = domains
        self.dom_sets = [frozenset(d) for d in domains]
        self.slot = list(slot_of)
        self.n_tables = len(problem.table_ids)
        self.succ: list[list[int]] = [[] for _ in range(problem.n_meetings)]
        for m, before in enumerate(problem.meeting_after):
            for q in before:
                self.succ[q].append(m)
        self.at: list[dict[int, int]] = [{} for _ in problem.participant_ids]
        self.load = [0] * problem.n_slots
        for m, t in enumerate(self.slot):
            if t is not None:
                self.load[t] += 1
                for p in problem.meeting_participants[m]:
                    self.at[p][t] = m

    def component(self, m: int, t1: int, t2: int, limit: int = 200) -> set[int] | None:
        comp = {m}
        stack = [m]
        while stack:
            a = stack.pop()
            for p in self.problem.meeting_participants[a]:
                for tt in (t1, t2):
                    b = self.at[p].get(tt)
                    if b is not None and b not in comp:
                        comp.add(b)
                        stack.append(b)
                        if len(comp) > limit:
                            return None
        return comp

    def can_swap(self, comp: set[int], t1: int, t2: int) -> bool:
        moved = 0
        for a in comp:
            other = t2 if self.slot[a] == t1 else t1
            if other not in self.dom_sets[a]:
                return False
            moved += 1 if self.slot[a] == t1 else -1
        if self.load[t2] + moved > self.n_tables or self.load[t1] - moved > self.n_tables:
            return False
        for a in comp:
            na = t2 if self.slot[a] == t1 else t1
            for q in self.problem.meeting_after[a]:
                sq = self._after_swap(q, comp, t1, t2)
                if sq is not None and sq >= na:
                    return False
            for q in self.succ[a]:
                sq = self._after_swap(q, comp, t1, t2)
                if sq is not None and sq <= na:
                    return False
        return True

    def _after_swap(self, q: int, comp: set[int], t1: int, t2: int) -> int | None:
        sq = self.slot[q]
        if sq is None or q not in comp:
            return sq
        return t2 if sq == t1 else t1

    def swap(self, comp: set[int], t1: int, t2: int) -> None:
        members = self.problem.meeting_participants
        for a in comp:
            old = self.slot[a]
            for p in members[a]:
                if self.at[p].get(old) == a:  # type: ignore[arg-type]
                    del self.at[p][old]  # type: ignore[arg-type]
            self.load[old] -= 1  # type: ignore[index]
        for a in comp:
            new = t2 if self.slot[a] == t1 else t1
            self.slot[a] = new
            self.load[new] += 1
            for p in members[a]:
                self.at[p][new] = a

    def fits(self, m: int, t: int) -> bool:
        if self.load[t] >= self.n_tables:
            return False
        if any(t in self.at[p] for p in self.problem.meeting_participants[m]):
            return False
        before = (self.slot[q] for q in self.problem.meeting_after[m])
        if any(s is not None and s >= t for s in before):
            return False
        return not any(s is not None and s <= t for s in (self.slot[q] for q in self.succ[m]))

    def place(self, m: int, t: int) -> None:
        self.slot[m] = t
        self.load[t] += 1
        for p in self.problem.meeting_participants[m]:
            self.at[p][t] = m


def insert_with_chains(problem: Problem, domains: list[list[int]], slot_of: list[int | None], *,
                       seconds: float, order: Sequence[int], seed: int = 3) -> list[int | None]:
    """Place unscheduled meetings by freeing a slot with Kempe swaps (König's augmenting argument).

    For an unscheduled meeting and a slot t of its domain, each meeting that blocks a participant at t is
    moved away by swapping its Kempe component between t and another slot; if the participants end up
    free at t, the meeting goes there. Random Kempe moves between passes shake things loose.
    """
    rng = random.Random(seed)
    st = _State(problem, domains, slot_of)
    deadline = time.monotonic() + seconds
    pending = [m for m in order if st.slot[m] is None and domains[m]]
    while pending and time.monotonic() < deadline:
        progress = False
        for m in list(pending):
            if time.monotonic() >= deadline:
                break
            if _try_insert(st, m, rng):
                pending.remove(m)
                progress = True
        if not progress:
            # shake: random valid Kempe swaps around the participants of pending meetings
            for _ in range(200):
                m = pending[rng.randrange(len(pending))]
                p = problem.meeting_participants[m][rng.randrange(len(problem.meeting_participants[m]))]
                if not st.at[p]:
                    continue
                t1 = rng.choice(list(st.at[p]))
                a = st.at[p][t1]
                if len(domains[a]) < 2:
                    continue
                t2 = rng.choice(domains[a])
                if t2 == t1:
                    continue
                comp = st.component(a, t1, t2, limit=30)
                if comp is not None and st.can_swap(comp, t1, t2):
                    st.swap(comp, t1, t2)
    return st.slot


def _try_insert(st: _State, m: int, rng: random.Random) -> bool:
    members = st.problem.meeting_participants[m]
    slots = list(st.domains[m])
    rng.shuffle(slots)
    for t in slots:
        if st.fits(m, t):
            st.place(m, t)
            return True
    for t in slots:
        if st.load[t] >= st.n_tables:
            continue
        blockers = [st.at[p][t] for p in members if t in st.at[p]]
        if any(st.problem.meeting_after[m]) or st.succ[m]:
            pass  # precedence is checked by fits() after the swaps
        ok = True
        for b in dict.fromkeys(blockers):
            if st.slot[b] != t:
                continue  # already moved by an earlier swap in this attempt
            moved = False
            targets = list(st.domains[b])
            rng.shuffle(targets)
            for t2 in targets:
                if t2 == t:
                    continue
                comp = st.component(b, t, t2)
                if comp is None or any(any(p in members for p in st.problem.meeting_participants[a]) and
                                       st.slot[a] == t2 for a in comp):
                    continue  # would just move the clash to t
                if st.can_swap(comp, t, t2):
                    st.swap(comp, t, t2)
                    moved = True
                    break
            if not moved:
                ok = False
                break
        if ok and st.fits(m, t):
            st.place(m, t)
            return True
    return False
