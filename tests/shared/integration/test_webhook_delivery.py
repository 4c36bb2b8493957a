"""Webhooks reach a real HTTP receiver once, retried only for 408/429/5xx and timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
import structlog.testing

from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from building_blocks.webhooks import HttpWebhookSender, WebhookDispatcher
from tests.shared.integration.webhook_support import ManualClock, attempt_rows, enqueue_all, tables
from tests.support.webhook_receiver import Reply, WebhookReceiver

pytestmark = pytest.mark.integration

# database, receiver, clock and dispatcher (with POLICY) come from conftest.py.
PAYLOAD = {"id": "tx-1", "status": "COMPLETED", "baseTotal": 12.5}


@pytest.fixture
async def sender(receiver: WebhookReceiver) -> AsyncIterator[HttpWebhookSender]:
    # Generous enough that a loaded CI machine never turns a prompt answer into a retry.
    http = HttpWebhookSender(receiver.base_url, "integration-7", "secret-key", timeout=2)
    yield http
    await http.aclose()


async def enqueue(
    database: Database, clock: ManualClock, payload: Any = PAYLOAD, **options: Any
) -> str:
    [delivery_id] = await enqueue_all(
        database, clock, "SYNC_TRANSACTION_STATUS", [(payload, options)]
    )
    return delivery_id


async def delivery(database: Database, delivery_id: str) -> Any:
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        query = sa.select(tables.deliveries).where(tables.deliveries.c.id == delivery_id)
        return (await uow.session.execute(query)).one()


async def attempts(database: Database, delivery_id: str) -> list[Any]:
    return await attempt_rows(database, delivery_id)


async def test_a_webhook_answered_503_three_times_then_200_is_delivered_exactly_once(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(503, 503, 503, 200)
    delivery_id = await enqueue(database, clock)
    for _ in range(4):
        assert await dispatcher.dispatch_due() == 1
        assert await dispatcher.dispatch_due() == 0  # not due again before its backoff
        clock.advance(61)
    assert await dispatcher.dispatch_due() == 0

    row = await delivery(database, delivery_id)
    assert (row.status, row.attempts, row.last_status_code) == ("DELIVERED", 4, 200)
    assert row.delivered_at == clock.now - timedelta(seconds=61)
    tries = await attempts(database, delivery_id)
    assert [t.status_code for t in tries] == [503, 503, 503, 200]
    assert [t.attempt for t in tries] == [1, 2, 3, 4]
    assert all(t.latency_ms is not None for t in tries)
    requests = receiver.requests
    assert len(requests) == 4
    assert [r.headers["x-request-id"] for r in requests] == [t.request_id for t in tries]
    assert len({t.request_id for t in tries}) == 4


async def test_the_request_has_toqios_url_headers_and_json_body(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    class Status(msgspec.Struct, rename="camel"):
        id: str
        base_total: float

    await enqueue(database, clock, Status(id="tx-9", base_total=1.5))
    await dispatcher.dispatch_due()

    [request] = receiver.requests
    assert request.method == "POST"
    assert request.path == "/webhooks/integration/integration-7/webhookType/SYNC_TRANSACTION_STATUS"
    assert request.headers["x-api-key"] == "secret-key"
    assert request.headers["content-type"] == "application/json"
    assert request.json == {"id": "tx-9", "baseTotal": 1.5}


async def test_a_webhook_answered_400_fails_after_one_attempt_and_can_be_replayed(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(Reply(400, body=b'{"code":"INVALID_STATUS"}'))
    delivery_id = await enqueue(database, clock)
    await dispatcher.dispatch_due()
    clock.advance(3600)
    assert await dispatcher.dispatch_due() == 0

    row = await delivery(database, delivery_id)
    assert (row.status, row.attempts, row.last_status_code) == ("FAILED", 1, 400)
    assert "INVALID_STATUS" in row.last_error
    assert len(await attempts(database, delivery_id)) == 1

    assert await dispatcher.replay(delivery_id)
    assert not await dispatcher.replay(delivery_id)  # already PENDING
    assert await dispatcher.dispatch_due() == 1
    row = await delivery(database, delivery_id)
    assert (row.status, row.attempts) == ("DELIVERED", 2)
    assert [t.status_code for t in await attempts(database, delivery_id)] == [400, 200]
    assert len(receiver.requests) == 2
    assert not await dispatcher.replay(delivery_id)  # delivered ones are never replayed
    assert not await dispatcher.replay("unknown")


async def test_a_429_is_retried_no_earlier_than_its_retry_after(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(429, headers={"Retry-After": "120"})
    delivery_id = await enqueue(database, clock)
    sent_at = clock.now
    await dispatcher.dispatch_due()

    row = await delivery(database, delivery_id)
    assert (row.status, row.next_attempt_at) == ("PENDING", sent_at + timedelta(seconds=120))
    assert (await attempts(database, delivery_id))[0].retry_after == 120
    clock.advance(119)
    assert await dispatcher.dispatch_due() == 0
    clock.advance(1)
    assert await dispatcher.dispatch_due() == 1
    assert (await delivery(database, delivery_id)).status == "DELIVERED"


@pytest.mark.parametrize("status", [408, 500, 502])
async def test_other_transient_answers_are_retried(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
    status: int,
) -> None:
    receiver.respond_with(status)
    delivery_id = await enqueue(database, clock)
    await dispatcher.dispatch_due()
    row = await delivery(database, delivery_id)
    assert row.status == "PENDING"
    assert clock.now + timedelta(seconds=1) <= row.next_attempt_at <= clock.now + timedelta(2)


async def test_a_receiver_slower_than_the_timeout_is_retried(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(Reply(200, delay=3.0))  # the sender gives up after 2 s
    delivery_id = await enqueue(database, clock)
    await dispatcher.dispatch_due()

    row = await delivery(database, delivery_id)
    assert (row.status, row.last_status_code) == ("PENDING", None)
    assert "timeout" in row.last_error
    clock.advance(61)
    await dispatcher.dispatch_due()
    assert (await delivery(database, delivery_id)).status == "DELIVERED"
    first, second = await attempts(database, delivery_id)
    assert (first.status_code, second.status_code) == (None, 200)
    assert first.latency_ms >= 300
    assert len(receiver.requests) == 2


async def test_retries_stop_72_hours_after_enqueueing_and_an_expired_one_can_be_replayed(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(503, 503)
    delivery_id = await enqueue(database, clock)
    await dispatcher.dispatch_due()
    clock.advance(72 * 3600)
    await dispatcher.dispatch_due()
    row = await delivery(database, delivery_id)
    assert (row.status, row.attempts) == ("EXPIRED", 2)

    clock.advance(3600)
    assert await dispatcher.replay(delivery_id)
    await dispatcher.dispatch_due()
    assert (await delivery(database, delivery_id)).status == "DELIVERED"


async def test_enqueueing_with_a_known_dedupe_key_returns_the_first_delivery(
    database: Database, dispatcher: WebhookDispatcher, clock: ManualClock
) -> None:
    first = await enqueue(database, clock, dedupe_key="tx-1:COMPLETED", customer_id="c-1")
    second = await enqueue(database, clock, dedupe_key="tx-1:COMPLETED", customer_id="c-1")
    assert first == second
    assert await dispatcher.dispatch_due() == 1
    assert (await delivery(database, first)).customer_id == "c-1"


async def test_every_attempt_is_logged_without_the_body_or_the_api_key(
    database: Database,
    dispatcher: WebhookDispatcher,
    receiver: WebhookReceiver,
    clock: ManualClock,
) -> None:
    receiver.respond_with(503)
    delivery_id = await enqueue(database, clock, {"iban": "GB33BUKB20201555555555"})
    with structlog.testing.capture_logs() as logs:
        await dispatcher.dispatch_due()
        clock.advance(61)
        await dispatcher.dispatch_due()

    assert [entry["event"] for entry in logs] == ["webhook.retry_scheduled", "webhook.delivered"]
    assert logs[1]["delivery_id"] == delivery_id
    assert {"webhook_type", "attempt", "status_code", "latency_ms"} <= set(logs[1])
    assert "GB33BUKB" not in repr(logs)
    assert "secret-key" not in repr(logs)


async def test_a_webhook_of_a_customer_with_the_longest_id_is_queued(
    database: Database, clock: ManualClock
) -> None:
    # Customer ids are accepted up to 128 characters; the queue must take every one of them.
    longest = "c" * 128

    delivery_id = await enqueue(database, clock, customer_id=longest)

    assert (await delivery(database, delivery_id)).customer_id == longest
