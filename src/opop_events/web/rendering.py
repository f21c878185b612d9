"""Jinja2 set-up for the web pages: the environment, id-ID filters, the page helper and pagination links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from opop_events.accounts.enums import ROLE_LABELS, Role
from opop_events.api_docs import SWAGGER_DIR
from opop_events.core import i18n
from opop_events.core.dates import WIB, format_date, format_datetime, format_period
from opop_events.core.i18n import _
from opop_events.core.money import format_number, format_quantity, format_rupiah
from opop_events.core.phone import format_whatsapp
from opop_events.core.types import MAX_YEAR, MIN_YEAR

if TYPE_CHECKING:
    from litestar import Request, Router

    from opop_events.accounts.services import Actor
    from opop_events.core.pagination import Page

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
STATIC_PATH = "/static"


def format_clock(value: datetime) -> str:
    """`16.00` (WIB), for slot times where the day is already shown."""
    return f"{value.astimezone(WIB):%H.%M}"


def _quantity(value: str | Decimal | None) -> str:
    return format_quantity(value) if value not in (None, "") else ""


def _role_label(value: Role | str) -> str:
    return _(ROLE_LABELS[Role(value)])


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # `{{ _("…") }}` in templates is the same catalogue and the same per-request language as the Python code.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals["current_language"] = i18n.current_language
    env.globals["language_names"] = i18n.LANGUAGE_NAMES
    env.filters.update(
        rupiah=format_rupiah,
        angka=format_number,
        jumlah=_quantity,
        tanggal=lambda v: format_date(v) if isinstance(v, date) else "",
        waktu=lambda v: format_datetime(v) if isinstance(v, datetime) else "",
        jam=format_clock,
        periode=format_period,
        wa=format_whatsapp,
        peran=_role_label,
    )
    env.globals["static"] = lambda name: f"{STATIC_PATH}/{name}"
    env.globals.update(min_year=MIN_YEAR, max_year=MAX_YEAR)
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment()))


def static_files_router() -> Router:
    # Files change only with a release; a day of caching saves weak connections a round trip per page.
    from litestar.datastructures import CacheControlHeader

    # The Swagger UI files of /schema come from their package, as /static/swagger-ui-<version>/…
    return create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR, SWAGGER_DIR.parent],
        name="web-static",
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=86_400, public=True),
    )


def page(
    name: str,
    *,
    actor: Actor | None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A full page: the template plus what the layout needs (the signed-in actor, navigation)."""
    context.setdefault("title", "")
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.setdefault("notice", "")
    context.setdefault("section", "")
    return Template(template_name=name, context={"actor": actor, **context}, status_code=status_code)


@dataclass(frozen=True)
class Pager:
    """Links for a paginated list that keep the current filters."""

    page: int
    pages: int
    total: int
    prev_url: str | None
    next_url: str | None


def pager(request: Request, result: Page[Any], params: dict[str, Any] | None = None) -> Pager:
    """Previous/next links. `params`: the filters as the page understood them (so a link never carries on a
    value the page ignored); by default the request's own query."""
    pages = max(1, -(-result.total // result.per_page))
    if params is None:
        params = {k: v for k, v in request.query_params.items() if k != "halaman" and v}
    else:
        params = {k: v for k, v in params.items() if v}

    def url(number: int) -> str:
        query = urlencode({**params, "halaman": number} if number > 1 else params)
        return f"{request.url.path}?{query}" if query else request.url.path

    return Pager(
        page=result.page,
        pages=pages,
        total=result.total,
        prev_url=url(result.page - 1) if result.page > 1 else None,
        next_url=url(result.page + 1) if result.page < pages else None,
    )
