"""Fixed exchange rates for the sandbox: a small table, no market data."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal

from shared_kernel.domain.currency import Currency

# Units of each currency for one euro (illustrative mid rates, not market data).
SANDBOX_RATES_PER_EUR: Mapping[str, str] = {
    "EUR": "1",
    "GBP": "0.85",
    "USD": "1.08",
    "CHF": "0.95",
}
_PLACES = Decimal("0.000001")


class SandboxFxRates:
    """Cross rates from a per-euro table, cut to six decimals **down**.

    Cutting down makes every pair's rate at most its mid rate, so ``rate(a, b) * rate(b, a)``
    never exceeds one: a round trip can never create money for the client.
    """

    def __init__(self, per_eur: Mapping[str, str] = SANDBOX_RATES_PER_EUR) -> None:
        self._per_eur = {code.upper(): Decimal(rate) for code, rate in per_eur.items()}

    async def rate(self, sell: Currency, buy: Currency) -> Decimal | None:
        """Units of ``buy`` for one ``sell``; ``None`` for a currency outside the table."""
        sell_rate, buy_rate = self._per_eur.get(sell.code), self._per_eur.get(buy.code)
        if sell_rate is None or buy_rate is None:
            return None
        return (buy_rate / sell_rate).quantize(_PLACES, rounding=ROUND_DOWN)
