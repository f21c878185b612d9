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
- Its words (summaries, descriptions, tags, the examples' titles and details) are marked `N_` where they are
  written and translated when the document is rendered (`translate_document`), in the caller's language
  (`Accept-Language`); the Indonesian document is Litestar's own, unchanged.
"""

from __future__ import annotations

from html import escape
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from litestar import Router
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, SwaggerRenderPlugin
from swagger_ui_bundle import swagger_ui_path

from opop_events.api import _DESCRIPTIONS, PROBLEM_EXAMPLES
from opop_events.core.errors import PROBLEM_MEDIA_TYPE
from opop_events.core.i18n import N_, SOURCE_LANGUAGE, _, current_language
from opop_events.idempotency.store import MAX_KEY_LENGTH

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Request, Response

SCHEMA_PATH = "/schema"
SWAGGER_DIR: Path = swagger_ui_path  # type: ignore[assignment]
"""`…/swagger_ui_bundle/vendor/swagger-ui-5.31.0`: served as `/static/swagger-ui-5.31.0/…` (see `rendering`)."""
SWAGGER_URL = f"/static/{SWAGGER_DIR.name}"
DOCS_TITLE = N_("Dokumentasi API opop-events")

UNSAFE_METHODS = ("post", "put", "patch", "delete")
IDEMPOTENCY_DESCRIPTION = N_(
    "Kunci unik per tindakan (mis. UUID), agar pengiriman ulang tidak tercatat dua kali: permintaan ulang "
    "dengan kunci yang sama dan isi yang sama mendapat jawaban pertama lagi (dengan header "
    "`Idempotent-Replayed: true`); kunci yang sama untuk isi lain ditolak dengan 422. "
    "1–{length} karakter ASCII tanpa spasi."
)
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": IDEMPOTENCY_DESCRIPTION.format(length=MAX_KEY_LENGTH),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"},
    "example": "5f0c6f2e-8b1d-4c3a-9e27-1a4b6d8c2f90",
}
REPLAYED_HEADER = {
    "description": N_("Ada (`true`) bila jawaban ini ulangan jawaban pertama untuk Idempotency-Key yang sama."),
    "required": False,
    "schema": {"type": "string", "enum": ["true"]},
}
_SUCCESS = {
    200: N_("Berhasil"),
    201: N_("Berhasil dibuat"),
    202: N_("Diterima untuk diproses"),
    204: N_("Berhasil, tanpa isi"),
}
_HEADER_DESCRIPTIONS = {
    "File size in bytes": N_("Ukuran berkas dalam byte"),
    "Last modified data-time in RFC 2822 format": N_("Waktu terakhir berubah (format RFC 2822)"),
    "Entity tag": N_("Penanda versi berkas (ETag)"),
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
                        response["description"] = _SUCCESS.get(int(code), _SUCCESS[200])
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


_TRANSLATED_KEYS = frozenset({"summary", "description", "title", "detail", "message"})
"""The document's words: an operation's summary, any description, an example problem's title, detail and
field messages. Anything not in the catalogue (names, paths, schema titles) comes back unchanged."""


def translate_document(value: Any, key: str = "") -> Any:
    """A copy of the (completed) document in the current language; the document itself in Bahasa Indonesia.
    Litestar keeps one document for every caller, so it is never changed here."""
    if current_language() == SOURCE_LANGUAGE:
        return value
    if isinstance(value, dict):
        return {k: translate_document(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_tag(item) if key == "tags" else translate_document(item) for item in value]
    if isinstance(value, str) and key in _TRANSLATED_KEYS:
        if value == IDEMPOTENCY_PARAMETER["description"]:
            return _(IDEMPOTENCY_DESCRIPTION).format(length=MAX_KEY_LENGTH)
        return _(value)
    return value


def _tag(tag: Any) -> Any:
    """An operation's tag (a name) or the document's (an object with its name): named in the current language."""
    if isinstance(tag, str):
        return _(tag)
    if isinstance(tag, dict) and isinstance(tag.get("name"), str):
        return {**translate_document(tag), "name": _(tag["name"])}
    return translate_document(tag)


class CompleteJsonRenderPlugin(JsonRenderPlugin):
    """`/schema/openapi.json`: Litestar's document, completed by `complete_document` (idempotent, and a walk over
    ~80 operations costs far less than encoding the document, so it simply runs on every render)."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, translate_document(complete_document(openapi_schema)))


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
        title = escape(_(DOCS_TITLE))
        needs_script = escape(_("Dokumentasi interaktif memerlukan JavaScript. Dokumen OpenAPI:"))
        return f"""<!doctype html>
<html lang="{current_language()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{self.favicon}
<link rel="stylesheet" href="{self.css_url}">
<link rel="stylesheet" href="/static/api-docs.css">
</head>
<body>
<noscript><p class="api-docs-noscript">{needs_script}
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
            f'<!doctype html><html lang="{current_language()}"><head><meta charset="utf-8">'
            f"<title>{escape(_(DOCS_TITLE))}</title></head>"
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
