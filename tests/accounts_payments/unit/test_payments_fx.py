"""FX quotes: both fixed sides, rounding in the house's favour, bad input."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts_payments.adapters.fx.sandbox_fx_rates import SandboxFxRates
from accounts_payments.application.payments.fx import (
    FixedSide,
    QuoteFx,
    QuoteQuery,
    convert,
)
from shared_kernel.domain.errors import InvalidInput, NotFound
from shared_kernel.domain.money import Currency, Money
from tests.accounts_payments.fakes import FakeAccountsUnitOfWork, FakeStore, customer

pytestmark = pytest.mark.unit

EUR, GBP, USD, CHF, JPY = (Currency.of(c) for c in ("EUR", "GBP", "USD", "CHF", "JPY"))
RATES = SandboxFxRates()
TABLE_CURRENCIES = [EUR, GBP, USD, CHF]


def quote_fx() -> QuoteFx:
    store = FakeStore(customers={"cust-1": customer()})
    return QuoteFx(lambda: FakeAccountsUnitOfWork(store), RATES)


def query(amount: str = "100", fixed: FixedSide = FixedSide.SENDER, **kw: str) -> QuoteQuery:
    values = {"source_currency": "eur", "beneficiary_currency": "gbp", "customer_id": "cust-1"}
    values.update(kw)
    return QuoteQuery(fixed_side=fixed, amount=Decimal(amount), **values)


async def test_sandbox_rates_cross_through_the_euro_cut_down() -> None:
    assert await RATES.rate(EUR, GBP) == Decimal("0.85")
    assert await RATES.rate(GBP, EUR) == Decimal("1.176470")  # 1.17647058… cut down
    assert await RATES.rate(GBP, USD) == Decimal("1.270588")
    assert await RATES.rate(EUR, JPY) is None


async def test_fixed_sender_rounds_what_we_give_down() -> None:
    quote = await quote_fx()(query("10.01"))  # 10.01 * 0.85 = 8.5085 GBP
    assert quote.source == Money.from_decimal("10.01", "EUR")
    assert quote.beneficiary == Money.from_decimal("8.50", "GBP")
    assert quote.rate == Decimal("0.85")


async def test_fixed_beneficiary_rounds_what_we_take_up() -> None:
    quote = await quote_fx()(query("8.51", FixedSide.BENEFICIARY))  # 8.51 / 0.85 = 10.01176…
    assert quote.beneficiary == Money.from_decimal("8.51", "GBP")
    assert quote.source == Money.from_decimal("10.02", "EUR")


async def test_an_exact_conversion_is_not_rounded() -> None:
    quote = await quote_fx()(query("8.50", FixedSide.BENEFICIARY))
    assert quote.source == Money.from_decimal("10.00", "EUR")


BAD = [
    pytest.param(query("0"), "INVALID_AMOUNT", id="zero"),
    pytest.param(query("-5"), "INVALID_AMOUNT", id="negative"),
    pytest.param(query("10.001"), "INVALID_AMOUNT", id="too-many-decimals-sender"),
    pytest.param(query("1.001", FixedSide.BENEFICIARY), "INVALID_AMOUNT", id="decimals-gbp"),
    pytest.param(query("0.01"), "INVALID_AMOUNT", id="too-small-to-convert"),  # 0.0085 GBP
    pytest.param(query(beneficiary_currency="eur"), "INVALID_REQUEST", id="same-currency"),
    pytest.param(query(beneficiary_currency="jpy"), "FX_PAIR_NOT_SUPPORTED", id="unsupported"),
    pytest.param(query(source_currency="xyz"), "INVALID_CURRENCY", id="not-a-currency"),
]


@pytest.mark.parametrize(("bad", "code"), BAD)
async def test_bad_quotes_are_refused(bad: QuoteQuery, code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await quote_fx()(bad)
    assert raised.value.code == code


async def test_unknown_customer_is_not_found() -> None:
    with pytest.raises(NotFound):
        await quote_fx()(query(customer_id="cust-404"))


pairs = st.tuples(st.sampled_from(TABLE_CURRENCIES), st.sampled_from(TABLE_CURRENCIES)).filter(
    lambda pair: pair[0] != pair[1]
)
minors = st.integers(min_value=1, max_value=10**12)


def rate_of(sell: Currency, buy: Currency) -> Decimal:
    rate = asyncio.run(RATES.rate(sell, buy))
    assert rate is not None
    return rate


def exact(money: Money) -> Fraction:
    return Fraction(money.minor, 10**money.currency.exponent)


@given(pairs, minors)
def test_rounding_never_favours_the_client(pair: tuple[Currency, Currency], minor: int) -> None:
    sell, buy = pair
    rate = Fraction(rate_of(sell, buy))
    sent = Money(minor, sell)
    try:
        given_away = convert(sent, buy, rate_of(sell, buy), FixedSide.SENDER).beneficiary
        assert exact(given_away) <= exact(sent) * rate  # we give at most the exact value
    except InvalidInput:
        pass  # too small to convert: refused, nobody gains
    wanted = Money(minor, buy)
    taken = convert(wanted, sell, rate_of(sell, buy), FixedSide.BENEFICIARY).source
    assert exact(taken) * rate >= exact(wanted)  # we take at least the exact value


@given(pairs, minors)
def test_fixed_buy_side_then_back_never_yields_more(
    pair: tuple[Currency, Currency], minor: int
) -> None:
    sell, buy = pair
    wanted = Money(minor, buy)
    paid = convert(wanted, sell, rate_of(sell, buy), FixedSide.BENEFICIARY).source
    try:
        back = convert(wanted, sell, rate_of(buy, sell), FixedSide.SENDER).beneficiary
    except InvalidInput:
        return
    assert back <= paid


@given(pairs, minors)
def test_sell_then_sell_back_never_yields_more(pair: tuple[Currency, Currency], minor: int) -> None:
    sell, buy = pair
    start = Money(minor, sell)
    try:
        bought = convert(start, buy, rate_of(sell, buy), FixedSide.SENDER).beneficiary
        back = convert(bought, sell, rate_of(buy, sell), FixedSide.SENDER).beneficiary
    except InvalidInput:
        return
    assert back <= start
