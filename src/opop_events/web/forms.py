"""HTML form handling: read a posted form, turn it into an API schema, and map domain errors onto fields."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from opop_events.core.errors import AppError, FieldError, InvalidInput, translate_validation_message
from opop_events.core.money import MoneyError, parse_rupiah

if TYPE_CHECKING:
    from litestar import Request

T = TypeVar("T")
FORM_ERROR = "_form"
"""Key of an error that belongs to no single field; shown above the form."""


class FormValues(dict[str, Any]):
    """The posted values as typed by the user (re-shown when the form comes back with errors)."""

    def text(self, name: str) -> str:
        value = self.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def optional(self, name: str) -> str | None:
        return self.text(name) or None


async def read_form(request: Request, *, lists: tuple[str, ...] = ()) -> FormValues:
    """The form body; fields named in `lists` keep every value (checkbox groups)."""
    form = await request.form()
    values = FormValues()
    for key in form:
        if key == "_csrf_token":
            continue
        if key in lists:
            values[key] = [v for v in form.getall(key) if isinstance(v, str)]
        else:
            value = form.get(key)
            values[key] = value[:5000] if isinstance(value, str) else ""
    for key in lists:
        values.setdefault(key, [])
    return values


def to_struct(data: dict[str, Any], schema: type[T]) -> T:
    """Validate a dict built from a form against an API schema; errors are raised as InvalidInput."""
    try:
        return msgspec.convert(data, schema, strict=False)
    except msgspec.ValidationError as exc:
        field, message = translate_validation_message(str(exc))
        raise InvalidInput(
            f"{field}: {message}", errors=[FieldError(field=field or FORM_ERROR, message=message)]
        ) from exc


def rupiah_field(values: FormValues, name: str, *, required: bool = True) -> int | None:
    """A rupiah amount as people type it (`25.000`, `Rp 25.000`, `25000`)."""
    text = values.text(name)
    if not text:
        if required:
            raise InvalidInput.field(name, "wajib diisi")
        return None
    try:
        return parse_rupiah(text)
    except MoneyError as exc:
        raise InvalidInput.field(name, str(exc)) from exc


_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")


def quantity_text(values: FormValues, name: str) -> str | None:
    """A quantity as written in id-ID (`1.500` is fifteen hundred, `2,5` two and a half) for the domain parser,
    which reads a dot as the decimal point."""
    text = values.text(name).replace(" ", "")
    if not text:
        return None
    if _GROUPED.match(text):
        text = text.replace(".", "")
    return text.replace(",", ".")


def missing(values: FormValues, *names: str) -> list[FieldError]:
    return [FieldError(field=name, message="wajib diisi") for name in names if not values.text(name)]


def raise_all(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


def required(values: FormValues, *names: str) -> None:
    """Empty required fields, reported together (browsers check too, but forms must work without them)."""
    raise_all(missing(values, *names))


def field_errors(exc: AppError, *, known: set[str] | None = None) -> dict[str, str]:
    """`{field: message}` for the template; errors on fields the form does not show go to FORM_ERROR."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        field = error.field if known is None or error.field in known else FORM_ERROR
        if field == FORM_ERROR and field in errors:
            errors[field] += f"; {error.message}"
        else:
            errors.setdefault(field, error.message)
    if not exc.errors:
        errors[FORM_ERROR] = exc.detail
    return errors
