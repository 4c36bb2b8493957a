"""SQL helpers the sandbox bank shares: dialect-aware upserts and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from building_blocks.persistence import Database


def utc_now() -> datetime:
    """Now, timezone-aware in UTC (the default clock)."""
    return datetime.now(UTC)


def insert(database: Database, table: sa.Table) -> Any:
    """An INSERT that supports ``ON CONFLICT`` on both databases the project runs on."""
    # Both dialects' Insert classes offer on_conflict_do_nothing/do_update with one API.
    return sqlite.insert(table) if database.is_sqlite else postgresql.insert(table)
