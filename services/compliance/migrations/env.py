"""Alembic environment of compliance: its own tables on its own PostgreSQL schema."""

from building_blocks.persistence.migrations import run_env
from compliance.adapters.persistence.tables import metadata

run_env(metadata)
