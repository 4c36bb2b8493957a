"""The inbox lets each consumer apply a message once, however often it is delivered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from building_blocks.outbox import Inbox, idempotent, messaging_tables
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork, service_metadata
from shared_kernel.contracts import Envelope
from tests.shared.messaging_contract import booked

pytestmark = pytest.mark.unit

metadata = service_metadata("monitor")
tables = messaging_tables(metadata)
totals = sa.Table(
    "totals",
    metadata,
    sa.Column("account_id", sa.String, primary_key=True),
    sa.Column("n", sa.Integer),
)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{tmp_path}/monitor.db", schema="monitor")
    await db.create_schema(metadata)
    yield db
    await db.dispose()


async def count_booking(uow: SqlAlchemyUnitOfWork, envelope: Envelope) -> None:
    session = uow.session
    updated = await session.execute(totals.update().values(n=totals.c.n + 1))
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(totals.insert().values(account_id="a-1", n=1))


async def applied(database: Database) -> int:
    async with database.sessions() as session:
        total = sa.select(sa.func.coalesce(sa.func.sum(totals.c.n), 0))
        return int((await session.execute(total)).scalar_one())


async def test_recording_a_message_twice_reports_the_duplicate(database: Database) -> None:
    inbox = Inbox(tables)
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        assert await inbox.record(uow.session, "activity", "m-1")
        assert not await inbox.record(uow.session, "activity", "m-1")
        assert await inbox.record(uow.session, "statements", "m-1")


async def test_a_redelivered_message_is_applied_once(database: Database) -> None:
    handler = idempotent(database, tables, "activity", count_booking)
    envelope = booked()
    await handler(envelope)
    await handler(envelope)
    await handler(booked("t-2"))
    assert await applied(database) == 2


async def test_a_failed_effect_leaves_no_inbox_row_so_the_retry_applies_it(
    database: Database,
) -> None:
    failures = [RuntimeError("constraint")]

    async def flaky(uow: SqlAlchemyUnitOfWork, envelope: Envelope) -> None:
        await count_booking(uow, envelope)
        if failures:
            raise failures.pop()

    handler = idempotent(database, tables, "activity", flaky)
    envelope = booked()
    with pytest.raises(RuntimeError):
        await handler(envelope)
    assert await applied(database) == 0
    await handler(envelope)
    assert await applied(database) == 1
