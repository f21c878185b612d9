"""Hostile input: schemathesis generates requests for every operation of the OpenAPI document, valid and invalid,
sent in-process (ASGI, the test's event loop) with an admin's bearer token; no answer may be a 5xx and every
documented answer must match its schema.

Generation is derandomized (the same examples every run) and bounded per operation, so the whole pass stays
well under a minute per engine. OPOP_SCHEMATHESIS_EXAMPLES raises the bound for a deeper local run.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from opop_events.events.tables import Registration
from opop_events.matching.enums import Side
from opop_events.matching.services import make_agenda_token
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

    # nothing to negate (an operation without parameters or body): the positive cases stand
    with contextlib.suppress(Unsatisfiable):
        collect()
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


async def _world(client: Any, market: Market) -> dict[str, Any]:
    """Real rows for the path parameters, so generated requests also reach the handlers' success paths (and
    their success schemas are checked), not only the 404 of a random id or slug."""
    seller = market.seller.headers
    await Registration.insert(
        Registration(event=market.event["id"], party_kind="buyer", buyer=market.buyer.actor.buyer_id)
    )
    deal = (await client.post("/api/v1/deals", json=market.deal_body(), headers=seller)).json()
    link = (await client.post(f"/api/v1/deals/{deal['id']}/confirm-link", headers=seller)).json()
    confirmed = (await client.post("/api/v1/deals", json=market.deal_body(), headers=seller)).json()
    confirmed = (await client.post(f"/api/v1/deals/{confirmed['id']}/confirm", json={"version": confirmed["version"]},
                                   headers=market.buyer.headers)).json()  # fmt: skip
    [session] = (await client.get(f"/api/v1/events/{market.slug}/sessions")).json()
    registrations = (await client.get(f"/api/v1/events/{market.slug}/registrations", headers=market.admin.headers)).json()
    return {
        "slug": market.slug,
        "pesantren_id": market.seller.actor.pesantren_id,
        "buyer_id": market.buyer.actor.buyer_id,
        "product_id": market.product["id"],
        "deal_id": confirmed["id"],
        "session_id": session["id"],
        "registration_id": registrations["items"][0]["id"],
        "year": 2020,
        "link_token": link["url"].rsplit("/", 1)[1],
        "agenda_token": make_agenda_token(
            event_id=market.event["id"], side=Side.buyer, party_id=market.buyer.actor.buyer_id
        ),
    }


def _with_real_rows(case: Any, world: dict[str, Any]) -> Any:
    """A copy of a positive case whose path parameters name rows that exist."""
    real = dict(world)
    real["token"] = world["agenda_token"] if case.operation.path.startswith("/api/v1/agenda/") else world["link_token"]
    copy = case.operation.Case(
        path_parameters={k: real.get(k, v) for k, v in (case.path_parameters or {}).items()},
        headers=dict(case.headers or {}), cookies=case.cookies, query=case.query, body=case.body,
        media_type=case.media_type,
    )
    return copy


async def test_every_operation_survives_generated_input(client, market: Market):
    """Every operation, as Dinas staff: positive cases as generated and again on real rows, negative cases;
    no 5xx, every answer matching its documented schema, and most operations reaching a documented success."""
    document = (await client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60  # the whole API, not a fraction of it
    world = await _world(client, market)

    failures: dict[str, list[str]] = {}
    seen: dict[str, set[int]] = {}
    sent = 0
    started = time.monotonic()
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        positive = _cases(operation, GenerationMode.POSITIVE, EXAMPLES)
        on_real_rows = [_with_real_rows(case, world) for case in positive] if "{" in operation.path else []
        # Reads first on real rows, so an earlier write (cancel, publish …) changes what later reads see.
        cases = positive + on_real_rows + _cases(operation, GenerationMode.NEGATIVE, max(1, EXAMPLES // 2))
        for number, case in enumerate(cases):
            if number < len(positive) + len(on_real_rows) and case.headers and "Idempotency-Key" in case.headers:
                case.headers["Idempotency-Key"] = str(uuid.uuid4())  # a new action each time, not a replay
            token = market.admin.token
            if operation.method.upper() == "DELETE" and operation.path == "/api/v1/auth/token":
                token = (await make_account("admin")).token  # revoking must not cost the run its admin
            response = await _send(client, case, token)
            sent += 1
            seen.setdefault(label, set()).add(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, then reported together
                message = str(exc).strip().splitlines()
                failures.setdefault(label, []).append(
                    f"{response.status_code} {' | '.join(message[:6])[:600]} <- {case.as_curl_command()[:400]}"
                )
    seconds = time.monotonic() - started
    succeeded = sorted(label for label, codes in seen.items() if any(200 <= c < 300 for c in codes))
    print(f"schemathesis: {len(operations)} operations, {sent} requests, {seconds:.1f} s, "
          f"{len(succeeded)} operations answered 2xx")  # fmt: skip
    print("no 2xx (refused on every generated input):", ", ".join(sorted(set(seen) - set(succeeded))))
    assert failures == {}, "\n".join(f"{op}:\n  " + "\n  ".join(items[:3]) for op, items in failures.items())
    assert len(seen) == len(operations)
    assert len(succeeded) >= 42  # 20 before the real rows: a success answer's schema is checked too


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


async def test_admin_writes_succeed_and_match_their_schemas(client, market: Market):
    """Generated bodies rarely pass the domain rules, so the writes a Dinas admin can make are also sent once
    with a valid body, in an order where each makes sense; each must succeed (2xx, `Idempotency-Key` sent) and
    its answer match the documented schema, checked by schemathesis like the generated cases."""
    document = (await client.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = {(op.method.upper(), op.path): op for op in (r.ok() for r in schema.get_all_operations())}
    await _world(client, market)
    checked: list[str] = []

    async def call(method: str, path: str, body: Any = None, caller: str | None = None, **params: Any) -> Any:
        operation = operations[(method, path)]
        case = operation.Case(
            path_parameters=params or None, headers={"Idempotency-Key": str(uuid.uuid4())} if method != "GET" else {},
            **({"body": body, "media_type": "application/json"} if body is not None else {}),
        )  # fmt: skip
        response = await _send(client, case, caller or market.admin.token)
        assert 200 <= response.status_code < 300, (method, path, response.status_code, response.text)
        case.validate_response(response, checks=CHECKS)
        checked.append(f"{method} {path}")
        return response.json() if response.content else None

    event = await call("POST", "/api/v1/events", {
        "slug": "uji-skema", "name": "Temu Bisnis Uji Skema", "wilayah_code": "3273",
        "starts_on": "2020-12-09", "ends_on": "2020-12-10",
    })  # fmt: skip
    session = await call("POST", "/api/v1/events/{slug}/sessions", {"name": "Pagi", "day": "2020-12-09"},
                         slug=event["slug"])  # fmt: skip
    await call("POST", "/api/v1/events/{slug}/sessions/{session_id}/slots",
               {"starts_at": "2020-12-09T09:00:00+07:00", "ends_at": "2020-12-09T09:20:00+07:00"},
               slug=event["slug"], session_id=session["id"])  # fmt: skip
    await call("POST", "/api/v1/events/{slug}/registrations", {"buyer_id": market.other_buyer.actor.buyer_id},
               slug=market.slug)  # fmt: skip
    await call("POST", "/api/v1/pesantren", {"name": "Pesantren Uji Skema", "wilayah_code": "3204"})
    user = await call("POST", "/api/v1/users", {
        "email": "staf-skema@dinas.go.id", "password": "rahasia-dinas-1", "role": "admin", "name": "Staf Skema",
    })  # fmt: skip
    login = await call("POST", "/api/v1/auth/token", {"email": user["email"], "password": "rahasia-dinas-1"})
    await call("POST", "/api/v1/auth/password", {"old_password": "rahasia-dinas-1", "new_password": "rahasia-dinas-2"},
               caller=login["token"])  # fmt: skip

    # A deal logged by Dinas for a pesantren, confirmed from the WhatsApp link (which only the pesantren may send),
    # verified, realised, corrected.
    on_behalf = market.deal_body(pesantren_id=market.seller.actor.pesantren_id)
    deal = await call("POST", "/api/v1/deals", on_behalf)
    link = await call("POST", "/api/v1/deals/{deal_id}/confirm-link", deal_id=deal["id"], caller=market.seller.token)
    await call("POST", "/api/v1/links/{token}/confirm", token=link["url"].rsplit("/", 1)[1], caller=market.buyer.token)
    deal = await call("GET", "/api/v1/deals/{deal_id}", deal_id=deal["id"])
    deal = await call("POST", "/api/v1/deals/{deal_id}/verify", {"version": deal["version"]}, deal_id=deal["id"])
    realisation = await call("POST", "/api/v1/deals/{deal_id}/realisations",
                             {"kind": "pembayaran", "realised_on": "2021-01-05", "amount_rp": 100_000},
                             deal_id=deal["id"])  # fmt: skip
    await call("POST", "/api/v1/deals/{deal_id}/realisations/{realisation_id}/void", {"reason": "Salah ketik nilai"},
               deal_id=deal["id"], realisation_id=realisation["id"])  # fmt: skip
    # Another, sent back to the pesantren; a third, disputed from its link.
    other = await call("POST", "/api/v1/deals", on_behalf)
    link = await call("POST", "/api/v1/deals/{deal_id}/confirm-link", deal_id=other["id"], caller=market.seller.token)
    await call("POST", "/api/v1/links/{token}/confirm", token=link["url"].rsplit("/", 1)[1], caller=market.buyer.token)
    other = await call("GET", "/api/v1/deals/{deal_id}", deal_id=other["id"])
    await call("POST", "/api/v1/deals/{deal_id}/send-back", {"version": other["version"], "reason": "Harga belum sesuai"},
               deal_id=other["id"])  # fmt: skip
    third = await call("POST", "/api/v1/deals", on_behalf)
    link = await call("POST", "/api/v1/deals/{deal_id}/confirm-link", deal_id=third["id"], caller=market.seller.token)
    await call("POST", "/api/v1/links/{token}/dispute", {"reason": "Jumlah tidak sesuai"},
               token=link["url"].rsplit("/", 1)[1], caller=market.buyer.token)  # fmt: skip

    # A walk-in meeting at the venue, held, with its outcome.
    [session] = (await client.get(f"/api/v1/events/{market.slug}/sessions")).json()
    meeting = await call("POST", "/api/v1/events/{slug}/meetings/walk-in",
                         {"buyer_id": market.buyer.actor.buyer_id, "pesantren_id": market.seller.actor.pesantren_id,
                          "slot_id": session["slots"][-1]["id"]}, slug=market.slug)  # fmt: skip
    await call("POST", "/api/v1/meetings/{meeting_id}/move", {"slot_id": session["slots"][0]["id"], "reason": "Pindah pagi"},
               meeting_id=meeting["id"])  # fmt: skip
    await call("POST", "/api/v1/meetings/{meeting_id}/attendance", {"held": True}, meeting_id=meeting["id"])
    await call("POST", "/api/v1/meetings/{meeting_id}/outcome", {"outcome": "sepakat", "side": "buyer"},
               meeting_id=meeting["id"])  # fmt: skip

    print(f"admin writes checked: {len(checked)}")
    assert len(set(checked)) == 21  # 20 writes of 45, and the read between them
