"""WhatsApp numbers normalised to E.164 digits (`628…`; Indonesian numbers must be mobile, foreign buyers such as
exporters may give their own country's number) and `wa.me` links."""

from __future__ import annotations

from urllib.parse import quote

import phonenumbers

from opop_events.core.i18n import _


class PhoneError(ValueError):
    """Not a usable WhatsApp number; the message is in the current language (`core.i18n`)."""


def normalize_whatsapp(text: str) -> str:
    """`0812-3456-7890`, `+62 812 3456 7890` or `62812…` -> `6281234567890` (digits of E.164, no plus)."""
    raw = (text or "").strip()
    if not raw:
        raise PhoneError(_("nomor WhatsApp kosong"))
    if len(raw) > 32:
        raise PhoneError(_("nomor WhatsApp terlalu panjang"))
    candidate = raw
    if candidate.startswith("62") and not candidate.startswith("+"):
        candidate = "+" + candidate
    try:
        number = phonenumbers.parse(candidate, "ID")
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(_("'{number}' bukan nomor telepon yang sah").format(number=raw)) from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(_("'{number}' bukan nomor telepon yang sah").format(number=raw))
    if number.country_code == 62 and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise PhoneError(_("'{number}' bukan nomor seluler; WhatsApp memerlukan nomor HP").format(number=raw))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def format_whatsapp(digits: str) -> str:
    """`6281234567890` -> `+62 812-3456-7890` for display."""
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def wa_link(digits: str, message: str) -> str:
    """`https://wa.me/6281234567890?text=…` with the message URL-encoded."""
    return f"https://wa.me/{digits}?text={quote(message, safe='')}"
