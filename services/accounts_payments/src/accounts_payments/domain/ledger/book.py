"""A complete ledger in memory: the reference model of the rules, and a fast fake."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from accounts_payments.domain.ledger import errors
from accounts_payments.domain.ledger.balances import new_account
from accounts_payments.domain.ledger.holds import (
    Hold,
    HoldStatus,
    new_hold,
    plan_post,
    plan_release,
    plan_reserve,
)
from accounts_payments.domain.ledger.journal import JournalPlan, plan_journal
from accounts_payments.domain.ledger.values import (
    LedgerBalance,
    NormalSide,
    Posting,
    StatementLine,
    signed_minor,
)
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money


@dataclass(frozen=True, slots=True)
class Journal:
    """A recorded journal: a caller-chosen business id, unique forever."""

    id: str
    description: str
    created_at: datetime
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Entry:
    """One insert-only entry: a posting of a journal, with the balance right after it."""

    id: str
    journal_id: str
    account_id: str
    side: NormalSide
    amount: Money
    balance_after: Money
    created_at: datetime


def statement_line(entry: Entry, journal: Journal, normal_side: NormalSide) -> StatementLine:
    """How ``entry`` appears on its account's statement."""
    minor = signed_minor(entry.side, normal_side, entry.amount.minor)
    return StatementLine(
        journal_id=journal.id,
        entry_id=entry.id,
        booked_at=entry.created_at,
        amount=Money(minor, entry.amount.currency),
        balance_after=entry.balance_after,
        description=journal.description,
        metadata=dict(journal.metadata),
    )


class LedgerBook:
    """Accounts, journals, entries and holds in memory, with every ledger rule applied.

    Every operation checks everything before it changes anything, so a refused operation
    leaves the book as it was. Time is passed in, which keeps the model deterministic.
    """

    def __init__(self) -> None:
        self._accounts: dict[str, LedgerBalance] = {}
        self._journals: dict[str, Journal] = {}
        self._entries: list[Entry] = []
        self._holds: dict[str, Hold] = {}

    @property
    def accounts(self) -> Mapping[str, LedgerBalance]:
        return dict(self._accounts)

    @property
    def journals(self) -> Mapping[str, Journal]:
        return dict(self._journals)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    @property
    def holds(self) -> Mapping[str, Hold]:
        return dict(self._holds)

    def open_account(
        self,
        account_id: str,
        currency: str,
        *,
        normal_side: NormalSide = NormalSide.CREDIT,
        floor_minor: int | None = 0,
    ) -> LedgerBalance:
        """Open an empty account; an id seen before is a ``Conflict``."""
        account = new_account(account_id, currency, normal_side, floor_minor)
        if account_id in self._accounts:
            raise errors.duplicate_account(account_id)
        self._accounts[account_id] = account
        return account

    def record(
        self,
        journal_id: str,
        postings: Sequence[Posting],
        *,
        description: str,
        now: datetime,
        metadata: Mapping[str, str] | None = None,
    ) -> Journal:
        """Post a balanced journal (see :func:`plan_journal` for what is refused)."""
        plan = plan_journal(postings, self._accounts)
        return self._commit_journal(journal_id, description, dict(metadata or {}), plan, now)

    def reserve(
        self,
        hold_id: str,
        *,
        debit_account: str,
        credit_account: str,
        amount: Money,
        now: datetime,
        expires_at: datetime | None = None,
        description: str = "",
    ) -> Hold:
        """Place a hold; it lowers the debit account's ``available`` at once."""
        hold = new_hold(
            hold_id,
            debit_account=debit_account,
            credit_account=credit_account,
            amount=amount,
            now=now,
            expires_at=expires_at,
            description=description,
        )
        if hold_id in self._holds:
            raise errors.duplicate_hold(hold_id)
        self._accounts.update(plan_reserve(hold, self._accounts))
        self._holds[hold_id] = hold
        return hold

    def post_hold(self, hold_id: str, amount: Money | None, *, now: datetime) -> Hold:
        """Post a hold in full or in part; it is recorded as journal ``hold_id``."""
        resolved, plan = plan_post(self.hold(hold_id), amount, now, self._accounts)
        metadata = {"hold_id": hold_id}
        self._commit_journal(hold_id, resolved.description, metadata, plan, now)
        self._holds[hold_id] = resolved
        return resolved

    def void_hold(self, hold_id: str, *, now: datetime) -> Hold:
        """Release a hold without posting anything."""
        return self._release(self.hold(hold_id), HoldStatus.VOIDED, now)

    def expire_holds(self, now: datetime) -> list[str]:
        """Release every pending hold whose expiry has come; returns their ids in id order."""
        expired = sorted(h.id for h in self._holds.values() if h.has_expired(now))
        for hold_id in expired:
            self._release(self._holds[hold_id], HoldStatus.EXPIRED, now)
        return expired

    def balance(self, account_id: str) -> LedgerBalance:
        """An account's counters."""
        account = self._accounts.get(account_id)
        if account is None:
            raise errors.account_not_found(account_id)
        return account

    def hold(self, hold_id: str) -> Hold:
        """A hold as it stands."""
        hold = self._holds.get(hold_id)
        if hold is None:
            raise errors.hold_not_found(hold_id)
        return hold

    def statement(
        self, account_id: str, *, since: datetime, until: datetime
    ) -> list[StatementLine]:
        """Entries of the account booked in ``[since, until)``, oldest first."""
        normal_side = self.balance(account_id).normal_side
        return [
            statement_line(entry, self._journals[entry.journal_id], normal_side)
            for entry in self._entries
            if entry.account_id == account_id and since <= entry.created_at < until
        ]

    def _release(self, hold: Hold, status: HoldStatus, now: datetime) -> Hold:
        resolved, balances = plan_release(hold, status, now, self._accounts)
        self._accounts.update(balances)
        self._holds[hold.id] = resolved
        return resolved

    def _commit_journal(
        self,
        journal_id: str,
        description: str,
        metadata: dict[str, str],
        plan: JournalPlan,
        now: datetime,
    ) -> Journal:
        if journal_id in self._journals:
            raise errors.duplicate_journal(journal_id)
        journal = Journal(journal_id, description, now, metadata)
        self._journals[journal_id] = journal
        self._accounts.update(plan.balances)
        self._entries.extend(
            Entry(new_id(), journal_id, e.account_id, e.side, e.amount, e.balance_after, now)
            for e in plan.entries
        )
        return journal
