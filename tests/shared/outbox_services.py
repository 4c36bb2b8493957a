"""Two services on real PostgreSQL and RabbitMQ, for the outbox and inbox integration tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import sqlalchemy as sa

from building_blocks.messaging import RabbitMqMessageBus
from building_blocks.outbox import MessagingTables, Outbox, OutboxRelay
from building_blocks.outbox import messaging_tables as add_messaging_tables
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork, service_metadata
from shared_kernel.contracts import Envelope, TransactionBookedV1
from tests.shared.messaging_contract import WAIT

# Service A ("ledger") books transactions; service B ("monitor") counts them.
ledger_metadata = service_metadata("ledger")
ledger_tables = add_messaging_tables(ledger_metadata)
bookings = sa.Table(
    "bookings", ledger_metadata, sa.Column("transaction_id", sa.String, primary_key=True)
)
monitor_metadata = service_metadata("monitor")
monitor_tables = add_messaging_tables(monitor_metadata)
activity = sa.Table(
    "activity",
    monitor_metadata,
    sa.Column("transaction_id", sa.String, primary_key=True),
    sa.Column("times_applied", sa.Integer, nullable=False),
)


@dataclass
class Services:
    url: str
    namespace: str
    ledger: Database
    monitor: Database
    buses: list[RabbitMqMessageBus]

    async def bus(
        self, service: str, url: str | None = None, confirm_timeout: float = 5.0
    ) -> RabbitMqMessageBus:
        bus = RabbitMqMessageBus(
            url or self.url,
            service,
            namespace=self.namespace,
            delivery_limit=2,
            confirm_timeout=confirm_timeout,
        )
        await bus.start()
        self.buses.append(bus)
        return bus

    def relay(
        self,
        bus: RabbitMqMessageBus,
        cls: type[OutboxRelay] = OutboxRelay,
        database: Database | None = None,
    ) -> OutboxRelay:
        return cls(
            database or self.ledger,
            ledger_tables,
            bus,
            poll_interval=0.05,
            standby_interval=0.05,
            max_backoff=0.2,
        )


@contextlib.asynccontextmanager
async def open_services(
    postgres_url: str, rabbitmq_url: str, amqp_namespace: str
) -> AsyncIterator[Services]:
    ledger, monitor = (
        Database(postgres_url, schema="ledger"),
        Database(postgres_url, schema="monitor"),
    )
    await ledger.create_schema(ledger_metadata)
    await monitor.create_schema(monitor_metadata)
    services = Services(rabbitmq_url, amqp_namespace, ledger, monitor, [])
    try:
        yield services
    finally:
        for bus in services.buses:
            await bus.close()
        for bus in services.buses:
            await bus.delete_topology()
        await ledger.dispose()
        await monitor.dispose()


def transaction_id_of(envelope: Envelope) -> str:
    assert isinstance(envelope.payload, TransactionBookedV1)
    return envelope.payload.transaction_id


async def book(database: Database, envelope: Envelope) -> None:
    """Service A's use case: the business row and its outbox row commit together."""
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        await uow.session.execute(
            bookings.insert().values(transaction_id=transaction_id_of(envelope))
        )
        await Outbox(ledger_tables).add(uow.session, envelope)
        await uow.commit()


async def count_activity(uow: SqlAlchemyUnitOfWork, envelope: Envelope) -> None:
    """Service B's effect: not idempotent by itself, so only the inbox keeps it exactly-once."""
    transaction_id = transaction_id_of(envelope)
    updated = await uow.session.execute(
        activity.update()
        .where(activity.c.transaction_id == transaction_id)
        .values(times_applied=activity.c.times_applied + 1)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        await uow.session.execute(
            activity.insert().values(transaction_id=transaction_id, times_applied=1)
        )


async def scalar(database: Database, query: sa.Select[int]) -> int:
    async with database.sessions() as session:
        return (await session.execute(query)).scalar_one()


def unsent(tables: MessagingTables = ledger_tables) -> sa.Select[int]:
    return (
        sa.select(sa.func.count())
        .select_from(tables.outbox)
        .where(tables.outbox.c.sent_at.is_(None))
    )


async def read_queue(url: str, queue: str, count: int) -> list[bytes]:
    """Consume ``count`` messages from ``queue`` as an operator's tool would."""
    bodies: list[bytes] = []
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        declared = await channel.get_queue(queue)
        async with asyncio.timeout(WAIT), declared.iterator() as messages:
            async for message in messages:
                await message.ack()
                bodies.append(message.body)
                if len(bodies) == count:
                    break
    return bodies


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(relay.run())
    try:
        yield task
    finally:
        relay.stop()
        await asyncio.wait_for(task, WAIT)


class TcpProxy:
    """Stands between the bus and RabbitMQ so a test can take "the broker" away and back."""

    def __init__(self, amqp_url: str) -> None:
        self._upstream = urlsplit(amqp_url)
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    @property
    def url(self) -> str:
        """The broker's URL through this proxy, reconnecting quickly once it is back."""
        credentials = self._upstream.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(self._upstream._replace(netloc=netloc, query="reconnect_interval=0.1"))

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(
            self._upstream.hostname, self._upstream.port or 5672
        )
        self._writers += [writer, up_writer]
        await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer))


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


def collect(into: list[Envelope]) -> Callable[[Envelope], Awaitable[None]]:
    async def handler(envelope: Envelope) -> None:
        into.append(envelope)

    return handler
