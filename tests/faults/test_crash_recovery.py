"""A server killed (SIGKILL) in the middle of a burst of deal writes: after a restart and retries with the same
Idempotency-Keys, every acknowledged write is in the ledger exactly once, complete, and the totals add up."""

from __future__ import annotations

import asyncio
import itertools
import time

import httpx
import pytest

from opop_events.db import raw
from tests.deals.conftest import Market
from tests.faults.server import ServerProcess

CLIENTS = 4
KILL_AFTER_ACKS = 12
PRICE_RP = 25_000


@pytest.fixture
def server(database_url):
    process = ServerProcess(database_url)
    yield process
    process.kill()  # before the harness empties the tables


async def _burst(server: ServerProcess, market: Market) -> tuple[dict[str, dict], dict[str, int], set[str]]:
    """Clients write deals until the server is killed; returns every body sent (by key), the acknowledged
    deal ids (by key) and the keys that never got an answer."""
    bodies: dict[str, dict] = {}
    acked: dict[str, int] = {}
    unanswered: set[str] = set()
    counter = itertools.count(1)
    killed = asyncio.Event()

    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:

        async def client(index: int) -> None:
            while not killed.is_set():
                n = next(counter)
                key = f"burst-{index}-{n}"
                bodies[key] = market.deal_body(
                    lines=[{"product_id": market.product["id"], "quantity": str(n), "unit_price_rp": PRICE_RP}]
                )
                try:
                    response = await http.post(
                        "/api/v1/deals", json=bodies[key], headers={**market.seller.headers, "Idempotency-Key": key}
                    )
                except httpx.TransportError:
                    unanswered.add(key)
                    return
                assert response.status_code == 201, response.text
                acked[key] = response.json()["id"]
                if len(acked) >= KILL_AFTER_ACKS and not killed.is_set():
                    killed.set()
                    server.kill()

        await asyncio.wait_for(asyncio.gather(*(client(i) for i in range(CLIENTS))), timeout=60)
    return bodies, acked, unanswered


async def test_sigkill_mid_burst_loses_nothing_acknowledged_and_duplicates_nothing(server, market):
    server.start()
    bodies, acked, unanswered = await _burst(server, market)
    assert len(acked) >= KILL_AFTER_ACKS and unanswered, "the kill must land while requests are in flight"

    server.start()  # a new process on the same database
    replayed: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for key in sorted(unanswered) + sorted(acked)[:3]:
            for attempt in range(20):
                try:
                    response = await http.post(
                        "/api/v1/deals", json=bodies[key], headers={**market.seller.headers, "Idempotency-Key": key}
                    )
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1 * (attempt + 1))
            assert response.status_code == 201, response.text
            replayed[key] = response.json()["id"]
            if key in acked:
                assert response.headers.get("idempotent-replayed") == "true"
        totals = (await http.get(f"/api/v1/events/{market.slug}/totals")).json()

    # acknowledged once stays acknowledged: a retry of a 2xx answers with the same deal
    assert {k: replayed[k] for k in acked if k in replayed} == {k: acked[k] for k in acked if k in replayed}
    final = {**acked, **replayed}
    assert set(final) == set(bodies)  # every write that was sent is now acknowledged

    deals = await raw("SELECT id FROM deal WHERE event = {} ORDER BY id", market.event["id"])
    assert sorted(final.values()) == [d["id"] for d in deals]  # exactly once each: no duplicates, no orphans

    # nothing half-written: each deal has one revision with its line, one history row, one idempotency record
    shape = await raw(
        "SELECT d.id, (SELECT COUNT(*) FROM deal_revision r WHERE r.deal = d.id) AS revisions, "
        "(SELECT COUNT(*) FROM deal_line l JOIN deal_revision r ON r.id = l.revision WHERE r.deal = d.id) AS lines, "
        "(SELECT COUNT(*) FROM deal_event e WHERE e.deal = d.id) AS events, "
        "(SELECT MAX(e.version) FROM deal_event e WHERE e.deal = d.id) AS version "
        "FROM deal d WHERE d.event = {} ORDER BY d.id",
        market.event["id"],
    )
    assert [(r["revisions"], r["lines"], r["events"], r["version"]) for r in shape] == [(1, 1, 1, 1)] * len(final)
    records = await raw("SELECT COUNT(*) AS n FROM idempotency_record")
    assert records[0]["n"] == len(final)

    # the totals endpoint equals the ledger summed in SQL here, and the sum of what the clients sent
    expected_rp = sum(int(b["lines"][0]["quantity"]) * PRICE_RP for b in bodies.values())
    ledger = await raw(
        "SELECT CAST(COALESCE(SUM(l.value_rp), 0) AS BIGINT) AS rp, COUNT(DISTINCT d.id) AS n FROM deal d "
        "JOIN deal_event e ON e.deal = d.id "
        "AND e.version = (SELECT MAX(version) FROM deal_event x WHERE x.deal = d.id) "
        "JOIN deal_line l ON l.revision = e.revision WHERE d.event = {} AND e.state = 'dicatat'",
        market.event["id"],
    )
    assert (totals["logged_rp"], totals["deals_logged"], totals["confirmed_rp"]) == (
        ledger[0]["rp"], ledger[0]["n"], 0
    )
    assert ledger[0]["rp"] == expected_rp


async def test_server_restarts_cleanly_on_a_killed_servers_database(server, market):
    """After SIGKILL the database opens without repair (SQLite WAL replay, PostgreSQL rollback) within seconds."""
    server.start()
    server.kill()
    started = time.monotonic()
    server.start()
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        response = await http.get("/api/v1/deals", headers=market.seller.headers)
    assert response.status_code == 200
    assert time.monotonic() - started < 60
