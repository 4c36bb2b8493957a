"""The RabbitMQ message bus passes the shared message-bus suite on a real broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable

import aio_pika
import pytest

from building_blocks.messaging import Binding, PublishFailed, RabbitMqMessageBus, Unroutable
from tests.shared.messaging_contract import (
    WAIT,
    MessageBusContract,
    Recorder,
    booked,
    eventually,
)

pytestmark = pytest.mark.integration


class RabbitMqHarness:
    delivery_limit = 2

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.namespace = namespace
        self.buses: list[RabbitMqMessageBus] = []

    async def bus(self, service: str) -> RabbitMqMessageBus:
        bus = RabbitMqMessageBus(
            self.url, service, namespace=self.namespace, delivery_limit=self.delivery_limit
        )
        await bus.start()
        self.buses.append(bus)
        return bus

    async def dead_letters(self, service: str, queue: str, count: int) -> list[bytes]:
        bodies: list[bytes] = []
        connection = await aio_pika.connect(self.url)
        try:
            channel = await connection.channel()
            dlq = await channel.get_queue(f"{self.namespace}{service}.{queue}.dlq")
            async with asyncio.timeout(WAIT), dlq.iterator() as messages:
                async for message in messages:
                    await message.ack()
                    bodies.append(message.body)
                    if len(bodies) == count:
                        break
        finally:
            await connection.close()
        return bodies

    async def publish_raw(self, service: str, routing_key: str, body: bytes) -> None:
        connection = await aio_pika.connect(self.url)
        try:
            channel = await connection.channel()
            exchange = await channel.get_exchange(f"{self.namespace}{service}")
            await exchange.publish(aio_pika.Message(body), routing_key)
        finally:
            await connection.close()

    async def parked(self, service: str) -> int:
        async with await aio_pika.connect(self.url) as connection:
            channel = await connection.channel()
            queue = await channel.get_queue(f"{self.namespace}{service}.unrouted")
            return queue.declaration_result.message_count or 0

    async def close(self) -> None:
        for bus in self.buses:
            await bus.close()
        for bus in self.buses:
            await bus.delete_topology()


@pytest.fixture
async def harness(rabbitmq_url: str, amqp_namespace: str) -> AsyncIterator[RabbitMqHarness]:
    harness = RabbitMqHarness(rabbitmq_url, amqp_namespace)
    yield harness
    await harness.close()


class TestRabbitMqMessageBus(MessageBusContract):
    """The shared suite, on RabbitMQ."""


async def test_a_handled_message_is_acknowledged_before_close(harness: RabbitMqHarness) -> None:
    publisher, consumer = await harness.bus("ledger"), await harness.bus("monitor")
    first = Recorder()
    await consumer.subscribe("activity", [Binding("ledger", "#")], first)
    await publisher.publish(booked())
    await first.next()
    await consumer.close()
    again = Recorder()
    restarted = await harness.bus("monitor")
    await restarted.subscribe("activity", [Binding("ledger", "#")], again)
    await asyncio.sleep(0.2)
    assert again.received == []


async def test_publishing_on_a_bus_that_is_not_started_fails(harness: RabbitMqHarness) -> None:
    bus = RabbitMqMessageBus(harness.url, "ledger", namespace=harness.namespace)
    with pytest.raises(PublishFailed):
        await bus.publish(booked())
    assert not await bus.ping()
    with pytest.raises(RuntimeError, match="not started"):
        await bus.subscribe("activity", [], Recorder())


async def test_a_subscriber_declared_first_and_its_publisher_agree_on_the_exchange(
    harness: RabbitMqHarness,
) -> None:
    # Both declare the publisher's exchange; differing arguments would be PRECONDITION_FAILED.
    consumer, recorder = await harness.bus("monitor"), Recorder()
    await consumer.subscribe("activity", [Binding("ledger", "#")], recorder)
    publisher = await harness.bus("ledger")
    envelope = booked()
    await publisher.publish(envelope)
    assert await recorder.next() == envelope


async def test_without_its_parking_lot_an_unroutable_event_fails_until_a_replay_repairs_it(
    harness: RabbitMqHarness,
) -> None:
    publisher = await harness.bus("ledger")
    await publisher.publish(booked())
    await eventually(lambda: _equals(harness.parked("ledger"), 1))
    async with await aio_pika.connect(harness.url) as connection:
        channel = await connection.channel()
        await channel.exchange_delete(f"{harness.namespace}ledger.unrouted")
    with pytest.raises(Unroutable):
        await publisher.publish(booked("t-2"))  # returned by the broker, so not lost silently
    # Replaying declares the parking lot again, then parks the replayed message anew.
    assert await publisher.replay_unrouted() == 1
    await publisher.publish(booked("t-2"))
    await eventually(lambda: _equals(harness.parked("ledger"), 2))


async def test_a_replay_that_cannot_republish_leaves_the_message_parked(
    harness: RabbitMqHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher = await harness.bus("ledger")
    await publisher.publish(booked())
    await eventually(lambda: _equals(harness.parked("ledger"), 1))

    async def unconfirmed(*args: object, **kwargs: object) -> None:
        raise PublishFailed("no confirm in time")

    monkeypatch.setattr(publisher, "_publish", unconfirmed)
    with pytest.raises(PublishFailed):
        await publisher.replay_unrouted()
    await eventually(lambda: _equals(harness.parked("ledger"), 1))


async def _equals(count: Awaitable[int], expected: int) -> bool:
    return await count == expected
