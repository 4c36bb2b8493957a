"""The double-entry ledger as the use cases see it, bound to one unit of work's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

# The value types live in the domain; they are re-exported here for the use cases.
from accounts_payments.domain.ledger import (
    Hold,
    HoldStatus,
    LedgerBalance,
    NormalSide,
    Posting,
    StatementLine,
)
from shared_kernel.domain.money import Money

__all__ = [
    "Hold",
    "HoldStatus",
    "Ledger",
    "LedgerBalance",
    "NormalSide",
    "Posting",
    "StatementLine",
]


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
        """Post a hold in full or in part (the rest is released); resolves it.

        The posting is recorded as journal ``hold_id``, so hold ids and journal ids share one
        namespace of business ids.
        """
        ...

    async def void_hold(self, hold_id: str) -> None:
        """Release a hold without posting; resolves it."""
        ...

    async def expire_holds(self, now: datetime) -> list[str]:
        """Release every unresolved hold whose ``expires_at`` has passed; returns their ids."""
        ...

    async def hold(self, hold_id: str) -> Hold:
        """The hold as it stands (``NotFound`` with code ``HOLD_NOT_FOUND`` if unknown)."""
        ...

    async def balance(self, account_id: str) -> LedgerBalance:
        """The account's counters (``NotFound`` if it does not exist)."""
        ...

    async def statement(
        self, account_id: str, *, since: datetime, until: datetime
    ) -> list[StatementLine]:
        """Posted entries of the account booked in ``[since, until)``, oldest first."""
        ...
