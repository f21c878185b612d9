"""Domain errors and their RFC 9457 problem+json form, with field errors and messages in Bahasa Indonesia."""

from __future__ import annotations

import re
from typing import Any

import msgspec

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document; `errors` lists the offending fields."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []
    instance: str | None = None


class AppError(Exception):
    """Base of every expected error; carries an HTTP status and an Indonesian message."""

    status = 400
    title = "Permintaan tidak dapat diproses"
    slug = "bad-request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def to_problem(self, instance: str | None = None) -> Problem:
        return Problem(
            type=f"https://opop-events.jabarprov.go.id/problems/{self.slug}",
            title=self.title,
            status=self.status,
            detail=self.detail,
            errors=self.errors,
            instance=instance,
        )


class InvalidInput(AppError):
    status = 422
    title = "Data tidak valid"
    slug = "invalid-input"

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", errors=[FieldError(field=field, message=message)])


class Unauthorized(AppError):
    status = 401
    title = "Belum masuk"
    slug = "unauthorized"


class Forbidden(AppError):
    status = 403
    title = "Tidak diizinkan"
    slug = "forbidden"


class NotFound(AppError):
    status = 404
    title = "Tidak ditemukan"
    slug = "not-found"


class Conflict(AppError):
    status = 409
    title = "Konflik"
    slug = "conflict"


class TooManyRequests(AppError):
    status = 429
    title = "Terlalu banyak permintaan"
    slug = "too-many-requests"

    def __init__(self, detail: str, *, retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after  # seconds, sent as the Retry-After header


class PayloadTooLarge(AppError):
    status = 413
    title = "Isi permintaan terlalu besar"
    slug = "payload-too-large"


class Gone(AppError):
    status = 410
    title = "Tidak berlaku lagi"
    slug = "gone"


_TYPES = {
    "int": "bilangan bulat",
    "str": "teks",
    "bool": "true/false",
    "float": "angka",
    "object": "objek",
    "array": "daftar",
    "null": "null",
    "date": "tanggal (YYYY-MM-DD)",
    "datetime": "waktu (ISO 8601)",
    "decimal": "angka desimal",
}
_AT = re.compile(r"\s*-\s*at\s*`\$(?P<path>[^`]*)`\s*$")


def _type(name: str) -> str:
    return " atau ".join(_TYPES.get(part.strip(), part.strip()) for part in name.split("|"))


def _hint(found: re.Match[str]) -> str:
    """A number sent as text (often with Indonesian thousands dots, "25.000"): say how to write it."""
    wanted = {part.strip() for part in found["t"].split("|")}
    if found["g"] == "str" and wanted & {"int", "float", "decimal"}:
        return " — tulis sebagai angka JSON, tanpa tanda kutip dan tanpa titik ribuan"
    return ""


def translate_validation_message(message: str, *, json_body: bool = False) -> tuple[str, str]:
    """Turn a msgspec/Litestar validation message into (field path, Indonesian message); `json_body`: the
    message is about a JSON body, where a number sent as text gets a hint on how to write it."""
    path = ""
    match = _AT.search(message)
    if match:
        path = match.group("path").lstrip(".")
        message = message[: match.start()]
    rules: list[tuple[str, Any]] = [
        (r"Object missing required field `(?P<f>[^`]+)`", lambda m: (m["f"], "wajib diisi")),
        (r"Object contains unknown field `(?P<f>[^`]+)`", lambda m: (m["f"], "kolom tidak dikenal")),
        (r"Expected `array` of length <= (?P<n>\d+)", lambda m: ("", f"paling banyak {m['n']} butir")),
        (r"Expected `(?P<t>[^`]+)` of length <= (?P<n>\d+)", lambda m: ("", f"paling panjang {m['n']} karakter")),
        (r"Expected `(?P<t>[^`]+)` of length >= (?P<n>\d+)", lambda m: ("", f"paling sedikit {m['n']} karakter")),
        (r"Expected `(?P<t>[^`]+)` <= (?P<n>[-\d.e+]+)", lambda m: ("", f"paling besar {m['n']}")),
        (r"Expected `(?P<t>[^`]+)` >= (?P<n>[-\d.e+]+)", lambda m: ("", f"paling kecil {m['n']}")),
        (r"Expected `(?P<t>[^`]+)` < (?P<n>[-\d.e+]+)", lambda m: ("", f"harus kurang dari {m['n']}")),
        (r"Expected `(?P<t>[^`]+)` > (?P<n>[-\d.e+]+)", lambda m: ("", f"harus lebih dari {m['n']}")),
        (r"Expected `str` matching regex '\^\((?P<alts>[\w|-]+)\)\$'",
         lambda m: ("", f"pilih salah satu: {', '.join(m['alts'].split('|'))}")),
        (r"Expected `(?P<t>[^`]+)` matching regex", lambda m: ("", "formatnya tidak sesuai")),
        (r"Expected `(?P<t>[^`]+)`, got `(?P<g>[^`]+)`", lambda m: ("", f"harus berupa {_type(m['t'])}{_hint(m) if json_body else ''}")),
        (r"Invalid enum value '(?P<v>[^']*)'", lambda m: ("", f"nilai '{m['v']}' tidak termasuk pilihan")),
        (r"Invalid enum value (?P<v>\S+)", lambda m: ("", f"nilai {m['v']} tidak termasuk pilihan")),
        (r"Invalid (?:RFC3339 encoded )?(?P<t>date|datetime|time|uuid|decimal)", lambda m: ("", f"bukan {_type(m['t'])} yang sah")),
        (r"(?:Integer value|Number) out of range", lambda m: ("", "angka di luar batas")),
        (r"JSON is malformed", lambda m: ("", "JSON tidak sah")),
        (r"Input data was truncated", lambda m: ("", "JSON terpotong")),
    ]
    for pattern, render in rules:
        found = re.search(pattern, message)
        if found:
            field, text = render(found)
            if field:
                path = f"{path}.{field}" if path else field
            return path, text
    return path, "nilai tidak valid"
