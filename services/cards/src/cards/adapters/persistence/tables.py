"""Every table of cards, on its own PostgreSQL schema."""

from __future__ import annotations

from building_blocks.outbox import messaging_tables
from building_blocks.webhooks import webhook_tables

# Imported for their side effect: each module registers its tables on ``metadata``.
from cards.adapters.persistence import (  # noqa: F401
    audit_tables,
    authorization_tables,
    card_tables,
    security_tables,
    vault_tables,
)
from cards.adapters.persistence.metadata import metadata

messaging = messaging_tables(metadata)
webhooks = webhook_tables(metadata)

__all__ = ["messaging", "metadata", "webhooks"]
