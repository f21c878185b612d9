"""Meeting scheduler: assigns requested B2B meetings to slots and tables (pure; no database).

Input is the problem.json shape, output the schedule.json shape (see `solve`). Rules that always hold:
each meeting at most once; a participant in at most one meeting per slot; at most one meeting per table and
slot (so at most ``len(tables)`` per slot); never in a participant's unavailable slot; a meeting's
``session`` and fixed ``slot`` are respected; a meeting is held strictly after each meeting in its ``after``
list *when both are held* (an unscheduled predecessor does not block its successor).

Objective, in this order:

1. Hold as many meetings as possible, by priority: **a higher ``priority`` number is more important**
   (1..5, default 1; the app maps opsional = 1, penting = 2, wajib = 3). Priorities are lexicographic: one
   meeting of a higher priority outweighs any number of meetings of lower priorities.
2. Minimise the total number of breaks (a break is two consecutive meetings of one participant whose slots
   are not adjacent in ``slots``), with every two participants' break counts (participants with at least
   one held meeting) within ``fairness`` when given. If no such fair schedule exists, the spread beyond
   ``fairness`` is minimised first and ``stats.fairness_met`` is false.
3. Seat each participant at as few different tables as possible (heuristic, after slots are fixed).

The search is anytime: a greedy schedule first, then OR-Tools CP-SAT (at most 2 workers) improves it until
the time limit. ``stats.optimal`` is true only when objectives 1 and 2 are proven optimal;
``stats.lower_bound`` is a proven lower bound on total breaks over all (fair, if asked) schedules holding at
least as many (priority-weighted) meetings. Unscheduled meetings carry a reason in Bahasa Indonesia.

CLI: ``python -m opop_events.matching.scheduler --input problem.json --output schedule.json --time-limit 60``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from opop_events.core.i18n import _
from opop_events.matching.scheduling.greedy import meeting_domains, participant_breaks, successors_of
from opop_events.matching.scheduling.problem import Problem, ProblemError, parse_problem
from opop_events.matching.scheduling.solver import solve_slots
from opop_events.matching.scheduling.table_assignment import assign_tables

__all__ = ["MAX_INPUT_BYTES", "Problem", "ProblemError", "main", "parse_problem", "run_files", "solve"]

MAX_INPUT_BYTES = 50 * 1024 * 1024
MAX_TIME_LIMIT = 3600.0


def solve(
    problem: Problem | dict[str, Any],
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Schedule `problem` (a Problem or decoded problem.json) and return the schedule.json dict.

    Raises ProblemError on invalid input. Uses at most `workers` threads and about `time_limit` seconds.
    """
    started = time.monotonic()
    if not isinstance(problem, Problem):
        problem = parse_problem(problem)
    if not (isinstance(time_limit, (int, float)) and math.isfinite(time_limit)
            and 0 < time_limit <= MAX_TIME_LIMIT):
        raise ProblemError(
            "time_limit",
            _("batas waktu harus lebih dari 0 dan paling lama {seconds} detik").format(
                seconds=f"{MAX_TIME_LIMIT:.0f}"
            ),
        )
    workers = max(1, min(int(workers), 2))
    # keep a little time for tables and output, more on big events
    reserve = min(0.2 * time_limit, 0.2 + problem.n_meetings / 4000)
    slots = solve_slots(problem, time_limit=time_limit, workers=workers, reserve=reserve, progress=progress)
    slot_of = slots.slot_of
    table_of = assign_tables(problem, slot_of)

    order = sorted((m for m in range(problem.n_meetings) if slot_of[m] is not None),
                   key=lambda m: (slot_of[m], table_of[m]))
    meetings = [
        {"id": problem.meeting_ids[m], "slot": problem.slot_ids[slot_of[m]],  # type: ignore[index]
         "table": problem.table_ids[table_of[m]]}  # type: ignore[index]
        for m in order
    ]
    unscheduled = [
        {"id": problem.meeting_ids[m], "reason": reason}
        for m, reason in unscheduled_reasons(problem, slot_of, proven=slots.meetings_optimal).items()
    ]
    per = participant_breaks(problem, slot_of)
    tables_per: dict[int, set[int]] = {}
    for m in order:
        for p in problem.meeting_participants[m]:
            tables_per.setdefault(p, set()).add(table_of[m])  # type: ignore[arg-type]
    total = sum(per.values())
    stats = {
        "requested": problem.n_meetings,
        "scheduled": len(meetings),
        "breaks_total": total,
        "breaks_max": max(per.values(), default=0),
        "breaks_min": min(per.values(), default=0),
        "lower_bound": min(slots.breaks_lower_bound, total),
        "optimal": bool(slots.meetings_optimal and slots.breaks_optimal),
        "meetings_optimal": slots.meetings_optimal,
        "fairness_met": slots.fairness_met,
        "tables_per_participant_max": max((len(s) for s in tables_per.values()), default=0),
        "seconds": round(time.monotonic() - started, 2),
    }
    return {"meetings": meetings, "unscheduled": unscheduled, "stats": stats}


def unscheduled_reasons(
    problem: Problem, slot_of: Sequence[int | None], *, proven: bool = True
) -> dict[int, str]:
    """A user-facing reason (Bahasa Indonesia) for each meeting left out of the schedule.

    Reasons from the input alone (availability, too many requests) always hold; the others describe the
    final schedule, and when the search did not prove that no schedule holds more, they say so.
    """

    def unproven(reason: str) -> str:
        if proven:
            return reason
        return _("{reason} (belum terbukti mustahil; coba tambah batas waktu)").format(reason=reason)

    domains = meeting_domains(problem)
    succ = successors_of(problem)
    names = problem.participant_ids
    busy: list[set[int]] = [set() for _ in names]
    load = [0] * problem.n_slots
    for m, t in enumerate(slot_of):
        if t is not None:
            load[t] += 1
            for p in problem.meeting_participants[m]:
                busy[p].add(t)
    possible_slots = [set().union(*(domains[m] for m in ms)) if ms else set() for ms in problem.meetings_of]
    reasons: dict[int, str] = {}
    for m, t in enumerate(slot_of):
        if t is not None:
            continue
        members = problem.meeting_participants[m]
        session = problem.meeting_session[m]
        fixed = problem.meeting_fixed_slot[m]
        if not domains[m]:
            if fixed is not None:
                label = problem.slot_ids[fixed]
                if session is not None and problem.slot_sessions[fixed] != session:
                    reasons[m] = _("slot tetap {slot} tidak berada di sesi {session}").format(
                        slot=label, session=session
                    )
                else:
                    away = [names[p] for p in members if fixed in problem.unavailable[p]]
                    reasons[m] = _("peserta {names} tidak tersedia di slot tetap {slot}").format(
                        names=", ".join(away), slot=label
                    )
                continue
            candidates = [t2 for t2 in range(problem.n_slots)
                          if session is None or problem.slot_sessions[t2] == session]
            away = [names[p] for p in members if all(t2 in problem.unavailable[p] for t2 in candidates)]
            if away and session is not None:
                reasons[m] = _("peserta {names} tidak tersedia di semua slot sesi {session}").format(
                    names=", ".join(away), session=session
                )
            elif away:
                reasons[m] = _("peserta {names} tidak tersedia di semua slot jadwal").format(names=", ".join(away))
            elif session is not None:
                reasons[m] = _("tidak ada slot sesi {session} saat semua peserta tersedia bersama").format(
                    session=session
                )
            else:
                reasons[m] = _("tidak ada slot jadwal saat semua peserta tersedia bersama")
            continue
        overloaded = [
            names[p] for p in members
            if sum(1 for q in problem.meetings_of[p] if domains[q]) > len(possible_slots[p])
        ]
        if overloaded:
            p_name = overloaded[0]
            p = problem.participant_ids.index(p_name)
            reasons[m] = _(
                "peserta {name} punya {requests} permintaan pertemuan tetapi hanya bisa bertemu di {slots} slot"
            ).format(
                name=p_name,
                requests=sum(1 for q in problem.meetings_of[p] if domains[q]),
                slots=len(possible_slots[p]),
            )
            continue
        free_people = [t2 for t2 in domains[m] if not any(t2 in busy[p] for p in members)]
        if not free_people:
            reasons[m] = unproven(_("tidak ada slot bebas bersama tanpa bentrok"))
            continue
        with_table = [t2 for t2 in free_people if load[t2] < len(problem.table_ids)]
        if not with_table:
            reasons[m] = unproven(_("semua meja penuh di slot yang masih bebas untuk para peserta"))
            continue
        blockers = sorted(
            {problem.meeting_ids[q] for t2 in with_table for q in problem.meeting_after[m]
             if slot_of[q] is not None and slot_of[q] >= t2}  # type: ignore[operator]
            | {problem.meeting_ids[q] for t2 in with_table for q in succ[m]
               if slot_of[q] is not None and slot_of[q] <= t2}  # type: ignore[operator]
        )
        if blockers:
            reasons[m] = unproven(
                _("tidak ada slot bebas yang memenuhi urutan 'after' dengan pertemuan {meetings}").format(
                    meetings=", ".join(blockers)
                )
            )
        else:
            reasons[m] = _("tidak terjadwal dalam batas waktu penjadwalan; coba tambah batas waktu")
    return reasons


def read_problem(input_path: str | Path) -> Problem:
    """Read and validate problem.json; every failure is a ProblemError with an Indonesian message."""
    path = Path(input_path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ProblemError(
            "input", _("berkas '{path}' tidak dapat dibaca ({error})").format(path=path, error=exc.strerror)
        ) from exc
    if size > MAX_INPUT_BYTES:
        raise ProblemError(
            "input",
            _("berkas terlalu besar ({size} bita; batas {limit})").format(size=size, limit=MAX_INPUT_BYTES),
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ProblemError("input", _("berkas bukan teks UTF-8")) from exc
    except json.JSONDecodeError as exc:
        raise ProblemError(
            "input",
            _("JSON tidak valid di baris {line} kolom {column}: {error}").format(
                line=exc.lineno, column=exc.colno, error=exc.msg
            ),
        ) from exc
    except OSError as exc:
        raise ProblemError(
            "input", _("berkas '{path}' tidak dapat dibaca ({error})").format(path=path, error=exc.strerror)
        ) from exc
    return parse_problem(data)


def run_files(
    input_path: str | Path,
    output_path: str | Path,
    *,
    time_limit: float,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Read problem.json, solve, write schedule.json (UTF-8, atomically) and return its stats.

    Raises ProblemError for unreadable or invalid input and for an unwritable output path.
    """
    problem = read_problem(input_path)
    schedule = solve(problem, time_limit=time_limit, workers=workers, progress=progress)
    out = Path(output_path)
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(json.dumps(schedule, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise ProblemError(
            "output", _("berkas '{path}' tidak dapat ditulis ({error})").format(path=out, error=exc.strerror)
        ) from exc
    return schedule["stats"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m opop_events.matching.scheduler",
        description=_("Menjadwalkan pertemuan B2B: problem.json -> schedule.json."),
    )
    parser.add_argument("--input", required=True, help=_("berkas problem.json"))
    parser.add_argument("--output", required=True, help=_("berkas schedule.json yang ditulis"))
    parser.add_argument("--time-limit", type=float, default=60.0, help=_("batas waktu dalam detik (bawaan 60)"))
    parser.add_argument("--verbose", action="store_true", help=_("tampilkan kemajuan pencarian"))
    args = parser.parse_args(argv)
    progress = (lambda msg: print(msg, file=sys.stderr)) if args.verbose else None
    try:
        stats = run_files(args.input, args.output, time_limit=args.time_limit, progress=progress)
    except ProblemError as exc:
        print(_("Galat: {error}").format(error=exc), file=sys.stderr)
        return 2
    print(json.dumps(stats, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
