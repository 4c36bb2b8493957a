"""The ledger port over an in-memory :class:`LedgerBook`: a fast fake for unit tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from accounts_payments.domain.ledger import (
    Hold,
    LedgerBalance,
    LedgerBook,
    NormalSide,
    Posting,
    StatementLine,
)
from shared_kernel.domain.money import Money


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemoryLedger:
    """The :class:`~accounts_payments.application.ports.ledger.Ledger` port in memory.

    Applies exactly the rules the SQL adapter applies (both call the same domain code). It
    has no transactions: a refused operation changes nothing, but an accepted one stays even
    if the caller's unit of work later rolls back. Share one ``book`` between instances to
    model one database.
    """

    def __init__(
        self, book: LedgerBook | None = None, *, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self.book = book if book is not None else LedgerBook()
        self._clock = clock

    async def open_account(
        self,
        account_id: str,
        currency: str,
        *,
        normal_side: NormalSide = NormalSide.CREDIT,
        floor_minor: int | None = 0,
        name: str = "",
    ) -> None:
        self.book.open_account(
            account_id, currency, normal_side=normal_side, floor_minor=floor_minor
        )

    async def record(
        self,
        journal_id: str,
        postings: Sequence[Posting],
        *,
        description: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        self.book.record(
            journal_id, postings, description=description, metadata=metadata, now=self._clock()
        )

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
        self.book.reserve(
            hold_id,
            debit_account=debit_account,
            credit_account=credit_account,
            amount=amount,
            now=self._clock(),
            expires_at=expires_at,
            description=description,
        )

    async def post_hold(self, hold_id: str, amount: Money | None = None) -> None:
        self.book.post_hold(hold_id, amount, now=self._clock())

    async def void_hold(self, hold_id: str) -> None:
        self.book.void_hold(hold_id, now=self._clock())

    async def expire_holds(self, now: datetime) -> list[str]:
        return self.book.expire_holds(now)

    async def hold(self, hold_id: str) -> Hold:
        return self.book.hold(hold_id)

    async def balance(self, account_id: str) -> LedgerBalance:
        return self.book.balance(account_id)

    async def statement(
        self, account_id: str, *, since: datetime, until: datetime
    ) -> list[StatementLine]:
        return self.book.statement(account_id, since=since, until=until)
