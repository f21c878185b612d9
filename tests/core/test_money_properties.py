"""Property tests of money parsing and formatting that the example tests do not cover: hostile text never
escapes as anything but MoneyError, rounding is half up and bounded, and compact headlines stay close."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from opop_events.core.money import (
    MAX_LINE_RP,
    MAX_QUANTITY,
    MoneyError,
    format_number,
    format_quantity,
    format_rupiah,
    format_rupiah_compact,
    line_value,
    parse_quantity,
    parse_rupiah,
    quantity_to_text,
)

amounts = st.integers(min_value=0, max_value=MAX_LINE_RP)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=MAX_QUANTITY, places=3, allow_nan=False)
hostile_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.from_regex(
    r"\A(Rp\.? ?)?[0-9.,\-+ eE\u00a0]{0,30}\Z"
)


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_parse_rupiah_of_any_text_is_an_amount_in_bounds_or_a_money_error(text):
    try:
        amount = parse_rupiah(text)
    except MoneyError as exc:
        assert str(exc)  # noqa: PT017 - hypothesis gives any text: an error is one of the allowed outcomes  # an Indonesian message for the field, never an empty one
        return
    assert isinstance(amount, int) and 0 <= amount <= MAX_LINE_RP


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_parse_quantity_of_any_text_is_exact_and_in_bounds_or_a_money_error(text):
    try:
        quantity = parse_quantity(text)
    except MoneyError:
        return
    assert Decimal(0) < quantity <= MAX_QUANTITY
    assert quantity == quantity.quantize(Decimal("0.001"))
    assert parse_quantity(quantity_to_text(quantity)) == quantity


@settings(max_examples=300, deadline=None)
@given(amounts, st.sampled_from(["", " ", "\u00a0"]), st.sampled_from(["Rp", "rp", "Rp.", "RP", ""]),
       st.sampled_from(["", ",0", ",00"]))
def test_parse_rupiah_reads_every_indonesian_spelling_of_an_amount(amount, space, prefix, cents):
    grouped = format_number(amount)
    assert parse_rupiah(f"{space}{prefix}{space}{grouped}{cents}{space}") == amount
    assert parse_rupiah(f"{prefix}{amount}") == amount


@settings(max_examples=300, deadline=None)
@given(amounts)
def test_format_rupiah_groups_digits_by_three_with_dots(amount):
    text = format_rupiah(amount)
    assert re.fullmatch(r"Rp\d{1,3}(\.\d{3})*", text)
    assert int(text[2:].replace(".", "")) == amount
    assert format_rupiah(-amount) == (f"-{text}" if amount else text)


@settings(max_examples=300, deadline=None)
@given(quantities, st.integers(min_value=0, max_value=10**6))
def test_line_value_rounds_half_up_to_the_rupiah(quantity, price):
    value = line_value(quantity, price)
    exact = quantity * price
    assert isinstance(value, int) and value >= 0
    assert abs(Decimal(value) - exact) <= Decimal("0.5")
    assert value == int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    if exact - int(exact) == Decimal("0.5"):
        assert value == int(exact) + 1  # a half rupiah goes up, never to the even neighbour


@settings(max_examples=200, deadline=None)
@given(quantities, quantities, st.integers(min_value=0, max_value=10**6))
def test_line_value_grows_with_quantity(a, b, price):
    low, high = sorted((a, b))
    assert line_value(low, price) <= line_value(high, price)


_COMPACT = re.compile(r"(-?)Rp(\d+(?:,\d)?) (ribu|juta|miliar|triliun)")
_SCALE = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12}


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1_000, max_value=MAX_LINE_RP))
def test_compact_rupiah_is_within_half_a_tenth_of_its_scale(amount):
    text = format_rupiah_compact(amount)
    match = _COMPACT.fullmatch(text)
    assert match, text
    shown = Decimal(match.group(2).replace(",", ".")) * _SCALE[match.group(3)]
    assert abs(shown - amount) <= Decimal(_SCALE[match.group(3)]) / 20
    assert format_rupiah_compact(amount, short=True).startswith(f"Rp{match.group(2)} ")


@settings(max_examples=200, deadline=None)
@given(quantities)
def test_format_quantity_shows_the_exact_digits(quantity):
    shown = format_quantity(quantity)
    whole, _, fraction = shown.partition(",")
    assert Decimal(whole.replace(".", "") + ("." + fraction if fraction else "")) == quantity
