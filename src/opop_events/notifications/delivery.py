"""Delivery of the outbox after commit: claim due messages, send them over SMTP, mark them sent or retry.

What "never twice" means here, honestly: a message is *claimed* before it is sent (its attempt counted and its
next attempt pushed past the send's lease, in a committed transaction; PostgreSQL workers skip rows another
worker holds with `FOR UPDATE SKIP LOCKED`, SQLite workers pass through the one writer), so two workers never
send the same message at the same time, and a sent message is never picked again. But sending and marking sent
cannot be one transaction with the mail server: if the process dies after the SMTP server accepted the message
and before `sent_at` is written, the message is claimed again once its lease runs out and sent a second time —
with the same `Message-ID` header, so mail systems that drop duplicates by Message-ID drop the copy. That is
at-least-once delivery with a stable identity, not exactly-once; nothing in SMTP offers more.

Failures are retried with exponential backoff (`base_delay` doubled per attempt, capped) and, after
`Settings.mail_max_attempts` attempts, the message is marked failed with the last error. Sending runs in a
thread with a timeout, in a loop of its own (the app's lifespan or `opop-events worker`), never in a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from opop_events.core.dates import now_utc
from opop_events.db import is_postgres, write_transaction
from opop_events.notifications.tables import OutboxMessage
from opop_events.settings import Settings, get_settings

log = logging.getLogger(__name__)

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
SEND_TIMEOUT_SECONDS = 20.0
BATCH = 20


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    recipient: str
    subject: str
    body: str
    message_id: str
    attempts: int


def backoff(attempts: int, base_delay: timedelta = BASE_DELAY) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2×base, 4×base, … up to MAX_DELAY."""
    return min(base_delay * (2 ** max(attempts - 1, 0)), MAX_DELAY)


async def claim_due(*, now: datetime | None = None, limit: int = BATCH, base_delay: timedelta = BASE_DELAY) -> list[
    Claimed
]:
    """Claim up to `limit` due messages in one committed transaction: count the attempt and push the next one
    out by this attempt's backoff (the lease: a worker that dies mid-send leaves the message due again then)."""
    now = now or now_utc()
    async with write_transaction():
        query = (
            OutboxMessage.select(
                OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body,
                OutboxMessage.message_id, OutboxMessage.attempts,
            )
            .where(
                OutboxMessage.sent_at.is_null(),
                OutboxMessage.failed_at.is_null(),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
        )
        if is_postgres():
            query = query.lock_rows("UPDATE", skip_locked=True)
        rows = await query
        claimed = []
        for row in rows:
            attempts = int(row["attempts"]) + 1
            await OutboxMessage.update(
                {OutboxMessage.attempts: attempts, OutboxMessage.next_attempt_at: now + backoff(attempts, base_delay)}
            ).where(OutboxMessage.id == row["id"])
            claimed.append(
                Claimed(
                    id=row["id"], recipient=row["recipient"], subject=row["subject"], body=row["body"],
                    message_id=row["message_id"], attempts=attempts,
                )
            )
    return claimed


def build_email(message: Claimed, *, mail_from: str, now: datetime) -> EmailMessage:
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(now)
    email.set_content(message.body)
    return email


def send_smtp(smtp_url: str, email: EmailMessage, *, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
    """Send one message (blocking; called in a thread). `smtp://host:port`, `smtp+starttls://…`,
    `smtps://user:pass@host:465`."""
    url = urlsplit(smtp_url)
    host = url.hostname or "127.0.0.1"
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, url.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, url.port or (587 if url.scheme == "smtp+starttls" else 25), timeout=timeout)
    with client:
        if url.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(email)


async def deliver_due(
    *, settings: Settings | None = None, now: datetime | None = None, base_delay: timedelta = BASE_DELAY
) -> int:
    """Claim and send what is due now; returns how many were claimed. Each result is written at once."""
    settings = settings or get_settings()
    now = now or now_utc()
    claimed = await claim_due(now=now, base_delay=base_delay)
    for message in claimed:
        email = build_email(message, mail_from=settings.mail_from, now=now)
        try:
            await asyncio.to_thread(send_smtp, settings.smtp_url, email)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("outbox message %s attempt %s failed: %s", message.id, message.attempts, error)
            changes: dict[object, object] = {OutboxMessage.last_error: error}
            if message.attempts >= settings.mail_max_attempts:
                changes[OutboxMessage.failed_at] = now_utc()
            async with write_transaction():
                await OutboxMessage.update(changes).where(OutboxMessage.id == message.id)  # type: ignore[arg-type]
            continue
        async with write_transaction():
            await OutboxMessage.update({OutboxMessage.sent_at: now_utc(), OutboxMessage.last_error: ""}).where(
                OutboxMessage.id == message.id
            )
    return len(claimed)


async def drain(*, settings: Settings | None = None) -> int:
    """Send everything due now, batch after batch, until nothing is due (`opop-events worker --once`)."""
    total = 0
    while count := await deliver_due(settings=settings):
        total += count
    return total


async def run_worker(*, settings: Settings | None = None, poll_seconds: float = 2.0) -> None:
    """Deliver until cancelled, polling every `poll_seconds`; an unexpected error is logged, not fatal."""
    while True:
        try:
            if await deliver_due(settings=settings) == BATCH:
                continue
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox delivery failed; retrying")
        await asyncio.sleep(poll_seconds)


@contextlib.asynccontextmanager
async def background_worker(settings: Settings) -> AsyncIterator[None]:
    """Run the worker beside the app (its lifespan) when `OPOP_SMTP_URL` is set; stop it on shutdown."""
    if not settings.smtp_url:
        yield
        return
    task = asyncio.create_task(run_worker(settings=settings), name="outbox-worker")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
