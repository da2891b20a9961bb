"""Numbers printed the way Go's fmt prints a float64 with %v (Grafana's {{ $value }})."""
from __future__ import annotations

import math
from decimal import Decimal

# strconv.FormatFloat(f, 'g', -1, 64): exponent form below 1e-4 and from 1e+06 on.
SMALLEST_PLAIN_EXPONENT, FIRST_EXPONENT_FORM = -4, 6


def go_float(value: float) -> str:
    """The shortest text that reads back as the value, in Go's %v layout (1e+06, 0.5)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign, digit_tuple, exponent = Decimal(repr(float(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple)) or "0"
    minus = "-" if sign else ""
    if digits == "0":
        return f"{minus}0"
    point = len(digits) + int(exponent)  # the decimal point sits after this many digits
    power = point - 1
    if power < SMALLEST_PLAIN_EXPONENT or power >= FIRST_EXPONENT_FORM:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{minus}{digits}{'0' * (point - len(digits))}"
    return f"{minus}{digits[:point]}.{digits[point:]}"


class GoFloat(float):
    """A float that prints like Go's (templates print alert values with it)."""

    def __str__(self) -> str:
        return go_float(self)

    __repr__ = __str__
