"""`Idempotency-Key` for every API write: a retried request gets the first response, never a second effect.

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
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from opop_events.core.dates import now_utc
from opop_events.core.errors import PROBLEM_MEDIA_TYPE, FieldError, InvalidInput
from opop_events.db import is_unique_violation, raw, write_transaction

HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 200
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class _Rollback(Exception):
    """Raised inside the transaction to undo a handler that answered with an error."""


def _problem(status: int, detail: str, instance: str) -> tuple[int, bytes]:
    """The same problem+json shape (and encoding) as every other API error."""
    problem = InvalidInput(detail, errors=[FieldError(field="Idempotency-Key", message=detail)]).to_problem(instance)
    problem.type = "https://opop-events.jabarprov.go.id/problems/idempotency"
    problem.title = "Idempotency-Key tidak dapat dipakai"
    problem.status = status
    return status, msgspec.json.encode(problem)


async def _send_plain(send: Send, status: int, body: bytes, content_type: str, replayed: bool = False) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def idempotency_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _UNSAFE or not scope["path"].startswith("/api/"):
            await app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            await _send_plain(send, *_problem(422, f"Idempotency-Key harus 1–{MAX_KEY_LENGTH} karakter", scope["path"]), PROBLEM_MEDIA_TYPE)
            return

        body_parts: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body_parts.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(body_parts)
        who = headers.get(b"authorization", b"") or headers.get(b"cookie", b"") or b"anon"
        scope_hash = hashlib.sha256(who).hexdigest()
        fingerprint = hashlib.sha256(scope["method"].encode() + b" " + scope["path"].encode() + b"\n" + body).hexdigest()

        async def replay() -> bool:
            rows = await raw(
                'SELECT fingerprint, status, content_type, body FROM idempotency_record WHERE scope = {} AND "key" = {}',
                scope_hash, key,
            )
            if not rows:
                return False
            row = rows[0]
            if row["fingerprint"] != fingerprint:
                await _send_plain(
                    send,
                    *_problem(422, "Idempotency-Key ini sudah dipakai untuk permintaan lain; buat kunci baru.", scope["path"]),
                    PROBLEM_MEDIA_TYPE,
                )
            else:
                await _send_plain(send, row["status"], bytes(row["body"]), row["content_type"], replayed=True)
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
                    await raw(
                        'INSERT INTO idempotency_record (scope, "key", fingerprint, status, content_type, body, '
                        "created_at) VALUES ({}, {}, {}, {}, {}, {}, {})",
                        scope_hash, key, fingerprint, captured["status"], content_type[:100],
                        b"".join(captured["body"]), now_utc(),
                    )
        except Exception as exc:
            if is_unique_violation(exc) and await replay():
                return
            raise
        await send({"type": "http.response.start", "status": captured["status"], "headers": captured["headers"]})
        await send({"type": "http.response.body", "body": b"".join(captured["body"]), "more_body": False})

    return middleware
