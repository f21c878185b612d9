"""The web app as one Litestar Router (HTML errors, the session actor), plus its template, static and CSRF set-up."""

from __future__ import annotations

from litestar import Request, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide

from opop_events.accounts.services import Actor
from opop_events.api import provide_actor
from opop_events.settings import Settings
from opop_events.web import (
    account,
    admin,
    agenda,
    board,
    deal_forms,
    deals,
    dinas,
    matching,
    organizer,
    public,
    schedule,
    seller,
)
from opop_events.web.errors import WEB_EXCEPTION_HANDLERS
from opop_events.web.rendering import static_files_router, template_config

__all__ = ["csrf_config", "static_files_router", "template_config", "web_router"]

CSRF_COOKIE = "opop_csrf"


async def provide_web_actor(request: Request) -> Actor | None:
    """The session's actor, remembered on the request so an error page can still show who is signed in."""
    actor = await provide_actor(request)
    request.state.web_actor = actor
    return actor


def web_router() -> Router:
    """All pages. A new area (schedule, deals, reports) adds a module exposing `HANDLERS` and lists it here;
    its entry points go into `organizer.EVENT_TABS` (per event) and the tiles of `dinas/home.html`."""
    return Router(
        path="/",
        route_handlers=[
            *public.HANDLERS,
            *account.HANDLERS,
            *seller.HANDLERS,
            *organizer.HANDLERS,
            *admin.HANDLERS,
            *matching.HANDLERS,
            *schedule.HANDLERS,
            *deal_forms.HANDLERS,
            *deals.HANDLERS,
            *dinas.HANDLERS,
            *board.HANDLERS,
            *agenda.HANDLERS,
        ],
        dependencies={"actor": Provide(provide_web_actor)},
        exception_handlers=WEB_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    """Every form carries a token matching the CSRF cookie. The JSON API is excluded: it authenticates with a
    bearer token, which a foreign site cannot send. Litestar searches exclude patterns anywhere in the path
    (`re.findall`), so the pattern is anchored."""
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        cookie_secure=settings.cookie_secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=[r"^/api/"],
    )
