"""Click's own words (usage, help headings, usage errors, prompts) in Bahasa Indonesia.

Each Click module binds `gettext`'s functions at import (`from gettext import gettext as _`, `ngettext`) and
passes every message through them. `install()` points those names in Click's modules at a translation built from
the table below (the msgids of Click 8.x; one missing here stays English). No file is read or written, and only
Click's modules of this process are affected. tests/test_cli.py runs the real command and checks the words.
"""

from __future__ import annotations

import gettext
import importlib

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
    def gettext(self, message: str) -> str:
        found = MESSAGES.get(message)
        return found if isinstance(found, str) else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = MESSAGES.get(msgid1)
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
