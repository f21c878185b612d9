"""Convert the JAIR 2022 B2B benchmark instances (MiniZinc .dzn) into the scheduler's problem.json shape."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "b2b-jair2022"
"""The 140 instances, stored in the repository with their source (see that folder's README.md)."""
VARIANTS = ("original", "forb0003", "forb0007", "fixed020-Forb", "fixed040-Forb", "prec15", "prec25")


def benchmark_dir() -> Path:
    return Path(os.environ.get("OPOP_B2B_DIR", DEFAULT_DIR))


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("%", 1)[0] for line in text.splitlines())


def parse_dzn(text: str) -> dict[str, Any]:
    """Parse the small subset of MiniZinc data these files use: ints, int arrays, 2-d arrays, set arrays."""
    values: dict[str, Any] = {}
    for statement in _strip_comments(text).split(";"):
        if "=" not in statement:
            continue
        name, raw = (part.strip() for part in statement.split("=", 1))
        if raw.startswith("[|"):
            rows = raw[2:].rstrip("]").rstrip().rstrip("|").split("|")
            values[name] = [[int(v) for v in re.findall(r"-?\d+", row)] for row in rows if row.strip()]
        elif raw.startswith("["):
            inner = raw[1:-1]
            if "{" in inner:
                groups = re.findall(r"\{([^}]*)\}", inner)
                values[name] = [{int(v) for v in re.findall(r"-?\d+", group)} for group in groups]
            else:
                values[name] = [int(v) for v in re.findall(r"-?\d+", inner)]
        else:
            values[name] = int(raw)
    return values


def dzn_to_problem(text: str, *, fairness: int | None = 2) -> dict[str, Any]:
    d = parse_dzn(text)
    n_slots, n_morning = d["nTotalSlots"], d["nMorningSlots"]
    slots = [
        {"id": str(t), "session": "pagi" if t <= n_morning else "siang"} for t in range(1, n_slots + 1)
    ]
    forbidden = d.get("forbidden") or [set() for _ in range(d["nBusiness"])]
    participants = [
        {"id": f"p{p}", "unavailable": [str(t) for t in sorted(forbidden[p - 1]) if 1 <= t <= n_slots]}
        for p in range(1, d["nBusiness"] + 1)
    ]
    fixed = d.get("fixed") or [0] * d["nMeetings"]
    precedences = d.get("precedences") or [set() for _ in range(d["nMeetings"])]
    meetings = []
    for m, (a, b, s) in enumerate(d["requested"], start=1):
        meetings.append(
            {
                "id": f"m{m}",
                "participants": [f"p{a}", f"p{b}"],
                "session": {1: "pagi", 2: "siang"}.get(s) if n_morning < n_slots else None,
                "slot": str(fixed[m - 1]) if fixed[m - 1] else None,
                "after": [f"m{q}" for q in sorted(precedences[m - 1])],
                "priority": 1,
            }
        )
    assert len(meetings) == d["nMeetings"]
    return {
        "slots": slots,
        "tables": [f"M{i:02d}" for i in range(1, d["nTables"] + 1)],
        "participants": participants,
        "meetings": meetings,
        "fairness": fairness,
    }


def load_best_known(directory: Path | None = None) -> dict[tuple[str, str], str]:
    directory = directory or benchmark_dir()
    lines = (directory / "best_known.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    best: dict[tuple[str, str], str] = {}
    for line in lines[1:]:
        cells = line.split("\t")
        for variant, value in zip(header[1:], cells[1:], strict=True):
            best[(cells[0], variant)] = value
    return best


def instances(variant: str | None = None, directory: Path | None = None) -> list[tuple[str, str, Path]]:
    directory = directory or benchmark_dir()
    found = []
    for path in sorted(directory.glob("*.dzn")):
        base, var = path.name[: -len(".dzn")].split(".", 1)
        if variant is None or var == variant:
            found.append((base, var, path))
    return found
