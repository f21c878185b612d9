"""Malformed bodies (issue #13): truncated JSON, invalid UTF-8 and 200,000-deep nesting, sent to every write route
of the JSON API by a signed-in admin, with and without an `Idempotency-Key`, answer a 400/422 problem in Bahasa
Indonesia — never a 5xx."""

from __future__ import annotations

import typing
from typing import Any

import msgspec
import pytest
from litestar.handlers import HTTPRouteHandler

from tests.factories import make_account

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
DEEP = 200_000

MALFORMED: dict[str, bytes] = {
    "truncated": b'{"zzz":',
    "invalid-utf8": b"\xff\xfe\xfd",
    "invalid-utf8-in-unknown-field": b'{"zzz": "\xff\xfe"}',
    "deep-array": b"[" * DEEP + b"]" * DEEP,
    "deep-unclosed": b'{"a":' + b"[" * DEEP,
    "deep-object": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
}


def _write_routes(app: Any) -> list[tuple[str, str, HTTPRouteHandler]]:
    found = []
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(set(handler.http_methods) & _UNSAFE):
                found.append((method, route.path, handler))
    # `DELETE /auth/token` revokes the caller's token: last, or every later request would only meet a 401
    return sorted(found, key=lambda r: (r[0], r[1]) == ("DELETE", "/api/v1/auth/token"))


def _fill(path: str) -> str:
    """A concrete URL for a route template: ids 1, slugs and tokens made up (the body is refused first)."""
    out = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            out.append("1" if part.endswith(":int}") else "tidak-ada")
        else:
            out.append(part)
    return "/".join(out)


def _string_fields(handler: HTTPRouteHandler) -> list[str]:
    """The body's fields (struct fields) of a JSON write: each gets invalid UTF-8 as its value."""
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return []
    kind = data.annotation
    while typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return [f.encode_name for f in msgspec.structs.fields(kind)]
    return []


def _bodies(handler: HTTPRouteHandler) -> dict[str, bytes]:
    bodies = dict(MALFORMED)
    for name in _string_fields(handler):
        bodies[f"invalid-utf8-in-{name}"] = b'{"' + name.encode() + b'": "\xc3\x28 \xff"}'
        bodies[f"deep-in-{name}"] = b'{"' + name.encode() + b'": ' + b"[" * DEEP + b"]" * DEEP + b"}"
    return bodies


async def test_every_json_write_route_is_enumerated(app):
    routes = {(method, path) for method, path, _ in _write_routes(app)}
    assert ("POST", "/api/v1/deals") in routes
    assert ("PATCH", "/api/v1/buyers/{buyer_id:int}") in routes
    assert len(routes) >= 40


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
@pytest.mark.parametrize("with_key", [False, True], ids=["tanpa-kunci", "dengan-kunci"])
async def test_malformed_bodies_never_answer_5xx_on_any_write_route(app, client, with_key, content_type):
    admin = await make_account("admin")
    failures = []
    sent = 0
    for method, path, handler in _write_routes(app):
        url = _fill(path)
        for name, body in _bodies(handler).items():
            headers = {**admin.headers, **({"Content-Type": content_type} if content_type else {})}
            if with_key:
                headers["Idempotency-Key"] = f"rusak-{method}-{path}-{name}"[:200]
            response = await client.request(method, url, content=body, headers=headers)
            sent += 1
            problem = response.headers.get("content-type", "").startswith("application/problem+json")
            if response.status_code == 401 and (method, path) != ("DELETE", "/api/v1/auth/token"):
                failures.append((method, path, name, 401, "the admin's token must stay valid"))
            if response.status_code >= 500 or (response.status_code >= 400 and not problem):
                failures.append((method, path, name, response.status_code, response.text[:200]))
                continue
            if response.status_code in (400, 422) and handler.parsed_fn_signature.parameters.get("data"):
                detail = response.json()["detail"]
                # Indonesian, not msgspec's English
                if any(word in detail for word in ("Expected", "malformed", "truncated", "recursion", "codec")):
                    failures.append((method, path, name, response.status_code, detail[:200]))
    assert sent > 200
    assert failures == []


@pytest.mark.parametrize("name", ["truncated", "invalid-utf8", "deep-array", "deep-unclosed"])
async def test_malformed_deal_bodies_are_400_problems_in_indonesian(client, name):
    seller = await make_account("seller")
    response = await client.post(
        "/api/v1/deals", content=MALFORMED[name], headers={**seller.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["status"] == 400
    assert problem["errors"][0]["field"] == "body"
    assert problem["errors"][0]["message"].startswith("JSON")


async def test_invalid_utf8_on_patch_buyer_is_a_problem_not_a_500(client):
    from tests.factories import make_buyer

    admin = await make_account("admin")
    buyer = await make_buyer()
    response = await client.patch(
        f"/api/v1/buyers/{buyer['id']}", content=b'{"name": "Toko \xff\xfe"}',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
