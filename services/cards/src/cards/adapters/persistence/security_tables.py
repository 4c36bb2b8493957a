"""The security code's table: each card's consecutive wrong codes and the end of its lock."""

from __future__ import annotations

import sqlalchemy as sa

from building_blocks.persistence import UtcDateTime
from cards.adapters.persistence.card_tables import cards
from cards.adapters.persistence.metadata import metadata
from cards.domain.card_checks import MAX_ID_LENGTH

__all__ = ["metadata", "security_code_attempts"]

security_code_attempts = sa.Table(
    "security_code_attempts",
    metadata,
    # One row per card whose code was ever checked; no code, hash or secret is kept here.
    sa.Column(
        "card_id", sa.String(MAX_ID_LENGTH), sa.ForeignKey(cards.c.card_id), primary_key=True
    ),
    sa.Column("tenant_id", sa.String(MAX_ID_LENGTH), nullable=False),
    sa.Column("consecutive_failures", sa.Integer, nullable=False),
    sa.Column("locked_until", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("consecutive_failures >= 0", name="failures_not_negative"),
)
