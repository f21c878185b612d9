"""Load benchmark: deal logging by many phones at once, against real uvicorn workers on 127.0.0.1.

    uv run python -m benchmarks.load [--engines sqlite,postgres] [--workers 1,2] [--clients 300] [--seconds 20]

For each engine × worker count: a fresh database (a temporary SQLite file, or a new PostgreSQL database next to
OPOP_DATABASE_URL / postgresql://postgres@127.0.0.1:5432/postgres, dropped after), migrated, seeded with one live
event, registered pesantren with a product each, and one seller account + API token per pesantren; then
`uvicorn opop_events.asgi:app --workers N` on a free port of 127.0.0.1 and two timed phases with the same number
of concurrent clients:

- floor: GET /api/v1/health (the same server and concurrency, no database) — what the HTTP stack alone costs;
- deals: POST /api/v1/deals, each with a fresh Idempotency-Key; on a network error the client retries with the
  same key (as a phone would), so a retried write never logs a second deal.

Every configuration is bounded (`--seconds`, split 1/3 floor, 2/3 deals). After the run the deal count in the
database must equal the acknowledged (2xx) writes. Prints one Markdown table and writes it to
benchmarks/results/load.md. Network: 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "load.md"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
MAX_RETRIES = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# -- database set-up (runs in a child process so the settings see the right environment) ------------------------


async def _seed(out: Path, sellers: int) -> None:
    from datetime import date

    from opop_events.accounts.enums import Role
    from opop_events.accounts.services import create_user, issue_api_token
    from opop_events.bootstrap import upgrade
    from opop_events.catalog import schemas as cat_schemas
    from opop_events.catalog import services as catalog
    from opop_events.catalog.enums import BuyerType, Category
    from opop_events.db import close_pool, open_pool
    from opop_events.events import schemas as ev_schemas
    from opop_events.events import services as events
    from opop_events.events.tables import Event, Registration
    from opop_events.settings import get_settings

    await upgrade(get_settings().fixtures_dir)
    await open_pool()
    try:
        admin = await create_user(email="admin@muat.test", password="muat-rahasia-1", role=Role.admin, name="Admin")
        event = await events.create_event(
            actor=admin,
            data=ev_schemas.EventCreate(
                slug="uji-beban", name="Uji Beban", wilayah_code="3273", starts_on=date(2020, 12, 9),
                ends_on=date(2020, 12, 10), venue="Gedung Sate",
            ),
        )
        await Event.update({Event.status: "live"}).where(Event.id == event.id)
        buyers = []
        for i in range(20):
            buyer = await catalog.create_buyer(
                actor=admin, data=cat_schemas.BuyerCreate(name=f"Pembeli Beban {i}", buyer_type=BuyerType.ritel_modern)
            )
            buyers.append(buyer.id)
        accounts = []
        for i in range(sellers):
            pesantren = await catalog.create_pesantren(
                actor=admin, data=cat_schemas.PesantrenCreate(name=f"Pesantren Beban {i}", wilayah_code="3273")
            )
            product = await catalog.create_product(
                actor=admin,
                data=cat_schemas.ProductCreate(
                    pesantren_id=pesantren.id, name=f"Kopi {i}", category=Category.makanan, unit="kg", price_rp=25_000
                ),
            )
            await Registration.insert(Registration(event=event.id, party_kind="pesantren", pesantren=pesantren.id))
            seller = await create_user(
                email=f"penjual{i}@muat.test", password="muat-rahasia-1", role=Role.seller, pesantren_id=pesantren.id
            )
            token = await issue_api_token(actor=seller, label="beban")
            accounts.append({"token": token, "product_id": product.id})
        out.write_text(json.dumps({"slug": "uji-beban", "buyers": buyers, "sellers": accounts}))
    finally:
        await close_pool()


async def _count_deals() -> int:
    from opop_events.db import close_pool, open_pool, raw

    await open_pool()
    try:
        return (await raw("SELECT COUNT(*) AS n FROM deal"))[0]["n"]
    finally:
        await close_pool()


def _child(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", *args], env=env, cwd=ROOT, capture_output=True, text=True,
        check=False, timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout.strip()


def _pg_admin(base_url: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(base_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@dataclass
class Database:
    engine: str
    url: str
    cleanup: list = field(default_factory=list)

    @classmethod
    def fresh(cls, engine: str, workdir: Path, pg_base: str) -> Database:
        if engine == "sqlite":
            return cls(engine, f"sqlite:///{workdir / f'load-{uuid.uuid4().hex[:6]}.sqlite'}")
        name = f"opop_load_{uuid.uuid4().hex[:8]}"
        _pg_admin(pg_base, f'CREATE DATABASE "{name}"')
        db = cls(engine, pg_base.rsplit("/", 1)[0] + f"/{name}")
        db.cleanup.append(lambda: _pg_admin(pg_base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return db

    def drop(self) -> None:
        for step in self.cleanup:
            step()


# -- the server ---------------------------------------------------------------------------------------------------


class Server:
    """`uvicorn opop_events.asgi:app --workers N` on 127.0.0.1; stopped with SIGTERM (SIGKILL after 10 s)."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "opop_events.asgi:app", "--host", HOST, "--port", str(self.port),
             "--workers", str(self.workers), "--log-level", "warning", "--backlog", "4096", "--no-access-log"],
            env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    async def wait_ready(self, timeout: float = 30) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    break
                try:
                    if (await client.get("/api/v1/health")).status_code == 200:
                        # every worker must be up: a few more probes spread over the processes
                        for _ in range(self.workers * 4):
                            await client.get("/api/v1/health")
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


# -- the clients --------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    warmup: float = 0.0  # requests started in the first `warmup` seconds are left out of rate and latency
    samples: list[tuple[float, float]] = field(default_factory=list)  # (started, seconds) of each 2xx
    ok: int = 0
    errors: int = 0
    retries: int = 0
    error_samples: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def error(self, what: str) -> None:
        self.errors += 1
        self.error_samples[what] = self.error_samples.get(what, 0) + 1

    @property
    def latencies(self) -> list[float]:
        return [seconds for started, seconds in self.samples if started >= self.warmup]

    @property
    def throughput(self) -> float:
        """2xx answers per second after the warm-up."""
        measured = self.seconds - self.warmup
        return len(self.latencies) / measured if measured > 0 else 0.0

    def percentile(self, q: float) -> float:
        latencies = self.latencies
        if not latencies:
            return float("nan")
        ordered = sorted(latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Connection:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams: httpx with 300 pooled connections spends more
    CPU than the server under test (on a small machine the client, not the server, became the floor)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), 10)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        await self.writer.drain()
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 30)
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        payload = await asyncio.wait_for(self.reader.readexactly(length), 30) if length else b""
        return status, payload


NETWORK_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ValueError)


async def run_phase(name: str, base_url: str, clients: int, seconds: float, make_request, *, think: float = 0.0,
                    warmup: float = 0.0) -> Phase:
    """`clients` concurrent loops, each on its own keep-alive connection, sending one request after the other
    until `seconds` have passed, waiting a random think time (exponential, mean `think` seconds) between two
    requests. A network error reconnects and retries the same request (same key)."""
    host, port = base_url.removeprefix("http://").split(":")
    phase = Phase(name, warmup=warmup)
    began = time.monotonic()
    stop_at = began + seconds

    async def client(index: int) -> None:
        conn = Connection(host, int(port))
        rng = random.Random(index)
        n = 0
        try:
            if think:
                await asyncio.sleep(rng.uniform(0, think))  # phones do not all press "Simpan" in the same instant
            while time.monotonic() < stop_at:
                method, path, body, headers = make_request(index, n)
                payload = json.dumps(body).encode() if body is not None else None
                n += 1
                started = time.monotonic()
                for attempt in range(MAX_RETRIES + 1):
                    try:
                        status, answer = await conn.request(method, path, payload, headers or {})
                    except NETWORK_ERRORS as exc:
                        await conn.close()
                        if attempt == MAX_RETRIES:
                            phase.error(type(exc).__name__)
                            break
                        phase.retries += 1
                        await asyncio.sleep(min(0.05 * 2**attempt, 1.0))
                        continue
                    if 200 <= status < 300:
                        phase.ok += 1
                        phase.samples.append((started - began, time.monotonic() - started))
                    else:
                        phase.error(f"{status} {answer[:120].decode(errors='replace')}")
                    break
                if think:
                    pause = min(rng.expovariate(1 / think), 10 * think, stop_at - time.monotonic())
                    await asyncio.sleep(max(pause, 0.0))
        finally:
            await conn.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    phase.seconds = time.monotonic() - began
    return phase


async def measure(base_url: str, seed: dict, clients: int, seconds: float, think: float, warmup: float
                  ) -> tuple[Phase, Phase]:
    sellers = seed["sellers"]
    buyers = seed["buyers"]

    def health(index: int, n: int):
        return "GET", "/api/v1/health", None, None

    def log_deal(index: int, n: int):
        seller = sellers[index % len(sellers)]
        body = {
            "event_slug": seed["slug"],
            "kind": "transaksi",
            "deal_date": "2020-12-09",
            "buyer_id": buyers[(index + n) % len(buyers)],
            "lines": [{"product_id": seller["product_id"], "quantity": str(1 + n % 50), "unit_price_rp": 25_000}],
        }
        headers = {"Authorization": f"Bearer {seller['token']}", "Idempotency-Key": f"beban-{index}-{n}-{uuid.uuid4().hex}"}
        return "POST", "/api/v1/deals", body, headers

    floor = await run_phase("health", base_url, clients, seconds / 3, health, warmup=min(warmup, seconds / 6))
    deals = await run_phase("deals", base_url, clients, seconds * 2 / 3, log_deal, think=think, warmup=warmup)
    return floor, deals


# -- one configuration --------------------------------------------------------------------------------------------


@dataclass
class Row:
    engine: str
    workers: int
    clients: int
    think: float
    floor: Phase
    deals: Phase
    db_deals: int

    def cells(self) -> list[str]:
        d, f = self.deals, self.floor
        ratio = d.throughput / f.throughput if f.throughput else float("nan")
        errors = f"{d.errors}" + (f" ({', '.join(f'{k}×{v}' for k, v in list(d.error_samples.items())[:3])})" if d.errors else "")
        consistent = "ya" if self.db_deals == d.ok else f"TIDAK ({self.db_deals} di DB)"
        return [
            self.engine, str(self.workers), str(self.clients), f"{self.think:g}", f"{d.ok}", f"{d.throughput:,.0f}", f"{d.percentile(0.5):,.0f}",
            f"{d.percentile(0.99):,.0f}", errors, str(d.retries), f"{f.throughput:,.0f}", f"{f.percentile(0.99):,.0f}",
            f"{ratio:.4f}", consistent,
        ]


HEADER = [
    "engine", "workers", "clients", "think s", "deals ok", "deals/s", "p50 ms", "p99 ms", "errors", "retries",
    "floor req/s (health)", "floor p99 ms", "deals/s ÷ floor", "DB = acked",
]


def run_config(engine: str, workers: int, clients: int, think: float, seconds: float, warmup: float, sellers: int,
               workdir: Path, pg_base: str) -> Row:
    db = Database.fresh(engine, workdir, pg_base)
    env = {
        **os.environ,
        "OPOP_DATABASE_URL": db.url,
        "OPOP_REPORTS_DIR": str(workdir / "reports"),
        "OPOP_PASSWORD_HASH": "fast",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("OPOP_ENV", None)
    server = Server(env, workers)
    try:
        seed_file = workdir / f"seed-{engine}-{workers}.json"
        _child(["_seed", str(seed_file), str(sellers)], env)
        seed = json.loads(seed_file.read_text())
        server.start()
        asyncio.run(server.wait_ready())
        floor, deals = asyncio.run(measure(server.url, seed, clients, seconds, think, warmup))
        server.stop()
        count = int(_child(["_count"], env))
        if deals.errors:
            print(f"  server output ({engine}, {workers}):\n{server.output()[-1500:]}", file=sys.stderr)
        return Row(engine, workers, clients, think, floor, deals, count)
    finally:
        server.stop()
        db.drop()


def markdown(rows: list[Row], note: str) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return note + "\n\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20.0, help="per configuration (floor 1/3, deals 2/3)")
    parser.add_argument("--think", default="0,2", help="mean think time(s) between a client's deals, in seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds at the start of the deal phase not measured")
    parser.add_argument("--sellers", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/load.md")
    args = parser.parse_args(argv)
    seconds = max(1.0, min(args.seconds, 120.0))
    clients = max(1, min(args.clients, 1000))
    pg_base = os.environ.get("OPOP_DATABASE_URL", "")
    if not pg_base.startswith(("postgres://", "postgresql://")):
        pg_base = DEFAULT_PG
    workdir = Path(tempfile.mkdtemp(prefix="opop-load-"))
    rows: list[Row] = []
    try:
        for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
            for workers in [int(w) for w in args.workers.split(",")]:
                for think in [float(t) for t in args.think.split(",")]:
                    print(f"load: {engine}, {workers} worker(s), {clients} clients, think {think:g} s, {seconds:.0f} s …",
                          file=sys.stderr)
                    try:
                        rows.append(run_config(engine, workers, clients, think, seconds, args.warmup, args.sellers,
                                               workdir, pg_base))
                    except Exception as exc:  # noqa: BLE001 - one broken configuration must not hide the others
                        print(f"load: {engine}/{workers} failed: {exc}", file=sys.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    note = (
        f"Load: {clients} concurrent keep-alive HTTP/1.1 clients (asyncio streams, one process) on {HOST}, {seconds:.0f} s per configuration "
        f"({seconds / 3:.0f} s floor on /api/v1/health, {seconds * 2 / 3:.0f} s of POST /api/v1/deals with "
        f"Idempotency-Key, retried with the same key on network errors); {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        "Latency is per logical request (first send to final answer, retries included). "
        f"`think s` = mean pause (exponential) between one client's deals; 0 = each client sends its next deal the "
        f"moment the last is answered (saturation). Rates and latencies leave out the first {args.warmup:g} s "
        "of each deal phase (pool and statement caches warming up); `deals ok` and `DB = acked` count everything."
    )
    table = markdown(rows, note)
    print(table)
    if not args.no_write and rows:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("# Load benchmark: deal logging\n\n" + table)
    return rows


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "_seed":
        asyncio.run(_seed(Path(sys.argv[2]), int(sys.argv[3])))
    elif len(sys.argv) >= 2 and sys.argv[1] == "_count":
        print(asyncio.run(_count_deals()))
    else:
        main()
