"""Conditional GET for figures polled by projectors and scripts: a weak ETag (`reports.current.figures_tag`)
on the answer, and 304 Not Modified with no body when the caller's `If-None-Match` still holds it."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Response

CACHE_CONTROL = "no-cache"
"""A browser keeps the answer but asks again every time (with `If-None-Match`), so a figure is never stale."""


def validator_headers(tag: str | None) -> dict[str, str]:
    """The headers of a full answer carrying `tag`."""
    return {"ETag": tag, "Cache-Control": CACHE_CONTROL} if tag else {}


def still_fresh(request: Request[Any, Any, Any], tag: str | None) -> bool:
    """Whether the caller's `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks for GET)."""
    if not tag:
        return False
    header = request.headers.get("if-none-match", "")
    if header.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == opaque for candidate in header.split(","))


def not_modified(tag: str) -> Response[bytes]:
    """304 with the validator and no body."""
    return Response(content=b"", status_code=304, headers=validator_headers(tag))
