"""Customer (Toqio tenant) and customer product tables; secrets only as AES-GCM ciphertexts."""

from __future__ import annotations

import sqlalchemy as sa

from accounts_payments.adapters.persistence.metadata import metadata
from building_blocks.persistence import UtcDateTime

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("customer_id", sa.String(128), primary_key=True),
    sa.Column("commercial_name", sa.String(255), nullable=False),
    sa.Column("provider", sa.String(100), nullable=False),
    sa.Column("provider_config_id", sa.String(255), nullable=True),
    sa.Column("payment_provider_type", sa.String(100), nullable=True),
    sa.Column("payment_provider_customer_id", sa.String(255), nullable=True),
    sa.Column("payment_provider_login_id", sa.String(255), nullable=True),
    # Upper-case ISO 4217 codes; an empty list means every currency of the catalog.
    sa.Column("available_currencies", sa.JSON, nullable=False),
    sa.Column("api_key_encrypted", sa.LargeBinary, nullable=False),
    sa.Column("payment_key_encrypted", sa.LargeBinary, nullable=True),
    sa.Column("hmac_key_encrypted", sa.LargeBinary, nullable=True),
    sa.Column("registered_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

customer_products = sa.Table(
    "customer_products",
    metadata,
    sa.Column(
        "customer_id",
        sa.String(128),
        sa.ForeignKey(customers.c.customer_id, ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("product_id", sa.String(128), primary_key=True),
    sa.Column("partner_product", sa.String(128), nullable=False),
    sa.Column("banking_provider", sa.String(255), nullable=False),
    sa.Column("name", sa.JSON, nullable=False),
    sa.Column("description", sa.JSON, nullable=True),
    sa.Column("ledger_type_id", sa.String(255), nullable=False),
    sa.Column("visible", sa.Boolean, nullable=False),
    sa.Column("is_core", sa.Boolean, nullable=True),
    sa.Column("product_image_url", sa.String(2048), nullable=True),
    sa.Column("marketplace_key", sa.String(255), nullable=True),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

__all__ = ["customer_products", "customers", "metadata"]
