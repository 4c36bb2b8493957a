"""One async engine per service, on PostgreSQL (asyncpg) or SQLite (aiosqlite)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+psycopg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def async_url(url: str) -> str:
    """Return ``url`` with the async driver this project uses for its dialect."""
    parsed = make_url(url)
    driver = _DRIVERS.get(parsed.drivername, parsed.drivername)
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


class Database:
    """The engine and session factory of one service.

    On PostgreSQL the service's tables live in its own ``schema``; SQLite has no schemas, so
    there the schema name is translated away and each service uses its own file instead.
    """

    def __init__(self, url: str, *, schema: str, echo: bool = False) -> None:
        self.url = async_url(url)
        self.schema = schema
        self.is_sqlite = self.url.startswith("sqlite")
        options: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            options["connect_args"] = {"timeout": 30}
        else:
            options.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        engine = create_async_engine(self.url, **options)
        if self.is_sqlite:
            engine = engine.execution_options(schema_translate_map={schema: None})
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        self.engine: AsyncEngine = engine
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            engine, expire_on_commit=False, autoflush=False
        )

    async def create_schema(self, metadata: MetaData) -> None:
        """Create the schema and every table of ``metadata`` that does not exist yet.

        Used by the embedded mode and tests; deployments run the service's Alembic migrations.
        """
        async with self.engine.begin() as connection:
            if not self.is_sqlite:
                await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            await connection.run_sync(metadata.create_all)

    async def ping(self) -> bool:
        """Return whether the database answers a trivial query."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
