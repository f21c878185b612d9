"""Click's own words (usage, help headings, usage errors, prompts) in Bahasa Indonesia, and our help texts in the
run's language (`--lang` / `OPOP_LANG`, `core.i18n`).

Each Click module binds `gettext`'s functions at import (`from gettext import gettext as _`, `ngettext`) and
passes every message through them. `install()` points those names in Click's modules at a translation built from
the table below (the msgids of Click 8.x; one missing here stays English). No file is read or written, and only
Click's modules of this process are affected. In another language Click keeps its own (English) words.

Our help texts are read by Click at import, before the language is known: they are marked `N_()` and the
`Translated*` classes below pass them through `_()` each time Click reads them (when it formats help or usage).
tests/test_cli.py runs the real command and checks the words.
"""

from __future__ import annotations

import gettext
import importlib
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from opop_events.core.i18n import SOURCE_LANGUAGE, _, current_language

# msgid → translation; plural msgids map to (singular, plural).
MESSAGES: dict[str, str | tuple[str, str]] = {
    "Usage:": "Pemakaian:",
    "Options": "Opsi",
    "Commands": "Perintah",
    "Positional arguments": "Argumen",
    "Show this message and exit.": "Tampilkan bantuan ini lalu keluar.",
    "Show the version and exit.": "Tampilkan versi lalu keluar.",
    "%(prog)s, version %(version)s": "%(prog)s, versi %(version)s",
    "Try '{command} {option}' for help.": "Lihat '{command} {option}' untuk bantuan.",
    "Error: {message}": "Galat: {message}",
    "Aborted!": "Dibatalkan.",
    "Missing command.": "Perintah belum disebut.",
    "No such command {name!r}.": "Perintah {name!r} tidak ada.",
    "No such option {name!r}.": "Opsi {name!r} tidak ada.",
    "Missing option": "Opsi wajib belum diisi",
    "Missing argument": "Argumen wajib belum diisi",
    "Missing parameter": "Parameter wajib belum diisi",
    "Missing {param_type}": "{param_type} wajib belum diisi",
    "Missing parameter: {param_name}": "Parameter wajib belum diisi: {param_name}",
    "Invalid value for {param_hint}: {message}": "Nilai {param_hint} tidak sah: {message}",
    "Invalid value: {message}": "Nilai tidak sah: {message}",
    "Option {name!r} does not take a value.": "Opsi {name!r} tidak menerima nilai.",
    "{value!r} is not a valid {number_type}.": "{value!r} bukan angka yang sah.",
    "{value} is not in the range {range}.": "{value} di luar rentang {range}.",
    "{value!r} is not a valid UUID.": "{value!r} bukan UUID yang sah.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} tidak ada.",
    "{name} {filename!r} is a file.": "{name} {filename!r} adalah berkas, bukan folder.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} adalah folder, bukan berkas.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} tidak bisa dibaca.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} tidak bisa ditulisi.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} tidak bisa dijalankan.",
    "Could not open file {filename!r}: {message}": "Berkas {filename!r} tidak bisa dibuka: {message}",
    "file": "Berkas",
    "directory": "Folder",
    "path": "Jalur",
    "Choose from:\n\t{choices}": "Pilih salah satu:\n\t{choices}",
    "Repeat for confirmation": "Ulangi untuk memastikan",
    "Error: The two entered values do not match.": "Galat: kedua isian tidak sama.",
    "Error: invalid input": "Galat: isian tidak sah",
    "Do you want to continue?": "Lanjutkan?",
    "Press any key to continue...": "Tekan sembarang tombol untuk lanjut...",
    "default: {default}": "bawaan: {default}",
    "env var: {var}": "variabel lingkungan: {var}",
    "required": "wajib",
    "deprecated": "usang",
    "Got unexpected extra argument ({args})": ("Ada argumen berlebih ({args})", "Ada argumen berlebih ({args})"),
    "Did you mean {possibility}?": (
        "Maksud Anda {possibility}?",
        "(Maksud Anda salah satu dari: {possibilities}?)",
    ),
    "Option {name!r} requires an argument.": (
        "Opsi {name!r} memerlukan nilai.",
        "Opsi {name!r} memerlukan {nargs} nilai.",
    ),
    "{value!r} is not {choice}.": ("{value!r} bukan {choice}.", "{value!r} bukan salah satu dari {choices}."),
    "{value!r} does not match the format {format}.": (
        "{value!r} tidak sesuai format {format}.",
        "{value!r} tidak sesuai format {formats}.",
    ),
    "Takes {nargs} values but 1 was given.": (
        "Perlu {nargs} nilai, diberikan 1.",
        "Perlu {nargs} nilai, diberikan {len}.",
    ),
}


class _Indonesian(gettext.NullTranslations):
    """Click's words in Indonesian while the run speaks Indonesian; Click's English otherwise."""

    def gettext(self, message: str) -> str:
        found = MESSAGES.get(message) if current_language() == SOURCE_LANGUAGE else None
        return found if isinstance(found, str) else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = MESSAGES.get(msgid1) if current_language() == SOURCE_LANGUAGE else None
        if isinstance(found, tuple):
            return found[0] if n == 1 else found[1]
        return msgid1 if n == 1 else msgid2


_CLICK_MODULES = (
    "core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils", "_termui_impl",
)


def install() -> None:
    """Make Click speak Indonesian in this process."""
    translation = _Indonesian()
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is gettext.gettext:
            module._ = translation.gettext  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = translation.ngettext  # type: ignore[attr-defined]


def _translated(name: str) -> Any:
    """An attribute kept as its marked (Indonesian) text and read through `_()` in the current language."""
    source = f"_source_{name}"

    def read(self: object) -> Any:
        value = getattr(self, source, None)
        return _(value) if isinstance(value, str) and value else value

    def write(self: object, value: Any) -> None:
        setattr(self, source, value)

    return property(read, write)


class TranslatedCommand(click.Command):
    help = _translated("help")
    short_help = _translated("short_help")
    options_metavar = _translated("options_metavar")


class TranslatedGroup(click.Group):
    help = _translated("help")
    short_help = _translated("short_help")
    options_metavar = _translated("options_metavar")
    subcommand_metavar = _translated("subcommand_metavar")
    command_class = TranslatedCommand
    group_class = type  # subgroups are of the same class as their parent


class TranslatedOption(click.Option):
    help = _translated("help")
    metavar = _translated("metavar")
    prompt = _translated("prompt")


class TranslatedArgument(click.Argument):
    metavar = _translated("metavar")


T = TypeVar("T")


def option(*names: str, **attrs: Any) -> Callable[[T], T]:
    """`click.option` whose help text and placeholder are read in the run's language."""
    return click.option(*names, cls=TranslatedOption, **attrs)


def argument(*names: str, **attrs: Any) -> Callable[[T], T]:
    """`click.argument` whose placeholder is read in the run's language."""
    return click.argument(*names, cls=TranslatedArgument, **attrs)


def fail(message: str, code: int = 2) -> NoReturn:
    """One `Galat: …` line on stderr, then exit with `code`."""
    click.secho(_("Galat: {message}").format(message=message), fg="red", err=True)
    sys.exit(code)
