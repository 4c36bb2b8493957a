"""The vault's tables: per-tenant data keys (wrapped) and the sealed secrets of cards."""

from __future__ import annotations

import sqlalchemy as sa

from building_blocks.persistence import UtcDateTime
from cards.adapters.persistence.metadata import metadata
from cards.domain.secrets import SecretField

__all__ = ["card_secrets", "data_keys", "metadata"]

_FIELDS = ", ".join(f"'{field.value}'" for field in SecretField)
_PAN = SecretField.PAN.value
# Toqio's customer ids are opaque strings; generous, so a long one is stored, not refused.
_TENANT_ID = sa.String(128)
# A card id, or the opaque vault reference a card carries (``pan_ref``, at most 200 long).
_CARD_ID = sa.String(200)

data_keys = sa.Table(
    "data_keys",
    metadata,
    sa.Column("tenant_id", _TENANT_ID, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    # The version of the key-encryption key that wrapped it: rotation rewraps the old ones.
    sa.Column("kek_version", sa.Integer, nullable=False),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("version > 0", name="version_positive"),
    sa.CheckConstraint("kek_version > 0", name="kek_version_positive"),
    sa.Index(None, "kek_version"),
)

card_secrets = sa.Table(
    "card_secrets",
    metadata,
    sa.Column("card_id", _CARD_ID, primary_key=True),
    sa.Column("field", sa.String(8), primary_key=True),
    sa.Column("tenant_id", _TENANT_ID, nullable=False),
    sa.Column("key_version", sa.Integer, nullable=False),
    # AES-256-GCM, bound to (tenant_id, card_id, field); it names key_version itself too.
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    # HMAC-SHA256 of the PAN (hex) under the fingerprint key; PANs only.
    sa.Column("fingerprint", sa.String(64)),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(f"field IN ({_FIELDS})", name="field_known"),
    sa.CheckConstraint(
        f"(field = '{_PAN}' AND fingerprint IS NOT NULL)"
        f" OR (field <> '{_PAN}' AND fingerprint IS NULL)",
        name="fingerprint_only_for_pan",
    ),
    # A data key is never deleted while a secret is sealed under it.
    sa.ForeignKeyConstraint(
        ["tenant_id", "key_version"], [data_keys.c.tenant_id, data_keys.c.version]
    ),
    # One PAN is never stored twice, whatever the card or tenant.
    sa.UniqueConstraint("field", "fingerprint"),
    # Rotation pages through a tenant's secrets under old key versions.
    sa.Index(None, "tenant_id", "key_version"),
)
