"""Transactional outbox (with its relay) and inbox: exactly-once effects over RabbitMQ."""

from building_blocks.outbox.inbox import Effect, Inbox, idempotent
from building_blocks.outbox.outbox import Outbox
from building_blocks.outbox.relay import OutboxRelay
from building_blocks.outbox.tables import MessagingTables, messaging_tables

__all__ = [
    "Effect",
    "Inbox",
    "MessagingTables",
    "Outbox",
    "OutboxRelay",
    "idempotent",
    "messaging_tables",
]
