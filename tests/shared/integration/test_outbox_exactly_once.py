"""An event written with the outbox is applied exactly once by a consumer with an inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from building_blocks.messaging import Binding
from building_blocks.outbox import OutboxRelay, idempotent
from building_blocks.persistence import SqlAlchemyUnitOfWork
from shared_kernel.contracts import Envelope, decode_envelope
from tests.shared.messaging_contract import booked, eventually
from tests.shared.outbox_services import (
    Services,
    activity,
    book,
    count_activity,
    monitor_tables,
    open_services,
    read_queue,
    running,
    scalar,
    unsent,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def services(
    postgres_url: str, rabbitmq_url: str, amqp_namespace: str
) -> AsyncIterator[Services]:
    async with open_services(postgres_url, rabbitmq_url, amqp_namespace) as services:
        yield services


class RelayCrashed(BaseException):
    """Stands for the relay's process dying: nothing inside the relay may catch it."""


class RelayDyingBeforeMarkingSent(OutboxRelay):
    """A relay whose process dies right after the broker confirmed, before the rows are marked."""

    async def _mark_sent(self, ids: list[int]) -> None:
        raise RelayCrashed


async def test_an_event_is_applied_once_although_a_dying_relay_made_it_arrive_twice(
    services: Services,
) -> None:
    ledger_bus, monitor_bus = await services.bus("ledger"), await services.bus("monitor")
    deliveries: list[str] = []
    apply_once = idempotent(services.monitor, monitor_tables, "activity", count_activity)

    async def consume(envelope: Envelope) -> None:
        deliveries.append(envelope.message_id)
        await apply_once(envelope)

    await monitor_bus.subscribe("activity", [Binding("ledger", "TransactionBooked.*")], consume)
    envelope = booked("t-42")
    await book(services.ledger, envelope)

    with pytest.raises(RelayCrashed):
        await services.relay(ledger_bus, RelayDyingBeforeMarkingSent).run()
    assert await scalar(services.ledger, unsent()) == 1

    async with running(services.relay(ledger_bus)):

        async def delivered_twice_and_marked() -> bool:
            return len(deliveries) == 2 and await scalar(services.ledger, unsent()) == 0

        await eventually(delivered_twice_and_marked)

    assert deliveries == [envelope.message_id] * 2
    times = sa.select(activity.c.times_applied).where(activity.c.transaction_id == "t-42")
    assert await scalar(services.monitor, times) == 1
    inbox = sa.select(sa.func.count()).select_from(monitor_tables.inbox)
    assert await scalar(services.monitor, inbox) == 1


async def test_an_effect_that_always_fails_is_dead_lettered_and_leaves_no_inbox_row(
    services: Services,
) -> None:
    ledger_bus, monitor_bus = await services.bus("ledger"), await services.bus("monitor")
    attempts: list[str] = []

    async def broken(uow: SqlAlchemyUnitOfWork, envelope: Envelope) -> None:
        attempts.append(envelope.message_id)
        await count_activity(uow, envelope)
        raise RuntimeError("bug in the effect")

    await monitor_bus.subscribe(
        "activity",
        [Binding("ledger", "#")],
        idempotent(services.monitor, monitor_tables, "activity", broken),
    )
    envelope = booked()
    await ledger_bus.publish(envelope)
    [dead] = await read_queue(services.url, f"{services.namespace}monitor.activity.dlq", 1)
    assert decode_envelope(dead) == envelope
    assert attempts == [envelope.message_id] * 3  # the first delivery and two redeliveries
    assert (
        await scalar(services.monitor, sa.select(sa.func.count()).select_from(monitor_tables.inbox))
        == 0
    )
    assert await scalar(services.monitor, sa.select(sa.func.count()).select_from(activity)) == 0
