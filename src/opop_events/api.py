"""Shared pieces of the JSON API: the caller (`actor`) dependency, error documentation and problem responses."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter
from litestar.response import Response

from opop_events.accounts.services import Actor, actor_from_api_token, actor_from_session
from opop_events.core.dates import EARLIEST_YEAR, LATEST_YEAR, parse_local_datetime
from opop_events.core.errors import (
    PROBLEM_MEDIA_TYPE,
    AppError,
    FieldError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Problem,
    TooManyRequests,
    Unauthorized,
    translate_validation_message,
)
from opop_events.core.i18n import N_, _
from opop_events.db import database_unavailable
from opop_events.languages import apply_saved_language

SESSION_COOKIE = "opop_session"

CurrentActor = NamedDependency[Actor | None]
"""The caller, injected into handlers by name (see `provide_actor`)."""

PageParam = Annotated[int, QueryParameter(ge=1, le=100_000, description=N_("Nomor halaman"))]
PerPageParam = Annotated[int, QueryParameter(ge=1, le=200, description=N_("Butir per halaman (maks. 200)"))]
SearchParam = Annotated[str | None, QueryParameter(max_length=100, description=N_("Cari nama"))]
IdPath = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description=N_("Nomor id"))]
"""A row id in a path, bounded so that no number reaches the database driver out of range (a 500 otherwise):
ids are PostgreSQL `serial`, 32-bit."""

AsOf = Annotated[
    str | None,
    QueryParameter(
        max_length=40,
        description=N_(
            "Keadaan pada waktu ini (ISO 8601; tanpa zona = WIB), mis. 2020-12-09T16:00 atau 2020-12-09 16:00"
        ),
    ),
]
"""`as_of`: the moment a ledger answer or a report is rebuilt as of (see `aware`)."""

AgendaToken = Annotated[
    str, PathParameter(max_length=80, description=N_("Token bertanda tangan dari tautan agenda"))
]
"""The signed token of a participant's agenda link (`matching.services.make_agenda_token`)."""


def aware(value: str | None) -> datetime | None:
    """The `as_of` parameter as an aware datetime (WIB when no zone is given); None when empty."""
    if value is None or not value.strip():
        return None
    try:
        return parse_local_datetime(value)
    except ValueError as exc:
        raise InvalidInput.field(
            "as_of",
            _("bukan waktu yang sah (tahun {first}–{last}); contoh 2020-12-09T16:00").format(
                first=EARLIEST_YEAR, last=LATEST_YEAR
            ),
        ) from exc


_DESCRIPTIONS = {
    400: N_("Permintaan rusak (JSON tidak sah)"),
    401: N_("Belum masuk: kirim header Authorization: Bearer <token>"),
    403: N_("Tidak diizinkan untuk peran atau data ini"),
    404: N_("Tidak ditemukan"),
    409: N_("Konflik dengan keadaan data (mis. versi berubah, sudah ada)"),
    410: N_("Tautan sudah tidak berlaku"),
    413: N_("Berkas terlalu besar"),
    422: N_("Data tidak valid; `errors` menyebut kolom yang salah"),
    429: N_("Terlalu banyak permintaan"),
}


_PROBLEM_TYPE = "https://opop-events.jabarprov.go.id/problems"
PROBLEM_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {
        "type": f"{_PROBLEM_TYPE}/bad-request", "title": N_("Permintaan tidak dapat diproses"), "status": 400,
        "detail": N_("body: JSON tidak sah"), "errors": [{"field": "body", "message": N_("JSON tidak sah")}],
        "instance": "/api/v1/deals",
    },
    401: {
        "type": f"{_PROBLEM_TYPE}/unauthorized", "title": N_("Belum masuk"), "status": 401,
        "detail": N_("Silakan masuk terlebih dahulu: kirim header Authorization: Bearer <token>."),
        "instance": "/api/v1/deals",
    },
    403: {
        "type": f"{_PROBLEM_TYPE}/forbidden", "title": N_("Tidak diizinkan"), "status": 403,
        "detail": N_("Anda hanya boleh melihat atau mengubah data organisasi Anda sendiri."),
        "instance": "/api/v1/pesantren/12",
    },
    404: {
        "type": f"{_PROBLEM_TYPE}/not-found", "title": N_("Tidak ditemukan"), "status": 404,
        "detail": N_("Acara 'temu-bisnis-opop-2026' tidak ditemukan."),
        "instance": "/api/v1/events/temu-bisnis-opop-2026",
    },
    409: {
        "type": f"{_PROBLEM_TYPE}/conflict", "title": N_("Konflik"), "status": 409,
        "detail": N_("Slot atau meja itu baru saja terisi; muat ulang lalu coba lagi."),
        "instance": "/api/v1/meetings/41/move",
    },
    410: {
        "type": f"{_PROBLEM_TYPE}/gone", "title": N_("Tidak berlaku lagi"), "status": 410,
        "detail": N_("Tautan ini sudah dipakai."), "instance": "/api/v1/links/7.Qm9…/confirm",
    },
    413: {
        "type": f"{_PROBLEM_TYPE}/payload-too-large", "title": N_("Isi permintaan terlalu besar"), "status": 413,
        "detail": N_("Isi permintaan paling besar 1 MiB."), "instance": "/api/v1/deals",
    },
    422: {
        "type": f"{_PROBLEM_TYPE}/invalid-input", "title": N_("Data tidak valid"), "status": 422,
        "detail": N_(
            "lines[0].unit_price_rp: harus berupa bilangan bulat — tulis sebagai angka JSON, tanpa tanda kutip dan "
            "tanpa titik ribuan"
        ),
        "errors": [{
            "field": "lines[0].unit_price_rp",
            "message": N_(
                "harus berupa bilangan bulat — tulis sebagai angka JSON, tanpa tanda kutip dan tanpa titik ribuan"
            ),
        }],
        "instance": "/api/v1/deals",
    },
    429: {
        "type": f"{_PROBLEM_TYPE}/too-many-requests", "title": N_("Terlalu banyak permintaan"), "status": 429,
        "detail": N_("Terlalu banyak percobaan masuk. Coba lagi dalam satu menit."), "instance": "/api/v1/auth/token",
    },
}
"""A realistic answer per documented error status, as the API writes it (shown in the docs' examples)."""


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the problem+json errors a handler may return, each with a realistic example."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[status],
            media_type=PROBLEM_MEDIA_TYPE,
            examples=[Example(summary=_DESCRIPTIONS[status], value=PROBLEM_EXAMPLES[status])],
        )
        for status in statuses
    }


JSON_BODY_MAX_BYTES = 1024 * 1024
"""The largest body of a JSON write (and of a web form): the app's `request_max_body_size`."""
UPLOAD_BODY_MAX_BYTES = 21 * 1024 * 1024
"""The largest body of a workbook upload: a 20 MiB .xlsx plus its multipart envelope (the route's own limit)."""


def size_text(limit: int) -> str:
    """A body limit as people read it: 1 MiB, 21 MiB, 512 KiB."""
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{max(1, limit // 1024)} KiB"


def document_body_limits(app: Any) -> None:
    """Every API write documents its 413 with its own limit in OpenAPI (the limit is enforced before the body is
    read: see `idempotency/middleware.py`)."""
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if not set(getattr(handler, "http_methods", ())) & {"POST", "PUT", "PATCH", "DELETE"}:
                continue
            limit = handler.resolve_request_max_body_size()
            if not limit:
                continue
            handler.responses = {
                **(handler.responses or {}),
                413: ResponseSpec(
                    data_container=Problem,
                    description=N_(
                        "Isi permintaan lebih dari {size}: ditolak sebelum dibaca (menurut Content-Length, atau "
                        "begitu batasnya terlewati)"
                    ).format(size=size_text(limit)),
                    media_type=PROBLEM_MEDIA_TYPE,
                    examples=[Example(summary=_DESCRIPTIONS[413], value={
                        **PROBLEM_EXAMPLES[413], "detail": N_("Isi permintaan paling besar {size}.").format(size=size_text(limit))
                    })],
                ),
            }


READ = problems(400, 404, 422)
WRITE = problems(400, 401, 403, 404, 409, 422)
AUTH_READ = problems(400, 401, 403, 404, 422)


PUBLIC = {"public": True}
"""`opt` of an API handler anyone may call; every other /api handler requires a signed-in caller (`signed_in`)."""

_ACTOR_KEY = "opop_actor"


async def signed_in(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: an /api handler not marked PUBLIC answers 401 to an anonymous caller before anything else is read —
    a request without a valid token learns nothing about what its body should have been. The actor found here is
    kept for `provide_actor`, so a request looks its token up once."""
    if handler.opt.get("public") or not connection.scope["path"].startswith("/api/"):
        if SESSION_COOKIE in connection.cookies and not connection.scope["path"].startswith("/static/"):
            # A signed-in page visit: find the user here, in the request's own task, so their saved language
            # holds for the handler, its template and its error page (dependencies may run in other tasks).
            await provide_actor(connection)  # type: ignore[arg-type]
        return
    actor = await provide_actor(connection)  # type: ignore[arg-type]
    if actor is None:
        raise Unauthorized(_("Silakan masuk terlebih dahulu: kirim header Authorization: Bearer <token>."))


async def provide_actor(request: Request) -> Actor | None:
    """The signed-in caller: a bearer API token (`Authorization: Bearer …`), else the web session cookie."""
    if _ACTOR_KEY in request.scope:
        return request.scope[_ACTOR_KEY]  # type: ignore[literal-required]
    actor = await _find_actor(request)
    request.scope[_ACTOR_KEY] = actor  # type: ignore[literal-required]
    if actor is not None:
        apply_saved_language(request.scope, actor.language)
    return actor


async def _find_actor(request: Request) -> Actor | None:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
            return None
        return await actor_from_api_token(token.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and len(cookie) <= 200 and not request.url.path.startswith("/api/"):
        return await actor_from_session(cookie)
    return None


_DB_INT = 2**31
"""Ids are 32-bit on PostgreSQL (serial); a larger number in a path would reach the driver and fail there."""


async def strict_body(request: Request) -> None:
    """Refuse path ids no row can have, then validate a JSON body strictly before Litestar's lenient conversion
    runs: Litestar converts bodies with msgspec `strict=False`, which would turn the text "25.000" (Indonesian
    for 25 thousand) into Rp25. Money and counts must arrive as JSON numbers."""
    parameters = request.route_handler.parsed_fn_signature.parameters
    for name, value in request.path_params.items():
        # `{meeting_id:int}` accepts any size; 10**30 is an OverflowError in sqlite3, 3e9 a DataError in asyncpg.
        # A bounded parameter (IdPath) answers 422 with its limit instead, when its validation runs.
        if isinstance(value, int) and not -_DB_INT <= value < _DB_INT:
            definition = getattr(parameters.get(name), "kwarg_definition", None)
            if getattr(definition, "le", None) is None and getattr(definition, "lt", None) is None:
                raise NotFoundException()
    if request.method not in ("POST", "PUT", "PATCH") or not request.url.path.startswith("/api/"):
        return
    field = request.route_handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return
    # Litestar decodes a JSON `data` parameter as JSON whatever Content-Type says (text/plain, none): check the
    # body the handler declares, not the header. Multipart uploads are parsed (and bounded) by Litestar.
    media_type = getattr(getattr(field, "kwarg_definition", None), "media_type", RequestEncodingType.JSON)
    if media_type != RequestEncodingType.JSON:
        return
    body = await request.body()
    if not body:
        return
    try:
        msgspec.json.decode(body, type=field.annotation, strict=True)
    except msgspec.ValidationError as exc:
        # The typed decode stops at the first wrong field, before it has read the rest: the rest may still be
        # malformed (truncated, not UTF-8, nested too deep), so the untyped decode below can fail on its own.
        try:
            decoded = msgspec.json.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as malformed:
            raise _malformed(malformed) from malformed
        messages = body_errors(decoded, field.annotation) or [str(exc)]
        raise ValidationException(
            detail="; ".join(messages), extra=[{"message": m, "source": "body"} for m in messages]
        ) from exc
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise _malformed(exc) from exc


def _malformed(exc: Exception) -> ValidationException:
    """A body that is not JSON at all — truncated, not UTF-8, nested deeper than the decoder goes: a 400 problem
    naming the body (see `_validation_problem`), never a 500."""
    if isinstance(exc, RecursionError):
        message = "JSON is malformed: nested too deeply"
    elif isinstance(exc, UnicodeDecodeError):
        message = "JSON is malformed: not UTF-8"
    else:
        message = str(exc)
    return ValidationException(detail=message, extra=[{"message": message, "source": "body"}])


def body_errors(value: Any, kind: Any, path: str = "$") -> list[str]:
    """Every invalid field of a decoded JSON body, not only the first that msgspec stops at, as msgspec messages
    ("… - at `$.lines[1].quantity`"). Structs are opened field by field and lists item by item; anything else
    (and a struct or list whose fields are each fine but not together) reports msgspec's own first message."""
    try:
        msgspec.convert(value, kind, strict=True)
        return []
    except msgspec.ValidationError as exc:
        first = _at(str(exc), path)
    inner = _unwrap(kind)
    errors: list[str] = []
    if isinstance(inner, type) and issubclass(inner, msgspec.Struct) and isinstance(value, dict):
        known = set()
        for f in msgspec.structs.fields(inner):
            known.add(f.encode_name)
            if f.encode_name in value:
                errors += body_errors(value[f.encode_name], f.type, f"{path}.{f.encode_name}")
            elif f.required:
                errors.append(f"Object missing required field `{f.encode_name}` - at `{path}`")
        if getattr(inner, "__struct_config__", None) and inner.__struct_config__.forbid_unknown_fields:
            errors += [f"Object contains unknown field `{k}` - at `{path}`" for k in value if k not in known]
    elif getattr(inner, "__origin__", None) is list and isinstance(value, list) and inner.__args__:
        for i, item in enumerate(value):
            errors += body_errors(item, inner.__args__[0], f"{path}[{i}]")
    return errors or [first]


def _unwrap(kind: Any) -> Any:
    """The type inside `Annotated[...]` and `X | None` (the None case is valid on its own)."""
    while True:
        if typing.get_origin(kind) is typing.Annotated:
            kind = typing.get_args(kind)[0]
        elif isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
            options = [a for a in typing.get_args(kind) if a is not type(None)]
            if len(options) != 1:
                return kind
            kind = options[0]
        else:
            return kind


def _at(message: str, path: str) -> str:
    """msgspec's message for a value at `path` of the body (its own paths start at the value, `$`)."""
    if " - at `$" in message:
        return message.replace(" - at `$", f" - at `{path}", 1)
    return message if path == "$" else f"{message} - at `{path}`"


def problem_response(problem: Problem) -> Response[Any]:
    return Response(content=problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE)


def _public_names(request: Request | None) -> dict[str, str]:
    """Handler parameter name → the name the client sends (`fmt` → `format`, `deal_state` → `state`)."""
    try:
        parameters = request.route_handler.parsed_fn_signature.parameters if request is not None else {}
    except Exception:  # noqa: BLE001 - no route (404 before routing): nothing to rename
        return {}
    names = {}
    for name, parameter in parameters.items():
        definition = getattr(parameter, "kwarg_definition", None)
        public = getattr(definition, "query", None) or getattr(definition, "name", None)
        if public and public != name:
            names[name] = public
    return names


def _validation_problem(exc: ValidationException, request: Request | None = None) -> Problem:
    public = _public_names(request)
    errors: list[FieldError] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        source = getattr(item.get("source"), "value", item.get("source"))
        path, message = translate_validation_message(str(item.get("message", "")), json_body=source in (None, "body"))
        key = item.get("key")
        key = public.get(str(key), key) if key else key
        if key == "data" and source == "body":
            key = ""  # the handler's parameter name, not a field the client sent
        if key and path and not path.startswith(f"{key}."):
            path = f"{key}.{path}"  # a field missing or unknown inside a nested object: `slots.count`
        elif key and not path:
            path = str(key)
        field = path or (str(key) if key else "body")
        if source and source not in ("body",):
            field = f"{source}.{field}" if not field.startswith(f"{source}.") else field
        errors.append(FieldError(field=field, message=message))
    if not errors:
        path, message = translate_validation_message(str(exc.detail))
        errors.append(FieldError(field=path or "body", message=message))
    malformed = any(e.message in (_("JSON tidak sah"), _("JSON terpotong")) for e in errors)
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    error = AppError(detail, errors=errors) if malformed else InvalidInput(detail, errors=errors)
    return error.to_problem()


def app_error_handler(request: Request, exc: AppError) -> Response[Any]:
    response = problem_response(exc.to_problem(instance=request.url.path))
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def validation_handler(request: Request, exc: ValidationException) -> Response[Any]:
    problem = _validation_problem(exc, request)
    problem.instance = request.url.path
    return problem_response(problem)


def http_error_handler(request: Request, exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotFoundException):
        return problem_response(NotFound(_("Alamat tidak ditemukan.")).to_problem(instance=request.url.path))
    messages = {
        405: _("Metode tidak diizinkan untuk alamat ini."),
        413: _("Isi permintaan terlalu besar."),
        415: _("Jenis isi tidak didukung."),
        401: _("Belum masuk."),
        403: _("Tidak diizinkan."),
        429: _("Terlalu banyak permintaan."),
        400: _("Permintaan tidak sah."),
    }
    status = exc.status_code if 400 <= exc.status_code < 600 else 500
    if status == 413:
        # Litestar's own count of a body read without an Idempotency-Key: name the route's limit
        limit = request.route_handler.resolve_request_max_body_size()
        if limit:
            return problem_response(
                PayloadTooLarge(
                    _("Isi permintaan paling besar {size}.").format(size=size_text(limit))
                ).to_problem(instance=request.url.path)
            )
    if status == 400:
        # Litestar reports an undecodable JSON body as a plain 400; name the body and say why in Indonesian
        _path, message = translate_validation_message(str(exc.detail))
        if message in (_("JSON tidak sah"), _("JSON terpotong")):
            error = AppError(f"body: {message}", errors=[FieldError(field="body", message=message)])
            return problem_response(error.to_problem(instance=request.url.path))
    problem = Problem(
        type="about:blank",
        title=messages.get(status, _("Permintaan tidak dapat diproses")),
        status=status,
        detail=messages.get(status, _("Permintaan tidak dapat diproses.")),
        instance=request.url.path,
    )
    response = problem_response(problem)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


RETRY_AFTER_OUTAGE_S = 5


def internal_error_handler(request: Request, exc: Exception) -> Response[Any]:
    if database_unavailable(exc):
        request.logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        problem = Problem(
            type="https://opop-events.jabarprov.go.id/problems/database-unavailable",
            title=_("Basis data sedang tidak dapat dihubungi"),
            status=503,
            detail=_(
                "Basis data sedang tidak dapat dihubungi. Coba lagi sebentar lagi; kirim ulang dengan "
                "Idempotency-Key yang sama agar tidak tercatat dua kali."
            ),
            instance=request.url.path,
        )
        response = problem_response(problem)
        response.headers["Retry-After"] = str(RETRY_AFTER_OUTAGE_S)
        return response
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    problem = Problem(
        type="about:blank",
        title=_("Kesalahan server"),
        status=500,
        detail=_("Terjadi kesalahan di server. Data Anda tidak berubah; silakan coba lagi."),
        instance=request.url.path,
    )
    return problem_response(problem)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    AppError: app_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
