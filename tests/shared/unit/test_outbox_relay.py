"""The outbox relay publishes committed rows in order, keeps them while it cannot, leads alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from building_blocks.messaging import Binding, InMemoryBroker, InMemoryMessageBus, PublishFailed
from building_blocks.outbox import Outbox, OutboxRelay, messaging_tables
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork, service_metadata
from shared_kernel.contracts import Envelope, decode_envelope
from tests.shared.messaging_contract import WAIT, Recorder, booked, eventually, opened

pytestmark = pytest.mark.unit

metadata = service_metadata("ledger")
tables = messaging_tables(metadata)
outbox = Outbox(tables)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{tmp_path}/ledger.db", schema="ledger")
    await db.create_schema(metadata)
    yield db
    await db.dispose()


@pytest.fixture
async def broker() -> InMemoryBroker:
    return InMemoryBroker()


@pytest.fixture
async def bus(broker: InMemoryBroker) -> AsyncIterator[InMemoryMessageBus]:
    bus = InMemoryMessageBus(broker, "ledger")
    await bus.start()
    yield bus
    await bus.close()


class RefusingBus(InMemoryMessageBus):
    """Fails to publish the messages in ``refused``, as a broker that does not confirm them."""

    refused: set[str]

    async def publish(self, envelope: Envelope) -> None:
        if envelope.message_id in self.refused:
            raise PublishFailed("no confirm in time")
        await super().publish(envelope)


@pytest.fixture
async def refusing(broker: InMemoryBroker) -> AsyncIterator[RefusingBus]:
    bus = RefusingBus(broker, "ledger")
    bus.refused = set()
    await bus.start()
    yield bus
    await bus.close()


@pytest.fixture
async def consumer(broker: InMemoryBroker) -> AsyncIterator[Recorder]:
    monitor, recorder = InMemoryMessageBus(broker, "monitor"), Recorder()
    await monitor.subscribe("activity", [Binding("ledger", "#")], recorder)
    yield recorder
    await monitor.close()


async def write(database: Database, *envelopes: Envelope, commit: bool = True) -> None:
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        for envelope in envelopes:
            await outbox.add(uow.session, envelope)
        if commit:
            await uow.commit()


async def rows(database: Database) -> list[sa.Row[tuple[str, object, int, str | None]]]:
    table = tables.outbox
    query = sa.select(table.c.message_id, table.c.sent_at, table.c.attempts, table.c.last_error)
    async with database.sessions() as session:
        return list(await session.execute(query.order_by(table.c.id)))


async def test_committed_rows_are_published_in_order_and_marked_sent(
    database: Database, bus: InMemoryMessageBus, consumer: Recorder
) -> None:
    envelopes = [booked("t-1"), opened(), booked("t-2")]
    await write(database, *envelopes)
    relay = OutboxRelay(database, tables, bus)
    assert await relay.publish_batch() == 3
    assert [await consumer.next() for _ in envelopes] == envelopes
    assert [(r.sent_at is not None, r.attempts) for r in await rows(database)] == [(True, 1)] * 3


async def test_a_rolled_back_transaction_publishes_nothing(
    database: Database, bus: InMemoryMessageBus, consumer: Recorder
) -> None:
    await write(database, booked(), commit=False)
    assert await OutboxRelay(database, tables, bus).publish_batch() == 0
    assert consumer.received == []


async def test_a_relay_woken_after_commit_publishes_without_waiting_for_its_poll(
    database: Database, bus: InMemoryMessageBus, consumer: Recorder
) -> None:
    relay = OutboxRelay(database, tables, bus, poll_interval=60)
    task = asyncio.create_task(relay.run())
    await eventually(lambda: relay.is_active)
    envelope = booked()
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        await outbox.add(uow.session, envelope)
        uow.after_commit(relay.after_commit)
        await uow.commit()
    assert await consumer.next() == envelope
    relay.stop()
    await asyncio.wait_for(task, WAIT)


async def test_a_failed_publish_keeps_the_row_and_the_confirmed_ones_are_marked(
    database: Database, refusing: RefusingBus, consumer: Recorder
) -> None:
    envelopes = [opened(), booked(), opened()]
    refusing.refused.add(envelopes[1].message_id)
    await write(database, *envelopes)
    with pytest.raises(PublishFailed, match="no confirm"):
        await OutboxRelay(database, tables, refusing).publish_batch()
    first, failed, waiting = await rows(database)
    assert first.sent_at is not None
    assert failed.sent_at is None
    assert failed.attempts == 1
    assert failed.last_error == "PublishFailed: no confirm in time"
    assert waiting.sent_at is None
    assert waiting.attempts == 0
    assert consumer.received == envelopes[:1]


async def test_a_relay_keeps_going_past_an_event_nobody_consumes(
    database: Database, bus: InMemoryMessageBus, broker: InMemoryBroker
) -> None:
    monitor, accounts = InMemoryMessageBus(broker, "monitor"), Recorder()
    await monitor.subscribe("accounts", [Binding("ledger", "AccountOpened.*")], accounts)
    unconsumed, consumed = booked(), opened()
    await write(database, unconsumed, consumed)
    assert await OutboxRelay(database, tables, bus).publish_batch() == 2
    assert [(r.sent_at is not None, r.last_error) for r in await rows(database)] == [
        (True, None),
        (True, None),
    ]
    assert await accounts.next() == consumed
    assert [decode_envelope(body) for body in broker.unrouted("ledger")] == [unconsumed]

    # The consumer deployed later gets it once an operator replays the parking lot.
    activity = Recorder()
    await monitor.subscribe("activity", [Binding("ledger", "TransactionBooked.*")], activity)
    assert await bus.replay_unrouted() == 1
    assert await activity.next() == unconsumed
    await monitor.close()


async def test_rows_wait_while_publishing_fails_and_go_out_once_it_works(
    database: Database, refusing: RefusingBus, consumer: Recorder
) -> None:
    envelopes = [booked("t-1"), booked("t-2")]
    refusing.refused.add(envelopes[0].message_id)
    await write(database, *envelopes)
    relay = OutboxRelay(database, tables, refusing, poll_interval=0.05, max_backoff=0.05)
    task = asyncio.create_task(relay.run())

    async def tried_twice() -> bool:
        return bool((await rows(database))[0].attempts >= 2)

    await eventually(tried_twice)
    assert all(row.sent_at is None for row in await rows(database))
    assert consumer.received == []  # the second row waits behind the first: order is kept
    refusing.refused.clear()
    assert [await consumer.next(), await consumer.next()] == envelopes
    relay.stop()
    await asyncio.wait_for(task, WAIT)


async def test_a_relay_stopped_while_backing_off_returns_promptly(
    database: Database, refusing: RefusingBus
) -> None:
    envelope = booked()
    refusing.refused.add(envelope.message_id)
    await write(database, envelope)
    relay = OutboxRelay(database, tables, refusing, max_backoff=60)
    task = asyncio.create_task(relay.run())

    async def tried() -> bool:
        return bool((await rows(database))[0].attempts >= 1)

    await eventually(tried)
    relay.stop()
    await asyncio.wait_for(task, 1.0)
    assert (await rows(database))[0].sent_at is None


async def test_only_one_relay_per_database_is_active_and_a_standby_takes_over(
    database: Database, bus: InMemoryMessageBus, consumer: Recorder
) -> None:
    first = OutboxRelay(database, tables, bus, poll_interval=0.02, standby_interval=0.02)
    second = OutboxRelay(database, tables, bus, poll_interval=0.02, standby_interval=0.02)
    first_task = asyncio.create_task(first.run())

    await eventually(lambda: first.is_active)
    second_task = asyncio.create_task(second.run())
    await asyncio.sleep(0.1)
    assert not second.is_active
    first.stop()
    await first_task

    await eventually(lambda: second.is_active)
    envelope = booked()
    await write(database, envelope)
    assert await consumer.next() == envelope
    second.stop()
    await second_task


def test_a_container_hands_the_relay_the_services_own_tables_not_broken_copies() -> None:
    # dependency-injector deep-copies what it is given; a copied Table cannot build
    # ``attempts + 1``, so sent rows were never marked sent and were published again.
    import copy

    import sqlalchemy as sa

    from building_blocks.outbox import messaging_tables
    from building_blocks.webhooks import webhook_tables

    metadata = sa.MetaData(schema="copy_check")
    messaging, webhooks = messaging_tables(metadata), webhook_tables(metadata)
    assert copy.deepcopy(messaging) is messaging
    assert copy.deepcopy(webhooks) is webhooks
    assert str(messaging.outbox.c.attempts + 1)
