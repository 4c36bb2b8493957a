"""The audit log and its head: an append-only HMAC chain and the one row that serialises it."""

from __future__ import annotations

import sqlalchemy as sa

from building_blocks.persistence import UtcDateTime
from cards.adapters.persistence.metadata import metadata
from cards.domain.audit import MAX_FIELD_LENGTH

__all__ = ["HEAD_ID", "audit_head", "audit_log", "metadata"]

HEAD_ID = 1
_SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TEXT = sa.String(MAX_FIELD_LENGTH)
_MAC = sa.String(64)

audit_log = sa.Table(
    "audit_log",
    metadata,
    # Assigned from the head in the appending transaction, never by a sequence: a rolled-back
    # append must leave no gap, since a gap is exactly what verification reports as tampering.
    sa.Column("sequence", _SEQUENCE, primary_key=True, autoincrement=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    # No CHECK on the action: new actions are added without a migration.
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("actor", _TEXT, nullable=False),
    sa.Column("channel", _TEXT, nullable=False),
    sa.Column("tenant_id", _TEXT, nullable=False),
    sa.Column("subject", _TEXT, nullable=False),
    sa.Column("details", sa.Text, nullable=False),  # JSON {str: str}
    sa.Column("previous_mac", _MAC, nullable=False),
    sa.Column("mac", _MAC, nullable=False),
    sa.CheckConstraint("sequence > 0", name="sequence_positive"),
    # An auditor's usual questions: what happened to this card, and in this tenant.
    sa.Index(None, "subject", "sequence"),
    sa.Index(None, "tenant_id", "occurred_at"),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_sequence", _SEQUENCE, nullable=False),
    sa.Column("last_mac", _MAC, nullable=False),
    sa.CheckConstraint(f"id = {HEAD_ID}", name="single_row"),
    sa.CheckConstraint("last_sequence >= 0", name="last_sequence_not_negative"),
)
