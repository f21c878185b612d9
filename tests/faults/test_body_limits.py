"""Nobody can make the server hold a large body (issue #13, finding 3): the real server (uvicorn in a child
process) is sent 200 MB bodies, streamed, with an `Idempotency-Key`; an anonymous caller gets 401 and a signed-in
one 413 after reading at most the route's limit (1 MiB for JSON), and the process's peak resident memory
(VmHWM in /proc/PID/status) grows by less than 50 MB. A Content-Length over the limit is refused before any of
the body is sent."""

from __future__ import annotations

import select
import socket
import sys
import time
from pathlib import Path

import pytest

from tests.factories import make_account
from tests.faults.server import HOST, ServerProcess

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status (Linux)")

BODY_BYTES = 200 * 1024 * 1024
CHUNK = 256 * 1024
MAX_GROWTH_BYTES = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def server(database_url):
    process = ServerProcess(database_url)
    process.start()
    yield process
    process.kill()


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak resident set) of a process, in bytes."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024
    return found


def _post_streamed(port: int, path: str, headers: dict[str, str], total: int) -> tuple[int, bytes, int]:
    """POST `total` bytes of JSON-looking filler with chunked transfer encoding, never blocking on a full send
    buffer: stops sending as soon as the server answers. Returns (status, response head+body, bytes sent)."""
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    chunk = b'{"x":"' + b"a" * (CHUNK - 6)
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    answer = b""
    with socket.create_connection((HOST, port), timeout=30) as sock:
        sock.sendall(head.encode())
        sock.setblocking(False)
        pending = b""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            want_write = sent < total
            readable, writable, _ = select.select([sock], [sock] if want_write else [], [], 1.0)
            if readable:
                try:
                    data = sock.recv(65536)
                except (ConnectionResetError, BlockingIOError):
                    data = b""
                answer += data
                if not data or (b"\r\n\r\n" in answer and _complete(answer)):
                    break
                continue
            if writable:
                if not pending:
                    pending = framed if sent + CHUNK < total else b"0\r\n\r\n"
                try:
                    n = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    want_write = False
                    sent = total
                    continue
                pending = pending[n:]
                if not pending:
                    sent += CHUNK
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, answer, min(sent, total)


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def _post_announced(port: int, path: str, headers: dict[str, str], length: int) -> int:
    """Announce a large Content-Length, send nothing of the body, and read the answer."""
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Length: {length}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    with socket.create_connection((HOST, port), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = sock.recv(65536)
    return int(answer.split(b" ", 2)[1])


async def test_an_anonymous_200_mb_body_is_refused_before_it_is_read(server):
    before = _memory(server.proc.pid)
    status, answer, sent = _post_streamed(
        server.port, "/api/v1/deals", {"Content-Type": "application/json", "Idempotency-Key": "besar-1"}, BODY_BYTES
    )
    after = _memory(server.proc.pid)

    assert status == 401, answer[:300]
    assert b"application/problem+json" in answer
    growth = after["VmHWM"] - before["VmHWM"]
    print(f"anonymous: sent {sent / 2**20:.1f} MiB; VmHWM {before['VmHWM'] / 2**20:.1f} -> "
          f"{after['VmHWM'] / 2**20:.1f} MiB; VmRSS now {after['VmRSS'] / 2**20:.1f} MiB")
    assert growth < MAX_GROWTH_BYTES, f"peak memory grew {growth / 2**20:.1f} MiB"


@pytest.mark.parametrize("with_key", [True, False], ids=["dengan-kunci", "tanpa-kunci"])
async def test_a_signed_in_200_mb_body_stops_at_the_route_limit(server, with_key):
    seller = await make_account("seller")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {seller.token}"}
    if with_key:
        headers["Idempotency-Key"] = "besar-2"
    before = _memory(server.proc.pid)
    status, answer, sent = _post_streamed(server.port, "/api/v1/deals", headers, BODY_BYTES)
    after = _memory(server.proc.pid)

    assert status == 413, answer[:300]
    assert b"application/problem+json" in answer and b"1 MiB" in answer
    assert sent < BODY_BYTES / 4, "the server must answer long before the client has sent everything"
    growth = after["VmHWM"] - before["VmHWM"]
    print(f"signed in ({'with' if with_key else 'without'} key): sent {sent / 2**20:.1f} MiB; VmHWM "
          f"{before['VmHWM'] / 2**20:.1f} -> {after['VmHWM'] / 2**20:.1f} MiB")
    assert growth < MAX_GROWTH_BYTES, f"peak memory grew {growth / 2**20:.1f} MiB"


async def test_a_large_content_length_is_refused_before_the_body(server):
    seller = await make_account("seller")
    signed_in = {"Content-Type": "application/json", "Authorization": f"Bearer {seller.token}"}
    for headers in ({**signed_in, "Idempotency-Key": "besar-3"}, signed_in):
        assert _post_announced(server.port, "/api/v1/deals", headers, BODY_BYTES) == 413
    # anonymous: the caller is checked first
    assert _post_announced(server.port, "/api/v1/deals", {"Idempotency-Key": "besar-4"}, BODY_BYTES) == 401
    # an upload route has its own, larger limit: a 25 MiB workbook is refused up front as well
    admin = await make_account("admin")
    upload = {"Authorization": f"Bearer {admin.token}", "Content-Type": "multipart/form-data; boundary=x"}
    assert _post_announced(server.port, "/api/v1/events/acara/imports", upload, 25 * 1024 * 1024) == 413
