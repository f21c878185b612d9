"""The OpenAPI document says what the API really does (issue #13): every unsafe /api operation takes the
`Idempotency-Key` header and may answer `Idempotent-Replayed`; every description a reader sees is in Bahasa
Indonesia (none of Litestar's English reason phrases); every problem+json answer has a realistic example in
the shape the API sends."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from opop_events.api import PROBLEM_EXAMPLES
from opop_events.core.errors import PROBLEM_MEDIA_TYPE

UNSAFE = ("post", "put", "patch", "delete")
ENGLISH = {text.lower() for status in HTTPStatus for text in (status.phrase, status.description) if text}
ENGLISH_WORDS = re.compile(r"\b(the|request|document|follows|fulfilled|created|file|size|bytes|modified|entity)\b", re.I)


async def _document(client: Any) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in item:
        node: Any = document
        for part in item["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        item = node
    return item


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", *UNSAFE)
    ]


async def test_every_write_documents_the_idempotency_key_and_the_replay_header(client):
    document = await _document(client)
    writes = [(m, p, op) for m, p, op in _operations(document) if m in UNSAFE and p.startswith("/api/")]

    lacking_key, lacking_replay, lacking_422 = [], [], []
    for method, path, operation in writes:
        headers = {
            p["name"]: p for p in (_resolve(document, p) for p in operation.get("parameters", [])) if p["in"] == "header"
        }
        key = headers.get("Idempotency-Key")
        if not key or key["required"] or key["schema"].get("maxLength") != 200:
            lacking_key.append(f"{method.upper()} {path}")
        for code, response in operation["responses"].items():
            if code.startswith("2") and "Idempotent-Replayed" not in (_resolve(document, response).get("headers") or {}):
                lacking_replay.append(f"{method.upper()} {path} {code}")
        if "422" not in operation["responses"]:  # a malformed key, or one reused for another request
            lacking_422.append(f"{method.upper()} {path}")

    assert len(writes) >= 40
    assert (lacking_key, lacking_replay, lacking_422) == ([], [], [])
    reads = [op for m, p, op in _operations(document) if m == "get"]
    assert not any("Idempotency" in str(op.get("parameters", [])) for op in reads)
    replayed = _resolve(document, {"$ref": "#/components/headers/IdempotentReplayed"})
    assert replayed["schema"] == {"type": "string", "enum": ["true"]}


async def test_no_description_a_reader_sees_is_english(client):
    document = await _document(client)
    english = []
    for method, path, operation in _operations(document):
        for code, response in operation["responses"].items():
            response = _resolve(document, response)
            texts = [response["description"]] + [
                _resolve(document, header).get("description", "") for header in (response.get("headers") or {}).values()
            ]
            english += [
                f"{method.upper()} {path} {code}: {text}"
                for text in texts
                if text.lower() in ENGLISH or ENGLISH_WORDS.search(text)
            ]

    assert english == []


async def test_every_answer_names_its_media_types(client):
    document = await _document(client)
    unnamed = [
        f"{method.upper()} {path} {code}"
        for method, path, operation in _operations(document)
        for code, response in operation["responses"].items()
        if "" in _resolve(document, response).get("content", {})
    ]
    report = document["paths"]["/api/v1/reports/events/{slug}"]["get"]["responses"]["200"]["content"]

    assert unnamed == []
    assert sorted(report) == ["application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              "text/csv"]  # fmt: skip


async def test_every_problem_answer_has_a_realistic_example(client):
    document = await _document(client)
    problem_schema = _resolve(document, {"$ref": "#/components/schemas/Problem"})
    wrong = []
    for method, path, operation in _operations(document):
        for code, response in operation["responses"].items():
            content = _resolve(document, response).get("content", {})
            if PROBLEM_MEDIA_TYPE not in content:
                if code.startswith(("4", "5")):
                    wrong.append(f"{method.upper()} {path} {code}: not problem+json")
                continue
            examples = [e["value"] for e in content[PROBLEM_MEDIA_TYPE].get("examples", {}).values()]
            expected = PROBLEM_EXAMPLES[int(code)]
            if int(code) == 413 and len(examples) == 1:  # the route's own body limit in the detail
                expected = {**expected, "detail": examples[0]["detail"]}
                if not re.fullmatch(r"Isi permintaan paling besar \d+ (MiB|KiB)\.", examples[0]["detail"]):
                    wrong.append(f"{method.upper()} {path} 413: {examples[0]['detail']}")
            if examples != [expected]:
                wrong.append(f"{method.upper()} {path} {code}: {examples}")

    assert wrong == []
    for status, example in PROBLEM_EXAMPLES.items():
        assert example["status"] == status
        assert example["type"].startswith("https://opop-events.jabarprov.go.id/problems/")
        assert set(example) <= set(problem_schema["properties"]) and set(problem_schema["required"]) <= set(example)
        assert not ENGLISH_WORDS.search(example["title"] + " " + example["detail"]), example


async def test_problem_examples_are_what_the_api_answers(client):
    """The examples are not invented: the API answers these requests with exactly the documented example."""
    answers = {
        400: await client.post("/api/v1/auth/token", content=b'{"email": x}', headers={"content-type": "application/json"}),
        401: await client.get("/api/v1/deals"),
        404: await client.get("/api/v1/events/temu-bisnis-opop-2026"),
    }

    for status, response in answers.items():
        example = {k: v for k, v in PROBLEM_EXAMPLES[status].items() if k != "instance"}
        body = {k: v for k, v in response.json().items() if k != "instance"}
        assert (response.status_code, body) == (status, example)
