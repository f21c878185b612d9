"""The password policy, applied at every door that sets a password (API user creation and password change, the
web password page, `opop-events users create`).

Refused, each with an Indonesian message naming why:
- shorter than `MIN_PASSWORD_LENGTH` (10) or longer than 128 characters;
- the demo accounts' password (`opop-demo-2020`, printed in the README) or one containing it;
- containing the e-mail address's local part (from 3 characters) or a word of the user's name (from 3, not
  only digits);
- easy to guess by the zxcvbn estimator (score below `MIN_SCORE`, i.e. fewer than 10^8 guesses): zxcvbn knows the
  30 000 most common passwords of leaked lists, English words, names, keyboard patterns, dates, sequences and
  repeats (Dropbox's estimator, PyPI package `zxcvbn`). It is told the e-mail, the name and this app's own words
  (opop, pesantren, jabar, …) so that variations of them count as guessable too.

The demo loader (`opop_events.demo`) creates its accounts with the demo password through
`create_user(..., enforce_policy=False)`, deliberately; a production server refuses to start while any account
still has it (`services.demo_password_in_use`).
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

from opop_events.core.errors import InvalidInput
from opop_events.core.i18n import _

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
MIN_SCORE = 3
DEMO_PASSWORD = "opop-demo-2020"  # noqa: S105 - published on purpose; production refuses it
APP_WORDS = ("opop", "pesantren", "jabar", "jawabarat", "bandung", "temubisnis", "dinas", "kuk", "santri")
_ZXCVBN_MAX = 32
"""zxcvbn's work grows steeply with length (about 1 s of CPU for 72 characters, 0.15 s at worst for 32 here), so
only the first 32 characters are estimated: 32 characters that are not guessable are far past any attack, and a
longer password that is guessable is so in its first 32 too (repeats, a phrase of common words)."""


def _words(text: str) -> list[str]:
    """The words of a name or e-mail worth refusing inside a password: 3 characters or more, not only digits."""
    return [w for w in re.split(r"[^0-9a-z]+", text.lower()) if len(w) >= 3 and not w.isdigit()]


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why `password` is refused (a phrase in the current language), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("kata sandi minimal {count} karakter").format(count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("kata sandi paling panjang {count} karakter").format(count=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if DEMO_PASSWORD in lowered:
        return _("kata sandi akun demo tidak boleh dipakai")
    local = email.strip().lower().partition("@")[0]
    if len(local) >= 3 and (local in lowered or any(w in lowered for w in _words(local) if len(w) >= 4)):
        return _("kata sandi tidak boleh memuat alamat email Anda")
    name_words = _words(name)
    if any(w in lowered for w in name_words):
        return _("kata sandi tidak boleh memuat nama Anda")
    inputs = [email.strip().lower(), local, *_words(local), *name_words, *APP_WORDS]
    try:
        result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=[i for i in inputs if i])
    except Exception:  # noqa: BLE001 - an estimator failure refuses the password instead of answering 500
        result = {"score": 0, "sequence": []}
    if result["score"] >= MIN_SCORE:
        return None
    patterns = {m["pattern"] for m in result["sequence"]}
    dictionaries = {m.get("dictionary_name") for m in result["sequence"] if m["pattern"] == "dictionary"}
    if len(result["sequence"]) == 1 and dictionaries == {"passwords"}:
        return _("kata sandi ini termasuk yang paling sering dipakai orang; pilih yang lain")
    if patterns & {"sequence", "repeat", "spatial"} and not dictionaries:
        return _("kata sandi berupa urutan, pengulangan atau pola papan ketik yang mudah ditebak")
    if "date" in patterns and len(patterns) <= 2 and not dictionaries:
        return _("kata sandi berupa tanggal atau tahun yang mudah ditebak")
    return _(
        "kata sandi terlalu mudah ditebak (kata umum, nama, tahun atau urutan angka); "
        "gabungkan beberapa kata yang tidak berhubungan"
    )


def check_password(password: str, *, email: str = "", name: str = "", field: str = "password") -> None:
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise InvalidInput.field(field, problem)
