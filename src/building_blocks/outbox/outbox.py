"""Writing integration messages to the outbox, in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.outbox.tables import MessagingTables
from shared_kernel.contracts import Envelope, encode


class Outbox:
    """Stores envelopes to publish; the ``OutboxRelay`` sends them once committed."""

    def __init__(self, tables: MessagingTables) -> None:
        self._table = tables.outbox

    async def add(self, session: AsyncSession, envelope: Envelope) -> None:
        """Insert ``envelope`` in ``session``'s transaction, beside the change it announces."""
        await session.execute(
            self._table.insert().values(
                message_id=envelope.message_id,
                routing_key=envelope.routing_key,
                body=encode(envelope),
                created_at=datetime.now(UTC),
                attempts=0,
            )
        )
