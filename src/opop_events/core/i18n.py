"""One message catalogue: every word a user reads goes through `_()`; Bahasa Indonesia is the source language.

The Indonesian text itself is the message id, so the code reads as the user does and the Indonesian wording can
never drift from a translation. Other languages live in `opop_events/locale/<lang>/LC_MESSAGES/messages.po`,
extracted with Babel (`pybabel extract -F babel.cfg`, see the README) and read at first use (no compiled .mo
files to go stale). The language is per request (or per CLI run, per e-mail): `use_language("en")` sets it for
the current task; code never passes it around.

Placeholders use `str.format` names, in the catalogue too: `_("Transaksi {number} tidak ditemukan.").format(
number=…)`. Strings defined at import time (labels, tables of choices) are marked with `N_()` and translated where
they are shown, with `_(value)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

SOURCE_LANGUAGE = "id"
LANGUAGES: tuple[str, ...] = ("id", "en")
"""Every language a user may choose, the source language first."""

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}
"""Each language named in itself, as a language menu shows it."""

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("opop_language", default=SOURCE_LANGUAGE)


def normalise(value: str | None) -> str | None:
    """`en`, `en-US`, `EN_gb` → `en`; `id-ID` → `id`; anything we do not offer → None."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first language we offer in an `Accept-Language` header, by its q weights (`en;q=0.8, id` → `id`)."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        code = normalise(tag)
        if code is not None and weight > 0:
            choices.append((-weight, position, code))
    return min(choices)[2] if choices else None


def current_language() -> str:
    return _current.get()


def set_language(language: str | None) -> None:
    """Set the language for the rest of the current task (a request, a CLI run); unknown values are ignored."""
    code = normalise(language)
    if code is not None:
        _current.set(code)


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Speak `language` inside the block (an e-mail to a user in their language), then the previous one again."""
    code = normalise(language) or _current.get()
    token = _current.set(code)
    try:
        yield code
    finally:
        _current.reset(token)


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _catalog(language: str) -> dict[str, str | tuple[str, ...]]:
    path = catalog_path(language)
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    entries: dict[str, str | tuple[str, ...]] = {}
    for message in po:
        if not message.id or message.fuzzy:
            continue
        key = message_key(message.id)
        if isinstance(message.string, (tuple, list)):
            if all(message.string):
                entries[key] = tuple(message.string)
        elif message.string:
            entries[key] = message.string
    return entries


def message_key(message_id: str | tuple[str, ...] | list[str]) -> str:
    """A catalogue entry's id: the singular for a plural message."""
    return message_id if isinstance(message_id, str) else message_id[0]


def gettext(message: str) -> str:
    """`message` (Indonesian) in the current language; the Indonesian text where no translation exists."""
    language = _current.get()
    if language == SOURCE_LANGUAGE:
        return message
    translated = _catalog(language).get(message)
    return translated if isinstance(translated, str) else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` (Indonesian has one form; English two)."""
    language = _current.get()
    if language == SOURCE_LANGUAGE:
        return singular if count == 1 else plural
    translated = _catalog(language).get(singular)
    if isinstance(translated, tuple) and len(translated) >= 2:
        return translated[0] if count == 1 else translated[1]
    return singular if count == 1 else plural


def gettext_noop(message: str) -> str:
    """Mark a message for the catalogue without translating it now (module-level labels)."""
    return message


_ = gettext
N_ = gettext_noop

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "N_",
    "SOURCE_LANGUAGE",
    "_",
    "current_language",
    "from_accept_language",
    "gettext",
    "gettext_noop",
    "ngettext",
    "normalise",
    "set_language",
    "use_language",
]
