"""Dialect-aware INSERT statements that support ``ON CONFLICT`` on PostgreSQL and SQLite."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from building_blocks.persistence.database import Database


def dialect_insert(database: Database, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` offering ``on_conflict_do_nothing``/``do_update``.

    Both dialects' ``Insert`` classes share that API, so callers write one statement for both.
    Prefer ``ON CONFLICT DO NOTHING`` to catching ``IntegrityError``: on PostgreSQL a failed
    INSERT aborts the whole transaction.
    """
    return sqlite.insert(table) if database.is_sqlite else postgresql.insert(table)
