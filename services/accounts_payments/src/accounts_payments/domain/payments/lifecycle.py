"""Where an outbound payment stands, which moves are allowed, and what Toqio calls each state."""

from __future__ import annotations

from enum import StrEnum

from accounts_payments.domain.transactions import TransactionStatus


class PaymentState(StrEnum):
    """The connector's own states of an outbound payment."""

    CREATED = "CREATED"
    RESERVED = "RESERVED"  # the ledger holds the funds
    SUBMITTED = "SUBMITTED"  # the provider has the instruction
    ACCEPTED = "ACCEPTED"  # the provider accepted it for execution
    SETTLED = "SETTLED"  # the money left; the hold is posted
    REJECTED = "REJECTED"  # the provider refused it, with a reason code; the hold is voided
    CANCELLED = "CANCELLED"  # withdrawn before execution; the hold is voided
    RETURNED = "RETURNED"  # sent back after settlement; a reversal journal credits it back


S = PaymentState
_ALLOWED: dict[PaymentState, frozenset[PaymentState]] = {
    S.CREATED: frozenset({S.RESERVED}),
    # A provider may answer a submission with "accepted" at once, or report an outcome for a
    # payment whose submission answer was lost, so later states are reachable directly.
    S.RESERVED: frozenset({S.SUBMITTED, S.ACCEPTED, S.SETTLED, S.REJECTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.SETTLED, S.REJECTED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.SETTLED, S.REJECTED}),
    S.SETTLED: frozenset({S.RETURNED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.RETURNED: frozenset(),
}
# How far along the happy path a state is; an update for an earlier state is stale news.
_PROGRESS = {
    S.CREATED: 0,
    S.RESERVED: 1,
    S.SUBMITTED: 2,
    S.ACCEPTED: 3,
    S.SETTLED: 4,
    S.REJECTED: 4,
    S.CANCELLED: 4,
    S.RETURNED: 5,
}
TOQIO_STATUS: dict[PaymentState, TransactionStatus] = {
    S.CREATED: TransactionStatus.PENDING,
    S.RESERVED: TransactionStatus.PENDING,
    S.SUBMITTED: TransactionStatus.PENDING,
    S.ACCEPTED: TransactionStatus.ACCEPTED,
    S.SETTLED: TransactionStatus.POSTED,
    S.REJECTED: TransactionStatus.FAILED,
    S.CANCELLED: TransactionStatus.CANCELLED,
    # Toqio has no "returned": the payment stays posted and the return is a new transaction.
    S.RETURNED: TransactionStatus.POSTED,
}
HOLD_OPEN = frozenset({S.RESERVED, S.SUBMITTED, S.ACCEPTED})
FINAL = frozenset(state for state, targets in _ALLOWED.items() if not targets)


def can_move(current: PaymentState, target: PaymentState) -> bool:
    """Whether a payment in ``current`` may move to ``target``."""
    return target in _ALLOWED[current]


def is_stale(current: PaymentState, target: PaymentState) -> bool:
    """Whether news of ``target`` arrives after the payment already went past it."""
    non_final_behind = target not in FINAL and _PROGRESS[target] < _PROGRESS[current]
    return target is current or non_final_behind
