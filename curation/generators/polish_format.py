"""Exact number text for the polish generator: every number an answer states goes through here.

Values are `Fraction`s, so no float rounding ever reaches the text; a value whose decimal
expansion does not terminate within the allowed places raises instead of being rounded,
because a polish answer must be exactly right, never approximately.
"""

from __future__ import annotations

from fractions import Fraction

MAX_PLACES = 6  # decimal places a plain number may need (values are built to need far fewer)


def decimal_text(x: Fraction | int, max_places: int = MAX_PLACES) -> str:
    """'40', '12.5', '-0.75': the shortest exact decimal of `x`. ValueError when it needs more
    than `max_places` decimal places (1/3 never terminates)."""
    x = Fraction(x)
    sign = "-" if x < 0 else ""
    x = abs(x)
    for places in range(max_places + 1):
        scaled = x * 10**places
        if scaled.denominator == 1:
            digits = str(scaled.numerator).rjust(places + 1, "0")
            if places == 0:
                return sign + digits
            return f"{sign}{digits[:-places]}.{digits[-places:]}"
    raise ValueError(f"{x} has no exact decimal with at most {max_places} places")


def money_text(x: Fraction | int) -> str:
    """'$3.50': dollars with exactly two places. ValueError on a fraction of a cent or a negative amount."""
    x = Fraction(x)
    if x < 0:
        raise ValueError(f"negative amount {x}")
    cents = x * 100
    if cents.denominator != 1:
        raise ValueError(f"{x} dollars is not a whole number of cents")
    return f"${cents.numerator // 100}.{cents.numerator % 100:02d}"


def percent_text(x: Fraction | int) -> str:
    """'12.5%': a percentage given in percent units (12.5, not 0.125)."""
    return decimal_text(x) + "%"
