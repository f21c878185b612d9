"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives, or refuses every message."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from opop_events.settings import Settings, get_settings
from tests.deals.conftest import market  # noqa: F401 - the ledger's small market, reused


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Recorder:
    """An aiosmtpd handler: keeps every accepted message, or refuses all with 554 when `refuse` is set."""

    refuse: bool = False
    received: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        if self.refuse:
            return "554 5.7.1 Pesan ditolak oleh server uji"
        self.received.append(message_from_bytes(envelope.original_content))
        return "250 OK"


@dataclass
class Mailbox:
    recorder: Recorder
    settings: Settings

    @property
    def received(self) -> list[Message]:
        return self.recorder.received


def _serve(refuse: bool) -> Iterator[Mailbox]:
    recorder = Recorder(refuse=refuse)
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Mailbox(
            recorder=recorder,
            settings=replace(get_settings(), smtp_url=f"smtp://127.0.0.1:{port}", mail_max_attempts=3),
        )
    finally:
        controller.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from _serve(refuse=False)


@pytest.fixture
def refusing_mailbox() -> Iterator[Mailbox]:
    yield from _serve(refuse=True)
