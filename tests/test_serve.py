"""`opop-events serve` for real: a uvicorn process on a free port of 127.0.0.1, against the test database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys

import httpx

from opop_events.demo import DEMO_PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_links_point_at_the_port_actually_served(database_url):
    """Without OPOP_BASE_URL, the WhatsApp confirmation link names the address `serve` listens on."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "OPOP_BASE_URL"}
    env.update(OPOP_DATABASE_URL=database_url, OPOP_PASSWORD_HASH="fast")
    server = subprocess.Popen(
        [sys.executable, "-m", "opop_events.cli", "serve", "--demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            for _ in range(300):
                try:
                    if (await client.get("/api/v1/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            token = (
                await client.post("/api/v1/auth/token", json={"email": "pesantren@opop.test", "password": DEMO_PASSWORD})
            ).json()["token"]
            seller = {"Authorization": f"Bearer {token}"}
            earlier = (await client.get("/api/v1/deals?per_page=1", headers=seller)).json()["items"][0]
            logged = await client.post(
                "/api/v1/deals",
                json={"event_slug": earlier["event_slug"], "kind": "transaksi", "deal_date": earlier["deal_date"],
                      "buyer_id": earlier["buyer"]["id"],
                      "lines": [{"description": "Kopi", "category": "makanan", "quantity": "2", "unit_price_rp": 50_000}]},
                headers=seller,
            )
            assert logged.status_code == 201, logged.text
            link = await client.post(f"/api/v1/deals/{logged.json()['id']}/confirm-link", headers=seller)
            assert link.status_code in (200, 201), link.text
            url = link.json()["url"]
            assert url.startswith(f"{base}/konfirmasi/")
            assert (await client.get(url.removeprefix(base))).status_code == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=20)[0].decode()
    assert f"opop-events berjalan di {base}/" in output
