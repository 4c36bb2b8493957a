"""Messaging between services: the ``MessageBus`` port and its RabbitMQ and in-memory adapters."""

from building_blocks.messaging.in_memory import InMemoryBroker, InMemoryMessageBus
from building_blocks.messaging.port import (
    Binding,
    Handler,
    MessageBus,
    MessagingError,
    NoResponder,
    PublishFailed,
    RequestTimedOut,
    Responder,
    Unroutable,
    UnroutedReplay,
)
from building_blocks.messaging.rabbitmq import RabbitMqMessageBus

__all__ = [
    "Binding",
    "Handler",
    "InMemoryBroker",
    "InMemoryMessageBus",
    "MessageBus",
    "MessagingError",
    "NoResponder",
    "PublishFailed",
    "RabbitMqMessageBus",
    "RequestTimedOut",
    "Responder",
    "Unroutable",
    "UnroutedReplay",
]
