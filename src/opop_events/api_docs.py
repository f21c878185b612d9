"""The OpenAPI document and its interactive docs at /schema.

- The docs (Swagger UI) load only from this server: the Swagger UI files come from the `swagger-ui-bundle-v2`
  package and are served under `/static/swagger-ui-<version>/`, the start-up script and styles from
  `web/static/api-docs.*` (no inline script or style, so they run under the Content-Security-Policy of
  `security_headers`). At a venue without internet they still render. Swagger UI ships no Indonesian; the
  start-up script puts its most visible labels ("Try it out", "Execute", "Parameters" …) into Indonesian.
- `OPOP_API_DOCS=0` turns the interactive docs off (off by default in production): /schema and /schema/swagger
  answer 404, while /schema/openapi.json stays for scripts.
- The document is completed where Litestar cannot say it from the handlers: every unsafe /api operation takes
  the optional `Idempotency-Key` request header (`idempotency/middleware.py`) and may answer `Idempotent-Replayed: true`;
  success and header descriptions are in Bahasa Indonesia; a report download names its media types (xlsx, pdf,
  csv) instead of an empty one; Litestar's own 400 answer (shaped as its JSON
  error, which the API never sends) is documented as the problem+json the API really sends.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from litestar import Router
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, SwaggerRenderPlugin
from swagger_ui_bundle import swagger_ui_path

from opop_events.api import _DESCRIPTIONS, PROBLEM_EXAMPLES
from opop_events.core.errors import PROBLEM_MEDIA_TYPE
from opop_events.idempotency.store import MAX_KEY_LENGTH

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Request, Response

SCHEMA_PATH = "/schema"
SWAGGER_DIR: Path = swagger_ui_path  # type: ignore[assignment]
"""`…/swagger_ui_bundle/vendor/swagger-ui-5.31.0`: served as `/static/swagger-ui-5.31.0/…` (see `rendering`)."""
SWAGGER_URL = f"/static/{SWAGGER_DIR.name}"
DOCS_TITLE = "Dokumentasi API opop-events"

UNSAFE_METHODS = ("post", "put", "patch", "delete")
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Kunci unik per tindakan (mis. UUID), agar pengiriman ulang tidak tercatat dua kali: permintaan ulang "
        "dengan kunci yang sama dan isi yang sama mendapat jawaban pertama lagi (dengan header "
        "`Idempotent-Replayed: true`); kunci yang sama untuk isi lain ditolak dengan 422. "
        f"1–{MAX_KEY_LENGTH} karakter ASCII tanpa spasi."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"},
    "example": "5f0c6f2e-8b1d-4c3a-9e27-1a4b6d8c2f90",
}
REPLAYED_HEADER = {
    "description": "Ada (`true`) bila jawaban ini ulangan jawaban pertama untuk Idempotency-Key yang sama.",
    "required": False,
    "schema": {"type": "string", "enum": ["true"]},
}
_SUCCESS = {
    200: "Berhasil",
    201: "Berhasil dibuat",
    202: "Diterima untuk diproses",
    204: "Berhasil, tanpa isi",
}
_HEADER_DESCRIPTIONS = {
    "File size in bytes": "Ukuran berkas dalam byte",
    "Last modified data-time in RFC 2822 format": "Waktu terakhir berubah (format RFC 2822)",
    "Entity tag": "Penanda versi berkas (ETag)",
}
ENGLISH_PHRASES = frozenset(
    text for status in HTTPStatus for text in (status.phrase, status.description) if text
)
"""Litestar's default response descriptions: the standard English reason phrases and descriptions."""


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {
            PROBLEM_MEDIA_TYPE: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "examples": {f"problem-{status}": {"summary": _DESCRIPTIONS[status], "value": PROBLEM_EXAMPLES[status]}},
            }
        },
    }


_FILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
}


def _file_media_types(operation: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
    """A file answer whose media type Litestar could not know (it depends on the request) is documented with an
    empty media type; name the types its `format` parameter chooses between (`^(xlsx|pdf|csv)$`)."""
    formats: list[str] = []
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == "format":
            pattern = parameter.get("schema", {}).get("pattern", "")
            formats = pattern.removeprefix("^(").removesuffix(")$").split("|") if pattern.startswith("^(") else []
    types = [_FILE_TYPES[f] for f in formats if f in _FILE_TYPES] or ["application/octet-stream"]
    rest = {key: value for key, value in content.items() if key}
    return {**{kind: {"schema": {"type": "string", "contentMediaType": kind}} for kind in types}, **rest}


def complete_document(document: dict[str, Any]) -> dict[str, Any]:
    """Add what the handlers cannot declare (see the module's docstring). Idempotent: it edits `document` in
    place, and a second call changes nothing."""
    components = document.setdefault("components", {})
    components.setdefault("parameters", {})["IdempotencyKey"] = IDEMPOTENCY_PARAMETER
    components.setdefault("headers", {})["IdempotentReplayed"] = REPLAYED_HEADER
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            write = method in UNSAFE_METHODS and path.startswith("/api/")
            if write:
                parameters = operation.setdefault("parameters", [])
                ref = {"$ref": "#/components/parameters/IdempotencyKey"}
                if ref not in parameters:
                    parameters.append(ref)
                if "422" not in responses:  # a malformed key, or a key reused for another request
                    responses["422"] = _problem_response(422)
            for code, response in responses.items():
                if "" in response.get("content", {}):
                    response["content"] = _file_media_types(operation, response["content"])
                if response.get("description") in ENGLISH_PHRASES:
                    if code.startswith("2"):
                        response["description"] = _SUCCESS.get(int(code), "Berhasil")
                    elif int(code) in _DESCRIPTIONS:
                        responses[code] = response = _problem_response(int(code))
                for header in (response.get("headers") or {}).values():
                    if header.get("description") in _HEADER_DESCRIPTIONS:
                        header["description"] = _HEADER_DESCRIPTIONS[header["description"]]
                if write and code.startswith("2"):
                    response.setdefault("headers", {})["Idempotent-Replayed"] = {
                        "$ref": "#/components/headers/IdempotentReplayed"
                    }
    return document


class CompleteJsonRenderPlugin(JsonRenderPlugin):
    """`/schema/openapi.json`: Litestar's document, completed by `complete_document` (idempotent, and a walk over
    ~80 operations costs far less than encoding the document, so it simply runs on every render)."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, complete_document(openapi_schema))


class LocalSwaggerRenderPlugin(SwaggerRenderPlugin):
    """Swagger UI from this server's own files, started by a script file rather than an inline script."""

    def __init__(self, *, path: str = "/swagger") -> None:
        super().__init__(
            js_url=f"{SWAGGER_URL}/swagger-ui-bundle.js",
            css_url=f"{SWAGGER_URL}/swagger-ui.css",
            standalone_preset_js_url=f"{SWAGGER_URL}/swagger-ui-standalone-preset.js",
            path=path,
            favicon='<link rel="icon" href="data:,">',
            style="",
        )

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        spec_url = f"{SCHEMA_PATH}/openapi.json"
        return f"""<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{DOCS_TITLE}</title>
{self.favicon}
<link rel="stylesheet" href="{self.css_url}">
<link rel="stylesheet" href="/static/api-docs.css">
</head>
<body>
<noscript><p class="api-docs-noscript">Dokumentasi interaktif memerlukan JavaScript. Dokumen OpenAPI:
<a href="{spec_url}">{spec_url}</a></p></noscript>
<div id="swagger-container" data-openapi-url="{spec_url}"></div>
<script src="{self.js_url}"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
""".encode()

    @staticmethod
    def render_oauth2_redirect() -> bytes:
        """Swagger UI's OAuth2 return page, with its script from a file (the API uses bearer tokens, not
        OAuth2; the page stays for Swagger UI's own use)."""
        return (
            f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{DOCS_TITLE}</title></head>'
            f'<body><script src="{SWAGGER_URL}/oauth2-redirect.js"></script></body></html>'
        ).encode()


class DocsOffPlugin(OpenAPIRenderPlugin):
    """Stands where the interactive docs would be when `OPOP_API_DOCS=0`: a 404, as for any unknown path."""

    def __init__(self, *, path: str = "/swagger") -> None:
        super().__init__(path=path, media_type=MediaType.HTML)

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        raise NotFoundException()


async def _no_english_404(response: Response) -> Response:
    """Litestar answers an unknown /schema/… path with its own English 404 page; send ours instead."""
    if response.status_code == 404:
        raise NotFoundException()
    return response


def render_plugins(*, interactive: bool) -> list[OpenAPIRenderPlugin]:
    first: OpenAPIRenderPlugin = LocalSwaggerRenderPlugin() if interactive else DocsOffPlugin()
    return [first, CompleteJsonRenderPlugin()]


def openapi_router() -> Router:
    return Router(SCHEMA_PATH, route_handlers=[], include_in_schema=False, after_request=_no_english_404)
