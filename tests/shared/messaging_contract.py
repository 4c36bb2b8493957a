"""One behavioural suite every ``MessageBus`` adapter must pass (subclassed per adapter)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

import pytest

from building_blocks.messaging import (
    Binding,
    MessageBus,
    NoResponder,
    PublishFailed,
    RequestTimedOut,
    UnroutedReplay,
)
from shared_kernel.contracts import (
    AccountOpenedV1,
    Envelope,
    FundsReservationAnsweredV1,
    FundsReservationRequestedV1,
    IntegrationMessage,
    TransactionBookedV1,
    decode_envelope,
)

WAIT = 5.0  # generous upper bound; every wait below returns as soon as its condition holds


async def eventually(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]], *, within: float = WAIT
) -> None:
    """Return as soon as ``condition()`` holds; fail after ``within`` seconds."""
    async with asyncio.timeout(within):
        while True:
            outcome = condition()
            if await outcome if inspect.isawaitable(outcome) else outcome:
                return
            await asyncio.sleep(0.01)


class ParkingBus(MessageBus, UnroutedReplay, Protocol):
    """A bus that also replays its parked messages, as both adapters do."""


class BusHarness(Protocol):
    """What the suite needs from an adapter's test module."""

    delivery_limit: int

    async def bus(self, service: str) -> ParkingBus:
        """A started bus for ``service``, closed (and its topology removed) after the test."""
        ...

    async def parked(self, service: str) -> int:
        """How many messages wait in ``service``'s parking lot of unroutable messages."""
        ...

    async def dead_letters(self, service: str, queue: str, count: int) -> list[bytes]:
        """Wait until ``count`` messages were dead-lettered from the queue and return them."""
        ...

    async def publish_raw(self, service: str, routing_key: str, body: bytes) -> None:
        """Publish arbitrary bytes on ``service``'s exchange, as a broken producer would."""
        ...


def booked(transaction_id: str = "t-1") -> Envelope:
    return Envelope.wrap(
        TransactionBookedV1(
            customer_id="c-1",
            client_id="m-1",
            account_id="a-1",
            transaction_id=transaction_id,
            direction="CREDIT",
            amount_minor=12_345,
            currency="EUR",
            kind="TRANSFER",
            booked_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        )
    )


def opened() -> Envelope:
    return Envelope.wrap(
        AccountOpenedV1(customer_id="c-1", client_id="m-1", account_id="a-1", currency="EUR")
    )


def reservation(authorization_id: str = "auth-1") -> Envelope:
    return Envelope.wrap(
        FundsReservationRequestedV1(
            customer_id="c-1",
            account_id="a-1",
            card_id="card-1",
            card_last4="4242",
            authorization_id=authorization_id,
            amount_minor=500,
            currency="EUR",
            merchant_name="Coffee",
        )
    )


class Recorder:
    """Collects what a handler received, and lets a test wait for it."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self._arrived = asyncio.Queue[Envelope]()

    async def __call__(self, envelope: Envelope) -> None:
        self.received.append(envelope)
        self._arrived.put_nowait(envelope)

    async def next(self) -> Envelope:
        return await asyncio.wait_for(self._arrived.get(), WAIT)


class MessageBusContract:
    """Subclass as ``Test...`` and provide a ``harness`` fixture yielding a ``BusHarness``."""

    async def test_a_published_event_reaches_the_subscribed_handler_intact(
        self, harness: BusHarness
    ) -> None:
        publisher, consumer = await harness.bus("ledger"), await harness.bus("monitor")
        recorder = Recorder()
        await consumer.subscribe("activity", [Binding("ledger", "TransactionBooked.*")], recorder)
        envelope = booked()
        await publisher.publish(envelope)
        assert await recorder.next() == envelope

    async def test_topic_patterns_select_what_a_queue_receives(self, harness: BusHarness) -> None:
        publisher, consumer = await harness.bus("ledger"), await harness.bus("monitor")
        accounts, everything = Recorder(), Recorder()
        await consumer.subscribe("accounts", [Binding("ledger", "AccountOpened.*")], accounts)
        await consumer.subscribe("all", [Binding("ledger", "#")], everything)
        await publisher.publish(booked())
        await publisher.publish(opened())
        assert {(await everything.next()).type, (await everything.next()).type} == {
            "TransactionBooked",
            "AccountOpened",
        }
        assert (await accounts.next()).type == "AccountOpened"
        await asyncio.sleep(0.05)  # give a wrongly routed message the chance to show up
        assert [e.type for e in accounts.received] == ["AccountOpened"]

    async def test_every_bound_queue_receives_its_own_copy(self, harness: BusHarness) -> None:
        publisher = await harness.bus("ledger")
        monitor, cards = await harness.bus("monitor"), await harness.bus("cards")
        first, second = Recorder(), Recorder()
        await monitor.subscribe("activity", [Binding("ledger", "TransactionBooked.v1")], first)
        await cards.subscribe("activity", [Binding("ledger", "TransactionBooked.v1")], second)
        envelope = booked()
        await publisher.publish(envelope)
        assert await first.next() == envelope
        assert await second.next() == envelope

    async def test_a_failing_handler_is_redelivered_then_dead_lettered(
        self, harness: BusHarness
    ) -> None:
        publisher, consumer = await harness.bus("ledger"), await harness.bus("monitor")
        attempts: list[str] = []

        async def always_fails(envelope: Envelope) -> None:
            attempts.append(envelope.message_id)
            raise RuntimeError("the database is on fire")

        await consumer.subscribe("activity", [Binding("ledger", "#")], always_fails)
        envelope = booked()
        await publisher.publish(envelope)
        [dead] = await harness.dead_letters("monitor", "activity", 1)
        assert decode_envelope(dead) == envelope
        assert attempts == [envelope.message_id] * (harness.delivery_limit + 1)

    async def test_a_handler_that_recovers_gets_the_message_again(
        self, harness: BusHarness
    ) -> None:
        publisher, consumer = await harness.bus("ledger"), await harness.bus("monitor")
        recorder = Recorder()
        failures = [RuntimeError("transient")]

        async def fails_once(envelope: Envelope) -> None:
            if failures:
                raise failures.pop()
            await recorder(envelope)

        await consumer.subscribe("activity", [Binding("ledger", "#")], fails_once)
        envelope = booked()
        await publisher.publish(envelope)
        assert await recorder.next() == envelope

    async def test_an_undecodable_message_is_dead_lettered_without_reaching_the_handler(
        self, harness: BusHarness
    ) -> None:
        consumer = await harness.bus("monitor")
        recorder = Recorder()
        await consumer.subscribe("activity", [Binding("ledger", "#")], recorder)
        await harness.publish_raw("ledger", "TransactionBooked.v1", b"{not json")
        assert await harness.dead_letters("monitor", "activity", 1) == [b"{not json"]
        assert recorder.received == []

    async def test_a_request_is_answered_by_the_serving_service(self, harness: BusHarness) -> None:
        cards, ledger = await harness.bus("cards"), await harness.bus("ledger")

        async def approve(request: Envelope) -> IntegrationMessage:
            assert isinstance(request.payload, FundsReservationRequestedV1)
            return FundsReservationAnsweredV1(
                authorization_id=request.payload.authorization_id, approved=True, hold_id="h-1"
            )

        await ledger.serve(approve)
        request = reservation("auth-7")
        reply = await cards.request("ledger", request, timeout=WAIT)
        assert reply.payload == FundsReservationAnsweredV1(
            authorization_id="auth-7", approved=True, hold_id="h-1"
        )
        assert reply.causation_id == request.message_id
        assert reply.correlation_id == request.correlation_id

    async def test_a_request_nobody_serves_fails_without_waiting_for_the_deadline(
        self, harness: BusHarness
    ) -> None:
        cards = await harness.bus("cards")
        await harness.bus("ledger")
        started = time.monotonic()
        with pytest.raises(NoResponder):
            await cards.request("ledger", reservation(), timeout=WAIT)
        assert time.monotonic() - started < WAIT / 2

    async def test_a_request_to_a_stopped_responder_times_out_at_the_deadline(
        self, harness: BusHarness
    ) -> None:
        cards, ledger = await harness.bus("cards"), await harness.bus("ledger")

        async def never_called(request: Envelope) -> IntegrationMessage:
            raise AssertionError("the responder is stopped")

        await ledger.serve(never_called)
        await ledger.close()
        started = time.monotonic()
        with pytest.raises(RequestTimedOut):
            await cards.request("ledger", reservation(), timeout=0.3)
        assert 0.25 <= time.monotonic() - started < 1.5

    async def test_a_failing_responder_leaves_the_requester_to_its_deadline(
        self, harness: BusHarness
    ) -> None:
        cards, ledger = await harness.bus("cards"), await harness.bus("ledger")

        async def broken(request: Envelope) -> IntegrationMessage:
            raise RuntimeError("cannot answer")

        await ledger.serve(broken)
        with pytest.raises(RequestTimedOut):
            await cards.request("ledger", reservation(), timeout=0.3)

    async def test_an_event_nobody_subscribes_to_is_parked_and_replayed_to_a_later_consumer(
        self, harness: BusHarness
    ) -> None:
        publisher, consumer = await harness.bus("ledger"), await harness.bus("monitor")
        await consumer.subscribe("accounts", [Binding("ledger", "AccountOpened.*")], Recorder())
        envelopes = [booked("t-1"), booked("t-2")]
        for envelope in envelopes:
            await publisher.publish(envelope)  # confirmed, not refused
        await self._parked(harness, "ledger", 2)

        recorder = Recorder()
        await consumer.subscribe("activity", [Binding("ledger", "TransactionBooked.*")], recorder)
        assert await publisher.replay_unrouted() == 2
        assert [await recorder.next(), await recorder.next()] == envelopes
        await self._parked(harness, "ledger", 0)

    async def test_a_replayed_event_that_still_nobody_subscribes_to_is_parked_again(
        self, harness: BusHarness
    ) -> None:
        publisher = await harness.bus("ledger")
        await publisher.publish(booked())
        await self._parked(harness, "ledger", 1)
        assert await publisher.replay_unrouted() == 1
        await self._parked(harness, "ledger", 1)
        assert await publisher.replay_unrouted() == 1  # parked again, so replayable again

    async def test_a_request_does_not_reach_subscribers_of_the_target_or_the_parking_lot(
        self, harness: BusHarness
    ) -> None:
        cards, monitor = await harness.bus("cards"), await harness.bus("monitor")
        await harness.bus("ledger")
        recorder = Recorder()
        await monitor.subscribe("everything", [Binding("ledger", "#")], recorder)
        with pytest.raises(NoResponder):
            await cards.request("ledger", reservation(), timeout=WAIT)
        await asyncio.sleep(0.05)  # give a wrongly routed request the chance to show up
        assert recorder.received == []
        assert await harness.parked("ledger") == 0

    @staticmethod
    async def _parked(harness: BusHarness, service: str, count: int) -> None:
        async def parked() -> bool:
            return await harness.parked(service) == count

        await eventually(parked)

    async def test_messages_wait_in_the_queue_while_the_consumer_is_stopped(
        self, harness: BusHarness
    ) -> None:
        publisher, consumer = await harness.bus("ledger"), await harness.bus("monitor")
        await consumer.subscribe("activity", [Binding("ledger", "#")], Recorder())
        await consumer.close()
        envelope = booked()
        await publisher.publish(envelope)
        restarted, recorder = await harness.bus("monitor"), Recorder()
        await restarted.subscribe("activity", [Binding("ledger", "#")], recorder)
        assert await recorder.next() == envelope

    async def test_close_lets_an_in_flight_handler_finish(self, harness: BusHarness) -> None:
        publisher, consumer = await harness.bus("ledger"), await harness.bus("monitor")
        started, finished = asyncio.Event(), asyncio.Event()

        async def slow(envelope: Envelope) -> None:
            started.set()
            await asyncio.sleep(0.2)
            finished.set()

        await consumer.subscribe("activity", [Binding("ledger", "#")], slow)
        await publisher.publish(booked())
        await asyncio.wait_for(started.wait(), WAIT)
        await consumer.close()
        assert finished.is_set()

    async def test_a_started_bus_is_ready_and_a_closed_one_is_not(
        self, harness: BusHarness
    ) -> None:
        bus = await harness.bus("ledger")
        assert await bus.ping()
        await bus.close()
        assert not await bus.ping()

    async def test_a_closed_bus_cannot_publish_or_request(self, harness: BusHarness) -> None:
        bus, consumer = await harness.bus("ledger"), await harness.bus("monitor")
        await consumer.subscribe("activity", [Binding("ledger", "#")], Recorder())
        await bus.close()
        with pytest.raises(PublishFailed):
            await bus.publish(booked())
        with pytest.raises(PublishFailed):
            await bus.request("monitor", reservation(), timeout=WAIT)
        with pytest.raises(PublishFailed):
            await bus.replay_unrouted()
