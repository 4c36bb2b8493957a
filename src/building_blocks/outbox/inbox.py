"""Deduplicating consumed messages, so at-least-once delivery has exactly-once effects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.messaging.port import Handler
from building_blocks.outbox.tables import MessagingTables
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from shared_kernel.contracts import Envelope

log = structlog.get_logger(__name__)

Effect = Callable[[SqlAlchemyUnitOfWork, Envelope], Awaitable[None]]
"""Applies a message's effect inside the given unit of work, without committing it."""


class Inbox:
    """Remembers which messages each consumer has already applied."""

    def __init__(self, tables: MessagingTables) -> None:
        self._table = tables.inbox

    async def record(self, session: AsyncSession, consumer: str, message_id: str) -> bool:
        """Record ``message_id`` for ``consumer``; return ``False`` if it was recorded before.

        On PostgreSQL a concurrent duplicate waits for the first transaction and then reports
        ``False``, so two deliveries of one message can never both apply their effect.
        """
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(self._table)
            .values(consumer=consumer, message_id=message_id, received_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
        )
        result = await session.execute(statement)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def idempotent(
    database: Database, tables: MessagingTables, consumer: str, handle: Effect
) -> Handler:
    """Turn ``handle(uow, envelope)`` into a bus handler that applies each message once.

    Each delivery gets its own unit of work: the inbox row and the effect commit together, and
    the handler returns (so the bus acknowledges) only after that commit. A redelivered message
    finds its inbox row and is acknowledged without running the effect again.
    """
    inbox = Inbox(tables)

    async def handler(envelope: Envelope) -> None:
        async with SqlAlchemyUnitOfWork(database.sessions) as uow:
            if not await inbox.record(uow.session, consumer, envelope.message_id):
                log.info(
                    "duplicate message skipped", consumer=consumer, message_id=envelope.message_id
                )
                return
            await handle(uow, envelope)
            await uow.commit()

    return handler
