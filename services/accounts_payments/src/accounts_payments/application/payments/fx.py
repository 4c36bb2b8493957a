"""FX quotes: how much the beneficiary receives for what the sender pays, or the reverse.

Rounding is in the house's favour, always: the computed side of a quote is rounded to its
currency's exponent so that the client never gains from it. When the sender's amount is fixed,
the beneficiary's amount (what we give) is rounded **down**; when the beneficiary's amount is
fixed, the sender's amount (what we take) is rounded **up**. The arithmetic is exact (fractions),
so the only rounding is that one step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Protocol

from accounts_payments.application.accounts.common import require_customer
from accounts_payments.application.accounts.ports import UnitOfWorkFactory
from accounts_payments.domain.beneficiaries import invalid
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency, Money

FX_PAIR_NOT_SUPPORTED = "FX_PAIR_NOT_SUPPORTED"


class FixedSide(StrEnum):
    """``QuoteRequest.fixedSide``: whose amount the client fixed."""

    SENDER = "SENDER"
    BENEFICIARY = "BENEFICIARY"


class FxRates(Protocol):
    """Where exchange rates come from (the provider's FX desk; a table in the sandbox)."""

    async def rate(self, sell: Currency, buy: Currency) -> Decimal | None:
        """Units of ``buy`` for one unit of ``sell``; ``None`` when the pair is not offered."""
        ...


@dataclass(frozen=True, slots=True)
class FxQuote:
    """What the sender pays, what the beneficiary receives, and the rate between them."""

    source: Money
    beneficiary: Money
    rate: Decimal


def convert(amount: Money, buy: Currency, rate: Decimal, fixed: FixedSide) -> FxQuote:
    """Quote ``amount`` against ``buy`` at ``rate`` (``buy`` units per one sold unit).

    ``fixed`` says which side ``amount`` is: with SENDER it is what the client pays (in the
    sell currency) and the beneficiary's amount is rounded down; with BENEFICIARY it is what
    the beneficiary receives (in ``buy``) and the sender's amount is rounded up.

    Raises:
        InvalidInput: ``INVALID_AMOUNT`` when the computed side would be zero.
    """
    exact_rate = Fraction(rate)
    if fixed is FixedSide.SENDER:
        sell = amount.currency
        # minor_buy / 10^eb = (minor_sell / 10^es) * rate
        scaled = Fraction(amount.minor) * exact_rate * Fraction(10**buy.exponent, 10**sell.exponent)
        computed = Money(math.floor(scaled), buy)
        quote = FxQuote(source=amount, beneficiary=computed, rate=rate)
    else:
        sell, buy = buy, amount.currency
        scaled = Fraction(amount.minor) / exact_rate * Fraction(10**sell.exponent, 10**buy.exponent)
        computed = Money(math.ceil(scaled), sell)
        quote = FxQuote(source=computed, beneficiary=amount, rate=rate)
    if not computed.is_positive():
        raise invalid("amount", f"amount {amount} is too small to convert", code="INVALID_AMOUNT")
    return quote


@dataclass(frozen=True, slots=True)
class QuoteQuery:
    """``QuoteRequest`` as the use case needs it."""

    customer_id: str
    source_currency: str
    beneficiary_currency: str
    fixed_side: FixedSide
    amount: Decimal


def _currency(code: str, field_name: str) -> Currency:
    try:
        return Currency.of(code)
    except InvalidInput as error:
        raise invalid(field_name, error.message, code=error.code) from None


class QuoteFx:
    """A quote at the current rate; stateless (no quote is stored, none is binding yet)."""

    def __init__(self, uow: UnitOfWorkFactory, rates: FxRates) -> None:
        self._uow = uow
        self._rates = rates

    async def __call__(self, query: QuoteQuery) -> FxQuote:
        """The quote; 400 for bad input or an unsupported pair, 404 for an unknown customer."""
        source = _currency(query.source_currency, "sourceCurrency")
        beneficiary = _currency(query.beneficiary_currency, "beneficiaryCurrency")
        if source == beneficiary:
            raise invalid("beneficiaryCurrency", "source and beneficiary currencies are the same")
        fixed_currency = source if query.fixed_side is FixedSide.SENDER else beneficiary
        try:
            amount = Money.from_decimal(query.amount, fixed_currency)
        except InvalidInput as error:
            raise invalid("amount", error.message, code=error.code) from None
        if not amount.is_positive():
            raise invalid("amount", "amount must be greater than zero", code="INVALID_AMOUNT")
        async with self._uow() as uow:
            await require_customer(uow, query.customer_id)
        rate = await self._rates.rate(source, beneficiary)
        if rate is None or rate <= 0:
            message = f"{source.code} to {beneficiary.code} is not a supported currency pair"
            raise invalid("beneficiaryCurrency", message, code=FX_PAIR_NOT_SUPPORTED)
        other = beneficiary if query.fixed_side is FixedSide.SENDER else source
        return convert(amount, other, rate, query.fixed_side)
