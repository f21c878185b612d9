"""The door of every API write, then its `Idempotency-Key`: a retried request gets the first response, never a
second effect.

Before a byte of the body is read: a route that needs a caller answers 401 to a request without a valid bearer
token (looked up from the headers alone), and a `Content-Length` over the route's body limit answers 413. A body
read here for the key is counted as it arrives and refused with 413 the moment it passes the limit, so nobody can
make the server hold more than the limit (1 MiB for JSON, 21 MiB for a workbook upload; see `api.py`).

A record belongs to who asked: the user behind a *valid* credential (so a phone that signs in again and resends
with the same key gets its first reply, and a revoked token replays nothing), or, for the anonymous WhatsApp link
actions, the signed link itself; then the key; then the method, path and body must match the first request (422
otherwise). Sign-in, sign-out and password change (`/api/v1/auth/…`) never go through here: their replies hold a
token and their failed attempts must count whatever the answer. Replies carrying a signed confirmation link are
not stored either. Only a hash of who asked is stored.

The handler runs inside one database transaction together with the insert of its record, and the response
is only sent after that transaction commits: a crash either keeps both (the retry replays) or neither (the
retry runs afresh). On PostgreSQL two copies racing each other collide on the unique (scope, key) index; the
loser rolls back and replays the winner's response.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from opop_events.api import provide_actor, size_text
from opop_events.core.errors import (
    PROBLEM_MEDIA_TYPE,
    AppError,
    FieldError,
    InvalidInput,
    PayloadTooLarge,
    Unauthorized,
)
from opop_events.core.i18n import _
from opop_events.db import is_unique_violation, write_transaction
from opop_events.idempotency.store import MAX_KEY_LENGTH, lookup, scope_hash, store

HEADER = b"idempotency-key"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

NEVER_STORED_PATHS = ("/api/v1/auth/",)
"""Sign-in (the reply is a bearer token), sign-out, password change: run as if sent without a key, outside any
transaction of ours, so the rate limit's failed-attempt rows are never rolled back with a 401."""
NEVER_STORED_OPERATIONS = frozenset({"createConfirmLink"})
"""Replies holding a secret (the signed WhatsApp link): never stored; with a key the request runs as without one
(a retry makes a fresh link, which replaces the earlier one)."""


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(_("Isi permintaan paling besar {size}.").format(size=size_text(limit)))


class _Rollback(Exception):
    """Raised inside the transaction to undo a handler that answered with an error."""


def _problem(status: int, detail: str, instance: str) -> tuple[int, bytes]:
    """The same problem+json shape (and encoding) as every other API error."""
    problem = InvalidInput(detail, errors=[FieldError(field="Idempotency-Key", message=detail)]).to_problem(instance)
    problem.type = "https://opop-events.jabarprov.go.id/problems/idempotency"
    problem.title = _("Idempotency-Key tidak dapat dipakai")
    problem.status = status
    return status, msgspec.json.encode(problem)


async def _send_plain(send: Send, status: int, body: bytes, content_type: str, replayed: bool = False) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _caller_or_401(scope: Scope) -> Any:
    """The signed-in caller of a route that needs one, from the Authorization header alone (kept in the scope for
    `provide_actor`, so the guard and the handler do not look it up again); 401 without a valid credential."""
    actor = await provide_actor(ASGIConnection(scope))  # type: ignore[arg-type]
    if actor is None:
        raise Unauthorized(_("Silakan masuk terlebih dahulu: kirim header Authorization: Bearer <token>."))
    return actor


def _announced_length(scope: Scope, limit: int) -> None:
    """413 before reading when the client announces more than the limit (400 for a Content-Length that is not
    a number)."""
    value = next((v for k, v in scope["headers"] if k == b"content-length"), None)
    if value is None:
        return
    try:
        length = int(value)
    except ValueError:
        raise AppError(_("Header Content-Length tidak sah.")) from None
    if length > limit:
        raise _too_large(limit)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, counted as it arrives: 413 as soon as it passes `limit`; None when the client left."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def _who(scope: Scope, actor: Any) -> bytes | None:
    """What a record belongs to: the signed-in user, or the signed link of an anonymous link action; None for
    any other anonymous write (no record: nothing tells one caller from another)."""
    if actor is not None:
        return f"user:{actor.user_id}".encode()
    token = scope.get("path_params", {}).get("token")
    if scope["path"].startswith("/api/v1/links/") and isinstance(token, str) and token:
        return b"link:" + token.encode()
    return None


def idempotency_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _UNSAFE or not scope["path"].startswith("/api/"):
            await app(scope, receive, send)
            return
        # The door: who asks and how much they announce, from the headers, before any of the body is read.
        handler = scope["route_handler"]
        actor = None if handler.opt.get("public") else await _caller_or_401(scope)
        limit = handler.resolve_request_max_body_size() or 0
        if limit:
            _announced_length(scope, limit)

        raw_key = next((v for k, v in scope["headers"] if k == HEADER), None)
        never_stored = (
            scope["path"].startswith(NEVER_STORED_PATHS)
            or getattr(handler, "operation_id", None) in NEVER_STORED_OPERATIONS
        )
        if raw_key is None or never_stored:
            await app(scope, receive, send)  # Litestar counts the body against the same limit as it reads it
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            detail = _("Idempotency-Key harus 1–{length} karakter").format(length=MAX_KEY_LENGTH)
            await _send_plain(send, *_problem(422, detail, scope["path"]), PROBLEM_MEDIA_TYPE)
            return
        who = _who(scope, actor)
        if who is None:
            await app(scope, receive, send)
            return

        body = await _read_body(receive, limit or 2**62)
        if body is None:
            return
        hashed = scope_hash(who)
        # the query string is part of the request (`?dry_run=true` is another request than the real import)
        target = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        fingerprint = hashlib.sha256(scope["method"].encode() + b" " + target + b"\n" + body).hexdigest()

        async def replay() -> bool:
            record = await lookup(scope=hashed, key=key)
            if record is None:
                return False
            if record.fingerprint != fingerprint:
                await _send_plain(
                    send,
                    *_problem(
                        422, _("Idempotency-Key ini sudah dipakai untuk permintaan lain; buat kunci baru."), scope["path"]
                    ),
                    PROBLEM_MEDIA_TYPE,
                )
            else:
                await _send_plain(send, record.status, record.body, record.content_type, replayed=True)
            return True

        sent = False

        async def replay_receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))

        try:
            # An error response rolls the handler's writes back (via _Rollback) and is not recorded.
            with contextlib.suppress(_Rollback):
                async with write_transaction():
                    # The look-up runs on the transaction's connection: one pool checkout per request.
                    if await replay():
                        return
                    await app(scope, replay_receive, capture)
                    if captured["status"] >= 300:
                        raise _Rollback
                    content_type = dict(captured["headers"]).get(b"content-type", b"application/json").decode()
                    await store(
                        scope=hashed, key=key, fingerprint=fingerprint, status=captured["status"],
                        content_type=content_type, body=b"".join(captured["body"]),
                    )
        except Exception as exc:
            if is_unique_violation(exc) and await replay():
                return
            raise
        await send({"type": "http.response.start", "status": captured["status"], "headers": captured["headers"]})
        await send({"type": "http.response.body", "body": b"".join(captured["body"]), "more_body": False})

    return middleware
