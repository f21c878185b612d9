"""The Litestar application: routes, dependencies, error handling, OpenAPI, lifespan (database pool)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from litestar import Litestar, get
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from opop_events import __version__
from opop_events.accounts.controllers import CONTROLLERS as ACCOUNT_CONTROLLERS
from opop_events.api import EXCEPTION_HANDLERS, provide_actor
from opop_events.catalog.controllers import CONTROLLERS as CATALOG_CONTROLLERS
from opop_events.db import close_pool, open_pool
from opop_events.events.controllers import CONTROLLERS as EVENT_CONTROLLERS
from opop_events.settings import Settings, get_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@get("/api/v1/health", operation_id="health", summary="Cek hidup", tags=["Sistem"], cache=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        opened = await open_pool()
        try:
            yield
        finally:
            if opened:
                await close_pool()

    return Litestar(
        route_handlers=[health, *ACCOUNT_CONTROLLERS, *CATALOG_CONTROLLERS, *EVENT_CONTROLLERS],
        dependencies={"actor": Provide(provide_actor)},
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="opop-events API",
            version=__version__,
            description="API temu bisnis OPOP Jawa Barat. Galat dikembalikan sebagai application/problem+json.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
        request_max_body_size=20 * 1024 * 1024,
        debug=False,
    )
