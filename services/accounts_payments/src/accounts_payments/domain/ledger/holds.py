"""Holds: reserved funds that resolve exactly once, by posting (in full or part) or release."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from accounts_payments.domain.ledger import errors
from accounts_payments.domain.ledger.balances import CounterChange, apply_changes, pending
from accounts_payments.domain.ledger.journal import JournalPlan, plan_journal
from accounts_payments.domain.ledger.values import LedgerBalance, NormalSide, Posting
from shared_kernel.domain.money import Money


class HoldStatus(StrEnum):
    """Where a hold stands; every status but PENDING is final."""

    PENDING = "PENDING"
    POSTED = "POSTED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class Hold:
    """Funds reserved from ``debit_account`` towards ``credit_account``.

    While PENDING the amount sits in both accounts' pending counters, so it lowers what the
    debit side has available without moving money. ``posted_minor`` is what was finally
    posted (0 unless POSTED).
    """

    id: str
    debit_account: str
    credit_account: str
    amount: Money
    created_at: datetime
    expires_at: datetime | None = None
    description: str = ""
    status: HoldStatus = HoldStatus.PENDING
    posted_minor: int = 0
    resolved_at: datetime | None = None

    @property
    def resolved(self) -> bool:
        return self.status is not HoldStatus.PENDING

    def has_expired(self, now: datetime) -> bool:
        """Whether the hold is pending and its expiry time has come."""
        return not self.resolved and self.expires_at is not None and self.expires_at <= now

    def _ensure_pending(self) -> None:
        if self.resolved:
            raise errors.hold_already_resolved(self.id, self.status.value)

    def posted_as(self, amount: Money | None, now: datetime) -> Hold:
        """This hold posted with ``amount`` (the whole hold when ``None``)."""
        self._ensure_pending()
        amount = self.amount if amount is None else amount
        if amount.currency != self.amount.currency:
            raise errors.currency_mismatch(self.id, self.amount.currency.code, amount.currency.code)
        if amount.minor <= 0:
            raise errors.invalid_amount("a hold is posted with a positive amount; void it instead")
        if amount.minor > self.amount.minor:
            raise errors.invalid_amount(f"cannot post more than the {self.amount} held")
        return replace(self, status=HoldStatus.POSTED, posted_minor=amount.minor, resolved_at=now)

    def released_as(self, status: HoldStatus, now: datetime) -> Hold:
        """This hold voided or expired without posting anything."""
        self._ensure_pending()
        if status not in (HoldStatus.VOIDED, HoldStatus.EXPIRED):
            raise ValueError(f"a hold is released as VOIDED or EXPIRED, not {status}")
        return replace(self, status=status, resolved_at=now)


def new_hold(
    hold_id: str,
    *,
    debit_account: str,
    credit_account: str,
    amount: Money,
    now: datetime,
    expires_at: datetime | None = None,
    description: str = "",
) -> Hold:
    """A new pending hold, checked on its own (accounts are checked by :func:`plan_reserve`)."""
    if not hold_id or len(hold_id) > 100:
        raise errors.invalid_hold("a hold id must have 1 to 100 characters")
    if debit_account == credit_account:
        raise errors.invalid_hold("a hold moves money between two different accounts")
    if amount.minor <= 0:
        raise errors.invalid_amount("a hold amount must be positive")
    return Hold(hold_id, debit_account, credit_account, amount, now, expires_at, description)


def _held(hold: Hold, sign: int) -> dict[str, CounterChange]:
    return {
        hold.debit_account: pending(NormalSide.DEBIT, sign * hold.amount.minor),
        hold.credit_account: pending(NormalSide.CREDIT, sign * hold.amount.minor),
    }


def _check_currency(hold: Hold, balances: Mapping[str, LedgerBalance]) -> None:
    for account_id in (hold.debit_account, hold.credit_account):
        account = balances.get(account_id)
        if account is None:
            raise errors.account_not_found(account_id)
        if account.currency != hold.amount.currency.code:
            raise errors.currency_mismatch(account_id, account.currency, hold.amount.currency.code)


def plan_reserve(hold: Hold, balances: Mapping[str, LedgerBalance]) -> dict[str, LedgerBalance]:
    """The two accounts' counters once ``hold`` is placed (the floor rule applies)."""
    _check_currency(hold, balances)
    return apply_changes(balances, _held(hold, 1))


def plan_post(
    hold: Hold, amount: Money | None, now: datetime, balances: Mapping[str, LedgerBalance]
) -> tuple[Hold, JournalPlan]:
    """Post ``hold`` (all or ``amount`` of it): release what was held, post what is taken."""
    resolved = hold.posted_as(amount, now)
    taken = Money.of(resolved.posted_minor, hold.amount.currency)
    postings = [
        Posting(hold.debit_account, NormalSide.DEBIT, taken),
        Posting(hold.credit_account, NormalSide.CREDIT, taken),
    ]
    return resolved, plan_journal(postings, balances, pending=_held(hold, -1))


def plan_release(
    hold: Hold, status: HoldStatus, now: datetime, balances: Mapping[str, LedgerBalance]
) -> tuple[Hold, dict[str, LedgerBalance]]:
    """Void or expire ``hold``: its amount leaves both pending counters."""
    resolved = hold.released_as(status, now)
    return resolved, apply_changes(balances, _held(hold, -1))
