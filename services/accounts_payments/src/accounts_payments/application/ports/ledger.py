"""The double-entry ledger as the use cases see it, bound to one unit of work's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from shared_kernel.domain.money import Money


class NormalSide(StrEnum):
    """Which side increases an account: customer money we owe is CREDIT-normal (a liability)."""

    DEBIT = "DEBIT"
    CREDIT = "CREDIT"


@dataclass(frozen=True, slots=True)
class LedgerBalance:
    """Counters of one ledger account, in minor units of its currency.

    ``total`` is the posted balance on the account's normal side; ``available`` also takes
    away pending (held) amounts that would reduce it. Neither may go below ``floor_minor``.
    """

    account_id: str
    currency: str
    normal_side: NormalSide
    posted_debits: int
    posted_credits: int
    pending_debits: int
    pending_credits: int
    floor_minor: int
    version: int

    @property
    def total(self) -> Money:
        raw = self.posted_credits - self.posted_debits
        return Money.of(raw if self.normal_side is NormalSide.CREDIT else -raw, self.currency)

    @property
    def available(self) -> Money:
        credit_normal = self.normal_side is NormalSide.CREDIT
        held = self.pending_debits if credit_normal else self.pending_credits
        return self.total - Money.of(held, self.currency)


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of a journal: ``amount`` (positive) debited or credited to ``account_id``."""

    account_id: str
    side: NormalSide
    amount: Money


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A posted entry as an account statement shows it (signed on the account's normal side)."""

    journal_id: str
    entry_id: str
    booked_at: datetime
    amount: Money
    balance_after: Money
    description: str
    metadata: Mapping[str, str] = field(default_factory=dict)


class Ledger(Protocol):
    """Double-entry ledger operations inside the caller's transaction.

    Every journal balances per currency, entries are insert-only, touched accounts are locked
    in ascending id order, and no ``available`` balance may end below its floor (a
    ``RuleViolated`` with code ``INSUFFICIENT_FUNDS``). Holds resolve at most once.
    """

    async def open_account(
        self,
        account_id: str,
        currency: str,
        *,
        normal_side: NormalSide = NormalSide.CREDIT,
        floor_minor: int | None = 0,
        name: str = "",
    ) -> None:
        """Open a ledger account; ``floor_minor=None`` means no floor (internal accounts)."""
        ...

    async def record(
        self,
        journal_id: str,
        postings: Sequence[Posting],
        *,
        description: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Post a balanced journal now; a ``journal_id`` seen before is a ``Conflict``."""
        ...

    async def reserve(
        self,
        hold_id: str,
        *,
        debit_account: str,
        credit_account: str,
        amount: Money,
        expires_at: datetime | None = None,
        description: str = "",
    ) -> None:
        """Place a hold: pending debit/credit that reduces ``available`` but not ``total``."""
        ...

    async def post_hold(self, hold_id: str, amount: Money | None = None) -> None:
        """Post a hold in full or in part (the rest is released); resolves it."""
        ...

    async def void_hold(self, hold_id: str) -> None:
        """Release a hold without posting; resolves it."""
        ...

    async def expire_holds(self, now: datetime) -> list[str]:
        """Release every unresolved hold whose ``expires_at`` has passed; returns their ids."""
        ...

    async def balance(self, account_id: str) -> LedgerBalance:
        """The account's counters (``NotFound`` if it does not exist)."""
        ...

    async def statement(
        self, account_id: str, *, since: datetime, until: datetime
    ) -> list[StatementLine]:
        """Posted entries of the account booked in ``[since, until)``, oldest first."""
        ...
