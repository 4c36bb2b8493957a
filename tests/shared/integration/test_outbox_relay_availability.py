"""The relay keeps rows through broker outages and only one relay per database publishes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from building_blocks.messaging import Binding
from building_blocks.persistence import Database
from shared_kernel.contracts import Envelope
from tests.shared.messaging_contract import booked, eventually
from tests.shared.outbox_services import (
    Services,
    TcpProxy,
    book,
    collect,
    ledger_tables,
    open_services,
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


async def test_the_relay_keeps_rows_while_the_broker_is_unreachable_and_sends_them_after(
    services: Services,
) -> None:
    proxy = TcpProxy(services.url)
    await proxy.start()
    ledger_bus = await services.bus("ledger", proxy.url, confirm_timeout=0.5)
    monitor_bus = await services.bus("monitor")
    received: list[Envelope] = []
    await monitor_bus.subscribe("activity", [Binding("ledger", "#")], collect(received))
    await proxy.stop()
    envelopes = [booked("t-1"), booked("t-2")]
    for envelope in envelopes:
        await book(services.ledger, envelope)

    attempts = sa.select(sa.func.max(ledger_tables.outbox.c.attempts))
    async with running(services.relay(ledger_bus)):

        async def tried_twice() -> bool:
            return await scalar(services.ledger, attempts) >= 2

        await eventually(tried_twice)
        assert await scalar(services.ledger, unsent()) == 2
        assert received == []
        await proxy.start()
        await eventually(lambda: len(received) >= 2, within=10)
    assert received == envelopes
    assert await scalar(services.ledger, unsent()) == 0
    # Closed here: its topology (reply queue, shared exchange) is gone or deleted by the others.
    await ledger_bus.close()
    services.buses.remove(ledger_bus)
    await proxy.stop()


async def test_of_two_relays_on_one_database_only_one_publishes(
    services: Services, postgres_url: str
) -> None:
    ledger_bus, monitor_bus = await services.bus("ledger"), await services.bus("monitor")
    received: list[Envelope] = []
    await monitor_bus.subscribe("activity", [Binding("ledger", "#")], collect(received))
    # A second engine stands for a second replica of the service.
    replica = Database(postgres_url, schema="ledger")
    first = services.relay(ledger_bus)
    second = services.relay(await services.bus("ledger"), database=replica)
    async with running(first), running(second):
        await eventually(lambda: first.is_active or second.is_active)
        await asyncio.sleep(0.2)  # the standby keeps trying meanwhile
        assert first.is_active != second.is_active
        envelopes = [booked(f"t-{n}") for n in range(20)]
        for envelope in envelopes:
            await book(services.ledger, envelope)
            (first if first.is_active else second).wake()
        await eventually(lambda: len(received) >= 20)
        standby = second if first.is_active else first
        (first if first.is_active else second).stop()
        await eventually(lambda: standby.is_active)
        late = booked("t-late")
        await book(services.ledger, late)
        standby.wake()
        await eventually(lambda: len(received) >= 21)
    await asyncio.sleep(0.1)
    assert received == [*envelopes, late]
    await replica.dispose()


async def test_a_relay_that_loses_its_lock_connection_takes_the_lock_again(
    services: Services,
) -> None:
    ledger_bus, monitor_bus = await services.bus("ledger"), await services.bus("monitor")
    received: list[Envelope] = []
    await monitor_bus.subscribe("activity", [Binding("ledger", "#")], collect(received))
    relay = services.relay(ledger_bus)
    async with running(relay):
        await eventually(lambda: relay.is_active)
        terminate = sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
        )
        async with services.monitor.engine.begin() as connection:
            assert (await connection.execute(terminate)).scalar_one()
        envelope = booked()
        await book(services.ledger, envelope)
        await eventually(lambda: len(received) == 1)
    assert received == [envelope]


async def test_releasing_a_lock_whose_connection_died_is_quiet_and_the_lock_is_free_again(
    postgres_url: str,
) -> None:
    # The relay may stop before it notices its lock connection was killed: releasing then
    # must not fail the shutdown, and the lock died with the session anyway.
    from building_blocks.outbox.leadership import PostgresAdvisoryLock

    database = Database(postgres_url, schema="public")
    first = PostgresAdvisoryLock(database.engine, "relay-release-check")
    second = PostgresAdvisoryLock(database.engine, "relay-release-check")
    try:
        assert await first.acquire()
        assert not await second.acquire()
        terminate = sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
        )
        async with database.engine.begin() as connection:
            assert (await connection.execute(terminate)).scalar_one()

        await first.release()

        assert await second.acquire()
        await second.release()
    finally:
        await database.dispose()
