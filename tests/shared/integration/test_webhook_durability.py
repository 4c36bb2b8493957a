"""Nothing is lost: across restarts, dead dispatchers, several dispatchers and the run loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from building_blocks.webhooks import (
    HttpWebhookSender,
    SendResult,
    WebhookDispatcher,
    WebhookQueue,
)
from building_blocks.webhooks.store import LEASE_LOST
from tests.shared.integration.webhook_support import (
    FAST,
    LEASE,
    POLICY,
    SCHEMA,
    ManualClock,
    attempt_rows,
    enqueue_all,
    metadata,
    statuses,
    tables,
)
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.integration

# database_url, database, postgres_database and receiver come from conftest.py.


class GatedSender:
    """Stands for a dispatcher that stalls or dies mid-send: answers only when released."""

    def __init__(self, status: int = 200) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.status = status

    async def send(self, webhook_type: str, body: bytes, request_id: str) -> SendResult:
        self.started.set()
        await self.release.wait()
        return SendResult(self.status)


class BrokenSender:
    async def send(self, webhook_type: str, body: bytes, request_id: str) -> SendResult:
        raise RuntimeError("bug in a sender")


@pytest.fixture
async def sender(receiver: WebhookReceiver) -> AsyncIterator[HttpWebhookSender]:
    http = HttpWebhookSender(receiver.base_url, "integration-7", "secret-key", timeout=5)
    yield http
    await http.aclose()


async def enqueue(database: Database, clock: ManualClock | None = None, n: int = 1) -> list[str]:
    return await enqueue_all(
        database, clock, "SAVE_TRANSACTION", [({"n": i}, {}) for i in range(n)]
    )


async def test_a_webhook_enqueued_before_a_restart_is_delivered_after_it(
    database_url: str, receiver: WebhookReceiver, sender: HttpWebhookSender
) -> None:
    before = Database(database_url, schema=SCHEMA)
    await before.create_schema(metadata)
    receiver.respond_with(503)
    clock = ManualClock()
    await enqueue(before, clock)
    await WebhookDispatcher(before, tables, sender, policy=POLICY, clock=clock).dispatch_due()
    await before.dispose()

    after = Database(database_url, schema=SCHEMA)
    clock.advance(61)
    await WebhookDispatcher(after, tables, sender, policy=POLICY, clock=clock).dispatch_due()
    assert await statuses(after) == ["DELIVERED"]
    assert len(receiver.requests) == 2
    await after.dispose()


async def test_a_delivery_held_by_a_dead_dispatcher_is_sent_once_its_lease_ran_out(
    database: Database, sender: HttpWebhookSender, receiver: WebhookReceiver
) -> None:
    clock = ManualClock()
    await enqueue(database, clock)
    stuck = GatedSender()
    dead = WebhookDispatcher(database, tables, stuck, policy=POLICY, clock=clock)
    pass_in_flight = asyncio.create_task(dead.dispatch_due())
    await stuck.started.wait()
    pass_in_flight.cancel()  # the process died mid-send
    assert await statuses(database) == ["DELIVERING"]

    survivor = WebhookDispatcher(database, tables, sender, policy=POLICY, clock=clock)
    clock.advance(LEASE.total_seconds() - 1)
    assert await survivor.dispatch_due() == 0
    clock.advance(2)
    assert await survivor.dispatch_due() == 1

    assert await statuses(database) == ["DELIVERED"]
    lost, delivered = await attempt_rows(database)
    assert (lost.attempt, lost.status_code, lost.error) == (1, None, LEASE_LOST)
    assert (delivered.attempt, delivered.status_code) == (2, 200)
    assert receiver.requests[0].headers["x-request-id"] == delivered.request_id


async def test_a_stalled_dispatcher_finishing_late_only_completes_its_attempt_record(
    database: Database, sender: HttpWebhookSender
) -> None:
    clock = ManualClock()
    await enqueue(database, clock)
    slow = GatedSender(status=503)
    stalled = WebhookDispatcher(database, tables, slow, policy=POLICY, clock=clock)
    late_pass = asyncio.create_task(stalled.dispatch_due())
    await slow.started.wait()
    clock.advance(LEASE.total_seconds() + 1)
    await WebhookDispatcher(database, tables, sender, policy=POLICY, clock=clock).dispatch_due()
    slow.release.set()
    assert await late_pass == 1

    assert await statuses(database) == ["DELIVERED"]  # the late 503 does not undo it
    late, delivered = await attempt_rows(database)
    assert (late.status_code, late.error) == (503, None)
    assert delivered.status_code == 200


async def test_a_sender_that_raises_leaves_the_delivery_pending(database: Database) -> None:
    clock = ManualClock()
    await enqueue(database, clock)
    await WebhookDispatcher(
        database, tables, BrokenSender(), policy=POLICY, clock=clock
    ).dispatch_due()
    assert await statuses(database) == ["PENDING"]
    [attempt] = await attempt_rows(database)
    assert attempt.error == "RuntimeError: bug in a sender"


async def test_the_running_dispatcher_delivers_what_is_committed_and_stops_cleanly(
    database: Database, sender: HttpWebhookSender, receiver: WebhookReceiver
) -> None:
    receiver.respond_with(503, 503)
    dispatcher = WebhookDispatcher(
        database, tables, sender, policy=FAST, batch_size=1, poll_interval=0.02
    )
    running = asyncio.create_task(dispatcher.run())
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        for n in range(3):
            await WebhookQueue(tables).enqueue(uow.session, "SAVE_TRANSACTION", {"n": n})
        uow.after_commit(dispatcher.wake)
        await uow.commit()
    await receiver.wait_for_requests(5, within=3)
    for _ in range(100):
        if await statuses(database) == ["DELIVERED"] * 3:
            break
        await asyncio.sleep(0.02)
    dispatcher.stop()
    await asyncio.wait_for(running, 1)
    assert await statuses(database) == ["DELIVERED"] * 3
    assert sorted(r.json["n"] for r in receiver.requests[2:]) == [0, 1, 2]


async def test_a_failing_pass_is_logged_and_the_loop_goes_on(database_url: str) -> None:
    empty = Database(database_url, schema=SCHEMA)  # no tables: every pass fails
    dispatcher = WebhookDispatcher(empty, tables, BrokenSender(), poll_interval=0.05)
    running = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0.08)  # two failing passes
    dispatcher.stop()
    await asyncio.wait_for(running, 1)
    await empty.dispose()


async def test_several_dispatchers_deliver_each_webhook_once(
    postgres_database: Database, sender: HttpWebhookSender, receiver: WebhookReceiver
) -> None:
    database = postgres_database
    await enqueue(database, n=30)
    dispatchers = [
        WebhookDispatcher(database, tables, sender, policy=POLICY, batch_size=4) for _ in range(3)
    ]

    async def drain(dispatcher: WebhookDispatcher) -> None:
        while await dispatcher.dispatch_due():
            pass

    await asyncio.gather(*(drain(dispatcher) for dispatcher in dispatchers))
    assert await statuses(database) == ["DELIVERED"] * 30
    assert sorted(r.json["n"] for r in receiver.requests) == list(range(30))


async def test_a_webhook_enqueued_in_a_rolled_back_transaction_is_never_sent(
    database: Database, sender: HttpWebhookSender, receiver: WebhookReceiver
) -> None:
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        await WebhookQueue(tables).enqueue(uow.session, "CARD_FAILED", {"cardId": "1"})
    assert await WebhookDispatcher(database, tables, sender).dispatch_due() == 0
    assert receiver.requests == []
