"""Table metadata bound to one service's PostgreSQL schema, with stable constraint names."""

from __future__ import annotations

from typing import Self

from sqlalchemy import MetaData

# Explicit names keep Alembic migrations deterministic across PostgreSQL and SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ServiceMetaData(MetaData):
    """A service's tables: one shared description, never copied.

    dependency-injector deep-copies what a container is given each time one is built. A
    copied ``MetaData`` is a second, diverging set of tables (copied columns lose their
    types), and copying it costs more with every table and every statement SQLAlchemy has
    memoised on its columns: in a long test run that grew to minutes per container.
    """

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self


def service_metadata(schema: str) -> ServiceMetaData:
    """Return a fresh ``MetaData`` whose tables live in the service's own ``schema``."""
    return ServiceMetaData(schema=schema, naming_convention=NAMING_CONVENTION)
