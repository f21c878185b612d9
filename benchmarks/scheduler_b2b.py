"""Benchmark: the meeting scheduler on the JAIR 2022 B2B instances (converted from .dzn to problem.json).

    uv run python -m benchmarks.scheduler_b2b [--variant original|all|...] [--time-limit 60] [--jobs 1]

Each instance runs in its own process through the module CLI (`python -m opop_events.matching.scheduler`),
every result is checked by benchmarks.schedule_check (independent of the solver), and a Markdown table is
printed: instance, meetings, scheduled, breaks, best known, optimal?, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.b2b_dzn import VARIANTS, dzn_to_problem, instances, load_best_known
from benchmarks.schedule_check import check_schedule


def run_one(base: str, variant: str, path: Path, time_limit: float, fairness: int | None,
            workdir: Path) -> dict:
    problem = dzn_to_problem(path.read_text(), fairness=fairness)
    src = workdir / f"{base}.{variant}.problem.json"
    out = workdir / f"{base}.{variant}.schedule.json"
    src.write_text(json.dumps(problem))
    started = time.monotonic()
    err_path = workdir / f"{base}.{variant}.stderr"
    with err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "opop_events.matching.scheduler", "--input", str(src),
             "--output", str(out), "--time-limit", str(time_limit)],
            stdout=subprocess.DEVNULL, stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) != 0:
        return {"base": base, "variant": variant, "error": err_path.read_text().strip()[-300:], "wall": wall}
    schedule = json.loads(out.read_text())
    try:
        check_schedule(problem, schedule)
        valid = "ok"
    except AssertionError as exc:
        valid = f"INVALID: {exc}"
    return {"base": base, "variant": variant, "stats": schedule["stats"], "valid": valid, "wall": wall,
            "cpu": cpu,
            "reasons": sorted({u["reason"] for u in schedule["unscheduled"]})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", default="original", help=f"one of {', '.join(VARIANTS)} or 'all'")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--jobs", type=int, default=1, help="instances solved at once (each uses 2 workers)")
    parser.add_argument("--fairness", type=int, default=2, help="-1 for none")
    parser.add_argument("--only", default="", help="comma-separated base names")
    parser.add_argument("--json", default="", help="also write raw results to this file")
    args = parser.parse_args(argv)
    best = load_best_known()
    todo = instances(None if args.variant == "all" else args.variant)
    if args.only:
        keep = set(args.only.split(","))
        todo = [i for i in todo if i[0] in keep]
    fairness = None if args.fairness < 0 else args.fairness
    print("| instance | variant | meetings | scheduled | breaks | best known | lower bound | optimal? "
          "| valid | seconds | CPU s |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|")
    results = []
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, b, v, p, args.time_limit, fairness, Path(tmp)) for b, v, p in todo]
        for fut in futures:
            r = fut.result()
            results.append(r)
            known = best.get((r["base"], r["variant"]), "?") if fairness == 2 else "-"
            if "error" in r:
                print(f"| {r['base']} | {r['variant']} | error: {r['error']} |", flush=True)
                continue
            s = r["stats"]
            print(f"| {r['base']} | {r['variant']} | {s['requested']} | {s['scheduled']} | "
                  f"{s['breaks_total']} | "
                  f"{known} | {s['lower_bound']} | {'yes' if s['optimal'] else 'no'} | {r['valid']} | "
                  f"{s['seconds']:.1f} | {r['cpu']:.1f} |", flush=True)
    ok = [r for r in results if "stats" in r]
    print()
    print(f"instances: {len(results)}, valid: {sum(r.get('valid') == 'ok' for r in results)}, "
          f"complete: {sum(r['stats']['scheduled'] == r['stats']['requested'] for r in ok)}, "
          f"proven optimal: {sum(r['stats']['optimal'] for r in ok)}, "
          f"total breaks: {sum(r['stats']['breaks_total'] for r in ok)}, "
          f"max seconds: {max((r['stats']['seconds'] for r in ok), default=0):.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0 if all(r.get("valid") == "ok" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
