"""Table metadata bound to one service's PostgreSQL schema, with stable constraint names."""

from __future__ import annotations

from sqlalchemy import MetaData

# Explicit names keep Alembic migrations deterministic across PostgreSQL and SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    """Return a fresh ``MetaData`` whose tables live in the service's own ``schema``."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)
