"""Integer rupiah: bounds, parsing of Indonesian text, id-ID formatting and amounts in words (terbilang)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from opop_events.core.i18n import N_, SOURCE_LANGUAGE, _, current_language

MAX_LINE_RP = 10**15
"""Upper bound of one deal line, one price or one realisation, in rupiah (Rp1.000.000.000.000.000)."""

MAX_QUANTITY = Decimal(10**9)
QUANTITY_PLACES = 3


class MoneyError(ValueError):
    """A value that is not a valid rupiah amount or quantity; the message is in the current language (`core.i18n`)."""


class NotRupiahText(MoneyError):
    """Text that does not read as a rupiah amount at all (as opposed to an amount out of bounds)."""


def _separators() -> tuple[str, str]:
    """(thousands, decimal): `1.500.000,5` in Indonesian, `1,500,000.5` in English."""
    return (".", ",") if current_language() == SOURCE_LANGUAGE else (",", ".")


def format_rupiah(amount: int) -> str:
    """`21000000000` -> `Rp21.000.000.000` (id-ID grouping, no decimals; `Rp21,000,000,000` in English)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{format_number(abs(amount))}"


def format_number(value: int) -> str:
    """`1500000` -> `1.500.000` (`1,500,000` in English)."""
    return f"{value:,}".replace(",", _separators()[0])


_SCALES = (
    (10**12, N_("triliun"), N_("T")),
    (10**9, N_("miliar"), N_("M")),
    (10**6, N_("juta"), N_("jt")),
    (10**3, N_("ribu"), N_("rb")),
)


def format_rupiah_compact(amount: int, *, short: bool = False) -> str:
    """`21000000000` -> `Rp21 miliar` (or `Rp21 M` when short); one decimal where it matters: `Rp1,5 juta`.

    Rounds half up to one decimal; used for headlines only, never where a figure must add up.
    """
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    for scale, word, abbr in _SCALES:
        if value >= scale:
            tenths = (Decimal(value) / scale).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            text = f"{tenths:f}".rstrip("0").rstrip(".").replace(".", _separators()[1])
            return f"{sign}Rp{text} {_(abbr if short else word)}"
    return f"{sign}{format_rupiah(value)}"


_RP_TEXT = re.compile(r"^(?:rp\.?)?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,0{1,2})?$", re.IGNORECASE)


def parse_rupiah(text: str | int) -> int:
    """Parse `Rp 1.500.000`, `1.500.000`, `1500000` or `1.500.000,00` into integer rupiah.

    Anything else (`1,5 juta`, `1.5`, negative values, fractions of a rupiah) raises MoneyError.
    """
    if isinstance(text, bool):
        raise MoneyError(_("bukan angka rupiah"))
    if isinstance(text, int):
        amount = text
    else:
        cleaned = text.strip().replace("\u00a0", " ")
        match = _RP_TEXT.match(cleaned.replace(" ", "")) if cleaned else None
        if not match:
            raise NotRupiahText(
                _(
                    "'{text}' bukan nilai rupiah yang sah; tulis angka bulat seperti 1.500.000 atau Rp 1.500.000"
                ).format(text=text)
            )
        amount = int(match.group(1).replace(".", ""))
    check_amount(amount)
    return amount


def check_amount(amount: int, *, maximum: int = MAX_LINE_RP) -> int:
    """Return `amount` if 0 <= amount <= maximum, else raise MoneyError."""
    if amount < 0:
        raise MoneyError(_("nilai rupiah tidak boleh negatif"))
    if amount > maximum:
        raise MoneyError(_("nilai rupiah paling besar {amount}").format(amount=format_rupiah(maximum)))
    return amount


def parse_quantity(text: str | int | Decimal) -> Decimal:
    """An exact quantity: positive, at most three decimal places, at most one billion.

    Accepts `12`, `12.5` and the Indonesian decimal comma `12,5` (one separator, read as the decimal point;
    no thousands separators). Where people type Indonesian numbers (web forms, Excel imports) the callers
    refuse `1.500` as ambiguous before it gets here.
    """
    if isinstance(text, bool):
        raise MoneyError(_("jumlah harus angka"))
    try:
        if isinstance(text, str):
            raw = text.strip().replace(",", ".")
            if raw.count(".") > 1 or not re.fullmatch(r"\d+(\.\d+)?", raw):
                raise MoneyError(_("'{text}' bukan jumlah yang sah; contoh: 12 atau 12,5").format(text=text))
            quantity = Decimal(raw)
        else:
            quantity = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(_("'{text}' bukan jumlah yang sah").format(text=text)) from exc
    if not quantity.is_finite() or quantity <= 0:
        raise MoneyError(_("jumlah harus lebih dari nol"))
    if quantity > MAX_QUANTITY:
        raise MoneyError(_("jumlah paling besar 1.000.000.000"))
    if quantity != quantity.quantize(Decimal(1).scaleb(-QUANTITY_PLACES)):
        raise MoneyError(_("jumlah paling banyak tiga angka di belakang koma"))
    return quantity.normalize() if quantity == quantity.to_integral() else quantity


def format_quantity(quantity: Decimal | str) -> str:
    """`Decimal('12.5')` -> `12,5`; `Decimal('1000')` -> `1.000`."""
    quantity = Decimal(quantity)
    whole = int(quantity)
    fraction = quantity - whole
    text = format_number(whole)
    if fraction:
        text += _separators()[1] + f"{fraction:f}".split(".")[1].rstrip("0")
    return text


def quantity_to_text(quantity: Decimal) -> str:
    """The canonical stored form of a quantity: plain decimal text without exponent (`12.5`, `1000`)."""
    text = f"{quantity:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def line_value(quantity: Decimal, unit_price: int) -> int:
    """A deal line's value in integer rupiah: quantity × unit price, rounded half up to the rupiah."""
    return int((quantity * unit_price).to_integral_value(rounding=ROUND_HALF_UP))


_UNITS = [
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
]


def _below_thousand(n: int) -> str:
    if n < 12:
        return _UNITS[n]
    if n < 20:
        return f"{_UNITS[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_UNITS[tens]} puluh" + (f" {_UNITS[rest]}" if rest else "")
    hundreds, rest = divmod(n, 100)
    head = "seratus" if hundreds == 1 else f"{_UNITS[hundreds]} ratus"
    return head + (f" {_below_thousand(rest)}" if rest else "")


def terbilang(amount: int) -> str:
    """Integer rupiah in Indonesian words: `21000000000` -> `dua puluh satu miliar rupiah`."""
    if amount < 0:
        return "minus " + terbilang(-amount)
    if amount == 0:
        return "nol rupiah"
    words: list[str] = []
    rest = amount
    for scale, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        chunk, rest = divmod(rest, scale)
        if chunk >= 1000:
            # above a thousand triliun: say the leading group in words of its own
            words.append(terbilang(chunk).removesuffix(" rupiah") + f" {word}")
        elif chunk == 1 and word == "ribu":
            words.append("seribu")
        elif chunk:
            words.append(f"{_below_thousand(chunk)} {word}")
    if rest:
        words.append(_below_thousand(rest))
    return " ".join(words) + " rupiah"
