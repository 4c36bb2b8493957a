"""The security code's persistence: card code attempts, and the unit of work that has them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Self

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.persistence.security_tables import security_code_attempts
from cards.adapters.persistence.unit_of_work import SqlAlchemyCardsUnitOfWork
from cards.application.security.lockout import CodeAttempts

Clock = Callable[[], datetime]

_a = security_code_attempts.c


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SqlAlchemyCodeAttemptRepository:
    """``CodeAttemptRepository`` on ``security_code_attempts``, in the caller's transaction."""

    def __init__(self, session: AsyncSession, *, clock: Clock = _utc_now) -> None:
        self._session = session
        self._clock = clock

    async def lock(self, tenant_id: str, card_id: str) -> CodeAttempts:
        """The card's attempts, its row locked until the transaction ends.

        The row is inserted first if missing: a write, so on SQLite the transaction takes the
        database's write lock at once, and on PostgreSQL ``FOR UPDATE`` then has a row to lock.
        Either way a second check of the same card waits for the first to commit.
        """
        dialect = self._session.get_bind().dialect.name
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        await self._session.execute(
            insert(security_code_attempts)
            .values(
                card_id=card_id,
                tenant_id=tenant_id,
                consecutive_failures=0,
                locked_until=None,
                updated_at=self._clock(),
            )
            .on_conflict_do_nothing()
        )
        row = (
            await self._session.execute(
                sa.select(_a.consecutive_failures, _a.locked_until)
                .where(_a.card_id == card_id, _a.tenant_id == tenant_id)
                .with_for_update()
            )
        ).one_or_none()
        if row is None:
            # The card id is another tenant's: this tenant's card has no attempts there.
            return CodeAttempts()
        return CodeAttempts(row.consecutive_failures, row.locked_until)

    async def save(self, tenant_id: str, card_id: str, attempts: CodeAttempts) -> None:
        """Store the card's new attempts."""
        await self._session.execute(
            sa.update(security_code_attempts)
            .where(_a.card_id == card_id, _a.tenant_id == tenant_id)
            .values(
                consecutive_failures=attempts.consecutive_failures,
                locked_until=attempts.locked_until,
                updated_at=self._clock(),
            )
        )


class SqlAlchemySecurityUnitOfWork(SqlAlchemyCardsUnitOfWork):
    """The cards unit of work plus ``code_attempts``, all on one transaction."""

    code_attempts: SqlAlchemyCodeAttemptRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.code_attempts = SqlAlchemyCodeAttemptRepository(self.session)
        return self
