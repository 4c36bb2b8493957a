"""The ``webhook_deliveries`` and ``webhook_attempts`` tables of the durable webhook queue."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Self

import sqlalchemy as sa

from building_blocks.persistence.types import UtcDateTime


class DeliveryStatus(StrEnum):
    """Where a webhook delivery stands."""

    PENDING = "PENDING"
    DELIVERING = "DELIVERING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class WebhookTables:
    """The two tables of the queue, bound to one service's metadata."""

    deliveries: sa.Table
    attempts: sa.Table

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        # dependency-injector deep-copies provided objects when a container is built; a
        # copied Table keeps column comparators typed NullType, so ``attempts + 1`` fails.
        # Tables are shared schema descriptions: every holder must use the same objects.
        return self


def webhook_tables(metadata: sa.MetaData) -> WebhookTables:
    """Add the webhook queue tables to ``metadata`` and return them.

    Args:
        metadata: the service's metadata (its schema is the service schema).
    """
    statuses = ", ".join(f"'{status.value}'" for status in DeliveryStatus)
    deliveries = sa.Table(
        "webhook_deliveries",
        metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("webhook_type", sa.String(100), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=True, unique=True),
        # Deliveries sharing an ordering key are sent one at a time in (created_at, id) order.
        sa.Column("ordering_key", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("delivered_at", UtcDateTime, nullable=True),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        # The retry window (72 h) and the backoff restart when an operator replays a delivery.
        sa.Column("window_started_at", UtcDateTime, nullable=False),
        sa.Column("attempts_before_window", sa.Integer, nullable=False, default=0),
        # The lease of the dispatcher that claimed the row; its request id doubles as a token.
        sa.Column("request_id", sa.String(36), nullable=True),
        sa.Column("claimed_at", UtcDateTime, nullable=True),
        sa.Column("locked_until", UtcDateTime, nullable=True),
        sa.CheckConstraint(f"status IN ({statuses})", name="status"),
        sa.Index(None, "status", "next_attempt_at"),
        # Serves the claim's "no earlier unsettled delivery of this key" probe and replay's
        # look at the later ones: both seek one key and range over (created_at, id).
        sa.Index(None, "ordering_key", "created_at", "id"),
    )
    attempts = sa.Table(
        "webhook_attempts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "delivery_id",
            sa.String(36),
            sa.ForeignKey(deliveries.c.id, ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("latency_ms", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("retry_after", sa.Float, nullable=True),
        sa.UniqueConstraint("delivery_id", "attempt"),
    )
    return WebhookTables(deliveries=deliveries, attempts=attempts)
