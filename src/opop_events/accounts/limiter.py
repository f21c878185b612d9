"""Sign-in throttling: slow an attacker per e-mail and per client address without letting a stranger lock the
owner out.

The rules, checked before a password is verified, over the rows of `login_attempt` (shared by every worker):

1. **Progressive delay per e-mail.** After `OPOP_LOGIN_FREE_ATTEMPTS` failed sign-ins for one e-mail (within
   `OPOP_LOGIN_WINDOW_MINUTES`, and since that account's last successful sign-in), each further attempt must
   wait `OPOP_LOGIN_DELAY_SECONDS × 2^(failures − free)` seconds after the latest failure, at most
   `OPOP_LOGIN_DELAY_MAX_SECONDS`. An early attempt is answered 429 with `Retry-After` and is neither verified
   nor counted. A delay, never a lock: whoever the attacker is, the owner waits at most the maximum delay.
2. **Hard limit per client address.** `OPOP_LOGIN_ATTEMPTS_PER_MINUTE` failed sign-ins (any e-mail) from one
   address within a minute: that address gets 429 until the oldest of them is a minute old.
3. **The owner's way past both.** A request that carries a valid *known device* cookie for that account (set
   on every successful web sign-in, signed with `OPOP_SECRET_KEY` over the user id and the password hash, so a
   password change ends it), or that comes from the address of one of that account's last three successful
   sign-ins (a script's server, the office network), is not slowed by rules 1 and 2. Such requests have their
   own limit: `OPOP_LOGIN_ATTEMPTS_PER_MINUTE` failures a minute for that e-mail this way (a stolen cookie is
   not an unlimited guess).

The client address is the direct peer, or — only when the peer is in `OPOP_TRUSTED_PROXIES` — the right-most
address of `X-Forwarded-For` that is not itself a trusted proxy.

Every attempt is written as a failure *before* its password is checked, so parallel requests count each other
(each sees the attempts that started before it: a burst of N guesses is judged like N guesses in a row); a
refused one is deleted, a right password turns it into a success. These writes run in a transaction of their
own that commits at once, whatever transaction surrounds the caller (the idempotency middleware runs handlers
inside one and rolls it back on an error answer): on PostgreSQL on its own pooled connection; on SQLite, whose
single write lock the surrounding transaction already holds, right after that transaction ends (in a task of
its own), while this process already counts it from memory (another worker process sees it a moment later).
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import hmac
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any, TypeVar

from opop_events.accounts.tables import LoginAttempt
from opop_events.core.dates import now_utc
from opop_events.core.errors import TooManyRequests
from opop_events.core.i18n import _
from opop_events.db import get_engine, is_postgres, write_transaction

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from opop_events.settings import IPNetwork, Settings

KNOWN_DEVICE_COOKIE = "opop_perangkat"
KNOWN_DEVICE_LIFETIME = timedelta(days=180)
RECENT_ADDRESSES = 3

_log = logging.getLogger(__name__)
T = TypeVar("T")


# -- the client address ------------------------------------------------------------------------------------------


def _parse(text: str) -> Any:
    try:
        return ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: Any, proxies: Iterable[IPNetwork]) -> bool:
    return address is not None and any(address.version == n.version and address in n for n in proxies)


def client_address(peer: str, forwarded_for: list[str], proxies: tuple[IPNetwork, ...]) -> str:
    """The address a request comes from: `peer` (the direct connection), unless it is a trusted proxy; then each
    `X-Forwarded-For` hop from the right, as long as the hop reached so far is a trusted proxy."""
    current = _parse(peer)
    if current is None:
        return peer[:45]
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    while hops and _trusted(current, proxies):
        previous = _parse(hops.pop())
        if previous is None:
            break
        current = previous
    return current.compressed


def request_address(request: Any, proxies: tuple[IPNetwork, ...]) -> str:
    peer = request.client.host if request.client else ""
    return client_address(peer, request.headers.getall("x-forwarded-for", []), proxies)


# -- known devices -----------------------------------------------------------------------------------------------


def _device_mac(secret: str, user_id: int, issued: int, password_hash: str) -> str:
    message = f"known-device|{user_id}|{issued}|{password_hash}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def known_device_value(*, secret: str, user_id: int, password_hash: str, now: datetime | None = None) -> str:
    issued = int((now or now_utc()).timestamp())
    return f"{user_id}.{issued}.{_device_mac(secret, user_id, issued, password_hash)}"


def known_device_valid(
    value: str, *, secret: str, user_id: int, password_hash: str, now: datetime | None = None
) -> bool:
    parts = value.split(".") if value and len(value) <= 200 else []
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or int(parts[0]) != user_id:
        return False
    issued = int(parts[1])
    moment = (now or now_utc()).timestamp()
    if not moment - KNOWN_DEVICE_LIFETIME.total_seconds() < issued <= moment + 60:
        return False
    return hmac.compare_digest(parts[2], _device_mac(secret, user_id, issued, password_hash))


# -- the rules ---------------------------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Attempt:
    """One sign-in attempt; `row_id` once its row is written. Until it is finished it counts as a failure."""

    email: str
    ip: str
    at: datetime
    success: bool = False
    trusted: bool = False
    row_id: int | None = None


def login_delay(failures: int, settings: Settings) -> int:
    """Seconds the next attempt for an e-mail must wait after its latest failure, given how many failures it had
    (since its last success, within the window)."""
    if failures < settings.login_free_attempts:
        return 0
    doublings = min(failures - settings.login_free_attempts, 40)
    return min(settings.login_delay_max_seconds, settings.login_delay_seconds * 2**doublings)


_pending: list[Attempt] = []
"""Attempts of this process whose row waits for a surrounding SQLite transaction to end (counted from here)."""
_writers: set[asyncio.Task[None]] = set()


def _when(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value


async def _earlier(attempt: Attempt, where: Any, since: datetime) -> list[Attempt]:
    """The attempts before `attempt` (rows with a smaller id, and this process's held-back ones before it) that
    match `where` since `since`: concurrent requests each see the ones that started before them, so a burst of
    parallel guesses gets no more than the same guesses one after another."""
    query = LoginAttempt.select(
        LoginAttempt.email, LoginAttempt.ip, LoginAttempt.at, LoginAttempt.success, LoginAttempt.trusted
    ).where(where & (LoginAttempt.at >= since))
    if attempt.row_id is not None:
        query = query.where(LoginAttempt.id < attempt.row_id)
    found = [
        Attempt(r["email"], r["ip"], _when(r["at"]), bool(r["success"]), bool(r["trusted"]))
        for r in await query
    ]
    held = _pending[: _pending.index(attempt)] if attempt in _pending else list(_pending)
    return found + [a for a in held if a.at >= since]


def _refuse(seconds: float) -> TooManyRequests:
    wait = max(1, math.ceil(seconds))
    return TooManyRequests(
        _("Terlalu banyak percobaan masuk. Coba lagi dalam {seconds} detik.").format(seconds=wait), retry_after=wait
    )


async def recent_success_addresses(email: str) -> set[str]:
    """Addresses of the e-mail's last `RECENT_ADDRESSES` successful sign-ins."""
    rows = await (
        LoginAttempt.select(LoginAttempt.ip)
        .where((LoginAttempt.email == email) & (LoginAttempt.success == True))
        .order_by(LoginAttempt.at, ascending=False)
        .limit(RECENT_ADDRESSES)
    )
    pending = [a.ip for a in reversed(_pending) if a.email == email and a.success]
    return {ip for ip in [*pending, *(r["ip"] for r in rows)][:RECENT_ADDRESSES] if ip}


async def check(attempt: Attempt, *, settings: Settings) -> None:
    """Raise TooManyRequests (with the seconds to wait) when this attempt must not be verified now."""
    email, ip = attempt.email, attempt.ip
    now = now_utc()
    minute_ago = now - timedelta(minutes=1)
    if attempt.trusted:
        failures = [
            a.at
            for a in await _earlier(attempt, LoginAttempt.email == email, minute_ago)
            if a.email == email and a.trusted and not a.success
        ]
        if len(failures) >= settings.login_attempts_per_minute:
            raise _refuse((min(failures) + timedelta(minutes=1) - now).total_seconds())
        return
    if ip:
        by_ip = [
            a.at
            for a in await _earlier(
                attempt, (LoginAttempt.ip == ip) & (LoginAttempt.success == False), minute_ago
            )
            if a.ip == ip and not a.success
        ]
        if len(by_ip) >= settings.login_attempts_per_minute:
            raise _refuse((min(by_ip) + timedelta(minutes=1) - now).total_seconds())
    window_start = now - timedelta(minutes=settings.login_window_minutes)
    attempts = [
        a for a in await _earlier(attempt, LoginAttempt.email == email, window_start) if a.email == email
    ]
    last_success = max((a.at for a in attempts if a.success), default=window_start)
    failures = sorted(a.at for a in attempts if not a.success and not a.trusted and a.at >= last_success)
    delay = login_delay(len(failures), settings)
    if delay:
        remaining = (failures[-1] + timedelta(seconds=delay) - now).total_seconds()
        if remaining > 0:
            raise _refuse(remaining)


# -- recording, out of any surrounding transaction ---------------------------------------------------------------

REFUSED, FAILED, SUCCEEDED = "refused", "failed", "succeeded"


async def _independently(make: Callable[[], Awaitable[T]]) -> T:
    """Run `make()` in a write transaction of its own that commits at once, even inside another transaction
    (PostgreSQL: on another pooled connection). Not for SQLite inside a transaction: see `_can_write_now`."""
    engine = get_engine()
    token = engine.current_transaction.set(None) if engine.current_transaction.get() is not None else None
    try:
        async with write_transaction():
            return await make()
    finally:
        if token is not None:
            engine.current_transaction.reset(token)


def _can_write_now() -> bool:
    """False on SQLite inside a transaction: that transaction holds the one write lock of the file."""
    return get_engine().current_transaction.get() is None or is_postgres()


async def begin(*, email: str, ip: str, trusted: bool) -> Attempt:
    """Record an attempt as a failure before its password is checked (so that parallel requests count each other);
    `finish` then refuses, keeps or turns it into a success."""
    attempt = Attempt(email=email, ip=ip, at=now_utc(), trusted=trusted)
    if not _can_write_now():
        _pending.append(attempt)
        return attempt

    async def insert() -> Any:
        return await LoginAttempt.insert(
            LoginAttempt(email=email, ip=ip, at=attempt.at, success=False, trusted=trusted)
        ).returning(LoginAttempt.id)

    attempt.row_id = (await _independently(insert))[0]["id"]
    return attempt


async def finish(attempt: Attempt, outcome: str) -> None:
    """REFUSED (429: never checked, not counted), FAILED (stays a failure) or SUCCEEDED."""
    if attempt.row_id is None:  # held back by a surrounding SQLite transaction
        if outcome == REFUSED:
            _pending.remove(attempt)
            return
        attempt.success = outcome == SUCCEEDED
        context = contextvars.copy_context()
        context.run(get_engine().current_transaction.set, None)
        task = asyncio.get_running_loop().create_task(_write_later(attempt), context=context)
        _writers.add(task)
        task.add_done_callback(_writers.discard)
        return
    if outcome == REFUSED:
        await _independently(lambda: LoginAttempt.delete().where(LoginAttempt.id == attempt.row_id))
    elif outcome == SUCCEEDED:
        await _independently(
            lambda: LoginAttempt.update({LoginAttempt.success: True}).where(LoginAttempt.id == attempt.row_id)
        )


async def _write_later(attempt: Attempt) -> None:
    try:
        async with write_transaction():
            await LoginAttempt.insert(
                LoginAttempt(
                    email=attempt.email,
                    ip=attempt.ip,
                    at=attempt.at,
                    success=attempt.success,
                    trusted=attempt.trusted,
                )
            )
    except Exception:  # noqa: BLE001 - a lost row must not crash a task nobody awaits; say so in the log
        _log.exception("percobaan masuk %s tidak tercatat", attempt.email)
    finally:
        _pending.remove(attempt)


async def settle() -> None:
    """Wait until every attempt held back by a surrounding SQLite transaction is written (shutdown, tests)."""
    while _writers:
        await asyncio.gather(*list(_writers))
