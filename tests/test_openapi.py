"""OpenAPI at /schema/openapi.json: every operation named, every error documented as problem+json."""

from __future__ import annotations

from opop_events.core.errors import PROBLEM_MEDIA_TYPE

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


async def _operations(client) -> dict[tuple[str, str], dict]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    return {
        (method.upper(), path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


async def test_openapi_loads_and_every_operation_has_a_unique_id(client):
    operations = await _operations(client)

    ids = [op.get("operationId") for op in operations.values()]
    assert None not in ids
    assert len(ids) == len(set(ids))
    assert {"issueToken", "getMe", "createUser", "listPesantren", "createProduct", "createEvent", "register",
            "checkIn"} <= set(ids)


def _undocumented_errors(operations: dict[tuple[str, str], dict]) -> dict[str, dict[str, list[str]]]:
    """Per non-GET API operation: the error statuses it can return but does not document (422 when it takes a
    body or parameters, 401 unless it is public), and the documented 4xx whose content is not problem+json."""
    found = {}
    for (method, path), operation in operations.items():
        if method == "GET" or not path.startswith("/api/"):
            continue
        responses = operation.get("responses", {})
        errors = {code for code in responses if code.startswith("4")}
        public = operation.get("security") == [{}] or operation["operationId"] == "issueToken"
        wanted = set()
        if operation.get("requestBody") or operation.get("parameters"):
            wanted.add("422")
        if not public:
            wanted.add("401")
        lacking = sorted(wanted - errors)
        not_problem = sorted(code for code in errors if PROBLEM_MEDIA_TYPE not in responses[code].get("content", {}))
        if lacking or not_problem:
            found[operation["operationId"]] = {"missing": lacking, "not problem+json": not_problem}
    return found


async def test_foundation_writes_document_errors_as_problem_json(client):
    operations = await _operations(client)
    foundation_tags = {"Akun", "Katalog", "Acara"}
    foundation = {key: op for key, op in operations.items() if set(op.get("tags", [])) & foundation_tags}

    assert len(foundation) >= 15
    assert _undocumented_errors(foundation) == {}


async def test_every_write_documents_errors_as_problem_json(client):
    assert _undocumented_errors(await _operations(client)) == {}


async def test_foundation_writes_document_auth_errors(client):
    operations = await _operations(client)
    foundation = {
        "createPesantren", "updatePesantren", "createBuyer", "updateBuyer", "createProduct", "updateProduct",
        "createEvent", "updateEvent", "assignOrganizer", "createSession", "createSlot", "createTables", "register",
        "checkIn", "createUser",
    }

    documented = {
        op["operationId"]: sorted(code for code in op["responses"] if code in ("401", "403", "422"))
        for op in operations.values()
        if op.get("operationId") in foundation
    }

    assert documented == {path: ["401", "403", "422"] for path in foundation}


async def test_every_get_with_parameters_documents_422(client):
    operations = await _operations(client)

    lacking = sorted(
        op["operationId"]
        for (method, path), op in operations.items()
        if method == "GET" and path.startswith("/api/") and op.get("parameters")
        and "422" not in op.get("responses", {}) and "400" not in op.get("responses", {})
    )

    assert lacking == []
