"""Alembic glue shared by the services: each runs its own migrations on its own schema."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Literal

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.types import TypeDecorator

from building_blocks.persistence.database import Database, async_url


def alembic_config(migrations_dir: Path, url: str | None = None) -> Config:
    """An Alembic ``Config`` for a service's ``migrations/`` folder, without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    if url:
        config.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    return config


async def upgrade_to_head(database: Database, migrations_dir: Path) -> None:
    """Bring the service's schema to the newest revision.

    PostgreSQL runs the Alembic migrations. SQLite (the embedded ``make run`` mode only) has
    no schemas, so there the caller creates the tables from the metadata instead.
    """
    config = alembic_config(migrations_dir)

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with database.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{database.schema}"'))
        await connection.run_sync(upgrade)


def _render_item(type_: str, obj: object, _context: object) -> str | Literal[False]:
    # Custom column types (UTC-aware timestamps) migrate as their plain SQL type, so the
    # revision files never import application code that may move later.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_env(metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``.

    Uses the connection handed over by :func:`upgrade_to_head` when there is one, else
    connects to ``sqlalchemy.url`` or ``DATABASE_URL`` (the ``alembic`` command line).
    """
    schema = metadata.schema
    if schema is None:
        raise ValueError("service metadata must name its schema")
    config = context.config

    def configure_and_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=lambda name, type_, _parent: type_ != "schema" or name == schema,
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()

    connection = config.attributes.get("connection")
    if connection is not None:
        configure_and_run(connection)
        return
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def online() -> None:
        url = config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"]
        engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await conn.run_sync(configure_and_run)
        await engine.dispose()

    asyncio.run(online())
