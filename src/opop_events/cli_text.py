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

from opop_events.core.i18n import N_, SOURCE_LANGUAGE, _, current_language

# Click's msgid → our Indonesian message (marked: the catalogue gives Click's English back, unused while Click
# keeps its own words in English); plural msgids map to (singular, plural).
MESSAGES: dict[str, str | tuple[str, str]] = {
    "Usage:": N_("Pemakaian:"),
    "Options": N_("Opsi"),
    "Commands": N_("Perintah"),
    "Positional arguments": N_("Argumen"),
    "Show this message and exit.": N_("Tampilkan bantuan ini lalu keluar."),
    "Show the version and exit.": N_("Tampilkan versi lalu keluar."),
    "%(prog)s, version %(version)s": N_("%(prog)s, versi %(version)s"),
    "Try '{command} {option}' for help.": N_("Lihat '{command} {option}' untuk bantuan."),
    "Error: {message}": N_("Galat: {message}"),
    "Aborted!": N_("Dibatalkan."),
    "Missing command.": N_("Perintah belum disebut."),
    "No such command {name!r}.": N_("Perintah {name!r} tidak ada."),
    "No such option {name!r}.": N_("Opsi {name!r} tidak ada."),
    "Missing option": N_("Opsi wajib belum diisi"),
    "Missing argument": N_("Argumen wajib belum diisi"),
    "Missing parameter": N_("Parameter wajib belum diisi"),
    "Missing {param_type}": N_("{param_type} wajib belum diisi"),
    "Missing parameter: {param_name}": N_("Parameter wajib belum diisi: {param_name}"),
    "Invalid value for {param_hint}: {message}": N_("Nilai {param_hint} tidak sah: {message}"),
    "Invalid value: {message}": N_("Nilai tidak sah: {message}"),
    "Option {name!r} does not take a value.": N_("Opsi {name!r} tidak menerima nilai."),
    "{value!r} is not a valid {number_type}.": N_("{value!r} bukan angka yang sah."),
    "{value} is not in the range {range}.": N_("{value} di luar rentang {range}."),
    "{value!r} is not a valid UUID.": N_("{value!r} bukan UUID yang sah."),
    "{name} {filename!r} does not exist.": N_("{name} {filename!r} tidak ada."),
    "{name} {filename!r} is a file.": N_("{name} {filename!r} adalah berkas, bukan folder."),
    "{name} {filename!r} is a directory.": N_("{name} {filename!r} adalah folder, bukan berkas."),
    "{name} {filename!r} is not readable.": N_("{name} {filename!r} tidak bisa dibaca."),
    "{name} {filename!r} is not writable.": N_("{name} {filename!r} tidak bisa ditulisi."),
    "{name} {filename!r} is not executable.": N_("{name} {filename!r} tidak bisa dijalankan."),
    "Could not open file {filename!r}: {message}": N_("Berkas {filename!r} tidak bisa dibuka: {message}"),
    "file": N_("Berkas"),
    "directory": N_("Folder"),
    "path": N_("Jalur"),
    "Choose from:\n\t{choices}": N_("Pilih salah satu:\n\t{choices}"),
    "Repeat for confirmation": N_("Ulangi untuk memastikan"),
    "Error: The two entered values do not match.": N_("Galat: kedua isian tidak sama."),
    "Error: invalid input": N_("Galat: isian tidak sah"),
    "Do you want to continue?": N_("Lanjutkan?"),
    "Press any key to continue...": N_("Tekan sembarang tombol untuk lanjut..."),
    "default: {default}": N_("bawaan: {default}"),
    "env var: {var}": N_("variabel lingkungan: {var}"),
    "required": N_("wajib"),
    "deprecated": N_("usang"),
    "Got unexpected extra argument ({args})": (N_("Ada argumen berlebih ({args})"), N_("Ada argumen berlebih ({args})")),
    "Did you mean {possibility}?": (
        N_("Maksud Anda {possibility}?"),
        N_("(Maksud Anda salah satu dari: {possibilities}?)"),
    ),
    "Option {name!r} requires an argument.": (
        N_("Opsi {name!r} memerlukan nilai."),
        N_("Opsi {name!r} memerlukan {nargs} nilai."),
    ),
    "{value!r} is not {choice}.": (N_("{value!r} bukan {choice}."), N_("{value!r} bukan salah satu dari {choices}.")),
    "{value!r} does not match the format {format}.": (
        N_("{value!r} tidak sesuai format {format}."),
        N_("{value!r} tidak sesuai format {formats}."),
    ),
    "Takes {nargs} values but 1 was given.": (
        N_("Perlu {nargs} nilai, diberikan 1."),
        N_("Perlu {nargs} nilai, diberikan {len}."),
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
