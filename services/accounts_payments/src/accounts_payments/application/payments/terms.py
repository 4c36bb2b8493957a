"""The money terms of a payment: what leaves the source account, what the payee gets, at what rate.

``amount`` is in ``currency``, which names the side it fixes: the source account's currency
fixes what the sender pays, the payee's currency what the beneficiary receives. When the two
currencies differ the payment converts at the provider's rate, rounded in the house's favour
(see ``fx.convert``), and the payer's identity is required for a payment to a third party.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from accounts_payments.application.payments.fx import (
    FX_PAIR_NOT_SUPPORTED,
    FixedSide,
    FxRates,
    convert,
)
from accounts_payments.domain.accounts import Account
from accounts_payments.domain.beneficiaries import invalid
from accounts_payments.domain.payments.payment import Counterparty, CounterpartyKind, FxTerms
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency, Money

CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
PAYER_REQUIRED = "PAYER_REQUIRED"


@dataclass(frozen=True, slots=True)
class TermsRequest:
    """The request fields the terms are made of."""

    amount: Decimal
    currency: str
    fixed_side: str | None = None
    asset_type: str | None = None
    payer: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """Debited and credited amounts, the FX terms when converting, and the payer kept."""

    debited: Money
    credited: Money
    fx: FxTerms | None = None
    payer: Mapping[str, str] | None = None


def requested_amount(amount: Decimal, currency: str) -> Money:
    """The positive amount of the request; ``INVALID_AMOUNT`` or ``INVALID_CURRENCY`` if not."""
    try:
        money = Money.from_decimal(amount, currency)
    except InvalidInput as error:
        field_name = "currency" if error.code != "INVALID_AMOUNT" else "amount"
        raise invalid(field_name, error.message, code=error.code) from None
    if not money.is_positive():
        raise invalid("amount", "amount must be greater than zero", code="INVALID_AMOUNT")
    return money


def _payer_name(payer: Mapping[str, str]) -> str:
    name = payer.get("companyName", "").strip()
    person = f"{payer.get('firstName', '').strip()} {payer.get('lastName', '').strip()}"
    return name or person.strip()


async def terms_of(
    request: TermsRequest, source: Account, payee: Counterparty, rates: FxRates
) -> PaymentTerms:
    """The checked terms of a payment from ``source`` to ``payee``.

    Raises:
        InvalidInput: ``INVALID_AMOUNT``, ``CURRENCY_MISMATCH``, ``FX_PAIR_NOT_SUPPORTED``,
            ``PAYER_REQUIRED``.
    """
    sell, buy = Currency.of(source.currency), Currency.of(payee.currency)
    if request.asset_type and request.asset_type.strip().upper() != buy.code:
        message = f"The beneficiary's account holds {buy.code}, not {request.asset_type.upper()}"
        raise invalid("assetType", message, code=CURRENCY_MISMATCH)
    amount = requested_amount(request.amount, request.currency)
    if amount.currency not in (sell, buy):
        message = f"currency must be {sell.code} (the source account's) or {buy.code}"
        raise invalid("currency", message, code=CURRENCY_MISMATCH)
    if sell == buy:
        return PaymentTerms(debited=amount, credited=amount)
    fixed = FixedSide.SENDER if amount.currency == sell else FixedSide.BENEFICIARY
    if request.fixed_side and request.fixed_side.strip().upper() != fixed.value:
        message = f"amount is in {amount.currency.code}, so the fixed side is {fixed.value.lower()}"
        raise invalid("fixedSide", message, code="FIXED_SIDE_MISMATCH")
    rate = await rates.rate(sell, buy)
    if rate is None or rate <= 0:
        message = f"{sell.code} to {buy.code} is not a supported currency pair"
        raise invalid("beneficiaryAccountId", message, code=FX_PAIR_NOT_SUPPORTED)
    quote = convert(amount, buy if fixed is FixedSide.SENDER else sell, rate, fixed)
    payer = {k: v for k, v in request.payer.items() if v}
    if payee.kind is not CounterpartyKind.OWN_ACCOUNT and not _payer_name(payer):
        raise invalid(
            "payer",
            "An FX payment to a third party needs the payer: companyName, or firstName and "
            "lastName",
            code=PAYER_REQUIRED,
        )
    return PaymentTerms(
        debited=quote.source,
        credited=quote.beneficiary,
        fx=FxTerms(rate=rate, fixed_side=fixed.value),
        payer=payer or None,
    )
