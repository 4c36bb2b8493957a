"""Every table of accounts_payments, on its own PostgreSQL schema."""

from __future__ import annotations

# Imported for their side effect: each module registers its tables on ``metadata``.
from accounts_payments.adapters.persistence import (  # noqa: F401
    account_tables,
    beneficiary_tables,
    card_funds_tables,
    customer_tables,
    ledger_tables,
    payment_tables,
    sandbox_tables,
)
from accounts_payments.adapters.persistence.metadata import metadata
from building_blocks.idempotency import idempotency_tables
from building_blocks.outbox import messaging_tables
from building_blocks.webhooks import webhook_tables

messaging = messaging_tables(metadata)
webhooks = webhook_tables(metadata)
idempotency_keys = idempotency_tables(metadata)

__all__ = ["idempotency_keys", "messaging", "metadata", "webhooks"]
