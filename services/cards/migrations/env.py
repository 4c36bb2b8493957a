"""Alembic environment of cards: its own tables on its own PostgreSQL schema."""

from building_blocks.persistence.migrations import run_env
from cards.adapters.persistence.tables import metadata

run_env(metadata)
