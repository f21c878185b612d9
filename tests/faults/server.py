"""A real uvicorn server in a child process on a free port of 127.0.0.1, against the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free port: the first free one of `OPOP_TEST_PORTS` ("8101-8110") when set (machines shared by several
    test runs give each its own range), else any the system picks."""
    wanted = os.environ.get("OPOP_TEST_PORTS", "")
    if wanted:
        low, _, high = wanted.partition("-")
        for port in range(int(low), int(high or low) + 1):
            with socket.socket() as sock:
                try:
                    sock.bind((HOST, port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"no free port in OPOP_TEST_PORTS={wanted}")
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`uvicorn opop_events.asgi:app` (one process, so SIGKILL hits the process that holds the requests)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - kept open for the server's life, closed in stop()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.port = free_port()
        env = {**os.environ, "OPOP_DATABASE_URL": self.database_url, "OPOP_PASSWORD_HASH": "fast"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "opop_events.asgi:app", "--host", HOST, "--port", str(self.port),
             "--log-level", "warning", "--no-access-log"],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    if client.get("/api/v1/health").status_code == 200:
                        return
                except httpx.TransportError:
                    time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not start:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no lifespan, no flushing — a power cut for the process."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]
