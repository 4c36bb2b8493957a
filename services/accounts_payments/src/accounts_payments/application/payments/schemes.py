"""Which bank payment schemes Toqio may offer for a prospective payment (``bankPaymentSchemes``).

The classification itself (:func:`classify`) is pure; :class:`GetBankPaymentSchemes` adds the one
look-up it needs: whether the beneficiary's account is one of the connector's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from accounts_payments.application.accounts.common import require_customer
from accounts_payments.application.accounts.ports import UnitOfWorkFactory
from accounts_payments.application.beneficiaries.regions import SEPA_COUNTRIES
from accounts_payments.domain.beneficiaries import UK_AREA, invalid
from accounts_payments.domain.payments.schemes import PaymentScheme
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.money import Money

_SORT_CODE = re.compile(r"\d{6}")
_UK_ACCOUNT = re.compile(r"\d{8}")
# SEPA's reach: the EPC countries of the beneficiaries' EU region plus the UK area, which the
# regions module keeps apart only for Toqio's filters (see its comment).
SEPA_REACH = frozenset(c.code for c in SEPA_COUNTRIES) | UK_AREA

__all__ = ["SEPA_REACH", "Destination", "GetBankPaymentSchemes", "PaymentScheme", "classify"]


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the money goes, validated: an IBAN and/or a UK sort code with account number."""

    currency: str
    iban: Iban | None = None
    uk_sort_code: str | None = None
    uk_account_number: str | None = None

    @property
    def uk_domestic(self) -> bool:
        """Whether the account is addressed the UK way (sort code + account, or a GB IBAN)."""
        has_sort_code = self.uk_sort_code is not None and self.uk_account_number is not None
        return has_sort_code or (self.iban is not None and self.iban.country_code == "GB")


def classify(destination: Destination, *, ours: bool) -> tuple[PaymentScheme, ...]:
    """The schemes for a payment to ``destination``, cheapest first.

    An account at our own provider moves by INTERNAL_TRANSFER only; euros to an IBAN in SEPA's
    reach by SEPA or SEPA_INSTANT; sterling to a UK-addressed account by Faster Payments;
    anything else by SWIFT.
    """
    if ours:
        return (PaymentScheme.INTERNAL_TRANSFER,)
    currency = destination.currency.upper()
    iban = destination.iban
    if currency == "EUR" and iban is not None and iban.country_code in SEPA_REACH:
        return (PaymentScheme.SEPA, PaymentScheme.SEPA_INSTANT)
    if currency == "GBP" and destination.uk_domestic:
        return (PaymentScheme.UK_FASTER_PAYMENTS,)
    return (PaymentScheme.SWIFT,)


def _clean(value: str | None) -> str | None:
    stripped = re.sub(r"[\s-]", "", value) if value is not None else None
    return stripped or None


def destination_of(
    asset_type: str | None,
    iban: str | None,
    uk_sort_code: str | None,
    uk_account_number: str | None,
) -> Destination:
    """The checked destination; ``InvalidInput`` naming the ``beneficiary.*`` field at fault."""
    currency = (asset_type or "").strip().lower()
    if not currency:
        raise invalid("beneficiary.assetType", "beneficiary.assetType is required")
    parsed = None
    if (raw_iban := _clean(iban)) is not None:
        try:
            parsed = Iban(raw_iban)
        except InvalidInput as error:
            raise invalid("beneficiary.iban", error.message, code=error.code) from None
    sort_code, account = _clean(uk_sort_code), _clean(uk_account_number)
    if (sort_code is None) != (account is None):
        raise invalid("beneficiary.ukSortCode", "ukSortCode and ukAccountNumber go together")
    if sort_code is not None and not _SORT_CODE.fullmatch(sort_code):
        raise invalid("beneficiary.ukSortCode", "ukSortCode must have 6 digits")
    if account is not None and not _UK_ACCOUNT.fullmatch(account):
        raise invalid("beneficiary.ukAccountNumber", "ukAccountNumber must have 8 digits")
    return Destination(currency, parsed, sort_code, account)


@dataclass(frozen=True, slots=True)
class SchemeQuery:
    """``BankPaymentSchemeRequest`` as the use case needs it."""

    customer_id: str
    destination: Destination
    amount: Decimal | None = None
    beneficiary_account_id: str | None = None


class GetBankPaymentSchemes:
    """The schemes of a prospective payment; nothing is stored."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, query: SchemeQuery) -> tuple[PaymentScheme, ...]:
        """``CUSTOMER_NOT_FOUND`` for an unknown tenant; ``INVALID_AMOUNT`` for a bad amount."""
        if query.amount is not None:
            _check_amount(query.amount, query.destination.currency)
        async with self._uow() as uow:
            await require_customer(uow, query.customer_id)
            ours = False
            if query.destination.iban is not None:
                found = await uow.accounts.find_by_iban(
                    query.customer_id, query.destination.iban.value
                )
                ours = found is not None
            if not ours and query.beneficiary_account_id:
                found = await uow.accounts.get(query.customer_id, query.beneficiary_account_id)
                ours = found is not None
        return classify(query.destination, ours=ours)


def _check_amount(amount: Decimal, currency: str) -> None:
    try:
        money = Money.from_decimal(amount, currency)
    except InvalidInput as error:
        field_name = "amount" if error.code == "INVALID_AMOUNT" else "beneficiary.assetType"
        raise invalid(field_name, error.message, code=error.code) from None
    if not money.is_positive():
        raise invalid("amount", "amount must be greater than zero", code="INVALID_AMOUNT")
