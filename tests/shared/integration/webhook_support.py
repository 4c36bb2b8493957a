"""Plain helpers shared by the webhook integration tests (their fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from building_blocks.persistence import Database, SqlAlchemyUnitOfWork, service_metadata
from building_blocks.webhooks import RetryPolicy, WebhookQueue, webhook_tables

SCHEMA = "webhook_test"
metadata = service_metadata(SCHEMA)
tables = webhook_tables(metadata)
LEASE = timedelta(seconds=30)
POLICY = RetryPolicy(initial_wait=1, max_wait=60, jitter=1, lease=LEASE)
FAST = RetryPolicy(initial_wait=0.01, max_wait=0.05, jitter=0.01)


class ManualClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def enqueue_all(
    database: Database,
    clock: Any,
    webhook_type: str,
    items: Iterable[tuple[Any, dict[str, Any]]],
) -> list[str]:
    """Enqueue ``(payload, options)`` items in one transaction, in order.

    ``clock=None`` leaves the queue on real time.
    """
    queue = WebhookQueue(tables, clock=clock) if clock else WebhookQueue(tables)
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        ids = [
            await queue.enqueue(uow.session, webhook_type, payload, **options)
            for payload, options in items
        ]
        await uow.commit()
    return ids


async def statuses(database: Database) -> list[str]:
    """The status of every delivery, in no particular order."""
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        query = sa.select(tables.deliveries.c.status)
        return list((await uow.session.execute(query)).scalars())


async def status_of(database: Database, *delivery_ids: str) -> list[str]:
    """The status of each of the given deliveries, in the order asked."""
    d = tables.deliveries
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        rows = await uow.session.execute(
            sa.select(d.c.id, d.c.status).where(d.c.id.in_(delivery_ids))
        )
        by_id = {row.id: row.status for row in rows}
    return [by_id[delivery_id] for delivery_id in delivery_ids]


async def attempt_rows(database: Database, delivery_id: str | None = None) -> list[Any]:
    """Recorded attempts, of one delivery or of all, by attempt number."""
    a = tables.attempts
    query = sa.select(a).order_by(a.c.attempt)
    if delivery_id is not None:
        query = query.where(a.c.delivery_id == delivery_id)
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        return list((await uow.session.execute(query)).all())
