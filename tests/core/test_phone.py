"""WhatsApp numbers: normalisation to E.164 digits, display and wa.me links."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opop_events.core.phone import PhoneError, format_whatsapp, normalize_whatsapp, wa_link


@pytest.mark.parametrize(
    "text",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890", " 0812 3456 7890 ", "(0812) 34567890"],
)
def test_normalize_whatsapp_accepts_indonesian_mobile_forms(text):
    assert normalize_whatsapp(text) == "6281234567890"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "nomor WhatsApp kosong"),
        ("   ", "nomor WhatsApp kosong"),
        ("0" * 33, "nomor WhatsApp terlalu panjang"),
        ("abc", "'abc' bukan nomor telepon yang sah"),
        ("0812", "'0812' bukan nomor telepon yang sah"),
        ("022-2503271", "'022-2503271' bukan nomor seluler; WhatsApp memerlukan nomor HP"),
    ],
)
def test_normalize_whatsapp_refuses_with_indonesian_message(text, message):
    with pytest.raises(PhoneError) as raised:
        normalize_whatsapp(text)
    assert str(raised.value) == message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_normalize_whatsapp_never_raises_anything_but_phone_error(text):
    try:
        digits = normalize_whatsapp(text)
    except PhoneError:
        return
    assert digits.isdigit() and 8 <= len(digits) <= 15


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=10_000_000, max_value=99_999_999), st.sampled_from("1235789"))
def test_normalize_whatsapp_is_idempotent(rest, operator):
    digits = f"628{operator}1{rest}"
    try:
        first = normalize_whatsapp(digits)
    except PhoneError:
        return
    assert normalize_whatsapp(first) == first == normalize_whatsapp("0" + first[2:])


def test_format_whatsapp_for_display():
    assert [format_whatsapp("6281234567890"), format_whatsapp("not+a+number")] == [
        "+62 812-3456-7890", "not+a+number",
    ]


def test_wa_link_encodes_the_message():
    message = "Assalamu'alaikum, konfirmasi transaksi Rp1.500.000 & 50%? https://x.test/a?b=c"
    link = wa_link("6281234567890", message)
    assert link.startswith("https://wa.me/6281234567890?text=")
    assert unquote(link.split("?text=", 1)[1]) == message
    assert " " not in link and "&" not in link.split("?text=", 1)[1]
