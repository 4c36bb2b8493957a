"""Request and response bodies of the payment-scheme and FX-quote endpoints, as Toqio's spec."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from accounts_payments.application.payments.fx import FxQuote
from building_blocks.web import CamelStruct

Text = Annotated[str, msgspec.Meta(max_length=255)]
CurrencyIn = Annotated[str, msgspec.Meta(pattern="^[A-Za-z]{3}$")]


class BeneficiaryBankPaymentScheme(CamelStruct, frozen=True, kw_only=True):
    """The beneficiary fields the classification reads; the spec's others are tolerated."""

    asset_type: Annotated[str, msgspec.Meta(pattern="^[A-Za-z]{3,6}$")]
    iban: Text | None = None
    uk_sort_code: Text | None = None
    uk_account_number: Text | None = None
    bic_swift: Text | None = None
    bank_country: Text | None = None


class BankPaymentSchemeRequest(CamelStruct, frozen=True, kw_only=True):
    """``BankPaymentSchemeRequest``: ``beneficiary`` is required (schemes depend on it)."""

    beneficiary: BeneficiaryBankPaymentScheme
    source_account_id: Text | None = None
    beneficiary_account_id: Text | None = None
    amount: Decimal | None = None
    client_id: Text | None = None
    is_fx_transaction: bool | None = None
    are_own_accounts: bool | None = None
    can_see_fx_payments: bool | None = None


class BankPaymentSchemeExtended(CamelStruct, frozen=True, kw_only=True):
    """One scheme Toqio may use (the spec's object carries only the code)."""

    code: str


class QuoteRequest(CamelStruct, frozen=True, kw_only=True):
    """``QuoteRequest``; ``fixedSide`` in either case (the save-transfer spec uses lower case)."""

    source_currency: CurrencyIn
    beneficiary_currency: CurrencyIn
    fixed_side: Literal["SENDER", "BENEFICIARY", "sender", "beneficiary"]
    amount: Decimal


class QuoteCurrencyPairResponse(CamelStruct, frozen=True, kw_only=True):
    """``QuoteCurrencyPairResponse``: currencies lower case, as Toqio's asset types."""

    source_currency_amount: float
    beneficiary_currency_amount: float
    beneficiary_currency: str
    source_currency: str
    fx_rate: float

    @classmethod
    def of(cls, quote: FxQuote) -> QuoteCurrencyPairResponse:
        return cls(
            source_currency_amount=float(quote.source.to_decimal()),
            beneficiary_currency_amount=float(quote.beneficiary.to_decimal()),
            beneficiary_currency=quote.beneficiary.currency.code.lower(),
            source_currency=quote.source.currency.code.lower(),
            fx_rate=float(quote.rate),
        )
