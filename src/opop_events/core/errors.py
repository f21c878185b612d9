"""Domain errors and their RFC 9457 problem+json form; titles, field errors and messages go through the catalogue
(`core.i18n`), Bahasa Indonesia the source, in the caller's language."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from opop_events.core.i18n import N_, _

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
    title = N_("Permintaan tidak dapat diproses")
    slug = "bad-request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def to_problem(self, instance: str | None = None) -> Problem:
        return Problem(
            type=f"https://opop-events.jabarprov.go.id/problems/{self.slug}",
            title=_(self.title),
            status=self.status,
            detail=self.detail,
            errors=self.errors,
            instance=instance,
        )


class InvalidInput(AppError):
    status = 422
    title = N_("Data tidak valid")
    slug = "invalid-input"

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", errors=[FieldError(field=field, message=message)])


class Unauthorized(AppError):
    status = 401
    title = N_("Belum masuk")
    slug = "unauthorized"


class Forbidden(AppError):
    status = 403
    title = N_("Tidak diizinkan")
    slug = "forbidden"


class NotFound(AppError):
    status = 404
    title = N_("Tidak ditemukan")
    slug = "not-found"


class Conflict(AppError):
    status = 409
    title = N_("Konflik")
    slug = "conflict"


class TooManyRequests(AppError):
    status = 429
    title = N_("Terlalu banyak permintaan")
    slug = "too-many-requests"

    def __init__(self, detail: str, *, retry_after: int = 60) -> None:
        super().__init__(detail)
        self.retry_after = retry_after  # seconds, sent as the Retry-After header


class PayloadTooLarge(AppError):
    status = 413
    title = N_("Isi permintaan terlalu besar")
    slug = "payload-too-large"


class Gone(AppError):
    status = 410
    title = N_("Tidak berlaku lagi")
    slug = "gone"


_TYPES = {
    "int": N_("bilangan bulat"),
    "str": N_("teks"),
    "bool": "true/false",
    "float": N_("angka"),
    "object": N_("objek"),
    "array": N_("daftar"),
    "null": "null",
    "date": N_("tanggal (YYYY-MM-DD)"),
    "datetime": N_("waktu (ISO 8601)"),
    "decimal": N_("angka desimal"),
}
_AT = re.compile(r"\s*-\s*at\s*`\$(?P<path>[^`]*)`\s*$")


def _type(name: str) -> str:
    names = [_(_TYPES[part.strip()]) if part.strip() in _TYPES else part.strip() for part in name.split("|")]
    text = names[0]
    for other in names[1:]:
        text = _("{first} atau {second}").format(first=text, second=other)
    return text


def _wrong_type(found: re.Match[str], json_body: bool) -> str:
    """`harus berupa …`; a number sent as text in a JSON body (often with Indonesian thousands dots, "25.000")
    also says how to write it."""
    wanted = {part.strip() for part in found["t"].split("|")}
    if json_body and found["g"] == "str" and wanted & {"int", "float", "decimal"}:
        return _(
            "harus berupa {type} — tulis sebagai angka JSON, tanpa tanda kutip dan tanpa titik ribuan"
        ).format(type=_type(found["t"]))
    return _("harus berupa {type}").format(type=_type(found["t"]))


def translate_validation_message(message: str, *, json_body: bool = False) -> tuple[str, str]:
    """Turn a msgspec/Litestar validation message into (field path, Indonesian message); `json_body`: the
    message is about a JSON body, where a number sent as text gets a hint on how to write it."""
    path = ""
    match = _AT.search(message)
    if match:
        path = match.group("path").lstrip(".")
        message = message[: match.start()]
    rules: list[tuple[str, Any]] = [
        (r"Object missing required field `(?P<f>[^`]+)`", lambda m: (m["f"], _("wajib diisi"))),
        (r"Object contains unknown field `(?P<f>[^`]+)`", lambda m: (m["f"], _("kolom tidak dikenal"))),
        (
            r"Expected `array` of length <= (?P<n>\d+)",
            lambda m: ("", _("paling banyak {n} butir").format(n=m["n"])),
        ),
        (
            r"Expected `(?P<t>[^`]+)` of length <= (?P<n>\d+)",
            lambda m: ("", _("paling panjang {n} karakter").format(n=m["n"])),
        ),
        (
            r"Expected `(?P<t>[^`]+)` of length >= (?P<n>\d+)",
            lambda m: ("", _("paling sedikit {n} karakter").format(n=m["n"])),
        ),
        (
            r"Expected `(?P<t>[^`]+)` <= (?P<n>[-\d.e+]+)",
            lambda m: ("", _("paling besar {n}").format(n=m["n"])),
        ),
        (
            r"Expected `(?P<t>[^`]+)` >= (?P<n>[-\d.e+]+)",
            lambda m: ("", _("paling kecil {n}").format(n=m["n"])),
        ),
        (
            r"Expected `(?P<t>[^`]+)` < (?P<n>[-\d.e+]+)",
            lambda m: ("", _("harus kurang dari {n}").format(n=m["n"])),
        ),
        (
            r"Expected `(?P<t>[^`]+)` > (?P<n>[-\d.e+]+)",
            lambda m: ("", _("harus lebih dari {n}").format(n=m["n"])),
        ),
        (
            r"Expected `str` matching regex '\^\((?P<alts>[\w|-]+)\)\$'",
            lambda m: ("", _("pilih salah satu: {choices}").format(choices=", ".join(m["alts"].split("|")))),
        ),
        (r"Expected `(?P<t>[^`]+)` matching regex", lambda m: ("", _("formatnya tidak sesuai"))),
        (r"Expected `(?P<t>[^`]+)`, got `(?P<g>[^`]+)`", lambda m: ("", _wrong_type(m, json_body))),
        (
            r"Invalid enum value '(?P<v>[^']*)'",
            lambda m: ("", _("nilai '{value}' tidak termasuk pilihan").format(value=m["v"])),
        ),
        (
            r"Invalid enum value (?P<v>\S+)",
            lambda m: ("", _("nilai {value} tidak termasuk pilihan").format(value=m["v"])),
        ),
        (
            r"Invalid (?:RFC3339 encoded )?(?P<t>date|datetime|time|uuid|decimal)",
            lambda m: ("", _("bukan {type} yang sah").format(type=_type(m["t"]))),
        ),
        (r"(?:Integer value|Number) out of range", lambda m: ("", _("angka di luar batas"))),
        (r"JSON is malformed", lambda m: ("", _("JSON tidak sah"))),
        (r"Input data was truncated", lambda m: ("", _("JSON terpotong"))),
    ]
    for pattern, render in rules:
        found = re.search(pattern, message)
        if found:
            field, text = render(found)
            if field:
                path = f"{path}.{field}" if path else field
            return path, text
    return path, _("nilai tidak valid")
