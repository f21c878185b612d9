"""The current figures at 1,000,000 deal lines: our report path vs a plain SUM … GROUP BY over a flat table.

    uv run python -m benchmarks.projection_1m [--lines 1000000] [--repeats 3] [--engines sqlite,postgres]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--no-history] [--no-write]

Per engine, in its own subprocess and a fresh database (SQLite file in a temporary folder; a scratch PostgreSQL
database, dropped after):

1. **Generation, not measured as a figure of ours**: the catalog (300 pesantren over the 27 kabupaten/kota, 150
   buyers of the nine types, one live event) with plain INSERTs; then the ledger with bulk SQL, not through the
   services: `deal`, `deal_revision`, `deal_line` (1–4 lines a deal, 2.5 on average, eleven categories) and
   `deal_event` (catat, then konfirmasi / sanggah / batal, then verifikasi, then realisasi rows; 45 %
   dikonfirmasi, 30 % diverifikasi, 15 % dicatat, 5 % disanggah, 5 % dibatalkan) and realisations, each one
   INSERT … SELECT over a recursive row counter; history snapshots are left empty. The projection is then
   derived by the same statements as `opop-events db rebuild-projection` (timed, reported), and ANALYZE runs.
2. **The flat table**: `flat_line`, one row per current deal line with every grouping key beside it (event,
   deal, kind, state, category, pesantren and its name, kabupaten/kota code and name, buyer, its name and type,
   value, realised credit), indexed on event: the floor.
3. **Measured side by side, alternating, best of `--repeats`**: ours = `reports.queries.headline` +
   `by_region`, `by_category`, `by_buyer_type`, `by_pesantren`, `by_buyer` (no `as_of`: the current figures of
   open books, every query our layer sends, exact sums in parts) vs the floor = the same seven aggregates
   (per kind, parties, five breakdowns) as plain SUM … GROUP BY over `flat_line`, through the same `db.raw`.
   Then once: the same report functions on the history (`as_of` = now), the path every request took before.
4. **The board per poll**: `GET /papan/{slug}/angka` through the app (httpx ASGI transport, no network), without
   and with `If-None-Match` (200 with the figures vs 304), median of 20 and 200 requests.

Writes benchmarks/results/projection.md (unless `--no-write`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SLUG = "bench-1m"
COUNTED = "('dikonfirmasi', 'diverifikasi', 'perubahan')"
LOGGED = "('dicatat')"


# -- generation (bulk SQL) -------------------------------------------------------------------------------------

def _counter(n: int) -> str:
    return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "


def _case(expr: str, values: tuple[str, ...]) -> str:
    return f"CASE {expr} " + " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values)) + " END"


STATE_OF = ("CASE WHEN d.id % 20 < 9 THEN 'dikonfirmasi' WHEN d.id % 20 < 15 THEN 'diverifikasi' "
            "WHEN d.id % 20 < 18 THEN 'dicatat' WHEN d.id % 20 = 18 THEN 'disanggah' ELSE 'dibatalkan' END")


async def _generate(deals: int) -> dict[str, float]:
    from datetime import date, datetime

    from opop_events.catalog.enums import BuyerType, Category
    from opop_events.core.dates import WIB
    from opop_events.db import is_postgres, raw, write_transaction
    from opop_events.deals.projection import rebuild

    at, day = datetime(2020, 12, 9, 10, 0, tzinfo=WIB), date(2020, 12, 9)
    buyer_types, categories = tuple(t.value for t in BuyerType), tuple(c.value for c in Category)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    async with write_transaction():
        regions = [r["id"] for r in await raw("SELECT id FROM wilayah ORDER BY code")]
        for i in range(300):
            await raw("INSERT INTO pesantren (name, wilayah) VALUES ({}, {})", f"Pondok Pesantren Uji {i:03d}",
                      regions[i % len(regions)])
        for i in range(150):
            await raw("INSERT INTO buyer (name, buyer_type) VALUES ({}, {})", f"Pembeli Uji {i:03d}",
                      buyer_types[i % len(buyer_types)])
        p0 = (await raw("SELECT MIN(id) AS id FROM pesantren"))[0]["id"]
        b0 = (await raw("SELECT MIN(id) AS id FROM buyer"))[0]["id"]
        event = (await raw("INSERT INTO event (slug, name, wilayah, starts_on, ends_on, status) "
                           "VALUES ({}, 'Temu Bisnis OPOP (benchmark 1 juta baris)', {}, {}, {}, 'live') RETURNING id",
                           SLUG, regions[0], day, day))[0]["id"]
        await raw(_counter(deals) + "INSERT INTO deal (id, event, pesantren, buyer, origin, created_at) "
                  f"SELECT i, {event}, {p0} + (i % 10007) * 7919 % 300, {b0} + (i % 1000) * 13 % 150, 'pesantren', {{}} FROM n",
                  at)
        await raw("INSERT INTO deal_revision (id, deal, kind, deal_date, note, created_at) "
                  f"SELECT d.id, d.id, {_case('d.id % 3', ('transaksi', 'kontrak', 'komitmen'))}, {{}}, '', {{}} "
                  "FROM deal d", day, at)
        for position in range(1, 5):
            price = f"(500 * (1 + (r.id * 17 + {position * 13}) % 400))"
            await raw(
                'INSERT INTO deal_line (revision, "position", description, category, quantity, unit, unit_price_rp, '
                f"value_rp) SELECT r.id, {position}, 'Produk uji', "
                f"{_case(f'(r.id * 31 + {position}) % {len(categories)}', categories)}, '10', 'kg', {price}, 10 * {price} "
                f"FROM deal_revision r WHERE r.id % 4 >= {position - 1}"
            )
        history = ('INSERT INTO deal_event (deal, version, action, state, revision, actor_label, reason, "at", '
                   '"before", "after") ')
        await raw(history + "SELECT d.id, 1, 'catat', 'dicatat', d.id, 'uji', '', {}, '', '' FROM deal d", at)
        await raw(history + "SELECT d.id, 2, CASE WHEN d.id % 20 < 15 THEN 'konfirmasi' WHEN d.id % 20 = 18 "
                  "THEN 'sanggah' ELSE 'batal' END, CASE WHEN d.id % 20 < 15 THEN 'dikonfirmasi' "
                  "WHEN d.id % 20 = 18 THEN 'disanggah' ELSE 'dibatalkan' END, d.id, 'uji', '', {}, '', '' "
                  "FROM deal d WHERE d.id % 20 < 15 OR d.id % 20 >= 18", at)
        await raw(history + "SELECT d.id, 3, 'verifikasi', 'diverifikasi', d.id, 'uji', '', {}, '', '' FROM deal d "
                  "WHERE d.id % 20 >= 9 AND d.id % 20 < 15", at)
        await raw("INSERT INTO realisation (deal, kind, realised_on, amount_rp, note, recorded_at) "
                  "SELECT d.id, 'pembayaran', {}, 1000 * (1 + d.id % 997), '', {} FROM deal d "
                  "WHERE d.id % 20 >= 9 AND d.id % 20 < 15 AND d.id % 3 = 0", day, at)
        await raw(history + "SELECT d.id, 4, 'realisasi', 'diverifikasi', d.id, 'uji', '', {}, '', '' FROM deal d "
                  "WHERE d.id % 20 >= 9 AND d.id % 20 < 15 AND d.id % 3 = 0", at)
        if is_postgres():
            for table in ("deal", "deal_revision"):
                await raw(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {deals})")
    timings["history"] = time.perf_counter() - started
    started = time.perf_counter()
    async with write_transaction():
        await rebuild()
    timings["rebuild"] = time.perf_counter() - started
    started = time.perf_counter()
    async with write_transaction():
        await raw(
            "CREATE TABLE flat_line AS SELECT l.event, l.deal, c.kind, l.state, l.category, l.pesantren, "
            "p.name AS pesantren_name, w.code AS wilayah_code, w.name AS wilayah_name, l.buyer, b.name AS buyer_name, "
            "b.buyer_type, l.value_rp, l.realised_hi * 1000000000 + l.realised_lo AS realised_rp "
            "FROM deal_line_current l JOIN deal_current c ON c.deal = l.deal JOIN pesantren p ON p.id = l.pesantren "
            "JOIN wilayah w ON w.id = p.wilayah JOIN buyer b ON b.id = l.buyer"
        )
        await raw("CREATE INDEX flat_line_event ON flat_line (event)")
    await raw("ANALYZE")
    timings["flat"] = time.perf_counter() - started
    return timings


# -- the two paths ---------------------------------------------------------------------------------------------

_FLAT_MONEY = (
    f"SUM(CASE WHEN state IN {COUNTED} THEN value_rp ELSE 0 END) AS confirmed_rp, "
    f"SUM(CASE WHEN state IN {LOGGED} THEN value_rp ELSE 0 END) AS logged_rp, "
    f"SUM(CASE WHEN state IN {COUNTED} THEN realised_rp ELSE 0 END) AS realised_rp"
)
_IN_BREAKDOWN = "('dikonfirmasi', 'diverifikasi', 'perubahan', 'dicatat')"
FLAT_QUERIES = (
    f"SELECT kind, {_FLAT_MONEY}, COUNT(DISTINCT CASE WHEN state IN {COUNTED} THEN deal END) AS deals "
    "FROM flat_line WHERE event = {} GROUP BY kind",
    "SELECT COUNT(DISTINCT pesantren) AS pesantren, COUNT(DISTINCT buyer) AS buyers FROM flat_line "
    f"WHERE event = {{}} AND state IN {COUNTED}",
    *(
        f"SELECT {key}, {_FLAT_MONEY}, COUNT(DISTINCT deal) AS deals, COUNT(DISTINCT pesantren) AS pesantren, "
        f"COUNT(DISTINCT buyer) AS buyers FROM flat_line WHERE event = {{}} AND state IN {_IN_BREAKDOWN} "
        f"GROUP BY {key}"
        for key in ("wilayah_code, wilayah_name", "category", "buyer_type", "pesantren, pesantren_name",
                    "buyer, buyer_name")
    ),
)


async def _ours(event_id: int, as_of: Any = None) -> Any:
    from opop_events.reports import queries

    scope = queries.Scope(event_id=event_id)
    return (
        await queries.headline(scope, as_of=as_of),
        await queries.by_region(scope, as_of=as_of),
        await queries.by_category(scope, as_of=as_of),
        await queries.by_buyer_type(scope, as_of=as_of),
        await queries.by_pesantren(scope, as_of=as_of),
        await queries.by_buyer(scope, as_of=as_of),
    )


async def _flat(event_id: int) -> list[Any]:
    from opop_events.db import raw

    return [await raw(sql, event_id) for sql in FLAT_QUERIES]


async def _timed(work: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = await work
    return time.perf_counter() - wall, time.process_time() - cpu, result


async def _board(repeats_full: int, repeats_304: int) -> dict[str, float]:
    import httpx

    from opop_events.app import create_app

    app = create_app()
    transport = httpx.ASGITransport(app=app)
    url = f"/papan/{SLUG}/angka"
    out: dict[str, float] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
        first = await client.get(url)
        assert first.status_code == 200, first.text
        tag = first.headers["etag"]
        full, cached = [], []
        for _ in range(repeats_full):
            started = time.perf_counter()
            response = await client.get(url)
            full.append(time.perf_counter() - started)
            assert response.status_code == 200
        for _ in range(repeats_304):
            started = time.perf_counter()
            response = await client.get(url, headers={"If-None-Match": tag})
            cached.append(time.perf_counter() - started)
            assert response.status_code == 304 and not response.content
        out["full_ms"] = statistics.median(full) * 1000
        out["etag_ms"] = statistics.median(cached) * 1000
        out["full_bytes"] = len(first.content)
    return out


async def _child(deals: int, repeats: int, history: bool) -> dict[str, Any]:
    from opop_events.bootstrap import upgrade
    from opop_events.core.dates import now_utc
    from opop_events.db import close_pool, open_pool, raw
    from opop_events.settings import get_settings

    await upgrade(get_settings().fixtures_dir)
    await open_pool()
    try:
        result: dict[str, Any] = {"generation": await _generate(deals)}
        counts = (await raw("SELECT (SELECT COUNT(*) FROM deal) AS deals, (SELECT COUNT(*) FROM deal_line) AS lines, "
                            "(SELECT COUNT(*) FROM deal_event) AS history, (SELECT COUNT(*) FROM flat_line) AS flat"))[0]
        result["counts"] = {k: int(v) for k, v in counts.items()}
        event_id = (await raw("SELECT id FROM event WHERE slug = {}", SLUG))[0]["id"]
        ours, flat = [], []
        for _ in range(repeats):
            ours.append(await _timed(_ours(event_id)))
            flat.append(await _timed(_flat(event_id)))
        best_ours, best_flat = min(ours, key=lambda r: r[0]), min(flat, key=lambda r: r[0])
        headline = best_ours[2][0]
        flat_confirmed = sum(int(r["confirmed_rp"] or 0) for r in best_flat[2][0])
        assert headline.confirmed_rp == flat_confirmed, (headline.confirmed_rp, flat_confirmed)
        result["ours"] = {"wall": best_ours[0], "cpu": best_ours[1], "all_wall": [r[0] for r in ours]}
        result["flat"] = {"wall": best_flat[0], "cpu": best_flat[1], "all_wall": [r[0] for r in flat]}
        result["confirmed_rp"] = headline.confirmed_rp
        if history:
            wall, cpu, replay = await _timed(_ours(event_id, now_utc()))
            assert replay[0].confirmed_rp == headline.confirmed_rp
            assert replay == best_ours[2], "the history and the projection disagree"
            result["history"] = {"wall": wall, "cpu": cpu}
        result["board"] = await _board(20, 200)
        return result
    finally:
        await close_pool()


# -- driver ----------------------------------------------------------------------------------------------------

def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


def _run_child(url: str, deals: int, repeats: int, history: bool) -> dict[str, Any]:
    env = {**os.environ, "OPOP_DATABASE_URL": url, "OPOP_PASSWORD_HASH": "fast"}
    args = ["--child", str(deals), str(repeats), "1" if history else "0"]
    proc = subprocess.run([sys.executable, "-m", "benchmarks.projection_1m", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")


def _machine() -> str:
    load = os.getloadavg()
    return (f"{platform.node()}, {os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}, "
            f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end of the run")


def _table(results: dict[str, dict[str, Any]]) -> list[str]:
    rows = ["| engine | lines (deals, history rows) | ours: headline + 5 breakdowns (wall / CPU) | flat SUM … GROUP "
            "BY (wall / CPU) | ratio (wall) | same figures on the history (wall) | board poll: 200 / 304 (median) |",
            "|---|---|---|---|---|---|---|"]
    for engine, r in results.items():
        c, o, f, b = r["counts"], r["ours"], r["flat"], r["board"]
        history = f"{r['history']['wall']:.2f} s" if "history" in r else "—"
        rows.append(
            f"| {engine} | {c['lines']:,} ({c['deals']:,}, {c['history']:,}) | {o['wall'] * 1000:,.0f} ms / "
            f"{o['cpu'] * 1000:,.0f} ms | {f['wall'] * 1000:,.0f} ms / {f['cpu'] * 1000:,.0f} ms | "
            f"{o['wall'] / f['wall']:.2f}× | {history} | {b['full_ms']:,.1f} ms / {b['etag_ms']:,.1f} ms |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-history", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    deals = args.lines * 2 // 5  # 2.5 lines a deal on average
    results: dict[str, dict[str, Any]] = {}
    for engine in args.engines.split(","):
        started = time.perf_counter()
        if engine == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                results[engine] = _run_child(f"sqlite:///{folder}/bench.sqlite3", deals, args.repeats,
                                             not args.no_history)
        else:
            name = f"bench_projection_{uuid.uuid4().hex[:8]}"
            _pg_admin(args.postgres, f'CREATE DATABASE "{name}"')
            try:
                results[engine] = _run_child(args.postgres.rsplit("/", 1)[0] + f"/{name}", deals, args.repeats,
                                             not args.no_history)
            finally:
                _pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        results[engine]["total_s"] = time.perf_counter() - started
        print(engine, json.dumps(results[engine]), flush=True)
    table = _table(results)
    print("\n".join(table))
    if not args.no_write:
        out = ROOT / "benchmarks" / "results" / f"projection{'' if args.lines == 1_000_000 else f'_{args.lines}'}.md"
        generation = "; ".join(
            f"{engine}: history {r['generation']['history']:.1f} s, projection rebuild {r['generation']['rebuild']:.1f} s, "
            f"flat table {r['generation']['flat']:.1f} s" for engine, r in results.items()
        )
        out.write_text(
            f"# Current figures at {args.lines:,} deal lines: projection vs a flat SUM … GROUP BY\n\n"
            f"`uv run python -m benchmarks.projection_1m --lines {args.lines}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
            f"{_machine()}.\n\n" + "\n".join(table) + "\n\n"
            f"Best of {args.repeats} per path, alternating; the history column is one run. Generation with bulk SQL "
            f"(not through the services, not measured as ours): {generation}.\n",
            encoding="utf-8",
        )
        print(f"wrote {out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        deals, repeats, history = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
        print("RESULT " + json.dumps(asyncio.run(_child(deals, repeats, history)), default=str), flush=True)
    else:
        main()
