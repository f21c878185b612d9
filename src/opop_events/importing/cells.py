"""Cell converters of the Dinas workbook: one cell value in, a typed value out or `_Bad` saying what was expected.

Pure, cached where the same text repeats thousands of times; the sheet rows (`rows.py`) call them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from opop_events.catalog.enums import (
    BUYER_TYPE_LABELS,
    CATEGORY_LABELS,
    CERTIFICATION_LABELS,
    BuyerType,
    Category,
    Certification,
    parse_label,
)
from opop_events.core.dates import MONTHS
from opop_events.core.i18n import N_, _
from opop_events.core.money import (
    MoneyError,
    NotRupiahText,
    check_amount,
    parse_quantity,
    parse_rupiah,
)
from opop_events.core.phone import PhoneError, normalize_whatsapp
from opop_events.deals.enums import KIND_LABELS, STATE_LABELS, DealKind, DealState

IMPORT_STATES = (DealState.dicatat, DealState.dikonfirmasi, DealState.diverifikasi)
_NUMBER_HINT = N_("tulis angka bulat seperti 1.500.000")


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


class _Bad(ValueError):
    """A cell value that does not fit; the message says what was expected."""


# -- cell converters (pure, cached where the same text repeats thousands of times) --------------------------


def norm_name(text: str) -> str:
    """The key names are matched by: lower case, single spaces, no surrounding space."""
    return " ".join(text.lower().split())


def norm_header(text: Any) -> str:
    raw = str(text or "").strip().lower().rstrip("*").strip()
    return re.sub(r"[\s_\-]+", "_", raw)


def as_text(value: Any, *, max_length: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _Bad(_("tulis sebagai teks"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        raise _Bad(_("tulis sebagai teks, bukan tanggal"))
    text = " ".join(str(value).split())
    if len(text) > max_length:
        raise _Bad(_("paling panjang {count} karakter").format(count=max_length))
    return text


def parse_amount(value: Any) -> int:
    """Integer rupiah from a numeric cell or Indonesian text (`Rp 1.500.000`, `1.500.000`, `1500000`)."""
    if isinstance(value, bool):
        raise _Bad(_(_NUMBER_HINT))
    if isinstance(value, float):
        if not value.is_integer():
            raise _Bad(_("rupiah harus bilangan bulat, tanpa sen"))
        value = int(value)
    if isinstance(value, int):
        try:
            return check_amount(value)
        except MoneyError as exc:
            raise _Bad(str(exc)) from exc
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise _Bad(_("rupiah harus bilangan bulat, tanpa sen"))
        return parse_amount(int(value))
    if not isinstance(value, str):
        raise _Bad(_(_NUMBER_HINT))
    return _amount_text(value)


@lru_cache(maxsize=4096)
def _amount_text(text: str) -> int:
    try:
        return parse_rupiah(text)
    except MoneyError as exc:
        raise _Bad(_(_NUMBER_HINT) if isinstance(exc, NotRupiahText) else str(exc)) from exc


_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")


def parse_count(value: Any) -> Decimal:
    """An exact positive quantity from a numeric cell or text (`12`, `12,5`)."""
    if isinstance(value, bool):
        raise _Bad(_("tulis jumlah seperti 12 atau 12,5"))
    try:
        if isinstance(value, float):
            return parse_quantity(Decimal(repr(value)))
        if isinstance(value, int | Decimal):
            return parse_quantity(value)
        if isinstance(value, str):
            if _GROUPED.fullmatch(value.strip()):
                # parse_quantity would read `1.500` as 1.5; in an Indonesian sheet it usually means 1500
                raise _Bad(_("ambigu: tulis 1500 untuk seribu lima ratus, atau 1,5 untuk satu setengah"))
            return parse_quantity(value)
    except MoneyError as exc:
        raise _Bad(str(exc)) from exc
    raise _Bad(_("tulis jumlah seperti 12 atau 12,5"))


_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(MONTHS, start=1):
    _MONTHS[_name.lower()] = _number
    _MONTHS[_name.lower()[:3]] = _number
_MONTHS.update({"agt": 8, "ags": 8, "sept": 9, "okt": 10, "nop": 11, "pebruari": 2, "peb": 2, "nopember": 11})
_DATE_HINT = N_("tulis tanggal seperti 9/12/2020, 2020-12-09 atau 9 Desember 2020")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_day(value: Any) -> date:
    """A date cell or `9/12/2020` (day first), `2020-12-09`, `9 Desember 2020`, `9 Des 2020`."""
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str):
        return _day_text(value)
    else:
        raise _Bad(_(_DATE_HINT))
    if not MIN_YEAR <= result.year <= MAX_YEAR:
        raise _Bad(_("tahun harus antara {first} dan {last}").format(first=MIN_YEAR, last=MAX_YEAR))
    return result


@lru_cache(maxsize=4096)
def _day_text(text: str) -> date:
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    day = month = year = None
    if match := _DMY.match(cleaned):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _ISO.match(cleaned):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _WORDS.match(cleaned):
        month = _MONTHS.get(match[2])
        if month is None:
            raise _Bad(_("nama bulan '{month}' tidak dikenal; {hint}").format(month=match[2], hint=_(_DATE_HINT)))
        day, year = int(match[1]), int(match[3])
    else:
        raise _Bad(_(_DATE_HINT))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Bad(_("tahun harus antara {first} dan {last}").format(first=MIN_YEAR, last=MAX_YEAR))
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _Bad(_("tanggal tidak ada di kalender; {hint}").format(hint=_(_DATE_HINT))) from exc


class WilayahIndex:
    """kabupaten_kota as BPS code (`3273`) or name (`Kota Bandung`, `Kab. Bandung`, `Kabupaten Bandung`, or a
    bare `Garut` when only one kab/kota carries it)."""

    def __init__(self, wilayah: Mapping[str, str]) -> None:
        self.names = dict(wilayah)
        self.by_full: dict[str, str] = {}
        self.by_bare: dict[str, list[str]] = {}
        for code, name in wilayah.items():
            key = norm_name(name)
            self.by_full[key] = code
            bare = re.sub(r"^(kabupaten|kota)\s+", "", key)
            self.by_bare.setdefault(bare, []).append(code)

    def resolve(self, value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = norm_name(str(value)) if value is not None else ""
        if not text:
            raise _Bad(_("wajib diisi: kode BPS atau nama kabupaten/kota"))
        if text in self.names:
            return text
        text = re.sub(r"^kab(?:upaten)?\.?\s*", "kabupaten ", text)
        if text in self.by_full:
            return self.by_full[text]
        codes = self.by_bare.get(text, [])
        if len(codes) == 1:
            return codes[0]
        if len(codes) > 1:
            options = _(" atau ").join(f"'{self.names[c]}'" for c in sorted(codes))
            raise _Bad(_("ambigu; tulis {options}").format(options=options))
        raise _Bad(
            _("kabupaten/kota Jawa Barat tidak dikenal; tulis kode BPS (mis. 3273) atau nama (mis. Kota Bandung)")
        )


def _choice(
    enum: type[Any], labels: Mapping[Any, str], what: str, members: tuple[Any, ...] | None = None
) -> Callable[[Any], str]:
    allowed = members or tuple(enum)
    options = ", ".join(member.value for member in allowed)

    @lru_cache(maxsize=256)
    def convert(text: str) -> str:
        member = parse_label(enum, dict(labels), text)
        if member is None or member not in allowed:
            raise _Bad(_("{what} tidak dikenal; pilih salah satu: {options}").format(what=_(what), options=options))
        return member.value

    def parse(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _Bad(_("wajib diisi; pilih salah satu: {options}").format(options=options))
        return convert(value.strip())

    return parse


parse_buyer_type = _choice(BuyerType, BUYER_TYPE_LABELS, N_("jenis pembeli"))
parse_category = _choice(Category, CATEGORY_LABELS, N_("kategori"))
parse_certification = _choice(Certification, CERTIFICATION_LABELS, N_("sertifikasi"))
parse_kind = _choice(DealKind, KIND_LABELS, N_("jenis transaksi"))
parse_state = _choice(DealState, STATE_LABELS, N_("status impor"), IMPORT_STATES)


def parse_phone(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        # A number cell loses the leading zero: 81234567890 is 081234567890.
        value = str(value)
        if not value.startswith("62"):
            value = "0" + value
    try:
        return normalize_whatsapp(str(value))
    except PhoneError as exc:
        raise _Bad(_("{problem}; tulis seperti 0812-3456-7890").format(problem=exc)) from exc
