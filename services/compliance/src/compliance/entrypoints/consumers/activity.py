"""The consumer that keeps compliance's activity aggregates from TransactionBookedV1 events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.outbox import MessagingTables, idempotent
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from shared_kernel.contracts import Envelope, TransactionBookedV1

CONSUMER = "compliance.activity"


class ActivityRecorder(Protocol):
    """Records a booking in the caller's transaction (``SqlAlchemyActivity`` does)."""

    async def record(self, session: AsyncSession, event: TransactionBookedV1) -> None: ...


def activity_handler(
    database: Database, tables: MessagingTables, activity: ActivityRecorder
) -> Callable[[Envelope], Awaitable[None]]:
    """A bus handler recording each booking exactly once (inbox row and activity row together).

    Other message types are acknowledged untouched, without opening a transaction.
    """

    async def record(uow: SqlAlchemyUnitOfWork, envelope: Envelope) -> None:
        assert isinstance(envelope.payload, TransactionBookedV1)
        await activity.record(uow.session, envelope.payload)

    once = idempotent(database, tables, CONSUMER, record)

    async def handle(envelope: Envelope) -> None:
        if isinstance(envelope.payload, TransactionBookedV1):
            await once(envelope)

    return handle
