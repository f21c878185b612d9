"""Errors on web pages become friendly HTML pages in Bahasa Indonesia (the JSON API keeps problem+json)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template

from opop_events.core.errors import AppError, Unauthorized
from opop_events.core.i18n import N_, _
from opop_events.db import database_unavailable

LOGIN_PATH = "/masuk"

_HTTP_TITLES = {
    400: (N_("Permintaan tidak sah"), N_("Alamat atau isian tidak dapat dibaca. Periksa lagi lalu coba ulang.")),
    403: (N_("Tidak diizinkan"), N_("Anda tidak memiliki izin untuk membuka halaman ini.")),
    404: (N_("Halaman tidak ditemukan"), N_("Halaman yang Anda cari tidak ada atau sudah dipindahkan.")),
    405: (N_("Tidak dapat diproses"), N_("Cara membuka halaman ini tidak didukung.")),
    409: (N_("Tidak dapat diproses"), N_("Data sudah berubah atau sudah ada.")),
    413: (N_("Berkas terlalu besar"), N_("Isian yang dikirim terlalu besar.")),
    422: (N_("Data tidak valid"), N_("Periksa kembali isian Anda.")),
    429: (N_("Terlalu banyak permintaan"), N_("Tunggu sebentar lalu coba lagi.")),
    500: (N_("Terjadi kesalahan"), N_("Terjadi kesalahan di server. Data Anda tidak berubah; silakan coba lagi.")),
}


def safe_next(value: str | None) -> str | None:
    """A local path to return to after signing in; anything that could leave the site is dropped."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or len(value) > 500:
        return None
    if any(ch in value for ch in "\r\n\t"):
        return None
    return value


def _local(url: str, request: Request) -> str | None:
    """The path and query of `url` when it points at this site (Referer, HX-Current-URL)."""
    return safe_next(url.partition(request.url.netloc)[2]) if request.url.netloc in url else None


def login_redirect(request: Request) -> Response[Any]:
    """To the login page, coming back afterwards: to this page for a GET, to the page holding the form else."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = _local(request.headers.get("referer", ""), request) or "/beranda"
    if request.headers.get("hx-request") == "true":
        # An htmx call must not swap the login page into a list row: htmx loads the login page whole.
        page = _local(request.headers.get("hx-current-url", ""), request) or "/beranda"
        return Response(
            content="", status_code=401, headers={"HX-Redirect": f"{LOGIN_PATH}?{urlencode({'next': page})}"}
        )
    return Redirect(f"{LOGIN_PATH}?{urlencode({'next': target})}", status_code=303)


def _render(request: Request, status: int, title: str, detail: str) -> Response[Any]:
    # The actor is known only when the failing handler asked for it (see `provide_web_actor`).
    actor = request.state.get("web_actor")
    return Template(
        template_name="error.html",
        context={"actor": actor, "title": title, "detail": detail, "status": status, "section": ""},
        status_code=status,
        media_type=MediaType.HTML,
    )


def app_error_handler(request: Request, exc: AppError) -> Response[Any]:
    if isinstance(exc, Unauthorized):
        return login_redirect(request)
    return _render(request, exc.status, exc.title, exc.detail)


def validation_handler(request: Request, exc: ValidationException) -> Response[Any]:
    title, detail = _HTTP_TITLES[400]
    return _render(request, 400, _(title), _(detail))


def http_error_handler(request: Request, exc: HTTPException) -> Response[Any]:
    status = exc.status_code if 400 <= exc.status_code < 600 else 500
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        return _render(
            request,
            403,
            _("Formulir kedaluwarsa"),
            _(
                "Formulir ini tidak dapat diterima karena kode keamanannya tidak cocok atau sudah kedaluwarsa. "
                "Kembali ke halaman sebelumnya, muat ulang, lalu kirim lagi."
            ),
        )
    if isinstance(exc, NotFoundException):
        status = 404
    title, detail = _HTTP_TITLES.get(status, _HTTP_TITLES[500] if status >= 500 else _HTTP_TITLES[400])
    response = _render(request, status, _(title), _(detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def internal_error_handler(request: Request, exc: Exception) -> Response[Any]:
    if database_unavailable(exc):
        request.logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        response = _render(
            request, 503, _("Sedang tidak dapat dihubungi"),
            _("Basis data sedang tidak dapat dihubungi. Tunggu sebentar lalu muat ulang halaman ini."),
        )
        response.headers["Retry-After"] = "5"
        return response
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    title, detail = _HTTP_TITLES[500]
    return _render(request, 500, _(title), _(detail))


WEB_EXCEPTION_HANDLERS: dict[Any, Any] = {
    AppError: app_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
