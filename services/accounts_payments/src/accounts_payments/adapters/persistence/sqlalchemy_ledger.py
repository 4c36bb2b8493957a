"""The ledger on SQLAlchemy, inside the caller's transaction, with ordered row locks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from accounts_payments.adapters.persistence.ledger_tables import (
    balance_from_row,
    hold_from_row,
    hold_row,
    ledger_accounts,
    ledger_entries,
    ledger_holds,
    ledger_journals,
    statement_line_from_row,
)
from accounts_payments.adapters.persistence.transactions import ConcurrentUpdate
from accounts_payments.domain.ledger import (
    Hold,
    HoldStatus,
    JournalPlan,
    LedgerBalance,
    NormalSide,
    Posting,
    StatementLine,
    account_ids,
    new_account,
    new_hold,
    plan_journal,
    plan_post,
    plan_release,
    plan_reserve,
    validate_journal,
)
from accounts_payments.domain.ledger import errors as ledger_errors
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SqlAlchemyLedger:
    """The :class:`~accounts_payments.application.ports.ledger.Ledger` port on SQLAlchemy.

    Works inside the caller's transaction and never commits. Every account an operation
    changes is locked first (``SELECT … FOR UPDATE``, ascending id), so concurrent transfers
    serialise per account instead of losing updates; each counter update also checks the
    version it read, as a second line of defence. All checks run before the first write, so
    a refused operation leaves nothing behind in the caller's transaction.
    """

    def __init__(self, session: AsyncSession, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._session = session
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
        account = new_account(account_id, currency, normal_side, floor_minor)
        row = {
            "id": account.account_id,
            "currency": account.currency,
            "normal_side": account.normal_side.value,
            "floor_minor": account.floor_minor,
            "name": name,
            "created_at": self._clock(),
        }
        if not await self._insert_new(ledger_accounts, row):
            raise ledger_errors.duplicate_account(account_id)

    async def record(
        self,
        journal_id: str,
        postings: Sequence[Posting],
        *,
        description: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        validate_journal(postings)
        balances = await self._lock_accounts(account_ids(postings))
        plan = plan_journal(postings, balances)
        await self._write_journal(journal_id, description, metadata or {}, balances, plan)

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
        hold = new_hold(
            hold_id,
            debit_account=debit_account,
            credit_account=credit_account,
            amount=amount,
            now=self._clock(),
            expires_at=expires_at,
            description=description,
        )
        if await self._find_hold(hold_id) is not None:
            raise ledger_errors.duplicate_hold(hold_id)
        balances = await self._lock_accounts([debit_account, credit_account])
        after = plan_reserve(hold, balances)
        row = hold_row(hold)
        if not await self._insert_new(ledger_holds, row):
            raise ledger_errors.duplicate_hold(hold_id)
        await self._save_balances(balances, after)

    async def post_hold(self, hold_id: str, amount: Money | None = None) -> None:
        hold = await self._lock_hold(hold_id)
        balances = await self._lock_accounts([hold.debit_account, hold.credit_account])
        resolved, plan = plan_post(hold, amount, self._clock(), balances)
        metadata = {"hold_id": hold_id}
        await self._write_journal(hold_id, hold.description, metadata, balances, plan)
        await self._save_hold(resolved)

    async def void_hold(self, hold_id: str) -> None:
        hold = await self._lock_hold(hold_id)
        await self._release([hold], HoldStatus.VOIDED, self._clock())

    async def expire_holds(self, now: datetime) -> list[str]:
        # SKIP LOCKED: a hold another transaction is posting or expiring right now is theirs.
        query = (
            sa.select(ledger_holds)
            .where(ledger_holds.c.status == HoldStatus.PENDING.value)
            .where(ledger_holds.c.expires_at <= now)
            .order_by(ledger_holds.c.id)
            .with_for_update(skip_locked=True)
        )
        holds = [hold_from_row(row) for row in (await self._session.execute(query)).all()]
        await self._release(holds, HoldStatus.EXPIRED, now)
        return [hold.id for hold in holds]

    async def hold(self, hold_id: str) -> Hold:
        hold = await self._find_hold(hold_id)
        if hold is None:
            raise ledger_errors.hold_not_found(hold_id)
        return hold

    async def balance(self, account_id: str) -> LedgerBalance:
        query = sa.select(ledger_accounts).where(ledger_accounts.c.id == account_id)
        row = (await self._session.execute(query)).one_or_none()
        if row is None:
            raise ledger_errors.account_not_found(account_id)
        return balance_from_row(row)

    async def statement(
        self, account_id: str, *, since: datetime, until: datetime
    ) -> list[StatementLine]:
        normal_side = (await self.balance(account_id)).normal_side
        e, j = ledger_entries, ledger_journals
        query = (
            sa.select(e, j.c.description, j.c["metadata"].label("journal_metadata"))
            .join(j, j.c.id == e.c.journal_id)
            .where(e.c.account_id == account_id, e.c.created_at >= since, e.c.created_at < until)
            .order_by(e.c.created_at, e.c.id)
        )
        rows = (await self._session.execute(query)).all()
        return [statement_line_from_row(row, normal_side) for row in rows]

    async def _lock_accounts(self, ids: Iterable[str]) -> dict[str, LedgerBalance]:
        # One statement, sorted: PostgreSQL locks rows as the sorted result is produced, so
        # every transaction takes its account locks in the same order and cannot deadlock on
        # them. SQLite ignores FOR UPDATE; it has a single writer anyway.
        query = (
            sa.select(ledger_accounts)
            .where(ledger_accounts.c.id.in_(sorted(set(ids))))
            .order_by(ledger_accounts.c.id)
            .with_for_update()
        )
        rows = (await self._session.execute(query)).all()
        return {row.id: balance_from_row(row) for row in rows}

    async def _find_hold(self, hold_id: str, *, lock: bool = False) -> Hold | None:
        query = sa.select(ledger_holds).where(ledger_holds.c.id == hold_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else hold_from_row(row)

    async def _lock_hold(self, hold_id: str) -> Hold:
        # Holds are locked before their accounts, in every operation, to keep one lock order.
        hold = await self._find_hold(hold_id, lock=True)
        if hold is None:
            raise ledger_errors.hold_not_found(hold_id)
        return hold

    async def _release(self, holds: Sequence[Hold], status: HoldStatus, now: datetime) -> None:
        ids = {account for hold in holds for account in (hold.debit_account, hold.credit_account)}
        before = await self._lock_accounts(ids)
        balances = dict(before)
        for hold in holds:
            resolved, changed = plan_release(hold, status, now, balances)
            balances.update(changed)
            await self._save_hold(resolved)
        await self._save_balances(before, balances)

    async def _write_journal(
        self,
        journal_id: str,
        description: str,
        metadata: Mapping[str, str],
        before: Mapping[str, LedgerBalance],
        plan: JournalPlan,
    ) -> None:
        now = self._clock()
        journal = {
            "id": journal_id,
            "description": description,
            "metadata": dict(metadata),
            "created_at": now,
        }
        # The journal row goes first: if its id is taken, nothing else has been written yet.
        if not await self._insert_new(ledger_journals, journal):
            raise ledger_errors.duplicate_journal(journal_id)
        await self._save_balances(before, plan.balances)
        entries = [
            {
                "id": new_id(),
                "journal_id": journal_id,
                "account_id": entry.account_id,
                "side": entry.side.value,
                "amount_minor": entry.amount.minor,
                "currency": entry.amount.currency.code,
                "balance_after": entry.balance_after.minor,
                "created_at": now,
            }
            for entry in plan.entries
        ]
        await self._session.execute(sa.insert(ledger_entries), entries)

    async def _save_balances(
        self, before: Mapping[str, LedgerBalance], after: Mapping[str, LedgerBalance]
    ) -> None:
        for account_id in sorted(after):
            new, old = after[account_id], before[account_id]
            result = await self._session.execute(
                sa.update(ledger_accounts)
                .where(ledger_accounts.c.id == account_id)
                .where(ledger_accounts.c.version == old.version)
                .values(
                    posted_debits=new.posted_debits,
                    posted_credits=new.posted_credits,
                    pending_debits=new.pending_debits,
                    pending_credits=new.pending_credits,
                    version=old.version + 1,
                )
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise ConcurrentUpdate(f"ledger account {account_id} changed concurrently")

    async def _save_hold(self, hold: Hold) -> None:
        result = await self._session.execute(
            sa.update(ledger_holds)
            .where(ledger_holds.c.id == hold.id)
            .where(ledger_holds.c.status == HoldStatus.PENDING.value)
            .values(
                status=hold.status.value,
                posted_minor=hold.posted_minor,
                resolved_at=hold.resolved_at,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(f"hold {hold.id} was resolved concurrently")

    async def _insert_new(self, table: sa.Table, row: Mapping[str, Any]) -> bool:
        """Insert ``row`` unless its primary key exists; whether it was inserted."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).values(**row).on_conflict_do_nothing().returning(table.c.id)
        return (await self._session.execute(statement)).first() is not None
