"""Every table of cards, on its own PostgreSQL schema."""

from __future__ import annotations

from building_blocks.outbox import messaging_tables
from building_blocks.persistence import service_metadata
from building_blocks.webhooks import webhook_tables

metadata = service_metadata("cards")
messaging = messaging_tables(metadata)
webhooks = webhook_tables(metadata)
