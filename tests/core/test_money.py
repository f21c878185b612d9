"""Integer rupiah: parsing, id-ID formatting, compact headlines, terbilang and exact quantities."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opop_events.core.money import (
    MAX_LINE_RP,
    MoneyError,
    check_amount,
    format_quantity,
    format_rupiah,
    format_rupiah_compact,
    line_value,
    parse_quantity,
    parse_rupiah,
    quantity_to_text,
    terbilang,
)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_LINE_RP))
def test_parse_rupiah_round_trips_format_rupiah(amount):
    assert parse_rupiah(format_rupiah(amount)) == amount


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_LINE_RP))
def test_parse_rupiah_accepts_plain_digits_and_cents_suffix(amount):
    assert (parse_rupiah(str(amount)), parse_rupiah(f"{format_rupiah(amount)},00")) == (amount, amount)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rp 1.500.000", 1_500_000),
        ("rp1.500.000", 1_500_000),
        ("Rp. 1.500.000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1500000", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("\u00a0Rp\u00a02.000 ", 2_000),
        ("0", 0),
        (21_000_000_000, 21_000_000_000),
        ("Rp1.000.000.000.000.000", MAX_LINE_RP),
    ],
)
def test_parse_rupiah_accepts_indonesian_forms(text, expected):
    assert parse_rupiah(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "1,5 juta", "1.5", "1.50", "-1000", "Rp -5", "1.500,50", "abc", "1.0000", "12.34.567",
     "Rp1.000.000.000.000.001", -1, MAX_LINE_RP + 1, True],
)
def test_parse_rupiah_refuses_invalid_text(text):
    with pytest.raises(MoneyError):
        parse_rupiah(text)


def test_check_amount_bounds():
    assert [check_amount(0), check_amount(MAX_LINE_RP), check_amount(5, maximum=5)] == [0, MAX_LINE_RP, 5]
    for bad, maximum in ((-1, MAX_LINE_RP), (MAX_LINE_RP + 1, MAX_LINE_RP), (6, 5)):
        with pytest.raises(MoneyError):
            check_amount(bad, maximum=maximum)


def test_format_rupiah_uses_id_grouping():
    assert [format_rupiah(n) for n in (0, 999, 1000, 21_000_000_000, -1_500)] == [
        "Rp0", "Rp999", "Rp1.000", "Rp21.000.000.000", "-Rp1.500",
    ]


@pytest.mark.parametrize(
    ("amount", "long", "short"),
    [
        (21_000_000_000, "Rp21 miliar", "Rp21 M"),
        (1_500_000, "Rp1,5 juta", "Rp1,5 jt"),
        (1_000_000, "Rp1 juta", "Rp1 jt"),
        (999, "Rp999", "Rp999"),
        (0, "Rp0", "Rp0"),
        (2_500, "Rp2,5 ribu", "Rp2,5 rb"),
        (1_250_000_000_000, "Rp1,3 triliun", "Rp1,3 T"),
        (1_049_999_999, "Rp1 miliar", "Rp1 M"),
        (MAX_LINE_RP, "Rp1000 triliun", "Rp1000 T"),
        (-21_000_000_000, "-Rp21 miliar", "-Rp21 M"),
    ],
)
def test_format_rupiah_compact(amount, long, short):
    assert (format_rupiah_compact(amount), format_rupiah_compact(amount, short=True)) == (long, short)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (21_000_000_000, "dua puluh satu miliar rupiah"),
        (1_001_215, "satu juta seribu dua ratus lima belas rupiah"),
        (11, "sebelas rupiah"),
        (100, "seratus rupiah"),
        (1_000, "seribu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (0, "nol rupiah"),
        (10, "sepuluh rupiah"),
        (19, "sembilan belas rupiah"),
        (110, "seratus sepuluh rupiah"),
        (2_000, "dua ribu rupiah"),
        (101_000, "seratus satu ribu rupiah"),
        (MAX_LINE_RP, "seribu triliun rupiah"),
    ],
)
def test_terbilang_spot_checks(amount, words):
    assert terbilang(amount) == words


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_LINE_RP))
def test_terbilang_is_clean_words(amount):
    words = terbilang(amount)
    assert words.endswith(" rupiah")
    assert "  " not in words and not words.startswith(" ")
    # one hundred is `seratus` and a lone thousand `seribu`; `dua puluh satu ribu`, `seratus satu ribu` are right
    assert "satu ratus" not in words
    assert re.search(r"(^|juta |miliar |triliun )satu ribu", words) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Decimal("12")),
        ("12.5", Decimal("12.5")),
        ("12,5", Decimal("12.5")),
        ("0,001", Decimal("0.001")),
        ("1000000000", Decimal("1E+9")),
        (7, Decimal("7")),
        (Decimal("2.250"), Decimal("2.250")),
    ],
)
def test_parse_quantity_accepts_exact_decimals(text, expected):
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    "text",
    ["0", "-1", "1.500,5", "1.2.3", "12,3456", "1000000000.001", "1000000001", "abc", "", "NaN", "1e3",
     Decimal("NaN"), Decimal("Infinity"), 0, True],
)
def test_parse_quantity_refuses_out_of_bounds_or_ambiguous(text):
    with pytest.raises(MoneyError):
        parse_quantity(text)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**9), places=3, allow_nan=False))
def test_parse_quantity_round_trips_canonical_text(quantity):
    assert parse_quantity(quantity_to_text(parse_quantity(quantity))) == quantity


def test_format_quantity_and_line_value():
    assert [format_quantity(Decimal("12.5")), format_quantity(Decimal("1000")), format_quantity("0.125")] == [
        "12,5", "1.000", "0,125",
    ]
    assert [line_value(Decimal("2.5"), 1_001), line_value(Decimal("0.001"), 499)] == [2_503, 0]
