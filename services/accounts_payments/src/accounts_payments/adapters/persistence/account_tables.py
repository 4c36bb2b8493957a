"""Merchant (client) and account tables, and what statements and OTPs need."""

from __future__ import annotations

import sqlalchemy as sa

from accounts_payments.adapters.persistence.metadata import metadata

_ID = sa.String(64)
_WHEN = sa.DateTime(timezone=True)

merchants = sa.Table(
    "merchants",
    metadata,
    sa.Column("customer_id", _ID, primary_key=True),
    sa.Column("client_id", _ID, primary_key=True),
    sa.Column("provider_merchant_id", sa.String(128), nullable=False),
    sa.Column("legal_name", sa.String(255), nullable=False, server_default=""),
    sa.Column("created_at", _WHEN, nullable=False),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("customer_id", _ID, nullable=False),
    sa.Column("client_id", _ID, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("country_code", sa.String(2), nullable=False),
    sa.Column("partner_product", sa.String(128), nullable=False),
    sa.Column("holder_name", sa.String(255), nullable=False),
    sa.Column("alias", sa.String(255), nullable=False),
    sa.Column("address", sa.String(255), nullable=False),
    sa.Column("address2", sa.String(255), nullable=False),
    sa.Column("city", sa.String(128), nullable=False),
    sa.Column("postal_code", sa.String(32), nullable=False),
    sa.Column("read_only", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("provider_merchant_id", sa.String(128)),
    sa.Column("provider_account_id", sa.String(128), unique=True),
    sa.Column("iban", sa.String(34)),
    sa.Column("bic", sa.String(11)),
    sa.Column("uk_account_number", sa.String(8)),
    sa.Column("uk_sort_code", sa.String(6)),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Index("ix_accounts_customer_client", "customer_id", "client_id"),
)

booked_transactions = sa.Table(
    "booked_transactions",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("provider_transaction_id", sa.String(128), nullable=False, unique=True),
    sa.Column("customer_id", _ID, nullable=False),
    sa.Column("client_id", _ID, nullable=False),
    sa.Column("account_id", _ID, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("booked_at", _WHEN, nullable=False),
    sa.Column("debtor_name", sa.String(255), nullable=False),
    sa.Column("debtor_iban", sa.String(64), nullable=False),
    sa.Column("reference", sa.String(255), nullable=False),
    sa.Index("ix_booked_transactions_customer", "customer_id", "id"),
)

otp_challenges = sa.Table(
    "otp_challenges",
    metadata,
    sa.Column("operation_id", _ID, primary_key=True),
    sa.Column("customer_id", _ID, nullable=False),
    sa.Column("account_id", _ID, nullable=False),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("expires_at", _WHEN, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("verified", sa.Boolean, nullable=False),
)

__all__ = ["accounts", "booked_transactions", "merchants", "metadata", "otp_challenges"]
