"""Webhooks sharing an ordering key reach the receiver one at a time, in enqueue order."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
import structlog.testing

from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from building_blocks.webhooks import HttpWebhookSender, SendResult, WebhookDispatcher
from tests.shared.integration.webhook_support import (
    FAST,
    POLICY,
    ManualClock,
    enqueue_all,
    status_of,
    tables,
)
from tests.support.webhook_receiver import Reply, WebhookReceiver

pytestmark = pytest.mark.integration

# database, postgres_database, receiver, clock and dispatcher (with POLICY) come from conftest.py.
TX = "transaction:tx-1"


class InFlight:
    """Wraps a sender to count the requests under way, in all and per ordering key."""

    def __init__(self, sender: HttpWebhookSender) -> None:
        self._sender = sender
        self._now: collections.Counter[str] = collections.Counter()
        self.most = 0
        self.most_per_key = 0

    async def send(self, webhook_type: str, body: bytes, request_id: str) -> SendResult:
        key = msgspec.json.decode(body)["key"]
        self._now[key] += 1
        self.most = max(self.most, self._now.total())
        self.most_per_key = max(self.most_per_key, self._now[key])
        try:
            return await self._sender.send(webhook_type, body, request_id)
        finally:
            self._now[key] -= 1


@pytest.fixture
async def sender(receiver: WebhookReceiver) -> AsyncIterator[HttpWebhookSender]:
    # 2 s here; the delivery and durability senders give up after 0.3 s.
    http = HttpWebhookSender(receiver.base_url, "integration-7", "secret-key", timeout=2)
    yield http
    await http.aclose()


async def enqueue(database: Database, clock: Any, *items: tuple[str | None, str]) -> list[str]:
    """Enqueue ``(ordering_key, status)`` items in one transaction, in order."""
    return await enqueue_all(
        database,
        clock,
        "SYNC_TRANSACTION_STATUS",
        [({"key": str(key), "status": status}, {"ordering_key": key}) for key, status in items],
    )


def sent(receiver: WebhookReceiver) -> list[str]:
    return [request.json["status"] for request in receiver.requests]


async def test_a_later_status_waits_while_the_earlier_one_is_retried(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(503, 503, 200)
    pending, completed = await enqueue(database, clock, (TX, "PENDING"), (TX, "COMPLETED"))
    for _ in range(2):
        assert await dispatcher.dispatch_due() == 1  # only PENDING: COMPLETED waits
        assert await dispatcher.dispatch_due() == 0  # PENDING backs off, COMPLETED still waits
        clock.advance(61)
    assert await dispatcher.dispatch_due() == 1
    assert await status_of(database, pending, completed) == ["DELIVERED", "PENDING"]
    assert await dispatcher.dispatch_due() == 1
    assert await dispatcher.dispatch_due() == 0

    assert sent(receiver) == ["PENDING", "PENDING", "PENDING", "COMPLETED"]
    assert await status_of(database, pending, completed) == ["DELIVERED", "DELIVERED"]


async def test_the_running_dispatcher_sends_one_keys_statuses_in_order(
    database: Database, sender: HttpWebhookSender, receiver: WebhookReceiver
) -> None:
    receiver.respond_with(503, 503)  # the first one is answered 503 twice
    statuses = ["PENDING", "AUTHORISED", "COMPLETED", "SETTLED"]
    dispatcher = WebhookDispatcher(database, tables, sender, policy=FAST, poll_interval=0.01)
    running = asyncio.create_task(dispatcher.run())
    ids = await enqueue(database, None, *((TX, status) for status in statuses))
    dispatcher.wake()
    await receiver.wait_for_requests(6, within=5)
    for _ in range(100):
        if await status_of(database, *ids) == ["DELIVERED"] * 4:
            break
        await asyncio.sleep(0.01)
    dispatcher.stop()
    await asyncio.wait_for(running, 1)
    assert sent(receiver) == ["PENDING", "PENDING", *statuses]


async def test_other_keys_and_keyless_webhooks_are_sent_side_by_side(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(*[Reply(200, delay=0.3)] * 4)
    items = [("tx-a", "PENDING"), ("tx-b", "PENDING"), (None, "ONE"), (None, "TWO")]
    await enqueue(database, clock, *items, ("tx-a", "COMPLETED"))

    started = time.monotonic()
    assert await dispatcher.dispatch_due() == 4  # all but tx-a's second
    assert time.monotonic() - started < 1.0  # four 0.3 s answers, awaited side by side
    arrivals = [request.received_at for request in receiver.requests]
    assert max(arrivals) - min(arrivals) < 0.3  # all four arrived before the first answer
    assert sorted(sent(receiver)) == ["ONE", "PENDING", "PENDING", "TWO"]
    assert await dispatcher.dispatch_due() == 1
    assert sent(receiver)[-1] == "COMPLETED"


async def test_a_failed_status_does_not_hold_back_the_next_and_is_then_not_replayed(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(400)
    pending, completed = await enqueue(database, clock, (TX, "PENDING"), (TX, "COMPLETED"))
    assert await dispatcher.dispatch_due() == 1
    assert await status_of(database, pending, completed) == ["FAILED", "PENDING"]
    assert await dispatcher.dispatch_due() == 1
    assert await status_of(database, pending, completed) == ["FAILED", "DELIVERED"]

    # Re-sending PENDING now would leave Toqio believing the transaction is still pending.
    with structlog.testing.capture_logs() as logs:
        assert not await dispatcher.replay(pending)
    assert logs[0]["event"] == "webhook.replay_superseded"
    assert logs[0]["superseded_by"] == completed
    assert await status_of(database, pending, completed) == ["FAILED", "DELIVERED"]
    assert await dispatcher.dispatch_due() == 0
    assert sent(receiver) == ["PENDING", "COMPLETED"]


async def test_an_expired_status_does_not_hold_back_the_next_which_gets_its_own_window(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(503, 503, 503)
    pending, completed = await enqueue(database, clock, (TX, "PENDING"), (TX, "COMPLETED"))
    assert await dispatcher.dispatch_due() == 1
    clock.advance(72 * 3600)
    assert await dispatcher.dispatch_due() == 1
    assert await status_of(database, pending, completed) == ["EXPIRED", "PENDING"]

    # COMPLETED waited 72 h for its turn; its own 72 h of retries start with its first try.
    assert await dispatcher.dispatch_due() == 1
    assert await status_of(database, pending, completed) == ["EXPIRED", "PENDING"]
    clock.advance(61)
    assert await dispatcher.dispatch_due() == 1
    assert await status_of(database, pending, completed) == ["EXPIRED", "DELIVERED"]
    assert not await dispatcher.replay(pending)  # superseded by the delivered COMPLETED
    assert sent(receiver) == ["PENDING", "PENDING", "COMPLETED", "COMPLETED"]


async def test_given_up_statuses_replayed_oldest_first_are_sent_in_order(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(400, 400)
    pending, completed = await enqueue(database, clock, (TX, "PENDING"), (TX, "COMPLETED"))
    assert await dispatcher.dispatch_due() == 1
    assert await dispatcher.dispatch_due() == 1
    assert await status_of(database, pending, completed) == ["FAILED", "FAILED"]

    assert await dispatcher.replay(pending)  # every later one gave up too: safe
    assert await dispatcher.replay(completed)
    assert await dispatcher.dispatch_due() == 1  # the replayed PENDING holds COMPLETED back
    assert await dispatcher.dispatch_due() == 1
    assert sent(receiver) == ["PENDING", "COMPLETED", "PENDING", "COMPLETED"]
    assert await status_of(database, pending, completed) == ["DELIVERED", "DELIVERED"]


async def test_replaying_newest_first_refuses_the_older_one(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(400, 400)
    pending, completed = await enqueue(database, clock, (TX, "PENDING"), (TX, "COMPLETED"))
    await dispatcher.dispatch_due()
    await dispatcher.dispatch_due()

    assert await dispatcher.replay(completed)
    assert not await dispatcher.replay(pending)  # COMPLETED is queued: it would overtake
    assert await status_of(database, pending, completed) == ["FAILED", "PENDING"]


async def test_a_second_dispatcher_skips_a_key_whose_first_row_another_is_claiming(
    postgres_database: Database, sender: HttpWebhookSender, clock: ManualClock
) -> None:
    database = postgres_database
    first, _second = await enqueue(database, clock, (TX, "PENDING"), (TX, "COMPLETED"))
    other = await enqueue(database, clock, ("tx-2", "PENDING"))
    d = tables.deliveries
    # Dispatcher A's claim, caught between its SELECT ... FOR UPDATE and its commit: the
    # first row is locked but still PENDING.
    async with SqlAlchemyUnitOfWork(database.sessions) as claiming:
        await claiming.session.execute(sa.select(d.c.id).where(d.c.id == first).with_for_update())
        b = WebhookDispatcher(database, tables, sender, policy=POLICY, clock=clock)
        assert await b.dispatch_due() == 1  # tx-2 only: not the locked row, nor the one after
        assert await status_of(database, *other) == ["DELIVERED"]


async def test_three_dispatchers_send_each_keys_webhooks_in_order(
    postgres_database: Database, sender: HttpWebhookSender, receiver: WebhookReceiver
) -> None:
    database = postgres_database
    keys = ["tx-a", "tx-b", "tx-c"]
    ids = await enqueue(database, None, *((key, f"{n:02}") for n in range(10) for key in keys))
    receiver.respond_with(*[503, 200, 200, 200] * 5, delay=0.005)
    in_flight = InFlight(sender)
    dispatchers = [
        WebhookDispatcher(database, tables, in_flight, policy=FAST, batch_size=4) for _ in range(3)
    ]

    async def drain(dispatcher: WebhookDispatcher) -> None:
        for _ in range(1000):
            if not await dispatcher.dispatch_due():
                if await status_of(database, *ids) == ["DELIVERED"] * 30:
                    return
                await asyncio.sleep(0.005)
        raise AssertionError("the queue did not drain")

    await asyncio.gather(*(drain(dispatcher) for dispatcher in dispatchers))
    assert in_flight.most_per_key == 1
    assert in_flight.most > 1  # the keys did go side by side
    for key in keys:
        received = [r.json["status"] for r in receiver.requests if r.json["key"] == key]
        assert received == sorted(received)  # retries included: nothing overtook
        assert sorted(set(received)) == [f"{n:02}" for n in range(10)]
    assert len(receiver.requests) > 30  # some 503s were retried
