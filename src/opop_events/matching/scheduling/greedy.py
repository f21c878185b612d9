"""What every slot phase shares: each meeting's possible slots, break counts, the greedy start, priority weights."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from opop_events.matching.scheduling.problem import Problem


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
            result[p] = sum(1 for a, b in itertools.pairwise(slots) if b != a + 1)
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
