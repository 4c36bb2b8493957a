"""Names and declarations of the exchanges and queues a service uses on RabbitMQ."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue


@dataclass
class Topology:
    """Declares a service's topology under a name prefix and remembers it for deletion.

    Layout: a durable topic exchange per service (``{ns}{service}``) whose alternate exchange,
    the fanout ``{ns}{service}.unrouted``, parks what no binding matches in the quorum queue
    ``{ns}{service}.unrouted``; per subscription a quorum queue ``{ns}{service}.{queue}``
    dead-lettering to the direct exchange ``{ns}{service}.dlx`` under its own name, which routes
    to the quorum queue ``{ns}{service}.{queue}.dlq``; requests go through the default exchange
    straight to the classic queue ``{ns}{service}.rpc``.
    """

    namespace: str
    service: str
    queues: list[str] = field(default_factory=list)
    exchanges: list[str] = field(default_factory=list)

    def exchange_name(self, service: str | None = None) -> str:
        """The topic exchange ``service`` (default: this one) publishes to."""
        return f"{self.namespace}{service or self.service}"

    def queue_name(self, queue: str) -> str:
        """The full name of this service's ``queue``."""
        return f"{self.namespace}{self.service}.{queue}"

    def unrouted_name(self, service: str | None = None) -> str:
        """The alternate exchange of ``service`` (default: this one), and its parking queue."""
        return f"{self.exchange_name(service)}.unrouted"

    async def exchange(self, channel: AbstractChannel, service: str) -> AbstractExchange:
        """Declare (idempotently) the topic exchange of ``service``.

        Publisher and subscribers all declare it here: RabbitMQ refuses a redeclaration whose
        ``alternate-exchange`` differs (PRECONDITION_FAILED), so the arguments live in one place.
        """
        name = self.exchange_name(service)
        self._remember(self.exchanges, name)
        return await channel.declare_exchange(
            name,
            aio_pika.ExchangeType.TOPIC,
            durable=True,
            arguments={"alternate-exchange": self.unrouted_name(service)},
        )

    async def parking_lot(self, channel: AbstractChannel) -> AbstractQueue:
        """Declare this service's alternate exchange and the quorum queue it parks messages in.

        Declared by the owning service only: it alone publishes to its exchange, and it declares
        this before it publishes anything. The returned queue's ``declaration_result`` counts
        the messages parked at that moment.
        """
        name = self.unrouted_name()
        self._remember(self.exchanges, name)
        fanout = await channel.declare_exchange(name, aio_pika.ExchangeType.FANOUT, durable=True)
        queue = await self._declare(channel, name, {"x-queue-type": "quorum"})
        await queue.bind(fanout)
        return queue

    async def subscriber_queue(
        self, channel: AbstractChannel, queue: str, *, delivery_limit: int
    ) -> AbstractQueue:
        """Declare the quorum queue ``queue`` with its dead-letter exchange and queue."""
        name = self.queue_name(queue)
        dlx_name = f"{self.exchange_name()}.dlx"
        self._remember(self.exchanges, dlx_name)
        dlx = await channel.declare_exchange(dlx_name, aio_pika.ExchangeType.DIRECT, durable=True)
        dlq = await self._declare(channel, f"{name}.dlq", {"x-queue-type": "quorum"})
        await dlq.bind(dlx, routing_key=name)
        arguments: dict[str, Any] = {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": dlx_name,
            "x-dead-letter-routing-key": name,
            "x-delivery-limit": delivery_limit,
        }
        return await self._declare(channel, name, arguments)

    def request_queue_name(self, service: str | None = None) -> str:
        """The queue requests to ``service`` (default: this one) are sent to."""
        return f"{self.exchange_name(service)}.rpc"

    async def request_queue(self, channel: AbstractChannel) -> AbstractQueue:
        """Declare the queue requests to this service wait in.

        Classic, not quorum: a request is worthless after its deadline (seconds), so it is
        neither persisted nor replicated, and the hot path avoids a Raft round-trip.
        """
        arguments = {"x-queue-type": "classic"}
        return await self._declare(channel, self.request_queue_name(), arguments)

    async def reply_queue(self, channel: AbstractChannel, name: str) -> AbstractQueue:
        """Declare an exclusive, auto-deleted reply queue for one bus instance."""
        return await channel.declare_queue(
            f"{self.namespace}{name}", exclusive=True, auto_delete=True
        )

    async def delete(self, channel: AbstractChannel) -> None:
        """Delete every queue and exchange this topology declared."""
        for name in self.queues:
            await channel.queue_delete(name)
        for name in self.exchanges:
            await channel.exchange_delete(name)

    async def _declare(
        self, channel: AbstractChannel, name: str, arguments: dict[str, Any]
    ) -> AbstractQueue:
        self._remember(self.queues, name)
        return await channel.declare_queue(name, durable=True, arguments=arguments)

    @staticmethod
    def _remember(names: list[str], name: str) -> None:
        if name not in names:
            names.append(name)
