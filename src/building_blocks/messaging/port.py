"""The message bus port: publish/subscribe and request/reply between services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from shared_kernel.contracts import Envelope, IntegrationMessage

Handler = Callable[[Envelope], Awaitable[None]]
"""Consumes one message: returning acknowledges it, raising asks for a redelivery."""

Responder = Callable[[Envelope], Awaitable[IntegrationMessage]]
"""Answers one request with the payload of the reply."""


@dataclass(frozen=True, slots=True)
class Binding:
    """Which messages a queue receives: those of ``source_service`` matching a topic pattern.

    The pattern uses AMQP topic syntax: ``*`` matches one dot-separated word, ``#`` zero or more.
    """

    source_service: str
    routing_key_pattern: str


class MessagingError(Exception):
    """Base of every error the message bus raises."""


class PublishFailed(MessagingError):
    """The broker did not confirm a message: nacked, unroutable, timed out or unreachable."""


class Unroutable(PublishFailed):
    """The broker returned the message: nothing could take it, not even the parking lot.

    An event nobody is bound for is parked, not returned, so this means a broken topology
    (say, a deleted alternate exchange); for a request it means nothing serves the target.
    """


class RequestTimedOut(MessagingError):
    """No reply arrived before the request's deadline."""


class NoResponder(RequestTimedOut):
    """Nothing serves the target service, so no reply can ever come: failed before the deadline.

    A subclass of ``RequestTimedOut`` so callers keep one fallback path for "no answer".
    """


class MessageBus(Protocol):
    """How a service talks to the others: at-least-once events and deadline-bound requests."""

    service: str

    async def start(self) -> None:
        """Connect and declare this service's exchange."""
        ...

    async def close(self) -> None:
        """Stop consuming, let in-flight handlers finish, then disconnect."""
        ...

    async def ping(self) -> bool:
        """Return whether the bus can publish and consume right now (readiness)."""
        ...

    async def publish(self, envelope: Envelope) -> None:
        """Publish to this service's exchange under ``envelope.routing_key``.

        Returns once the broker confirmed the message; raises ``PublishFailed`` otherwise. A
        message no queue is bound for is confirmed too: it waits in this service's parking lot
        (see ``UnroutedReplay``), so an event nobody consumes yet never stalls the publisher.
        """
        ...

    async def subscribe(self, queue: str, bindings: Sequence[Binding], handler: Handler) -> None:
        """Consume this service's ``queue``, bound to ``bindings``, with ``handler``."""
        ...

    async def request(
        self,
        target_service: str,
        payload_envelope: Envelope,
        *,
        timeout: float,  # noqa: ASYNC109
    ) -> Envelope:
        """Send a request to ``target_service`` and wait for its reply.

        Raises ``RequestTimedOut`` when no reply arrives within ``timeout`` seconds. The
        deadline is part of the request (the broker drops it once stale), hence a parameter
        rather than the caller's ``asyncio.timeout``.
        """
        ...

    async def serve(self, responder: Responder) -> None:
        """Answer the requests addressed to this service with ``responder``."""
        ...


class UnroutedReplay(Protocol):
    """The operator's side of a bus: replaying the events parked because nobody was bound.

    Apart from ``MessageBus`` because services never call it: it is run by hand (or a tool)
    once the missing consumer is deployed, and a fake bus need not implement it.
    """

    async def replay_unrouted(self) -> int:
        """Re-publish this service's parked messages; those still unroutable are parked again.

        Returns how many messages were re-published, wherever they went.
        """
        ...
