"""Loaded sanctions lists on SQLAlchemy: each version with its entries, one active per list."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from building_blocks.persistence import Database, dialect_insert
from compliance.adapters.persistence.sanctions_tables import (
    sanctions_entries,
    sanctions_list_versions,
)
from compliance.domain.sanctions.entries import (
    EntityType,
    ListVersion,
    LoadedList,
    SanctionsEntry,
    SanctionsList,
)

_CHUNK = 1000


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SqlAlchemySanctionsRepository:
    """The ``SanctionsListStore`` on PostgreSQL or SQLite."""

    def __init__(self, database: Database, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._database = database
        self._clock = clock

    async def store(self, loaded: LoadedList) -> ListVersion:
        """Store the version and its entries and make it its list's active version.

        One transaction: readers see the previous version or the whole new one. A version
        already stored is left as it is, active or not, and returned as stored.
        """
        version = loaded.version
        stored = ListVersion(version.list_name, version.version, len(loaded.entries), self._clock())
        async with self._database.engine.begin() as connection:
            # ON CONFLICT rather than a look-up first: two loads of one file may race.
            inserted = await connection.execute(
                dialect_insert(self._database, sanctions_list_versions)
                .values({**_version_row(stored), "active": False})
                .on_conflict_do_nothing()
            )
            if inserted.rowcount == 0:
                return await self._stored(connection, version)
            for start in range(0, len(loaded.entries), _CHUNK):
                chunk = loaded.entries[start : start + _CHUNK]
                await connection.execute(
                    sanctions_entries.insert(), [_entry_row(stored, entry) for entry in chunk]
                )
            table = sanctions_list_versions.c
            # Deactivate first: the unique index allows one active version per list.
            await connection.execute(
                sa.update(sanctions_list_versions)
                .where(table.list_name == version.list_name, table.active.is_(True))
                .values(active=False)
            )
            await connection.execute(
                sa.update(sanctions_list_versions)
                .where(table.list_name == version.list_name, table.version == version.version)
                .values(active=True)
            )
        return stored

    async def active(self) -> tuple[list[SanctionsEntry], list[ListVersion]]:
        """The entries of every list's active version, and those versions."""
        entries_table, versions_table = sanctions_entries.c, sanctions_list_versions.c
        query = (
            sa.select(sanctions_entries)
            .join(
                sanctions_list_versions,
                sa.and_(
                    versions_table.list_name == entries_table.list_name,
                    versions_table.version == entries_table.version,
                ),
            )
            .where(versions_table.active.is_(True))
            .order_by(entries_table.list_name, entries_table.entry_id)
        )
        async with self._database.engine.connect() as connection:
            versions = await self._active_versions(connection)
            rows = (await connection.execute(query)).mappings().all()
        return [_entry(row) for row in rows], versions

    async def active_versions(self) -> list[ListVersion]:
        """The active version of each list."""
        async with self._database.engine.connect() as connection:
            return await self._active_versions(connection)

    @staticmethod
    async def _active_versions(connection: AsyncConnection) -> list[ListVersion]:
        query = (
            sa.select(sanctions_list_versions)
            .where(sanctions_list_versions.c.active.is_(True))
            .order_by(sanctions_list_versions.c.list_name)
        )
        return [_version(row) for row in (await connection.execute(query)).mappings()]

    @staticmethod
    async def _stored(connection: AsyncConnection, version: ListVersion) -> ListVersion:
        table = sanctions_list_versions.c
        query = sa.select(sanctions_list_versions).where(
            table.list_name == version.list_name, table.version == version.version
        )
        return _version((await connection.execute(query)).mappings().one())


def _version_row(version: ListVersion) -> dict[str, Any]:
    return {
        "list_name": version.list_name.value,
        "version": version.version,
        "loaded_at": version.loaded_at,
        "entry_count": version.entry_count,
    }


def _entry_row(version: ListVersion, entry: SanctionsEntry) -> dict[str, Any]:
    return {
        "list_name": version.list_name.value,
        "version": version.version,
        "entry_id": entry.entry_id,
        "entity_type": entry.entity_type.value,
        "names": _json(entry.names),
        "countries": _json(sorted(entry.countries)),
        "birth_years": _json(sorted(entry.birth_years)),
        "programmes": _json(entry.programmes),
        "remarks": entry.remarks,
    }


def _json(values: Sequence[object]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _version(row: sa.RowMapping) -> ListVersion:
    return ListVersion(
        list_name=SanctionsList(row["list_name"]),
        version=row["version"],
        entry_count=row["entry_count"],
        loaded_at=row["loaded_at"],
    )


def _entry(row: sa.RowMapping) -> SanctionsEntry:
    return SanctionsEntry(
        list_name=SanctionsList(row["list_name"]),
        entry_id=row["entry_id"],
        entity_type=EntityType(row["entity_type"]),
        names=tuple(json.loads(row["names"])),
        countries=frozenset(json.loads(row["countries"])),
        birth_years=frozenset(int(year) for year in json.loads(row["birth_years"])),
        programmes=tuple(json.loads(row["programmes"])),
        remarks=row["remarks"],
    )
