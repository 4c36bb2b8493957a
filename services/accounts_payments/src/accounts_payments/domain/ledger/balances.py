"""Counter changes on ledger accounts and the floor rule that guards them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from accounts_payments.domain.ledger import errors
from accounts_payments.domain.ledger.values import LedgerBalance, NormalSide
from shared_kernel.domain.money import Currency


@dataclass(frozen=True, slots=True)
class CounterChange:
    """Signed deltas of an account's four counters (pending ones go down on release)."""

    posted_debits: int = 0
    posted_credits: int = 0
    pending_debits: int = 0
    pending_credits: int = 0

    def __add__(self, other: CounterChange) -> CounterChange:
        return CounterChange(
            self.posted_debits + other.posted_debits,
            self.posted_credits + other.posted_credits,
            self.pending_debits + other.pending_debits,
            self.pending_credits + other.pending_credits,
        )


def posted(side: NormalSide, amount_minor: int) -> CounterChange:
    """The change of posting ``amount_minor`` on ``side``."""
    if side is NormalSide.DEBIT:
        return CounterChange(posted_debits=amount_minor)
    return CounterChange(posted_credits=amount_minor)


def pending(side: NormalSide, amount_minor: int) -> CounterChange:
    """The change of holding (positive) or releasing (negative) ``amount_minor`` on ``side``."""
    if side is NormalSide.DEBIT:
        return CounterChange(pending_debits=amount_minor)
    return CounterChange(pending_credits=amount_minor)


def new_account(
    account_id: str, currency: str, normal_side: NormalSide, floor_minor: int | None
) -> LedgerBalance:
    """A freshly opened, empty account; refuses blank ids and floors above zero.

    A positive floor would leave a new, empty account below its own floor, so a minimum
    balance is not expressible; a negative floor is an overdraft limit.
    """
    if not account_id or len(account_id) > 100:
        raise errors.invalid_account("a ledger account id must have 1 to 100 characters")
    if floor_minor is not None and floor_minor > 0:
        raise errors.invalid_account("a floor must be 0 or negative (an overdraft limit)")
    code = Currency.of(currency).code
    return LedgerBalance(account_id, code, NormalSide(normal_side), 0, 0, 0, 0, floor_minor, 0)


def apply_change(balance: LedgerBalance, change: CounterChange) -> LedgerBalance:
    """Return ``balance`` after ``change``, with its version bumped.

    Raises:
        RuleViolated: ``INSUFFICIENT_FUNDS`` when the change lowers ``available`` below the
            floor. A change that raises ``available`` is always allowed, so money can still
            come into an account that sits below a floor lowered after the fact.
    """
    after = replace(
        balance,
        posted_debits=balance.posted_debits + change.posted_debits,
        posted_credits=balance.posted_credits + change.posted_credits,
        pending_debits=balance.pending_debits + change.pending_debits,
        pending_credits=balance.pending_credits + change.pending_credits,
        version=balance.version + 1,
    )
    if (
        min(after.posted_debits, after.posted_credits, after.pending_debits, after.pending_credits)
        < 0
    ):
        raise ValueError(f"counters of {balance.account_id} would go negative")  # a bug, not input
    floor = balance.floor_minor
    if (
        floor is not None
        and after.available_minor < balance.available_minor
        and after.available_minor < floor
    ):
        raise errors.insufficient_funds()
    return after


def apply_changes(
    balances: Mapping[str, LedgerBalance], changes: Mapping[str, CounterChange]
) -> dict[str, LedgerBalance]:
    """Apply each account's net change (one version bump each); all or nothing."""
    after: dict[str, LedgerBalance] = {}
    for account_id in sorted(changes):
        if account_id not in balances:
            raise errors.account_not_found(account_id)
        after[account_id] = apply_change(balances[account_id], changes[account_id])
    return after
