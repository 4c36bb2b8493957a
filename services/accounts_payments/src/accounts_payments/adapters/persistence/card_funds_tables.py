"""The card authorizations table: what cards asked for, what was answered, how it settled."""

from __future__ import annotations

import sqlalchemy as sa

from accounts_payments.adapters.persistence.metadata import metadata
from accounts_payments.application.cards.authorizations import CardFundsStatus, Refusal
from building_blocks.persistence import UtcDateTime

__all__ = ["card_authorizations", "metadata"]

_STATUSES = ", ".join(f"'{status.value}'" for status in CardFundsStatus)
_REASONS = ", ".join(f"'{reason.value}'" for reason in Refusal)

card_authorizations = sa.Table(
    "card_authorizations",
    metadata,
    # The authorization id from cards, which is also the ledger hold's id: unique forever.
    sa.Column("authorization_id", sa.String(100), primary_key=True),
    # A tombstone keeps what the release said, which may be empty.
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("card_id", sa.String(64), nullable=False),
    # The last four digits at most: no PAN ever leaves the cards service.
    sa.Column("card_last4", sa.String(4), nullable=False),
    sa.Column("merchant_name", sa.String(255), nullable=False),
    sa.Column("merchant_mcc", sa.String(4), nullable=False),
    sa.Column("merchant_country", sa.String(3), nullable=False),
    sa.Column("transaction_type", sa.String(16), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("reason", sa.String(32)),
    sa.Column("posted_minor", sa.BigInteger, nullable=False),
    sa.Column("requested_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
    sa.CheckConstraint(f"reason IS NULL OR reason IN ({_REASONS})", name="reason_known"),
    # A refusal has a reason and nothing else does; only a clearing posts anything.
    sa.CheckConstraint("(status = 'REFUSED') = (reason IS NOT NULL)", name="reason_iff_refused"),
    sa.CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    sa.CheckConstraint(
        "(status = 'POSTED' AND posted_minor > 0 AND posted_minor <= amount_minor)"
        " OR (status <> 'POSTED' AND posted_minor = 0)",
        name="posted_within_amount",
    ),
    sa.Index(None, "account_id", "created_at"),
)
