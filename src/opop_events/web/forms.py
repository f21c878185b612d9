"""HTML form handling: read a posted form, turn it into an API schema (`parse_form`: the fields of the form into
the same msgspec Structs the API uses, every wrong field named), and map domain errors onto fields."""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Union, get_args, get_origin

import msgspec

from opop_events.core.errors import AppError, FieldError, InvalidInput, translate_validation_message
from opop_events.core.i18n import _
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
            raise InvalidInput.field(name, _("wajib diisi"))
        return None
    try:
        return parse_rupiah(text)
    except MoneyError as exc:
        raise InvalidInput.field(name, str(exc)) from exc


_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")


def id_quantity(text: str) -> str:
    """A quantity as written in id-ID (`1.500` is fifteen hundred, `2,5` two and a half) for the domain parser,
    which reads a dot as the decimal point."""
    text = text.replace(" ", "")
    if _GROUPED.match(text):
        text = text.replace(".", "")
    return text.replace(",", ".")


def quantity_text(values: FormValues, name: str) -> str | None:
    """`id_quantity` of a form field, None when it is empty."""
    text = values.text(name)
    return id_quantity(text) if text.replace(" ", "") else None


def missing(values: FormValues, *names: str) -> list[FieldError]:
    return [FieldError(field=name, message=_("wajib diisi")) for name in names if not values.text(name)]


def raise_all(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


def invalid(errors: Mapping[str, str]) -> InvalidInput:
    """The `{field: message}` of `parse_form` as one InvalidInput (for `field_errors` or a page's handler)."""
    items = [FieldError(field=field, message=message) for field, message in errors.items()]
    return InvalidInput("; ".join(f"{e.field}: {e.message}" for e in items), errors=items)


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


# -- one mapper from form fields to the API schemas ---------------------------------------------------------


def _members(annotation: Any) -> tuple[Any, ...]:
    """The members of a union (`X | None`), the annotation itself otherwise; `Annotated` metadata dropped."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(m for a in get_args(annotation) for m in _members(a))
    return (annotation,)


def _struct_in(annotation: Any) -> type[msgspec.Struct] | None:
    found = [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, msgspec.Struct)]
    return found[0] if found else None


def _row_struct_in(annotation: Any) -> type[msgspec.Struct] | None:
    for member in _members(annotation):
        if get_origin(member) is list:
            return _struct_in(get_args(member)[0])
    return None


def _takes_text(annotation: Any) -> bool:
    return str in _members(annotation)


def filled_rows(values: Mapping[str, Any], name: str, count: int, *, ignore: Collection[str] = ()) -> list[int]:
    """The form rows `name[i]` (i < count) with any field filled in; fields in `ignore` (hidden ones) do not
    count."""
    out = []
    for i in range(count):
        prefix = f"{name}[{i}]."
        if any(
            key.startswith(prefix) and key[len(prefix):] not in ignore and isinstance(v, str) and v.strip()
            for key, v in values.items()
        ):
            out.append(i)
    return out


class _Reader:
    """Walks a Struct's fields, reading `name`, `parent.name` and `rows[i].name` form fields."""

    def __init__(self, values: FormValues, *, required: Collection[str], convert: Mapping[str, Callable[[str], Any]],
                 choices: Mapping[str, str], lists: Mapping[str, int], ignore: Collection[str]) -> None:
        self.values, self.required, self.convert = values, required, convert
        self.choices, self.lists, self.ignore = choices, lists, ignore
        self.errors: dict[str, str] = {}

    def struct(self, schema: type[msgspec.Struct], prefix: str, only: Collection[str] | None) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for field in msgspec.structs.fields(schema):
            if only is not None and field.name not in only:
                continue
            name = f"{prefix}{field.name}"
            rows_of = _row_struct_in(field.type)
            if rows_of is not None:
                if field.name in self.lists:
                    data[field.name] = [
                        self.struct(rows_of, f"{name}[{i}].", None)
                        for i in filled_rows(self.values, name, self.lists[field.name], ignore=self.ignore)
                    ]
                continue
            part = _struct_in(field.type)
            if part is not None:
                if any(key.startswith(f"{name}.") and self.values.text(key) for key in self.values):
                    data[field.name] = self.struct(part, f"{name}.", None)
                continue
            self.scalar(data, field, name)
        return data

    def _choice(self, field_name: str) -> str:
        """The form's own words for a wrong choice (marked with `N_` where the form is defined), translated."""
        message = self.choices.get(field_name)
        return _(message) if message else ""

    def scalar(self, data: dict[str, Any], field: msgspec.structs.FieldInfo, name: str) -> None:
        text = self.values.text(name)
        if not text:
            if field.required or field.name in self.required:
                self.errors.setdefault(name, _("wajib diisi"))
            elif _takes_text(field.type):
                data[field.name] = ""
            return
        value: Any = text
        try:
            if field.name in self.convert:
                value = self.convert[field.name](text)
            msgspec.convert(value, field.type, strict=False)
        except msgspec.ValidationError as exc:
            self.errors.setdefault(name, self._choice(field.name) or translate_validation_message(str(exc))[1])
        except ValueError as exc:  # a converter's refusal (MoneyError), worded for people
            self.errors.setdefault(name, self._choice(field.name) or str(exc))
        else:
            data[field.name] = value


def parse_form(
    schema: type[T],
    values: FormValues,
    *,
    fields: Collection[str] | None = None,
    given: Mapping[str, Any] | None = None,
    found: Mapping[str, str] | None = None,
    required: Collection[str] = (),
    convert: Mapping[str, Callable[[str], Any]] | None = None,
    choices: Mapping[str, str] | None = None,
    lists: Mapping[str, int] | None = None,
    ignore: Collection[str] = (),
) -> tuple[T | None, dict[str, str]]:
    """The form as the API schema `schema`, or None and `{form field: message}` naming every wrong field.

    Form fields are named after the schema: `note`, `new_buyer.name`, `lines[2].quantity`. Only the top-level
    `fields` are read (all when None); `given` adds values the page decides itself; `found` are the errors of the page's own rules
    (they win on their field, and with any the whole is not checked). An empty field is left out
    (the schema's default), or "" where the field takes text, or "wajib diisi" when the schema or `required`
    needs it. `convert` turns a field's text into its value first (by field name: `parse_rupiah` for rupiah as
    people type it, `id_quantity`); a converter's ValueError is the message. `choices` words any error of a
    field chosen from a list ("pilih dari daftar"). `lists` gives the number of form rows of a list of Structs;
    rows with nothing filled in (fields in `ignore` not counting) are skipped. Each field is checked on its
    own, so every wrong one is named; then the whole against the schema."""
    reader = _Reader(values, required=required, convert=convert or {}, choices=choices or {}, lists=lists or {},
                     ignore=ignore)
    reader.errors.update(found or {})
    data = reader.struct(schema, "", fields)  # type: ignore[arg-type]
    data.update(given or {})
    if reader.errors:
        return None, reader.errors
    try:
        return msgspec.convert(data, schema, strict=False), {}
    except msgspec.ValidationError as exc:
        field, message = translate_validation_message(str(exc))
        return None, {field or FORM_ERROR: message}
