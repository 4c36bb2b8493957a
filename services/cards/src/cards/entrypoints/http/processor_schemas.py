"""The bodies the card processor sends and gets, and the sandbox's stand-in for it.

Requests are read tolerantly (unknown fields ignored); amounts are decimals in the card
currency, converted exactly to minor units here, never rounded.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from msgspec import Meta

from building_blocks.web import CamelStruct
from cards.application.authorizations.authorize import AuthorizationAnswer
from cards.application.authorizations.settle import SettlementAnswer
from cards.domain import errors
from cards.domain.authorization_decision import (
    AuthorizationKind,
    AuthorizationRequest,
    DeclineReason,
)
from cards.domain.authorization_values import (
    AuthorizationStatus,
    OperationKind,
    ProcessorDecision,
)
from cards.domain.controls import Merchant
from shared_kernel.domain.errors import FieldProblem, InvalidInput
from shared_kernel.domain.money import Money

ProcessorId = Annotated[str, Meta(min_length=1, max_length=128)]
CurrencyCode = Annotated[str, Meta(min_length=3, max_length=3)]
# The domain keeps the first 100 characters of a merchant name; far longer is not a name.
MerchantName = Annotated[str, Meta(max_length=1000)]
Code = Annotated[str, Meta(min_length=1, max_length=8)]


class MerchantIn(CamelStruct, frozen=True, kw_only=True):
    """Where the card is used: name, merchant category code (MCC) and ISO country."""

    name: MerchantName = ""
    mcc: Code
    country: Code


class AuthorizationIn(CamelStruct, frozen=True, kw_only=True):
    """``POST /processor/authorizations`` (and ``/processor/advices``)."""

    processor_id: ProcessorId
    card_id: ProcessorId
    amount: Decimal
    currency: CurrencyCode
    merchant: MerchantIn


class AuthorizationOut(CamelStruct, frozen=True, kw_only=True):
    """The decision: ``reason`` is null for an approval."""

    decision: ProcessorDecision
    reason: DeclineReason | None
    authorization_id: str

    @classmethod
    def of(cls, answer: AuthorizationAnswer) -> AuthorizationOut:
        return cls(
            decision=answer.decision,
            reason=answer.reason,
            authorization_id=answer.authorization_id,
        )


class SettlementIn(CamelStruct, frozen=True, kw_only=True):
    """``POST /processor/clearings`` and ``/processor/reversals``: amount in the card currency."""

    processor_id: ProcessorId
    authorization_id: ProcessorId
    amount: Decimal


class SettlementOut(CamelStruct, frozen=True, kw_only=True):
    """The authorization after a clearing or reversal: what was applied, what stays open."""

    authorization_id: str
    processor_id: str
    operation: OperationKind
    amount: float
    currency: str
    status: AuthorizationStatus
    open_amount: float

    @classmethod
    def of(cls, answer: SettlementAnswer) -> SettlementOut:
        return cls(
            authorization_id=answer.authorization_id,
            processor_id=answer.processor_id,
            operation=answer.kind,
            amount=float(answer.amount.to_decimal()),
            currency=answer.amount.currency.code,
            status=answer.status,
            open_amount=float(answer.open_amount.to_decimal()),
        )


class SandboxPurchaseIn(CamelStruct, frozen=True, kw_only=True):
    """``POST /sandbox/cards/{cardId}/purchases``: a purchase, as a processor would send it."""

    amount: Decimal
    currency: CurrencyCode
    merchant: MerchantIn | None = None


class SandboxAmountIn(CamelStruct, frozen=True, kw_only=True):
    """A sandbox clearing or reversal of ``amount`` (card currency)."""

    amount: Decimal


class SandboxPurchaseOut(CamelStruct, frozen=True, kw_only=True):
    """The decision, with the processor id the sandbox made up for the request."""

    processor_id: str
    decision: ProcessorDecision
    reason: DeclineReason | None
    authorization_id: str


SANDBOX_MERCHANT = MerchantIn(name="Sandbox Coffee Shop", mcc="5814", country="ES")
# As many digits in a row as the shortest card number: in a card id that is a PAN sent by
# mistake; in a merchant descriptor (free text) it may be one too, and the name travels to
# accounts_payments and Toqio, outside the PCI scope.
_CARD_NUMBER_LIKE = re.compile(r"\d{13,}")


def _field(name: str, error: InvalidInput) -> InvalidInput:
    return InvalidInput(
        error.message, code=error.code, problems=(FieldProblem(name, error.code, error.message),)
    )


def money_of(amount: Decimal, currency: str) -> Money:
    """The wire amount as exact minor units of ``currency``.

    Raises:
        InvalidInput: naming ``currency`` (unknown code) or ``amount`` (too many decimals).
    """
    try:
        return Money.from_decimal(amount, currency)
    except InvalidInput as error:
        raise _field("currency" if error.code == "INVALID_CURRENCY" else "amount", error) from None


def card_id_of(card_id: str) -> str:
    """``card_id``, refused (without echoing it) if it could be a card number.

    Raises:
        InvalidInput: ``INVALID_AUTHORIZATION`` naming ``cardId``.
    """
    if _CARD_NUMBER_LIKE.search(card_id):
        raise errors.invalid_authorization("cardId", "must be the card's id, never its number")
    return card_id


def merchant_of(merchant: MerchantIn) -> Merchant:
    """The merchant as the domain reads it; a malformed MCC or country names its field.

    Runs of 13 or more digits in the name are masked: they could be a card number.
    """
    name = _CARD_NUMBER_LIKE.sub(lambda run: "*" * len(run.group()), merchant.name)
    try:
        return Merchant(name, merchant.mcc, merchant.country)
    except InvalidInput as error:
        problem = error.problems[0] if error.problems else None
        field = problem.field if problem else "merchant"
        raise errors.invalid_authorization(
            field, problem.message if problem else "invalid"
        ) from None


def authorization_request(
    data: AuthorizationIn, kind: AuthorizationKind = AuthorizationKind.AUTHORIZATION
) -> AuthorizationRequest:
    """The processor's request as the domain reads it.

    Raises:
        InvalidInput: ``INVALID_AUTHORIZATION``/``INVALID_AMOUNT``/``INVALID_CURRENCY`` naming
            the field at fault.
    """
    return AuthorizationRequest(
        processor_id=data.processor_id,
        card_id=card_id_of(data.card_id),
        amount=money_of(data.amount, data.currency),
        merchant=merchant_of(data.merchant),
        kind=kind,
    )
