"""Run the benchmarks and print one table: `uv run python -m benchmarks [--quick] [--skip-import] [--scheduler]`.

- load (benchmarks/load.py): deal logging by 300 concurrent clients, SQLite and PostgreSQL, 1 and 2 workers;
  also writes benchmarks/results/load.md;
- import (benchmarks/import_100k.py) with a small workbook (`--import-lines`, default 10,000), unless `--skip-import`;
- scheduler (benchmarks/scheduler_b2b.py) on one small B2B instance, only with `--scheduler` (needs the instances).

`--quick` shrinks everything (50 clients, 6 s per configuration, 2,000 import lines) for a smoke run.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load_rows(args: argparse.Namespace) -> list[list[str]]:
    from benchmarks import load

    argv = ["--engines", args.engines, "--workers", args.workers, "--clients", str(args.clients),
            "--seconds", str(args.seconds), "--think", args.think]
    if args.quick:
        argv.append("--no-write")
    rows = []
    for row in load.main(argv):
        d, f = row.deals, row.floor
        ratio = d.throughput / f.throughput if f.throughput else float("nan")
        rows.append([
            "load: POST /api/v1/deals",
            f"{row.engine}, {row.workers} worker(s), {row.clients} clients, think {row.think:g} s",
            (
                f"{d.throughput:,.0f} deals/s, p50 {d.percentile(0.5):,.0f} ms, p99 {d.percentile(0.99):,.0f} ms, "
                f"{d.errors} errors, {d.retries} retries; floor {f.throughput:,.0f} req/s (ratio {ratio:.4f}); "
                f"DB {'=' if row.db_deals == d.ok else '≠'} acked"
            ),
        ])
    return rows


def _import_rows(lines: int) -> list[list[str]]:
    proc = subprocess.run(
        [sys.executable, "benchmarks/import_100k.py", "--lines", str(lines)], cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=1800,
    )
    rows = []
    for line in proc.stdout.splitlines():
        match = re.match(r"^(\w+)\s+parse only\s+([\d.]+) s.*?full import \([^)]*\)\s+([\d.]+) s.*?= ([\d,]+) lines/s", line)
        if match:
            engine, parse_s, import_s, rate = match.groups()
            rows.append(["import xlsx", f"{engine}, {lines:,} lines", f"{import_s} s ({rate} lines/s), parse {parse_s} s"])
    if not rows:
        rows.append(["import xlsx", f"{lines:,} lines", f"failed: {(proc.stderr or proc.stdout)[-200:]!r}"])
    return rows


def _scheduler_rows(instance: str, time_limit: float) -> list[list[str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.scheduler_b2b", "--only", instance, "--time-limit", str(time_limit)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )
    rows = []
    for line in proc.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 10 and cells[0] == instance:
            rows.append(["scheduler B2B", f"{cells[0]} ({cells[1]})",
                         f"{cells[3]}/{cells[2]} scheduled, {cells[4]} breaks (best {cells[5]}), {cells[9]} s, {cells[8]}"])
    return rows or [["scheduler B2B", instance, f"failed or missing: {(proc.stderr or proc.stdout)[-200:]!r}"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", default="0,2", help="mean think time(s) of the load clients, seconds")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--import-lines", type=int, default=10_000)
    parser.add_argument("--scheduler", action="store_true", help="also run one small scheduler instance")
    parser.add_argument("--scheduler-instance", default="tic-13crafc")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds, args.import_lines = min(args.clients, 50), min(args.seconds, 6.0), 2_000
    started = time.monotonic()
    rows = _load_rows(args)
    if not args.skip_import:
        rows += _import_rows(args.import_lines)
    if args.scheduler:
        rows += _scheduler_rows(args.scheduler_instance, 10.0 if args.quick else 60.0)
    print()
    print("| benchmark | configuration | result |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n{len(rows)} rows in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
