"""Alembic environment of accounts_payments: its own tables on its own PostgreSQL schema."""

from accounts_payments.adapters.persistence.tables import metadata
from building_blocks.persistence.migrations import run_env

run_env(metadata)
