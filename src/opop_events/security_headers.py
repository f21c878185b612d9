"""Browser security headers on every answer of the app: pages, API answers, static files, the API docs, and
errors (404, 401, problem+json, 503) alike.

They are added by a `before_send` hook of the application, which Litestar runs on the ASGI `send` of every
response, including those written by the exception handlers, the router's own 404/405 and the idempotency
middleware's replays. A header a handler set itself is kept (e.g. the static files' `Cache-Control`), except on
the pages whose URL carries a secret token, where `Referrer-Policy: no-referrer` and `Cache-Control: no-store`
always win.

The policy, and why:

- `Content-Security-Policy`: only this origin may supply scripts, styles, fonts, frames and fetches. No
  `'unsafe-inline'` for scripts *or* styles: the templates have no inline `<script>`, no `on…=` handler and no
  `style=` attribute (a test keeps it so), htmx's own indicator `<style>` is turned off in its config, and the
  API docs load their start-up script and styles from files. `img-src` allows `data:` (the empty favicon
  `data:,` of every page and Swagger UI's inline SVG icons). `frame-ancestors 'none'`, `base-uri 'none'`,
  `object-src 'none'` and `form-action 'self'` close clickjacking, `<base>` hijacking, plugins, and forms
  posting elsewhere.
- `X-Frame-Options: DENY`: `frame-ancestors` for browsers that predate it.
- `X-Content-Type-Options: nosniff`: an uploaded or generated file is never run as a script or a style.
- `Referrer-Policy: strict-origin-when-cross-origin`: another site learns at most our origin, never a path.
  On token URLs (`/konfirmasi/…`, `/agenda/…` and their API twins `/api/v1/links/…`, `/api/v1/agenda/…`)
  `no-referrer`, together with `Cache-Control: no-store` (also on the page that shows a freshly signed link):
  the token is the buyer's or participant's only credential, so it must not leave in a Referer header, nor
  stay in a shared phone's or proxy's cache.
- `Strict-Transport-Security: max-age=31536000; includeSubDomains` when the app is served over https
  (`OPOP_BASE_URL` starts with `https://`); over plain http browsers ignore it, and it would pin a local or
  test set-up to https for a year, so it is left out there.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from litestar.datastructures import MutableScopeHeaders

if TYPE_CHECKING:
    from litestar.types import BeforeMessageSendHookHandler, Message, Scope

    from opop_events.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
REFERRER_POLICY = "strict-origin-when-cross-origin"
HSTS = "max-age=31536000; includeSubDomains"

SECRET_URLS = re.compile(
    r"^/(?:konfirmasi/|agenda/|api/v1/links/|api/v1/agenda/|transaksi/\d+/tautan$"
    r"|api/v1/auth/|api/v1/deals/\d+/confirm-link$)"
)
"""Paths whose URL carries (or whose answer shows) a secret — a signed link, a bearer token: never sent as a
Referer, never cached."""


def security_headers(settings: Settings) -> BeforeMessageSendHookHandler:
    """The `before_send` hook that adds the headers above to every HTTP response."""
    fixed: dict[str, str] = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
    }
    if settings.base_url.startswith("https://"):
        fixed["Strict-Transport-Security"] = HSTS

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in fixed.items():
            headers[name] = value
        if SECRET_URLS.match(scope["path"]):
            headers["Referrer-Policy"] = "no-referrer"
            headers["Cache-Control"] = "no-store"
        elif "referrer-policy" not in headers:
            headers["Referrer-Policy"] = REFERRER_POLICY

    return add_headers
