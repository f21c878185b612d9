"""Table assignment once slots are fixed: keep each participant at as few different tables as possible."""

from __future__ import annotations

from collections.abc import Sequence

from opop_events.matching.scheduling.problem import Problem


def assign_tables(problem: Problem, slot_of: Sequence[int | None]) -> list[int | None]:
    """Return a table index per meeting (None when unscheduled).

    Slots are independent except through each participant's history, so this walks the slots in order and
    seats each meeting at a table its participants already used (the busiest participant first: sellers
    stay put, visitors come to them); a meeting with no usable history takes the free table that the fewest
    participants have claimed, so "home" tables stay distinct. Heuristic, not proven minimal.
    """
    n_tables = len(problem.table_ids)
    table_of: list[int | None] = [None] * problem.n_meetings
    used: list[dict[int, int]] = [{} for _ in problem.participant_ids]  # participant -> table -> times
    claimed = [0] * n_tables
    by_slot: list[list[int]] = [[] for _ in range(problem.n_slots)]
    for m, t in enumerate(slot_of):
        if t is not None:
            by_slot[t].append(m)
    degree = [len(ms) for ms in problem.meetings_of]
    for meetings in by_slot:
        if not meetings:
            continue
        free = set(range(n_tables))
        # meetings whose participants already have tables go first, the most settled first
        meetings = sorted(
            meetings,
            key=lambda m: (
                -max((sum(used[p].values()) for p in problem.meeting_participants[m]), default=0),
                -max(degree[p] for p in problem.meeting_participants[m]),
                m,
            ),
        )
        for m in meetings:
            members = problem.meeting_participants[m]
            best, best_key = None, None
            for p in members:
                for table, times in used[p].items():
                    if table not in free:
                        continue
                    shared = sum(1 for q in members if table in used[q])
                    key = (-shared, -times, -degree[p], table)
                    if best_key is None or key < best_key:
                        best, best_key = table, key
            if best is None:
                best = min(free, key=lambda tb: (claimed[tb], tb))
            free.discard(best)
            table_of[m] = best
            for p in members:
                if best not in used[p]:
                    used[p][best] = 0
                    claimed[best] += 1
                used[p][best] += 1
    return table_of
