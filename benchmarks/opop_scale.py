"""Benchmark: the scheduler at OPOP scale (300 pesantren, 150 buyers, 2,400 requests, 24 slots, 120 tables).

    uv run python -m benchmarks.opop_scale [--seed 2026] [--time-limit 60] [--out problem.json]

The instance is bipartite (every meeting is buyer–pesantren), generated deterministically from the seed:
24 slots in two sessions (pagi 1–12, siang 13–24); each buyer asks for 16 meetings on average (10–22), spread
over pesantren so that each pesantren gets about 8 (at most 14); 10 % of participants attend one session only,
5 % have one or two random unavailable slots; 10 % of meetings are bound to a session; priorities 3/2/1 at
20/50/30 %. No participant is asked for more meetings than its available slots. The result is checked by the
independent checker and the time is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.schedule_check import check_schedule


def generate(seed: int = 2026, *, sellers: int = 300, buyers: int = 150, requests: int = 2400,
             slots: int = 24, tables: int = 120) -> dict[str, Any]:
    rng = random.Random(seed)
    half = slots // 2
    slot_rows = [
        {"id": f"S{t:02d}", "session": "pagi" if t <= half else "siang"} for t in range(1, slots + 1)
    ]
    people = [f"B{i:03d}" for i in range(1, buyers + 1)] + [f"P{i:03d}" for i in range(1, sellers + 1)]
    unavailable: dict[str, set[int]] = {p: set() for p in people}
    for p in people:
        r = rng.random()
        if r < 0.10:  # attends one session only
            first = rng.random() < 0.5
            unavailable[p] = set(range(half, slots)) if first else set(range(half))
        elif r < 0.15:
            unavailable[p] = set(rng.sample(range(slots), rng.choice((1, 2))))
    capacity = {p: slots - len(unavailable[p]) for p in people}
    seller_cap = {p: min(14, capacity[p]) for p in people if p.startswith("P")}
    quota = {b: rng.randint(10, 22) for b in people if b.startswith("B")}
    scale = requests / sum(quota.values())
    quota = {b: max(1, min(capacity[b], round(q * scale))) for b, q in quota.items()}
    pairs: set[tuple[str, str]] = set()
    load = dict.fromkeys(people, 0)
    sellers_list = [p for p in people if p.startswith("P")]
    order = [b for b in quota for _ in range(quota[b])]
    rng.shuffle(order)
    for b in order:
        if len(pairs) >= requests or load[b] >= capacity[b]:
            continue
        for _ in range(50):
            s = rng.choice(sellers_list)
            if (b, s) not in pairs and load[s] < seller_cap[s] and not (
                    unavailable[b] | unavailable[s]) >= set(range(slots)):
                common = set(range(slots)) - unavailable[b] - unavailable[s]
                if len(common) >= 2:
                    pairs.add((b, s))
                    load[b] += 1
                    load[s] += 1
                    break
    while len(pairs) < requests:  # top up with least-loaded pairs
        b = min((x for x in quota if load[x] < capacity[x] - 2), key=lambda x: (load[x], x))
        s = min((x for x in sellers_list if load[x] < seller_cap[x] and (b, x) not in pairs),
                key=lambda x: (load[x], rng.random()))
        pairs.add((b, s))
        load[b] += 1
        load[s] += 1
    meetings = []
    for i, (b, s) in enumerate(sorted(pairs), start=1):
        common = set(range(slots)) - unavailable[b] - unavailable[s]
        session = None
        if rng.random() < 0.10:
            pagi = {t for t in common if t < half}
            siang = common - pagi
            session = "pagi" if len(pagi) >= len(siang) else "siang"
        meetings.append({"id": f"R{i:04d}", "participants": [b, s], "session": session, "slot": None,
                         "after": [], "priority": rng.choices((3, 2, 1), weights=(20, 50, 30))[0]})
    return {
        "slots": slot_rows,
        "tables": [f"M{i:03d}" for i in range(1, tables + 1)],
        "participants": [{"id": p, "unavailable": [slot_rows[t]["id"] for t in sorted(unavailable[p])]}
                         for p in people],
        "meetings": meetings,
        "fairness": 2,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--out", default="", help="also keep problem.json here")
    args = parser.parse_args(argv)
    problem = generate(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(args.out) if args.out else Path(tmp) / "problem.json"
        dst = Path(tmp) / "schedule.json"
        src.write_text(json.dumps(problem))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "opop_events.matching.scheduler", "--input", str(src),
                               "--output", str(dst), "--time-limit", str(args.time_limit), "--verbose"],
                              capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(proc.stderr, file=sys.stderr)
        if proc.returncode != 0:
            print("gagal:", proc.stderr)
            return 1
        schedule = json.loads(dst.read_text())
    check_schedule(problem, schedule)
    s = schedule["stats"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"seed {args.seed}: {len(problem['participants'])} participants, {s['requested']} requests, "
          f"{len(problem['slots'])} slots, {len(problem['tables'])} tables")
    print(f"scheduled {s['scheduled']}/{s['requested']}, breaks {s['breaks_total']} (lower bound "
          f"{s['lower_bound']}, max {s['breaks_max']}, min {s['breaks_min']}), optimal {s['optimal']}, "
          f"tables/participant max {s['tables_per_participant_max']}")
    print(f"solver seconds {s['seconds']}, process wall {wall:.1f} s, process CPU {cpu:.1f} s; valid: yes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
