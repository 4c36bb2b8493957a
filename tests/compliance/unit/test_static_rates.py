"""StaticExchangeRates: stated rates, their inverses and crosses through the euro."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compliance.adapters.rates.static_rates import DEFAULT_STATED_RATES, StaticExchangeRates

pytestmark = pytest.mark.unit

RATES = StaticExchangeRates(
    {("EUR", "GBP"): Decimal("0.80"), ("EUR", "USD"): Decimal("1.25"), ("CHF", "EUR"): Decimal(2)}
)


def test_a_currency_converts_to_itself_at_one() -> None:
    assert RATES.rate("JPY", "JPY") == 1


def test_a_stated_pair_converts_at_its_rate() -> None:
    assert RATES.rate("EUR", "GBP") == Decimal("0.80")
    assert RATES.rate("CHF", "EUR") == 2


def test_the_reverse_of_a_stated_pair_converts_at_the_inverse() -> None:
    assert RATES.rate("GBP", "EUR") == Decimal("1.25")
    assert RATES.rate("EUR", "CHF") == Decimal("0.5")


def test_two_currencies_without_a_pair_cross_through_the_euro() -> None:
    assert RATES.rate("GBP", "USD") == Decimal("1.5625")
    assert RATES.rate("CHF", "GBP") == Decimal("1.6")


def test_codes_are_read_in_either_case() -> None:
    assert RATES.rate("eur", "gbp") == Decimal("0.80")


def test_a_currency_without_a_stated_rate_has_no_rate() -> None:
    assert RATES.rate("EUR", "MXN") is None
    assert RATES.rate("MXN", "GBP") is None


@pytest.mark.parametrize("rate", [Decimal(0), Decimal(-1), Decimal("NaN")])
def test_a_rate_that_is_not_positive_is_refused(rate: Decimal) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        StaticExchangeRates({("EUR", "GBP"): rate})


def test_the_default_stated_rates_reach_a_dozen_currencies_from_the_euro_and_back() -> None:
    rates = StaticExchangeRates()
    quoted = {target for source, target in DEFAULT_STATED_RATES if source == "EUR"}
    assert {"GBP", "USD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "JPY"} <= quoted
    for code in quoted:
        there, back = rates.rate("EUR", code), rates.rate(code, "EUR")
        assert there is not None
        assert back is not None
        assert there * back == pytest.approx(Decimal(1))
