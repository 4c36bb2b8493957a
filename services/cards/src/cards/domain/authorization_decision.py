"""The card processor's authorization request and the local part of its decision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from cards.domain import errors
from cards.domain.card import Card
from cards.domain.card_checks import checked_id
from cards.domain.controls import ControlOutcome, Merchant
from cards.domain.lifecycle import CardStatus
from cards.domain.limits import LimitKind, SpendKind
from cards.domain.spend import SpendUsage, check_spend
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Money


class AuthorizationKind(StrEnum):
    """An authorization asks us to decide; an advice tells us the processor already approved.

    An advice comes after a stand-in approval (the processor answered for us while we were
    unreachable): local checks cannot undo it, so they are reported but not enforced.
    """

    AUTHORIZATION = "AUTHORIZATION"
    ADVICE = "ADVICE"


class DeclineReason(StrEnum):
    """Why an authorization is declined, as answered to the processor."""

    CARD_NOT_FOUND = "CARD_NOT_FOUND"
    CARD_NOT_ACTIVE = "CARD_NOT_ACTIVE"  # Pending activation or suspended.
    CARD_BLOCKED = "CARD_BLOCKED"
    CARD_CLOSED = "CARD_CLOSED"  # Cancelled, closed or deleted.
    CARD_READ_ONLY = "CARD_READ_ONLY"
    CARD_EXPIRED = "CARD_EXPIRED"
    CURRENCY_NOT_SUPPORTED = "CURRENCY_NOT_SUPPORTED"
    ATM_NOT_ALLOWED = "ATM_NOT_ALLOWED"
    MCC_BLOCKED = "MCC_BLOCKED"
    COUNTRY_BLOCKED = "COUNTRY_BLOCKED"
    LIMIT_EXCEEDED_TRANSACTION = "LIMIT_EXCEEDED_TRANSACTION"
    LIMIT_EXCEEDED_OPERATIONS = "LIMIT_EXCEEDED_OPERATIONS"
    LIMIT_EXCEEDED_DAILY = "LIMIT_EXCEEDED_DAILY"
    LIMIT_EXCEEDED_MONTHLY = "LIMIT_EXCEEDED_MONTHLY"
    LIMIT_EXCEEDED_LIFETIME = "LIMIT_EXCEEDED_LIFETIME"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    ACCOUNT_NOT_AVAILABLE = "ACCOUNT_NOT_AVAILABLE"
    # The funds reservation was not answered within the deadline: the recorded fallback.
    FUNDS_TIMEOUT = "FUNDS_TIMEOUT"
    FUNDS_UNAVAILABLE = "FUNDS_UNAVAILABLE"

    @classmethod
    def from_funds_refusal(cls, reason: str) -> DeclineReason:
        """The decline for accounts_payments' refusal ``reason`` (FundsReservationAnsweredV1)."""
        return _FUNDS_REFUSALS.get(reason, cls.FUNDS_UNAVAILABLE)

    @classmethod
    def for_limit(cls, kind: LimitKind) -> DeclineReason:
        """The decline for a spend that ``kind`` blocks."""
        return _LIMIT_REASONS[kind]


_FUNDS_REFUSALS: Mapping[str, DeclineReason] = MappingProxyType(
    {
        "INSUFFICIENT_FUNDS": DeclineReason.INSUFFICIENT_FUNDS,
        "ACCOUNT_NOT_FOUND": DeclineReason.ACCOUNT_NOT_AVAILABLE,
        "ACCOUNT_NOT_ACTIVE": DeclineReason.ACCOUNT_NOT_AVAILABLE,
        "CURRENCY_MISMATCH": DeclineReason.CURRENCY_NOT_SUPPORTED,
        # Only after our own VOID, sent when the reservation timed out.
        "ALREADY_RELEASED": DeclineReason.FUNDS_TIMEOUT,
    }
)

_LIMIT_REASONS: Mapping[LimitKind, DeclineReason] = MappingProxyType(
    {
        LimitKind.TRANSACTION: DeclineReason.LIMIT_EXCEEDED_TRANSACTION,
        LimitKind.PURCHASES_OPERATIONS: DeclineReason.LIMIT_EXCEEDED_OPERATIONS,
        LimitKind.ATM_OPERATIONS: DeclineReason.LIMIT_EXCEEDED_OPERATIONS,
        LimitKind.DAILY: DeclineReason.LIMIT_EXCEEDED_DAILY,
        LimitKind.PURCHASES_DAILY: DeclineReason.LIMIT_EXCEEDED_DAILY,
        LimitKind.ATM_DAILY: DeclineReason.LIMIT_EXCEEDED_DAILY,
        LimitKind.MONTHLY: DeclineReason.LIMIT_EXCEEDED_MONTHLY,
        LimitKind.PURCHASES_MONTHLY: DeclineReason.LIMIT_EXCEEDED_MONTHLY,
        LimitKind.ATM_MONTHLY: DeclineReason.LIMIT_EXCEEDED_MONTHLY,
        LimitKind.LIFETIME: DeclineReason.LIMIT_EXCEEDED_LIFETIME,
    }
)

_CONTROL_REASONS: Mapping[ControlOutcome, DeclineReason] = MappingProxyType(
    {
        ControlOutcome.ATM_NOT_ALLOWED: DeclineReason.ATM_NOT_ALLOWED,
        ControlOutcome.MCC_BLOCKED: DeclineReason.MCC_BLOCKED,
        ControlOutcome.COUNTRY_BLOCKED: DeclineReason.COUNTRY_BLOCKED,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorizationRequest:
    """What the processor asks: spend ``amount`` with ``card_id`` at ``merchant``.

    ``processor_id`` is the processor's own id for the request, the idempotency key.

    Raises:
        InvalidInput: ``INVALID_AUTHORIZATION`` for a missing id or a non-positive amount.
    """

    processor_id: str
    card_id: str
    amount: Money
    merchant: Merchant
    kind: AuthorizationKind = AuthorizationKind.AUTHORIZATION

    def __post_init__(self) -> None:
        for name, field in (("processor_id", "processorId"), ("card_id", "cardId")):
            try:
                object.__setattr__(self, name, checked_id(field, getattr(self, name)))
            except InvalidInput:
                raise errors.invalid_authorization(
                    field, "a valid identifier is required"
                ) from None
        if not isinstance(self.amount, Money) or not self.amount.is_positive():
            raise errors.invalid_authorization("amount", "must be a positive amount")

    @property
    def spend_kind(self) -> SpendKind:
        """A purchase, or a cash withdrawal at an ATM or bank counter."""
        return self.merchant.spend_kind

    def differences(self, other: AuthorizationRequest) -> tuple[str, ...]:
        """The wire fields in which ``other`` differs from this request."""
        pairs = (
            ("processorId", self.processor_id, other.processor_id),
            ("cardId", self.card_id, other.card_id),
            ("amount", self.amount.minor, other.amount.minor),
            ("currency", self.amount.currency, other.amount.currency),
            ("merchant", self.merchant, other.merchant),
            ("kind", self.kind, other.kind),
        )
        return tuple(name for name, mine, theirs in pairs if mine != theirs)

    def same_request(self, other: AuthorizationRequest) -> bool:
        """Whether ``other`` is this request sent again (every field equal)."""
        return not self.differences(other)


@dataclass(frozen=True, slots=True)
class LocalDecision:
    """The decision before funds: approve pending a funds reservation, or decline.

    ``limit`` names the limit behind a LIMIT_EXCEEDED_* reason. For an advice ``reason`` is
    always ``None`` and ``advisory_reason`` says what an authorization would have got.
    """

    spend_kind: SpendKind
    reason: DeclineReason | None = None
    limit: LimitKind | None = None
    advisory_reason: DeclineReason | None = None

    @property
    def pending_funds(self) -> bool:
        """Whether the local checks passed and funds must now be reserved."""
        return self.reason is None


def decide_locally(
    card: Card, usage: SpendUsage, request: AuthorizationRequest, today: date
) -> LocalDecision:
    """Run every check that needs nothing but the card; pure and deterministic.

    Checks run in this order and the first failure is the reason:

    1. card status: CLOSED or CANCELLED (or deleted) → CARD_CLOSED, BLOCKED → CARD_BLOCKED,
       PENDING_ACTIVATION or SUSPENDED → CARD_NOT_ACTIVE;
    2. read-only card → CARD_READ_ONLY;
    3. expiry month past on ``today`` → CARD_EXPIRED;
    4. currency other than the card's → CURRENCY_NOT_SUPPORTED;
    5. controls: cash gate, merchant category, country (:meth:`SpendControls.check`);
    6. limits, narrowest first (:func:`check_spend`).

    A card that cannot be used at all declines for that, not for a limit; currency comes
    before limits because limits are kept in the card's currency; a blocked merchant is not
    reported as a limit. Funds are checked afterwards, by the caller, with a reservation.

    Raises:
        InvalidInput: ``INVALID_AUTHORIZATION`` when the request is for another card.
    """
    if request.card_id != card.card_id:
        raise errors.invalid_authorization("cardId", "the request is for another card")
    kind = request.spend_kind
    reason, limit = _first_failure(card, usage, request, today)
    if request.kind is AuthorizationKind.ADVICE:
        return LocalDecision(kind, None, limit, advisory_reason=reason)
    return LocalDecision(kind, reason, limit)


def _first_failure(
    card: Card, usage: SpendUsage, request: AuthorizationRequest, today: date
) -> tuple[DeclineReason | None, LimitKind | None]:
    status_reason = _status_reason(card)
    if status_reason is not None:
        return status_reason, None
    if card.read_only:
        return DeclineReason.CARD_READ_ONLY, None
    if card.is_expired(today):
        return DeclineReason.CARD_EXPIRED, None
    if request.amount.currency != card.currency:
        return DeclineReason.CURRENCY_NOT_SUPPORTED, None
    control = card.controls.check(request.merchant)
    if control is not ControlOutcome.ALLOWED:
        return _CONTROL_REASONS[control], None
    check = check_spend(card.limits, usage, request.amount, request.spend_kind)
    if check.blocked_by is not None:
        return DeclineReason.for_limit(check.blocked_by), check.blocked_by
    return None, None


def _status_reason(card: Card) -> DeclineReason | None:
    if card.is_deleted or card.status.is_terminal:
        return DeclineReason.CARD_CLOSED
    if card.status is CardStatus.BLOCKED:
        return DeclineReason.CARD_BLOCKED
    if card.status is not CardStatus.ACTIVE:
        return DeclineReason.CARD_NOT_ACTIVE
    return None
