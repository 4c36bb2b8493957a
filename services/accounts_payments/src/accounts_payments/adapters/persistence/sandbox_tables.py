"""Provider-side state of the sandbox bank (kept apart from the connector's own)."""

from __future__ import annotations

import sqlalchemy as sa

from accounts_payments.adapters.persistence.metadata import metadata
from building_blocks.persistence import UtcDateTime

sandbox_merchants = sa.Table(
    "sandbox_merchants",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("client_id", sa.String(128), nullable=False),
    sa.Column("legal_name", sa.String(200), nullable=False),
    sa.Column("country_code", sa.String(2), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # One merchant per Toqio client: onboarding twice must find the first one.
    sa.UniqueConstraint("customer_id", "client_id"),
)

sandbox_accounts = sa.Table(
    "sandbox_accounts",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("merchant_id", sa.String(36), sa.ForeignKey(sandbox_merchants.c.id), nullable=False),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("country_code", sa.String(2), nullable=False),
    sa.Column("product_code", sa.String(128), nullable=False),
    sa.Column("holder_name", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("account_number", sa.BigInteger, nullable=False),
    sa.Column("iban", sa.String(34), nullable=False, unique=True),
    sa.Column("bic", sa.String(11), nullable=False),
    sa.Column("uk_sort_code", sa.String(6), nullable=True),
    sa.Column("uk_account_number", sa.String(8), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("country_code", "account_number"),
    sa.Index(None, "merchant_id"),
)

# The last account number handed out per country: one row each, bumped atomically.
sandbox_account_numbers = sa.Table(
    "sandbox_account_numbers",
    metadata,
    sa.Column("country_code", sa.String(2), primary_key=True),
    sa.Column("last_number", sa.BigInteger, nullable=False),
)

sandbox_transactions = sa.Table(
    "sandbox_transactions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), sa.ForeignKey(sandbox_accounts.c.id), nullable=False),
    # INBOUND for money received (transfers, internal credits, returns); OUTBOUND for payments.
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("counterparty_name", sa.String(140), nullable=False),
    sa.Column("counterparty_iban", sa.String(34), nullable=False),
    sa.Column("reference", sa.String(140), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    # Set once the connector has booked the transfer; NULL means it still has to be told.
    sa.Column("connector_transaction_id", sa.String(64), nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("notified_at", UtcDateTime, nullable=True),
    sa.Index(None, "account_id"),
)

# Outbound payments the connector submitted; the bank decides each one once settle_at passes.
sandbox_payments = sa.Table(
    "sandbox_payments",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    # The connector's payment id: resubmitting it must find this row, never pay twice.
    sa.Column("reference", sa.String(64), nullable=False, unique=True),
    sa.Column("account_id", sa.String(36), sa.ForeignKey(sandbox_accounts.c.id), nullable=False),
    # The sandbox account credited by an internal transfer; NULL for other banks' payees.
    sa.Column("creditor_account_id", sa.String(36), nullable=True),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("credited_minor", sa.BigInteger, nullable=False),
    sa.Column("credited_currency", sa.String(3), nullable=False),
    sa.Column("scheme", sa.String(32), nullable=False),
    sa.Column("creditor_name", sa.String(140), nullable=False),
    sa.Column("creditor_iban", sa.String(34), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason_code", sa.String(8), nullable=True),
    sa.Column("settle_at", UtcDateTime, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # The last status the connector acknowledged; anything past it must still be reported.
    sa.Column("reported_status", sa.String(16), nullable=True),
    sa.Index(None, "status", "settle_at"),
)

SANDBOX_TABLES = (
    sandbox_merchants,
    sandbox_accounts,
    sandbox_account_numbers,
    sandbox_transactions,
    sandbox_payments,
)

__all__ = [
    "SANDBOX_TABLES",
    "metadata",
    "sandbox_account_numbers",
    "sandbox_accounts",
    "sandbox_merchants",
    "sandbox_payments",
    "sandbox_transactions",
]
