"""StaticExchangeRates: configured ("stated") rates, inverted and crossed through the euro."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

PIVOT = "EUR"

# Stated rates, to be configured per deployment: units of the quote currency per one euro,
# as a compliance officer would state them for limits (not live market rates). Amounts are
# converted and rounded up, so a rate that is slightly off never lets a payment slip under a
# limit by more than that error.
DEFAULT_STATED_RATES: Mapping[tuple[str, str], Decimal] = {
    ("EUR", "GBP"): Decimal("0.85"),
    ("EUR", "USD"): Decimal("1.08"),
    ("EUR", "CHF"): Decimal("0.95"),
    ("EUR", "SEK"): Decimal("11.50"),
    ("EUR", "NOK"): Decimal("11.70"),
    ("EUR", "DKK"): Decimal("7.46"),
    ("EUR", "PLN"): Decimal("4.30"),
    ("EUR", "CZK"): Decimal("25.00"),
    ("EUR", "HUF"): Decimal("395"),
    ("EUR", "RON"): Decimal("4.97"),
    ("EUR", "BGN"): Decimal("1.95583"),  # the currency board's fixed rate
    ("EUR", "JPY"): Decimal("165"),
    ("EUR", "CAD"): Decimal("1.47"),
    ("EUR", "AUD"): Decimal("1.63"),
}


class StaticExchangeRates:
    """``ExchangeRates`` from a fixed table of ``(from, to) -> rate``.

    A pair missing from the table is answered by its inverse, else crossed through the euro
    (``from -> EUR -> to``); ``None`` when neither side can be reached.
    """

    def __init__(self, rates: Mapping[tuple[str, str], Decimal] = DEFAULT_STATED_RATES) -> None:
        table: dict[tuple[str, str], Decimal] = {}
        for (source, target), rate in rates.items():
            if not rate.is_finite() or rate <= 0:
                raise ValueError(f"the rate {source}->{target} must be positive, not {rate}")
            table[source.upper(), target.upper()] = rate
        self._rates = table

    def rate(self, from_: str, to: str) -> Decimal | None:
        """Units of ``to`` per one unit of ``from_``, or ``None`` when no rate is stated."""
        source, target = from_.upper(), to.upper()
        if source == target:
            return Decimal(1)
        direct = self._pair(source, target)
        if direct is not None:
            return direct
        to_pivot, from_pivot = self._pair(source, PIVOT), self._pair(PIVOT, target)
        if to_pivot is None or from_pivot is None:
            return None
        return to_pivot * from_pivot

    def _pair(self, source: str, target: str) -> Decimal | None:
        if source == target:
            return Decimal(1)
        if (rate := self._rates.get((source, target))) is not None:
            return rate
        if (inverse := self._rates.get((target, source))) is not None:
            return 1 / inverse
        return None
