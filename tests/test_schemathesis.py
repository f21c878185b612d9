"""Hostile input: schemathesis generates requests for every operation of the OpenAPI document, valid and invalid,
sent in-process (ASGI, the test's event loop) with an admin's bearer token; no answer may be a 5xx and every
documented answer must match its schema.

Generation is derandomized (the same examples every run) and bounded per operation, so the whole pass stays
well under a minute per engine. OPOP_SCHEMATHESIS_EXAMPLES raises the bound for a deeper local run.
"""

from __future__ import annotations

import os
import time
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.deals.conftest import Market, market  # noqa: F401 - the fixture is shared by name
from tests.factories import make_account

EXAMPLES = int(os.environ.get("OPOP_SCHEMATHESIS_EXAMPLES", "4"))
BASE_URL = "http://testserver.local"
CHECKS = [not_a_server_error, response_schema_conformance]


def _cases(operation: Any, mode: GenerationMode, count: int) -> list[Any]:
    """Draw `count` cases of one operation without calling anything (deterministic)."""
    found: list[Any] = []

    @settings(
        max_examples=count, database=None, derandomize=True, phases=[Phase.generate], deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def collect(case: Any) -> None:
        found.append(case)

    try:
        collect()
    except Unsatisfiable:
        pass  # nothing to negate (an operation without parameters or body): the positive cases stand
    return found


async def _send(client: Any, case: Any, token: str) -> Any:
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers={"Authorization": f"Bearer {token}"})
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": kwargs.get("headers") or {},
        "params": kwargs.get("params"),
    }
    if kwargs.get("cookies"):
        request["headers"] = {**request["headers"], "cookie": "; ".join(f"{k}={v}" for k, v in kwargs["cookies"].items())}
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        request["content" if isinstance(data, (bytes, str)) else "data"] = data
    if kwargs.get("files"):
        # multipart as schemathesis means it (its transport is `requests`), sent as plain bytes
        import requests

        prepared = requests.Request(
            method=request["method"], url=request["url"], files=kwargs["files"], data=request.pop("data", None)
        ).prepare()
        request.pop("content", None)
        request["content"] = prepared.body
        request["headers"] = {**request["headers"], "content-type": prepared.headers["Content-Type"]}
    built = client.build_request(**request)
    await built.aread()  # a multipart body is a stream; the response check reads what was sent
    return await client.send(built)


async def test_every_operation_survives_generated_input(client, market: Market):
    document = (await client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60  # the whole API, not a fraction of it

    failures: dict[str, list[str]] = {}
    sent = 0
    started = time.monotonic()
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        cases = _cases(operation, GenerationMode.POSITIVE, EXAMPLES) + _cases(
            operation, GenerationMode.NEGATIVE, max(1, EXAMPLES // 2)
        )
        for case in cases:
            token = market.admin.token
            if operation.method.upper() == "DELETE" and operation.path == "/api/v1/auth/token":
                token = (await make_account("admin")).token  # revoking must not cost the run its admin
            response = await _send(client, case, token)
            sent += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, then reported together
                message = str(exc).strip().splitlines()
                failures.setdefault(label, []).append(
                    f"{response.status_code} {' | '.join(message[:6])[:600]} <- {case.as_curl_command()[:400]}"
                )
    seconds = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations, {sent} requests, {seconds:.1f} s")
    assert failures == {}, "\n".join(f"{op}:\n  " + "\n  ".join(items[:3]) for op, items in failures.items())


async def test_ids_beyond_the_database_range_are_4xx_on_every_engine(client, market: Market):
    """Ids are 32-bit on PostgreSQL: 3e9 reached asyncpg (DataError) and 10**30 sqlite3 (OverflowError) as 500s."""
    huge, beyond_int32 = 10**30, 3_000_000_000
    headers = market.admin.headers
    answers = {
        "deal": (await client.get(f"/api/v1/deals/{beyond_int32}", headers=headers)).status_code,
        "history": (await client.get(f"/api/v1/deals/{huge}/history", headers=headers)).status_code,
        "move": (await client.post(f"/api/v1/meetings/{huge}/move", json={"slot_id": 1, "table_id": 1},
                                   headers=headers)).status_code,
        "page": (await client.get(f"/transaksi/{beyond_int32}", headers=headers)).status_code,
        "filter": (await client.get("/api/v1/deals", params={"pesantren_id": beyond_int32}, headers=headers)).status_code,
        "body": (await client.post(
            "/api/v1/deals", headers=headers,
            json=market.deal_body(pesantren_id=market.seller.actor.pesantren_id, lines=[
                {"product_id": beyond_int32, "quantity": "1", "unit_price_rp": 1}]),
        )).status_code,
    }
    assert answers == {"deal": 404, "history": 404, "move": 404, "page": 404, "filter": 422, "body": 422}
