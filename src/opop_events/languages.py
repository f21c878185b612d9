"""Which language a request is answered in (`core.i18n`): the door sets it before any handler runs.

- API (`/api/…`): the `Accept-Language` header if it names a language we offer, else the signed-in caller's saved
  language (`provide_actor` applies it), else Bahasa Indonesia.
- Pages: the signed-in user's saved language; before signing in, the `opop_lang` cookie the language menu sets;
  else Bahasa Indonesia. A browser's `Accept-Language` is not followed on pages: most phones at the venue are set
  to English while their owners read Indonesian, so pages switch only when someone chooses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opop_events.core import i18n

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

LANGUAGE_COOKIE = "opop_lang"
_EXPLICIT_KEY = "opop_language_explicit"
"""Set in the scope when the API caller named a language in `Accept-Language`: the saved one must not override it."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    header = _header(scope, b"cookie")
    if not header:
        return None
    for part in header.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def language_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        if scope["path"].startswith(("/api/", "/schema")):
            chosen = i18n.from_accept_language(_header(scope, b"accept-language"))
            if chosen is not None:
                scope[_EXPLICIT_KEY] = True  # type: ignore[literal-required]
        else:
            chosen = i18n.normalise(_cookie(scope, LANGUAGE_COOKIE))
        with i18n.use_language(chosen or i18n.SOURCE_LANGUAGE):
            await app(scope, receive, send)

    return middleware


def apply_saved_language(scope: Scope, saved: str | None) -> None:
    """The signed-in caller's own choice, unless an API caller named a language for this request."""
    if not scope.get(_EXPLICIT_KEY):
        i18n.set_language(saved)
