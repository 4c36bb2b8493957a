"""The in-memory message bus passes the shared message-bus suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from building_blocks.messaging import InMemoryBroker, InMemoryMessageBus
from building_blocks.messaging.topics import topic_matches
from shared_kernel.contracts import decode_envelope
from tests.shared.messaging_contract import MessageBusContract, ParkingBus, booked, eventually

pytestmark = pytest.mark.unit


class InMemoryHarness:
    delivery_limit = 2

    def __init__(self) -> None:
        self.broker = InMemoryBroker()
        self.buses: list[InMemoryMessageBus] = []

    async def bus(self, service: str) -> ParkingBus:
        bus = InMemoryMessageBus(self.broker, service, delivery_limit=self.delivery_limit)
        await bus.start()
        self.buses.append(bus)
        return bus

    async def dead_letters(self, service: str, queue: str, count: int) -> list[bytes]:
        await eventually(lambda: len(self.broker.dead_letters(service, queue)) >= count)
        return self.broker.dead_letters(service, queue)

    async def publish_raw(self, service: str, routing_key: str, body: bytes) -> None:
        self.broker.publish_raw(service, routing_key, body)

    async def parked(self, service: str) -> int:
        return len(self.broker.unrouted(service))

    async def close(self) -> None:
        for bus in self.buses:
            await bus.close()


class TestInMemoryMessageBus(MessageBusContract):
    @pytest.fixture
    async def harness(self) -> AsyncIterator[InMemoryHarness]:
        harness = InMemoryHarness()
        yield harness
        await harness.close()


async def test_the_broker_shows_what_is_parked_per_service() -> None:
    harness = InMemoryHarness()
    ledger, cards = await harness.bus("ledger"), await harness.bus("cards")
    envelope = booked()
    await ledger.publish(envelope)
    assert [decode_envelope(body) for body in harness.broker.unrouted("ledger")] == [envelope]
    assert harness.broker.unrouted("cards") == []
    assert await cards.replay_unrouted() == 0
    await harness.close()


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("TransactionBooked.v1", "TransactionBooked.v1", True),
        ("TransactionBooked.*", "TransactionBooked.v1", True),
        ("*.v1", "AccountOpened.v1", True),
        ("*", "AccountOpened.v1", False),
        ("#", "AccountOpened.v1", True),
        ("#.v1", "AccountOpened.v1", True),
        ("AccountOpened.#", "AccountOpened", True),
        ("a.#.z", "a.b.c.z", True),
        ("a.#.z", "a.b.c", False),
        ("AccountOpened.*", "TransactionBooked.v1", False),
        ("a.*", "a", False),
    ],
)
def test_topic_patterns_match_like_amqp(pattern: str, key: str, matches: bool) -> None:
    assert topic_matches(pattern, key) is matches
