"""The Payment aggregate: an outbound transfer from a merchant account, and its history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from accounts_payments.domain.payments.lifecycle import (
    HOLD_OPEN,
    TOQIO_STATUS,
    PaymentState,
    can_move,
    is_stale,
)
from accounts_payments.domain.payments.reasons import ReasonCode
from accounts_payments.domain.payments.schemes import PaymentScheme, core_payment_type
from accounts_payments.domain.transactions import TransactionStatus
from shared_kernel.domain.errors import RuleViolated
from shared_kernel.domain.money import Money

INVALID_PAYMENT_TRANSITION = "INVALID_PAYMENT_TRANSITION"


class CounterpartyKind(StrEnum):
    """Whom the money goes to."""

    BENEFICIARY = "BENEFICIARY"  # a payee the merchant registered
    OWN_ACCOUNT = "OWN_ACCOUNT"  # another account the connector holds for the same customer


@dataclass(frozen=True, slots=True)
class Counterparty:
    """The payee as it stood when the payment was made (later edits do not rewrite history)."""

    kind: CounterpartyKind
    reference_id: str  # the beneficiary's id, or the connector account's id
    name: str
    currency: str
    country: str
    iban: str | None = None
    bic: str | None = None
    uk_sort_code: str | None = None
    uk_account_number: str | None = None
    account_number: str | None = None
    # The connector account credited when the payee is one of ours (internal transfers).
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class FxTerms:
    """The conversion of an FX payment: the rate applied and whose amount was fixed."""

    rate: Decimal
    fixed_side: str


@dataclass(frozen=True, slots=True)
class PaymentTransition:
    """One move of the payment's lifecycle, kept forever."""

    sequence: int
    previous: PaymentState | None
    state: PaymentState
    at: datetime
    reason: ReasonCode | None = None


@dataclass(eq=False)
class Payment:
    """An outbound payment; ``payment_id`` is the transaction id Toqio knows it by.

    ``amount`` is what leaves the source account, ``credited`` what the payee receives; they
    differ only for FX payments, which carry their ``fx`` terms. The ledger hold of a payment
    has the payment's id.
    """

    payment_id: str
    customer_id: str
    client_id: str
    source_account_id: str
    counterparty: Counterparty
    scheme: PaymentScheme
    amount: Money
    credited: Money
    created_at: datetime
    fx: FxTerms | None = None
    concept: str = ""
    reference: str = ""
    purpose_code: str | None = None
    user_id: str | None = None
    company_id: str | None = None
    payer: Mapping[str, str] | None = None
    idempotency_key: str | None = None
    provider_payment_id: str | None = None
    state: PaymentState = PaymentState.CREATED
    reason: ReasonCode | None = None
    updated_at: datetime | None = None
    transitions_recorded: int = 0
    _new_transitions: list[PaymentTransition] = field(default_factory=list, repr=False)

    @property
    def toqio_status(self) -> TransactionStatus:
        """The status Toqio shows for the payment."""
        return TOQIO_STATUS[self.state]

    @property
    def is_fx(self) -> bool:
        """Whether the payment converts between currencies."""
        return self.fx is not None

    @property
    def core_payment_type(self) -> str:
        """Toqio's ``corePaymentType``."""
        return core_payment_type(self.scheme, fx=self.is_fx)

    @property
    def hold_id(self) -> str:
        """The ledger hold that reserves the payment's funds."""
        return self.payment_id

    @property
    def hold_open(self) -> bool:
        """Whether the funds are still reserved (neither posted nor released)."""
        return self.state in HOLD_OPEN

    def move_to(
        self, target: PaymentState, *, at: datetime, reason: ReasonCode | None = None
    ) -> bool:
        """Record a move to ``target``; ``False`` when it is news of a state already passed.

        Raises:
            RuleViolated: ``INVALID_PAYMENT_TRANSITION`` when the move is not allowed (a
                settled payment cannot be rejected, a rejected one cannot settle).
        """
        if is_stale(self.state, target):
            return False
        # Money moved between two of our own accounts never left the bank: nothing can
        # come back, and a "return" would debit the payee behind Toqio's back.
        internal_return = target is PaymentState.RETURNED and self.counterparty.account_id
        if internal_return or not can_move(self.state, target):
            raise RuleViolated(
                f"Payment {self.payment_id} is {self.state} and cannot become {target}",
                code=INVALID_PAYMENT_TRANSITION,
            )
        previous, self.state, self.updated_at = self.state, target, at
        if reason is not None:
            self.reason = reason
        self.transitions_recorded += 1
        self._new_transitions.append(
            PaymentTransition(self.transitions_recorded, previous, target, at, reason)
        )
        return True

    def reserve(self, *, at: datetime) -> None:
        """The ledger now holds the funds (done in the transaction that creates the payment)."""
        self.move_to(PaymentState.RESERVED, at=at)

    def submitted(self, provider_payment_id: str, *, at: datetime) -> bool:
        """The provider took the instruction under ``provider_payment_id``."""
        self.provider_payment_id = self.provider_payment_id or provider_payment_id
        return self.move_to(PaymentState.SUBMITTED, at=at)

    @property
    def new_transitions(self) -> tuple[PaymentTransition, ...]:
        """The moves recorded since the last pull, left in place for the repository."""
        return tuple(self._new_transitions)

    def pull_transitions(self) -> list[PaymentTransition]:
        """Hand over the moves recorded since the last pull (the repository stores them)."""
        moves, self._new_transitions = self._new_transitions, []
        return moves
