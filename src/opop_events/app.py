"""The Litestar application: routes, dependencies, error handling, OpenAPI, lifespan (database pool)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request, Response, get
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from opop_events import __version__
from opop_events.accounts.controllers import CONTROLLERS as ACCOUNT_CONTROLLERS
from opop_events.accounts.services import refuse_demo_passwords
from opop_events.api import (
    EXCEPTION_HANDLERS,
    JSON_BODY_MAX_BYTES,
    PUBLIC,
    document_body_limits,
    provide_actor,
    signed_in,
    strict_body,
)
from opop_events.api_docs import openapi_router, render_plugins
from opop_events.catalog.controllers import CONTROLLERS as CATALOG_CONTROLLERS
from opop_events.core.i18n import N_
from opop_events.db import close_pool, open_pool
from opop_events.deals.controllers import CONTROLLERS as DEAL_CONTROLLERS
from opop_events.events.controllers import CONTROLLERS as EVENT_CONTROLLERS
from opop_events.idempotency.middleware import idempotency_middleware
from opop_events.importing.controllers import CONTROLLERS as IMPORT_CONTROLLERS
from opop_events.languages import language_middleware
from opop_events.matching.controllers import CONTROLLERS as MATCHING_CONTROLLERS
from opop_events.notifications.delivery import background_worker
from opop_events.reports.controllers import CONTROLLERS as REPORT_CONTROLLERS
from opop_events.reports.event_controllers import CONTROLLERS as EVENT_REPORT_CONTROLLERS
from opop_events.security_headers import security_headers
from opop_events.settings import Settings, get_settings
from opop_events.web.errors import WEB_EXCEPTION_HANDLERS
from opop_events.web.routes import csrf_config, static_files_router, template_config, web_router

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@get("/api/v1/health", operation_id="health", opt=PUBLIC, summary=N_("Cek hidup"), tags=[N_("Sistem")], cache=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


def _exception_handlers() -> dict[Any, Any]:
    """problem+json under /api (and /schema), HTML error pages everywhere else (e.g. an unknown page)."""
    def dispatch(kind: Any) -> Any:
        def handler(request: Request, exc: Exception) -> Response[Any]:
            api = request.url.path.startswith(("/api/", "/schema"))
            chosen = (EXCEPTION_HANDLERS if api else WEB_EXCEPTION_HANDLERS).get(kind) or EXCEPTION_HANDLERS[kind]
            return chosen(request, exc)

        return handler

    return {kind: dispatch(kind) for kind in EXCEPTION_HANDLERS}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        opened = await open_pool()
        try:
            if settings.production:
                await refuse_demo_passwords()
            async with background_worker(settings):
                yield
        finally:
            if opened:
                await close_pool()

    app = Litestar(
        route_handlers=[
            health,
            *ACCOUNT_CONTROLLERS,
            *CATALOG_CONTROLLERS,
            *IMPORT_CONTROLLERS,
            *EVENT_CONTROLLERS,
            *DEAL_CONTROLLERS,
            *MATCHING_CONTROLLERS,
            *REPORT_CONTROLLERS,
            *EVENT_REPORT_CONTROLLERS,
            web_router(),
            static_files_router(),
        ],
        template_config=template_config(),
        csrf_config=csrf_config(settings),
        dependencies={"actor": Provide(provide_actor)},
        guards=[signed_in],
        before_request=strict_body,
        before_send=[security_headers(settings)],
        exception_handlers=_exception_handlers(),
        # Pages go out gzipped (3G at the venue); API responses stay plain so idempotent replays are byte-exact.
        compression_config=CompressionConfig(backend="gzip", exclude=[r"^/api/"]),
        middleware=[language_middleware, idempotency_middleware],
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="opop-events API",
            version=__version__,
            description=N_("API temu bisnis OPOP Jawa Barat. Galat dikembalikan sebagai application/problem+json."),
            path="/schema",
            render_plugins=render_plugins(interactive=settings.api_docs),
            openapi_router=openapi_router(),
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
        # JSON bodies and web forms; a workbook upload sets its own (larger) limit on its route
        request_max_body_size=JSON_BODY_MAX_BYTES,
        debug=False,
    )
    document_body_limits(app)
    return app
