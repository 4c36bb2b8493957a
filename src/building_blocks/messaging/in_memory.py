"""An in-process message bus with RabbitMQ's semantics, for the embedded mode and tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import structlog

from building_blocks.messaging.port import (
    Binding,
    Handler,
    NoResponder,
    PublishFailed,
    RequestTimedOut,
    Responder,
    Unroutable,
)
from building_blocks.messaging.topics import topic_matches
from shared_kernel.contracts import Envelope, decode_envelope, encode

log = structlog.get_logger(__name__)


@dataclass
class _Delivery:
    body: bytes
    failures: int = 0
    reply: asyncio.Future[bytes] | None = None
    expires_at: float | None = None


@dataclass
class _Queue:
    name: str
    delivery_limit: int
    items: asyncio.Queue[_Delivery] = field(default_factory=asyncio.Queue)


class InMemoryBroker:
    """The shared "server" of every ``InMemoryMessageBus`` in one process.

    Queues outlive the buses consuming them, as durable queues do, so messages published while
    a consumer is stopped wait for it. A message nobody is bound for is parked per exchange, as
    RabbitMQ's alternate exchange parks it, until ``replay_unrouted`` routes it again.
    """

    def __init__(self) -> None:
        self._bindings: dict[str, list[tuple[str, _Queue]]] = {}
        self._queues: dict[str, _Queue] = {}
        self._dead_letters: dict[str, list[bytes]] = {}
        self._unrouted: dict[str, list[tuple[str, bytes]]] = {}

    def declare_queue(self, name: str, *, delivery_limit: int) -> _Queue:
        """Return the queue called ``name``, creating it on first use."""
        if name not in self._queues:
            self._queues[name] = _Queue(name, delivery_limit)
        return self._queues[name]

    def bind(self, exchange: str, pattern: str, queue: _Queue) -> None:
        """Route messages published to ``exchange`` under keys matching ``pattern`` to ``queue``."""
        bindings = self._bindings.setdefault(exchange, [])
        if (pattern, queue) not in bindings:
            bindings.append((pattern, queue))

    def route(self, exchange: str, routing_key: str, body: bytes) -> None:
        """Enqueue a copy of ``body`` on every bound queue; park it if there is none."""
        targets = {
            queue.name: queue
            for pattern, queue in self._bindings.get(exchange, [])
            if topic_matches(pattern, routing_key)
        }
        if not targets:
            log.warning("unroutable message parked", exchange=exchange, routing_key=routing_key)
            self._unrouted.setdefault(exchange, []).append((routing_key, body))
        for queue in targets.values():
            queue.items.put_nowait(_Delivery(body))

    def send(self, queue_name: str, delivery: _Delivery) -> None:
        """Enqueue ``delivery`` straight on a queue; raise ``Unroutable`` if it does not exist.

        What requests go through, like RabbitMQ's default exchange: a request is never parked.
        """
        queue = self._queues.get(queue_name)
        if queue is None:
            raise Unroutable(f"no queue {queue_name!r}")
        queue.items.put_nowait(delivery)

    def unrouted(self, service: str) -> list[bytes]:
        """The bodies parked because nothing was bound for them on ``service``'s exchange."""
        return [body for _, body in self._unrouted.get(service, [])]

    def replay_unrouted(self, service: str) -> int:
        """Route every message parked for ``service`` again; return how many that was."""
        parked = self._unrouted.pop(service, [])
        for routing_key, body in parked:
            self.route(service, routing_key, body)
        return len(parked)

    def dead_letter(self, queue: _Queue, body: bytes) -> None:
        """Move a message to ``queue``'s dead-letter list."""
        self._dead_letters.setdefault(queue.name, []).append(body)

    def dead_letters(self, service: str, queue: str) -> list[bytes]:
        """The bodies dead-lettered from ``service``'s ``queue``, oldest first."""
        return list(self._dead_letters.get(f"{service}.{queue}", []))

    def publish_raw(self, exchange: str, routing_key: str, body: bytes) -> None:
        """Publish arbitrary bytes, as a foreign or broken producer would (for tests)."""
        self.route(exchange, routing_key, body)


class _Consumer:
    """Takes deliveries off one queue one at a time; stopping lets the current one finish."""

    def __init__(
        self, queue: _Queue, process: Callable[[_Delivery], Coroutine[Any, Any, None]]
    ) -> None:
        self._queue = queue
        self._process = process
        self._current: asyncio.Task[None] | None = None
        self._task = asyncio.create_task(self._run(), name=f"consume {queue.name}")

    async def _run(self) -> None:
        while True:
            delivery = await self._queue.items.get()
            self._current = asyncio.create_task(self._process(delivery))
            # The shield keeps a stop() from cancelling a handler halfway through.
            await asyncio.shield(self._current)
            self._current = None

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self._current is not None:
            await self._current


class InMemoryMessageBus:
    """A ``MessageBus`` on an ``InMemoryBroker``; messages go through the JSON codec as on the wire.

    Queues are named ``{service}.{queue}``, each service's exchange is its name, requests go to
    straight to the queue ``{service}.rpc``.
    """

    def __init__(self, broker: InMemoryBroker, service: str, *, delivery_limit: int = 5) -> None:
        self.service = service
        self._broker = broker
        self._delivery_limit = delivery_limit
        self._consumers: list[_Consumer] = []
        self._running = False

    async def start(self) -> None:
        """Mark the bus running; the in-memory broker needs no connection."""
        self._running = True

    async def close(self) -> None:
        """Stop every consumer after its in-flight message, leaving queued ones in place."""
        self._running = False
        consumers, self._consumers = self._consumers, []
        for consumer in consumers:
            await consumer.stop()

    async def ping(self) -> bool:
        """Return whether the bus is started."""
        return self._running

    async def publish(self, envelope: Envelope) -> None:
        """Route ``envelope`` from this service's exchange; parked if nobody is bound."""
        self._require_running()
        self._broker.route(self.service, envelope.routing_key, encode(envelope))

    async def replay_unrouted(self) -> int:
        """Route this service's parked messages again; those still unroutable park again."""
        self._require_running()
        return self._broker.replay_unrouted(self.service)

    async def subscribe(self, queue: str, bindings: Sequence[Binding], handler: Handler) -> None:
        """Consume ``{service}.{queue}`` with ``handler``, redelivering on error up to the limit."""
        declared = self._broker.declare_queue(
            f"{self.service}.{queue}", delivery_limit=self._delivery_limit
        )
        for binding in bindings:
            self._broker.bind(binding.source_service, binding.routing_key_pattern, declared)

        async def process(delivery: _Delivery) -> None:
            await self._handle(declared, handler, delivery)

        self._consumers.append(_Consumer(declared, process))

    async def _handle(self, queue: _Queue, handler: Handler, delivery: _Delivery) -> None:
        try:
            envelope = decode_envelope(delivery.body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            log.error("undecodable message dead-lettered", queue=queue.name)
            self._broker.dead_letter(queue, delivery.body)
            return
        try:
            await handler(envelope)
        except Exception as error:
            delivery.failures += 1
            log.warning(
                "message handler failed",
                queue=queue.name,
                message_id=envelope.message_id,
                attempt=delivery.failures,
                error_type=type(error).__name__,
            )
            # Like a quorum queue: 'delivery_limit' redeliveries, then the dead-letter queue.
            if delivery.failures > queue.delivery_limit:
                self._broker.dead_letter(queue, delivery.body)
            else:
                queue.items.put_nowait(delivery)

    async def request(
        self,
        target_service: str,
        payload_envelope: Envelope,
        *,
        timeout: float,  # noqa: ASYNC109
    ) -> Envelope:
        """Ask ``target_service``; raise ``RequestTimedOut`` (or ``NoResponder``) without answer."""
        self._require_running()
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[bytes] = loop.create_future()
        delivery = _Delivery(
            encode(payload_envelope), reply=reply, expires_at=loop.time() + timeout
        )
        try:
            self._broker.send(f"{target_service}.rpc", delivery)
        except Unroutable as error:
            raise NoResponder(f"nothing serves {target_service!r}") from error
        try:
            async with asyncio.timeout(timeout):
                return decode_envelope(await reply)
        except TimeoutError as error:
            raise RequestTimedOut(f"{target_service!r} did not answer in {timeout}s") from error
        finally:
            reply.cancel()

    def _require_running(self) -> None:
        if not self._running:
            raise PublishFailed("the bus is not started")

    async def serve(self, responder: Responder) -> None:
        """Answer requests to this service; expired requests are dropped unanswered."""
        queue = self._broker.declare_queue(f"{self.service}.rpc", delivery_limit=0)

        async def process(delivery: _Delivery) -> None:
            await self._answer(responder, delivery)

        self._consumers.append(_Consumer(queue, process))

    async def _answer(self, responder: Responder, delivery: _Delivery) -> None:
        reply = delivery.reply
        expired = delivery.expires_at is not None and (
            asyncio.get_running_loop().time() >= delivery.expires_at
        )
        if reply is None or reply.done() or expired:
            return
        request = decode_envelope(delivery.body)
        try:
            answer = await responder(request)
        except Exception as error:
            # The requester falls back after its deadline, as with RabbitMQ.
            log.warning(
                "responder failed", message_id=request.message_id, error_type=type(error).__name__
            )
            return
        if not reply.done():
            reply.set_result(encode(Envelope.wrap(answer, causation=request)))
