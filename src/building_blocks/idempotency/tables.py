"""The ``idempotency_keys`` table: one row per key, its request's fingerprint and its answer."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

from building_blocks.persistence.types import UtcDateTime


class KeyState(StrEnum):
    """Where the request of an idempotency key stands."""

    IN_FLIGHT = "IN_FLIGHT"
    COMPLETED = "COMPLETED"


def idempotency_tables(metadata: sa.MetaData) -> sa.Table:
    """Add the ``idempotency_keys`` table to ``metadata`` and return it.

    Args:
        metadata: the service's metadata (its schema is the service schema).
    """
    states = ", ".join(f"'{state.value}'" for state in KeyState)
    return sa.Table(
        "idempotency_keys",
        metadata,
        # Keys are the client's: the scope (route, tenant...) keeps two clients' keys apart.
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        # The claimant's lease: a completion counts only while its token is still the row's.
        sa.Column("claim_token", sa.String(36), nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=False),
        sa.Column("response_status", sa.Integer, nullable=True),
        sa.Column("response_headers", sa.Text, nullable=True),
        sa.Column("response_body", sa.LargeBinary, nullable=True),
        sa.Column("completed_at", UtcDateTime, nullable=True),
        sa.Column("resource_id", sa.String(64), nullable=True),
        sa.CheckConstraint(f"state IN ({states})", name="state"),
    )
