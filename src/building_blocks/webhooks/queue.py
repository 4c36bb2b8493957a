"""Enqueueing a webhook in the caller's transaction, so a change and its webhook commit together."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.webhooks.tables import DeliveryStatus, WebhookTables
from shared_kernel.domain.ids import new_id

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class WebhookQueue:
    """Writes webhook deliveries; the ``WebhookDispatcher`` sends them after commit."""

    def __init__(self, tables: WebhookTables, *, clock: Clock = utc_now) -> None:
        self._deliveries = tables.deliveries
        self._clock = clock

    async def enqueue(
        self,
        session: AsyncSession,
        webhook_type: str,
        payload: Mapping[str, Any] | msgspec.Struct,
        *,
        customer_id: str | None = None,
        dedupe_key: str | None = None,
        ordering_key: str | None = None,
    ) -> str:
        """Add a delivery to the caller's open transaction; nothing is sent before it commits.

        Args:
            session: the session of the caller's unit of work.
            webhook_type: Toqio's webhook type, e.g. ``SYNC_TRANSACTION_STATUS``.
            payload: the JSON body, as a mapping or a msgspec Struct.
            customer_id: the Toqio customer the webhook belongs to, for operators.
            dedupe_key: a key that makes enqueueing idempotent: a second call with the same
                key adds nothing and returns the first delivery's id.
            ordering_key: deliveries with the same key, e.g. ``f"transaction:{id}"``, are
                sent one at a time in enqueue order (``created_at``, then id); without a key
                a delivery is sent as soon as it is due, beside any other. Enqueue order is
                the order of the callers' clocks, so callers enqueueing for one key from
                concurrent transactions must serialise those (normally by updating the same
                aggregate row).

        Returns:
            The delivery id (a UUIDv7 string).
        """
        now = self._clock()
        delivery_id = new_id()
        values = {
            "id": delivery_id,
            "webhook_type": webhook_type,
            "customer_id": customer_id,
            "body": msgspec.json.encode(payload).decode(),
            "dedupe_key": dedupe_key,
            "ordering_key": ordering_key,
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "window_started_at": now,
            "attempts_before_window": 0,
        }
        if dedupe_key is None:
            await session.execute(self._deliveries.insert().values(values))
            return delivery_id
        # ON CONFLICT DO NOTHING instead of catching IntegrityError: a failed INSERT would
        # abort the caller's whole PostgreSQL transaction.
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(self._deliveries)
            .values(values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(self._deliveries.c.id)
        )
        inserted = (await session.execute(statement)).scalar_one_or_none()
        if inserted is not None:
            return str(inserted)
        existing = await session.execute(
            sa.select(self._deliveries.c.id).where(self._deliveries.c.dedupe_key == dedupe_key)
        )
        return str(existing.scalar_one())
