"""Checks of the message catalogue, shared by the tests and `opop-events messages check`.

- every message marked in the code and the templates has a complete translation in every catalogue;
- no catalogue keeps a message the code no longer uses;
- a translation names the same `{placeholders}` as its Indonesian source;
- no text a user reads is left outside the catalogue: Indonesian sentences as bare literals in the Python code,
  and text or visible attributes in the templates that are not inside `{{ _("…") }}`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from opop_events.core.i18n import LANGUAGES, SOURCE_LANGUAGE, catalog_path, message_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES = "web/templates"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "gettext_noop": None}
METHOD_MAP = [(f"{TEMPLATES}/**.html", "jinja2"), ("**.py", "python")]
OPTIONS_MAP = {f"{TEMPLATES}/**.html": {"extensions": "jinja2.ext.i18n"}}
_FIELD = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)(?:[!:][^}]*)?\}")


@dataclass(frozen=True)
class Finding:
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text!r}"


def extracted_ids() -> dict[str, str | tuple[str, str]]:
    """Every message marked in the package (Python and templates): its key → its id (singular, plural for
    ngettext)."""
    found: dict[str, str | tuple[str, str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        PACKAGE_DIR, METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS
    ):
        if "piccolo_migrations" in filename:
            continue
        key = message_key(message)
        if key and not isinstance(found.get(key), tuple):
            found[key] = (message[0], message[1]) if isinstance(message, tuple) and len(message) > 1 else key
    return found


def extracted() -> dict[str, str]:
    """Every message id marked in the package (Python and templates) → the first place that uses it."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE_DIR, METHOD_MAP, OPTIONS_MAP, keywords=KEYWORDS
    ):
        if "piccolo_migrations" in filename:
            continue
        key = message_key(message)
        if key:
            found.setdefault(key, f"{filename}:{lineno}")
    return found


def catalogue(language: str) -> dict[str, str | tuple[str, ...]]:
    with catalog_path(language).open("rb") as handle:
        po = read_po(handle, locale=language)
    entries: dict[str, str | tuple[str, ...]] = {}
    for message in po:
        if not message.id:
            continue
        string = message.string
        entries[message_key(message.id)] = "" if message.fuzzy or not string else (
            string if isinstance(string, str) else tuple(string)
        )
    return entries


def untranslated(language: str, used: dict[str, str]) -> list[Finding]:
    entries = catalogue(language)
    missing = []
    for message, where in sorted(used.items()):
        translation = entries.get(message)
        if not translation or (isinstance(translation, tuple) and not all(translation)):
            missing.append(Finding(where, message))
    return missing


def unused(language: str, used: dict[str, str]) -> list[Finding]:
    return [Finding(language, message) for message in sorted(catalogue(language)) if message not in used]


def placeholder_mismatches(language: str) -> list[Finding]:
    wrong = []
    for message, translation in catalogue(language).items():
        forms = translation if isinstance(translation, tuple) else (translation,)
        for form in forms:
            if form and set(_FIELD.findall(form)) != set(_FIELD.findall(message)):
                wrong.append(Finding(language, f"{message} → {form}"))
    return wrong


def other_languages() -> list[str]:
    return [language for language in LANGUAGES if language != SOURCE_LANGUAGE]


# --- text left outside the catalogue -------------------------------------------------------------------------

INDONESIAN = re.compile(
    r"\b(tidak|yang|silakan|belum|sudah|harus|untuk|dengan|Anda|atau|dari|tanggal|transaksi|acara|pembeli|"
    r"pesantren|nilai|bukan|boleh|tersebut|ditemukan|dikonfirmasi|diverifikasi|ubah|simpan|kirim|masuk|hapus|"
    r"jadwal|pertemuan|laporan|kabupaten|jumlah|berhasil|gagal|isi|pilih)\b",
    re.IGNORECASE,
)
_MARKERS = {"_", "N_", "gettext", "ngettext", "gettext_noop"}
_EXEMPT_CALLS = {"debug", "info", "warning", "error", "exception", "critical", "getLogger", "compile", "match",
                 "fullmatch", "search", "sub", "execute", "raw", "fetch", "fetchrow", "fetchval", "text"}  # fmt: skip


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


_COLUMN_LIST = re.compile(r"^\s*\w+\.\w+(\s*,\s*\w+\.\w+)*\s*$")


def _looks_like_sql(text: str) -> bool:
    """SQL text, a column list (`u.id, u.email`) or a condition with a bound parameter (`d.pesantren = {}`)."""
    return bool(
        re.search(r"\b(SELECT|INSERT|UPDATE|DELETE|JOIN|WHERE|CREATE|ALTER|COALESCE|COUNT|DISTINCT)\b", text)
        or _COLUMN_LIST.match(text)
        or re.fullmatch(r"\s*[\w.\"]+\s*(=|<>|IN|>=|<=)\s*\{\}\s*", text)
    )


def _python_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skip.add(id(node.value))  # a bare string: an attribute docstring
        if isinstance(node, ast.Call) and (_call_name(node) in _MARKERS or _call_name(node) in _EXEMPT_CALLS):
            for inner in ast.walk(node):
                skip.add(id(inner))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
            if " " in text.strip() and INDONESIAN.search(text) and not _looks_like_sql(text):
                yield node.lineno, text


def bare_python_text() -> list[Finding]:
    """Indonesian sentences written as bare literals (not through the catalogue) in the package's Python code."""
    findings = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "piccolo_migrations" in path.parts or "demo" in path.parts:
            continue  # migrations, and the demo's content (names, notes: data like a fixture, not interface text)
        relative = path.relative_to(PACKAGE_DIR)
        for lineno, text in _python_literals(path):
            findings.append(Finding(f"{relative}:{lineno}", text))
    return findings


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_BLOCKS = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_VISIBLE_ATTRIBUTE = re.compile(r'\b(placeholder|title|aria-label|alt)="([^"]*)"')
_WORD = re.compile(r"[A-Za-z]{2,}")
NOT_WORDS = {"OPOP", "Rp", "WIB", "WhatsApp", "PDF", "CSV", "XLSX", "QR", "NIB", "PIRT", "BPOM", "API",
             "English", "Language", "Bahasa", "Indonesia", "Jawa", "Barat", "One", "Pesantren", "Product", "nbsp", "middot",
             "times", "rarr", "larr", "hellip", "ndash", "mdash", "copy"}  # fmt: skip


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if word not in NOT_WORDS]


def bare_template_text() -> list[Finding]:
    """Text, and the attributes a user reads, in the templates that are not inside `{{ _("…") }}`."""
    findings = []
    for path in sorted((PACKAGE_DIR / TEMPLATES).rglob("*.html")):
        relative = path.relative_to(PACKAGE_DIR)
        source = _BLOCKS.sub("", path.read_text(encoding="utf-8"))
        without_jinja = _JINJA.sub(" ", source)
        for tag in _TAG.findall(without_jinja):
            for _name, value in _VISIBLE_ATTRIBUTE.findall(tag):
                if _words(value):
                    findings.append(Finding(str(relative), value))
        for chunk in _TAG.sub("\n", without_jinja).splitlines():
            if _words(chunk):
                findings.append(Finding(str(relative), chunk.strip()))
    return findings
