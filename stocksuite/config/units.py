"""Exact amounts: shares and dollars are :class:`~decimal.Decimal`, raw token units are ``int``;
never a float. One place parses them from text and one prints them."""

from __future__ import annotations

import re
from decimal import Context, Decimal

from stocksuite.config.errors import StockSuiteError

_PLAIN_DECIMAL = re.compile(r"\d+(\.\d+)?")


class AmountError(StockSuiteError):
    """An amount given on the command line is not a positive exact number the token can hold."""


def exact_decimal(units: int, exponent: int) -> Decimal:
    """``units * 10**-exponent``, exact, without trailing zeros (print with ``format(d, "f")``)."""
    context = Context(prec=len(str(abs(units))) + 1)
    return Decimal(units).scaleb(-exponent, context).normalize(context)


def parse_units(text: str, decimals: int, what: str = "shares") -> int:
    """``"10.5"`` with ``decimals`` 18 -> ``10500000000000000000``, exactly.

    Refuses, in one line naming the value: anything but plain digits with an optional fraction
    (no sign, exponent, ``inf`` or ``nan``), zero, and more fractional digits than ``decimals``
    (which would otherwise be cut off silently).
    """
    value = text.strip()
    if not _PLAIN_DECIMAL.fullmatch(value):
        raise AmountError(f"{what} {text!r} is not a plain positive number such as 10 or 10.5")
    whole, _, fraction = value.partition(".")
    if len(fraction) > decimals:
        raise AmountError(f"{what} {text!r} has {len(fraction)} decimals; at most {decimals} are allowed")
    units = int(whole) * 10**decimals + int(fraction.ljust(decimals, "0") or 0)
    if units == 0:
        raise AmountError(f"{what} {text!r} is zero")
    return units
