"""The beneficiaries table: payees of each client, bank details fixed at creation."""

from __future__ import annotations

import sqlalchemy as sa

from accounts_payments.adapters.persistence.metadata import metadata

_ID = sa.String(64)
_CODE = sa.String(64)
_TEXT = sa.String(255)
_WHEN = sa.DateTime(timezone=True)

beneficiaries = sa.Table(
    "beneficiaries",
    metadata,
    # Toqio may choose the id, so it is unique per customer, never across tenants.
    sa.Column("customer_id", _ID, primary_key=True),
    sa.Column("id", _ID, primary_key=True),
    sa.Column("client_id", _ID, nullable=False),
    sa.Column("asset_type", sa.String(8), nullable=False),
    sa.Column("bank_country", sa.String(2), nullable=False),
    sa.Column("iban", sa.String(34)),
    sa.Column("bic_swift", sa.String(11)),
    sa.Column("uk_account_number", sa.String(8)),
    sa.Column("uk_sort_code", sa.String(6)),
    sa.Column("bank", _TEXT),
    sa.Column("bsb_code", _CODE),
    sa.Column("routing_number", _CODE),
    sa.Column("ca_routing_number", _CODE),
    sa.Column("account_number", _CODE),
    sa.Column("clabe", _CODE),
    sa.Column("aba", _CODE),
    sa.Column("cnaps", _CODE),
    sa.Column("ifsc", _CODE),
    sa.Column("bank_code", _CODE),
    sa.Column("branch_code", _CODE),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("name", _TEXT, nullable=False),
    sa.Column("first_name", _TEXT, nullable=False),
    sa.Column("last_name", _TEXT, nullable=False),
    sa.Column("address_street", _TEXT, nullable=False),
    sa.Column("address_postal_code", sa.String(32), nullable=False),
    sa.Column("address_city", sa.String(128), nullable=False),
    sa.Column("address_iso_country", sa.String(2), nullable=False),
    sa.Column("visible", sa.Boolean, nullable=False),
    sa.Column("user_id", _ID),
    sa.Column("company_id", _ID),
    sa.Column("beneficiary_account_id", _ID),
    sa.Column("banking_provider_beneficiary_id", sa.String(128)),
    sa.Column("source_account", _ID),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Column("updated_at", _WHEN, nullable=False),
    sa.Index("ix_beneficiaries_customer_client", "customer_id", "client_id"),
)

__all__ = ["beneficiaries", "metadata"]
