"""Problem documents and the translation of msgspec/Litestar validation messages into Bahasa Indonesia."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opop_events.core.errors import (
    AppError,
    Conflict,
    FieldError,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    Problem,
    TooManyRequests,
    Unauthorized,
    translate_validation_message,
)
from opop_events.core.types import Name, Rupiah, WilayahCode


class _Sample(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    price: Rupiah
    tags: Annotated[list[int], msgspec.Meta(max_length=2)] = []
    wilayah: WilayahCode = "3273"
    day: date | None = None
    ratio: Annotated[float, msgspec.Meta(gt=0, lt=1)] = 0.5


def _msgspec_message(raw: bytes) -> str:
    try:
        msgspec.json.decode(raw, type=_Sample)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        return str(exc)
    raise AssertionError("decoded without error")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"price": 1}', ("name", "wajib diisi")),
        (b'{"name": "", "price": 1}', ("name", "paling sedikit 1 karakter")),
        (b'{"name": "' + b"x" * 201 + b'", "price": 1}', ("name", "paling panjang 200 karakter")),
        (b'{"name": "a", "price": -1}', ("price", "paling kecil 0")),
        (b'{"name": "a", "price": 1000000000000001}', ("price", "paling besar 1000000000000000")),
        (b'{"name": "a", "price": "10"}', ("price", "harus berupa bilangan bulat")),
        (b'{"name": "a", "price": 1, "zz": 1}', ("zz", "kolom tidak dikenal")),
        (b'{"name": "a", "price": 1, "tags": [1, 2, 3]}', ("tags", "paling banyak 2 butir")),
        (b'{"name": "a", "price": 1, "tags": ["x"]}', ("tags[0]", "harus berupa bilangan bulat")),
        (b'{"name": "a", "price": 1, "wilayah": "9999"}', ("wilayah", "formatnya tidak sesuai")),
        (b'{"name": "a", "price": 1, "day": "2020-13-01"}', ("day", "bukan tanggal (YYYY-MM-DD) yang sah")),
        (b'{"name": "a", "price": 1, "day": 5}', ("day", "harus berupa tanggal (YYYY-MM-DD) atau null")),
        (b'{"name": "a", "price": 1, "ratio": 1}', ("ratio", "harus kurang dari 1.0")),
        (b'{"name": "a", "price": 1, "ratio": 0}', ("ratio", "harus lebih dari 0.0")),
        (b'{"name": "a", "price": 1e400}', ("price", "angka di luar batas")),
        (b'{"name": ', ("", "JSON terpotong")),
        (b"{nope}", ("", "JSON tidak sah")),
    ],
)
def test_translate_validation_message_from_msgspec(raw, expected):
    assert translate_validation_message(_msgspec_message(raw)) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Invalid enum value 'kue' - at `$.category`", ("category", "nilai 'kue' tidak termasuk pilihan")),
        ("Invalid enum value 7 - at `$.kind`", ("kind", "nilai 7 tidak termasuk pilihan")),
        ("Object missing required field `start` - at `$.slots`", ("slots.start", "wajib diisi")),
        ("Integer value out of range", ("", "angka di luar batas")),
        ("something unexpected", ("", "nilai tidak valid")),
    ],
)
def test_translate_validation_message_other_forms(message, expected):
    assert translate_validation_message(message) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_translate_validation_message_never_fails(message):
    field, text = translate_validation_message(message)
    assert isinstance(field, str) and text


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (AppError("x"), 400, "bad-request"),
        (InvalidInput("x"), 422, "invalid-input"),
        (Unauthorized("x"), 401, "unauthorized"),
        (Forbidden("x"), 403, "forbidden"),
        (NotFound("x"), 404, "not-found"),
        (Conflict("x"), 409, "conflict"),
        (TooManyRequests("x"), 429, "too-many-requests"),
        (Gone("x"), 410, "gone"),
    ],
)
def test_app_errors_carry_status_and_problem_type(error, status, slug):
    problem = error.to_problem(instance="/api/v1/x")
    assert (problem.status, problem.type, problem.detail, problem.instance) == (
        status, f"https://opop-events.jabarprov.go.id/problems/{slug}", "x", "/api/v1/x",
    )


def test_invalid_input_field_builds_problem_with_field_list():
    problem = InvalidInput.field("price_rp", "paling besar 1000000000000000").to_problem()
    assert msgspec.json.decode(msgspec.json.encode(problem)) == {
        "type": "https://opop-events.jabarprov.go.id/problems/invalid-input",
        "title": "Data tidak valid",
        "status": 422,
        "detail": "price_rp: paling besar 1000000000000000",
        "errors": [{"field": "price_rp", "message": "paling besar 1000000000000000"}],
    }
    assert problem.errors == [FieldError(field="price_rp", message="paling besar 1000000000000000")]
    assert isinstance(problem, Problem)
