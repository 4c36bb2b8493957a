"""The RabbitMQ adapter of the message bus (aio-pika, publisher confirms, quorum queues)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Sequence

import aio_pika
import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from aio_pika.exceptions import PublishError

from building_blocks.messaging.port import (
    Binding,
    Handler,
    NoResponder,
    PublishFailed,
    RequestTimedOut,
    Responder,
    Unroutable,
)
from building_blocks.messaging.rabbitmq_consumer import UNDECODABLE, handle_delivery
from building_blocks.messaging.rabbitmq_topology import Topology
from shared_kernel.contracts import Envelope, decode_envelope, encode

log = structlog.get_logger(__name__)


class RabbitMqMessageBus:
    """A ``MessageBus`` on RabbitMQ: confirmed, mandatory, persistent publishing.

    An event no binding matches goes to the service's parking lot through the exchange's
    alternate exchange; ``replay_unrouted`` re-publishes it once a consumer is bound. A
    ``basic.return`` (``Unroutable``) therefore only means a broken topology.

    Consumers ack only after their handler returned and reject with requeue when it raised, so
    the quorum queue's ``x-delivery-limit`` moves a poison message to the dead-letter queue.
    Requests carry the request's ``message_id`` as AMQP ``correlation_id`` and an
    ``expiration`` equal to the deadline; replies come back on a per-bus exclusive queue.
    """

    def __init__(
        self,
        url: str,
        service: str,
        *,
        namespace: str = "",
        prefetch: int = 16,
        delivery_limit: int = 5,
        confirm_timeout: float = 5.0,
        drain_timeout: float = 30.0,
    ) -> None:
        self.service = service
        self._url = url
        self._prefetch = prefetch
        self._delivery_limit = delivery_limit
        self._confirm_timeout = confirm_timeout
        self._drain_timeout = drain_timeout
        self.topology = Topology(namespace, service)
        self._connection: AbstractRobustConnection | None = None
        self._publisher: AbstractChannel | None = None
        self._consumer: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._consumers: list[tuple[AbstractQueue, str]] = []
        self._in_flight: set[asyncio.Task[object]] = set()
        self._pending: dict[str, asyncio.Future[Envelope]] = {}
        self._reply_queue_name = ""

    async def start(self) -> None:
        """Connect, open a confirming publisher channel and a consumer channel, declare."""
        self._connection = await aio_pika.connect_robust(self._url)
        self._publisher = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        self._consumer = await self._connection.channel()
        await self._consumer.set_qos(prefetch_count=self._prefetch)
        await self.topology.parking_lot(self._publisher)
        self._exchange = await self.topology.exchange(self._publisher, self.service)
        reply_queue = await self.topology.reply_queue(
            self._consumer, f"{self.service}.reply.{uuid.uuid4().hex}"
        )
        self._reply_queue_name = reply_queue.name
        await reply_queue.consume(self._on_reply, no_ack=True)

    async def close(self) -> None:
        """Cancel consumers, wait for in-flight handlers (up to ``drain_timeout``), close."""
        consumers, self._consumers = self._consumers, []
        for queue, tag in consumers:
            try:
                await queue.cancel(tag, timeout=self._confirm_timeout)
            except Exception as error:
                # The connection is closing anyway, which cancels the consumer on the broker.
                log.warning("consumer not cancelled", queue=queue.name, error=type(error).__name__)
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=self._drain_timeout)
        for future in self._pending.values():
            future.cancel()
        connection, self._connection = self._connection, None
        self._publisher = self._consumer = None
        self._exchange = None
        if connection is not None:
            await connection.close()

    async def ping(self) -> bool:
        """Return whether the connection and both channels are open."""
        connection = self._connection
        return (
            connection is not None
            and not connection.is_closed
            and connection.connected.is_set()
            and all(ch is not None and not ch.is_closed for ch in (self._publisher, self._consumer))
        )

    async def publish(self, envelope: Envelope) -> None:
        """Publish to this service's exchange and wait for the broker's confirm."""
        message = aio_pika.Message(
            encode(envelope),
            message_id=envelope.message_id,
            correlation_id=envelope.correlation_id,
            type=envelope.routing_key,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await self._publish(envelope.routing_key, message)

    async def _publish(
        self, routing_key: str, message: AbstractMessage, *, direct: bool = False
    ) -> None:
        # direct: through the default exchange to the queue named routing_key, which has no
        # alternate exchange, so a missing queue comes back as a basic.return (Unroutable).
        if self._publisher is None or self._exchange is None:
            raise PublishFailed("the bus is not started")
        exchange = self._publisher.default_exchange if direct else self._exchange
        try:
            async with asyncio.timeout(self._confirm_timeout):
                await exchange.publish(message, routing_key, mandatory=True)
        except PublishError as error:
            raise Unroutable(f"nothing bound for {routing_key!r} on {exchange.name!r}") from error
        except TimeoutError as error:
            raise PublishFailed(f"no confirm for {routing_key!r} in time") from error
        except Exception as error:
            raise PublishFailed(f"{type(error).__name__} publishing {routing_key!r}") from error

    async def replay_unrouted(self) -> int:
        """Re-publish the messages parked for this service; those still unroutable park again.

        Takes as many as were parked when it began, so re-parked ones wait for the next replay.
        Each is acked only once its re-publication is confirmed: a crash in between replays it
        twice, which the consumers' inbox absorbs. Returns how many were re-published.
        """
        if self._publisher is None:
            raise PublishFailed("the bus is not started")
        parked = await self.topology.parking_lot(self._publisher)
        replayed = 0
        for _ in range(parked.declaration_result.message_count or 0):
            message = await parked.get(fail=False, timeout=self._confirm_timeout)
            if message is None:
                break  # another replica's replay took the rest
            try:
                await self._publish(message.routing_key or "", message)
            except PublishFailed:
                await message.reject(requeue=True)
                raise
            await message.ack()
            replayed += 1
        return replayed

    async def subscribe(self, queue: str, bindings: Sequence[Binding], handler: Handler) -> None:
        """Declare ``queue`` as a quorum queue with a DLQ, bind it and start consuming."""
        channel = self._require(self._consumer)
        declared = await self.topology.subscriber_queue(
            channel, queue, delivery_limit=self._delivery_limit
        )
        for binding in bindings:
            source = await self.topology.exchange(channel, binding.source_service)
            await declared.bind(source, routing_key=binding.routing_key_pattern)

        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._tracked(handle_delivery(declared.name, handler, message))

        self._consumers.append((declared, await declared.consume(on_message)))

    async def _tracked(self, work: Awaitable[None]) -> None:
        # close() waits for these tasks so a handler is never cut off before its ack.
        task = asyncio.current_task()
        assert task is not None  # aio-pika runs every consumer callback in its own task
        self._in_flight.add(task)
        try:
            await work
        finally:
            self._in_flight.discard(task)

    async def request(
        self,
        target_service: str,
        payload_envelope: Envelope,
        *,
        timeout: float,  # noqa: ASYNC109
    ) -> Envelope:
        """Send a request to ``target_service`` and wait up to ``timeout`` for its reply."""
        future: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        self._pending[payload_envelope.message_id] = future
        message = aio_pika.Message(
            encode(payload_envelope),
            message_id=payload_envelope.message_id,
            correlation_id=payload_envelope.message_id,
            type=payload_envelope.routing_key,
            content_type="application/json",
            reply_to=self._reply_queue_name,
            expiration=timeout,
        )
        try:
            async with asyncio.timeout(timeout):
                target = self.topology.request_queue_name(target_service)
                await self._publish(target, message, direct=True)
                return await future
        except Unroutable as error:
            raise NoResponder(f"nothing serves {target_service!r}") from error
        except TimeoutError as error:
            raise RequestTimedOut(f"{target_service!r} did not answer in {timeout}s") from error
        finally:
            self._pending.pop(payload_envelope.message_id, None)

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        future = self._pending.get(message.correlation_id or "")
        if future is None or future.done():
            return  # a late reply to a request that already timed out
        try:
            future.set_result(decode_envelope(message.body))
        except UNDECODABLE:
            log.error("undecodable reply dropped", correlation_id=message.correlation_id)

    async def serve(self, responder: Responder) -> None:
        """Consume this service's request queue and answer each request with ``responder``."""
        channel = self._require(self._consumer)
        queue = await self.topology.request_queue(channel)

        async def on_request(message: AbstractIncomingMessage) -> None:
            await self._tracked(self._answer(responder, message))

        self._consumers.append((queue, await queue.consume(on_request)))

    async def _answer(self, responder: Responder, message: AbstractIncomingMessage) -> None:
        try:
            request = decode_envelope(message.body)
            answer = await responder(request)
        except Exception as error:
            # Not requeued: the requester falls back after its deadline anyway.
            log.warning(
                "request not answered", message_id=message.message_id, error=type(error).__name__
            )
            await message.reject(requeue=False)
            return
        reply = aio_pika.Message(
            encode(Envelope.wrap(answer, causation=request)),
            correlation_id=message.correlation_id,
            type=answer.routing_key(),
            content_type="application/json",
        )
        try:
            await self._publish(message.reply_to or "", reply, direct=True)
        except PublishFailed as error:
            log.warning("reply not delivered", message_id=request.message_id, error=str(error))
        await message.ack()

    async def delete_topology(self) -> None:
        """Delete every queue and exchange this bus declared (tests and tear-down tools)."""
        connection = await aio_pika.connect(self._url)
        try:
            await self.topology.delete(await connection.channel())
        finally:
            await connection.close()

    @staticmethod
    def _require(channel: AbstractChannel | None) -> AbstractChannel:
        if channel is None:
            raise RuntimeError("the bus is not started")
        return channel
