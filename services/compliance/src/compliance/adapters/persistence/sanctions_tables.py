"""Loaded sanctions lists: their versions and entries."""

from __future__ import annotations

import sqlalchemy as sa

from building_blocks.persistence import UtcDateTime
from compliance.adapters.persistence.metadata import metadata

_LIST = sa.String(16)
_VERSION = sa.String(128)

# Every publication ever loaded stays: a decision records the version it was screened against,
# and a reviewer may need to see what that version said.
sanctions_list_versions = sa.Table(
    "sanctions_list_versions",
    metadata,
    sa.Column("list_name", _LIST, primary_key=True),
    sa.Column("version", _VERSION, primary_key=True),
    sa.Column("loaded_at", UtcDateTime(), nullable=False),
    sa.Column("entry_count", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    # At most one active version per list, even if two loads race.
    sa.Index(
        "ux_sanctions_list_versions_active",
        "list_name",
        unique=True,
        postgresql_where=sa.text("active"),
        sqlite_where=sa.text("active"),
    ),
)

# names, countries, birth_years and programmes are JSON arrays: nothing queries inside them,
# the service reads a whole version into its in-memory index.
sanctions_entries = sa.Table(
    "sanctions_entries",
    metadata,
    sa.Column("list_name", _LIST, primary_key=True),
    sa.Column("version", _VERSION, primary_key=True),
    sa.Column("entry_id", sa.String(64), primary_key=True),
    sa.Column("entity_type", sa.String(16), nullable=False),
    sa.Column("names", sa.Text, nullable=False),
    sa.Column("countries", sa.Text, nullable=False),
    sa.Column("birth_years", sa.Text, nullable=False),
    sa.Column("programmes", sa.Text, nullable=False),
    sa.Column("remarks", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(
        ["list_name", "version"],
        [sanctions_list_versions.c.list_name, sanctions_list_versions.c.version],
        ondelete="CASCADE",
    ),
)

__all__ = ["metadata", "sanctions_entries", "sanctions_list_versions"]
