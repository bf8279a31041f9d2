"""Exact amounts from text: what parses, to how many units, and the one-line refusals."""

from __future__ import annotations

from decimal import Context, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stocksuite.config.units import AmountError, exact_decimal, parse_units


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [("100", 18, 100 * 10**18), ("10.5", 18, 105 * 10**17), (" 0.000001 ", 6, 1), ("7.10", 2, 710), ("3", 0, 3)],
)
def test_plain_numbers_parse_exactly(text, decimals, units):
    assert parse_units(text, decimals) == units


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1e3", "not a plain positive number"),
        ("inf", "not a plain positive number"),
        ("NaN", "not a plain positive number"),
        ("-1", "not a plain positive number"),
        ("+1", "not a plain positive number"),
        ("1,5", "not a plain positive number"),
        ("", "not a plain positive number"),
        ("0", "is zero"),
        ("0.000", "is zero"),
        ("1.0000001", "has 7 decimals; at most 6 are allowed"),
    ],
)
def test_anything_else_is_one_line_naming_the_value(text, why):
    with pytest.raises(AmountError, match=why) as refused:
        parse_units(text, 6)
    assert repr(text) in str(refused.value) and "\n" not in str(refused.value)


@given(st.integers(min_value=1, max_value=10**40), st.integers(min_value=0, max_value=30))
def test_exact_decimal_and_parse_units_round_trip(units, decimals):
    shown = exact_decimal(units, decimals)
    assert shown.scaleb(decimals, Context(prec=60)) == units
    assert parse_units(format(shown, "f"), decimals) == units
