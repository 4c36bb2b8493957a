"""Amounts converted at the stated rates, rounded up so no limit is slipped under by rounding."""

from __future__ import annotations

import math
from fractions import Fraction

from compliance.application.monitoring.ports import ExchangeRates
from shared_kernel.domain.errors import DomainError
from shared_kernel.domain.money import Currency


def convert_up(minor: int, source: str, target: str, rates: ExchangeRates) -> int | None:
    """``minor`` units of ``source`` in ``target`` minor units, rounded up; ``None`` if no rate.

    The arithmetic is exact (fractions), so rounding up is the only rounding.
    """
    if source.upper() == target.upper():
        return minor
    rate = rates.rate(source, target)
    if rate is None or not rate.is_finite() or rate <= 0:
        return None
    try:
        exponents = Fraction(10 ** Currency.of(target).exponent, 10 ** Currency.of(source).exponent)
    except DomainError:
        return None
    return math.ceil(Fraction(minor) * Fraction(rate) * exponents)
