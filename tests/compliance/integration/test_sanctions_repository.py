"""The sanctions list store on PostgreSQL and SQLite, and its in-memory fake, behave alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from building_blocks.persistence import Database
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.sanctions_repository import SqlAlchemySanctionsRepository
from compliance.adapters.persistence.sanctions_tables import sanctions_entries
from compliance.application.sanctions.ports import SanctionsListStore
from compliance.domain.sanctions.entries import LoadedList, SanctionsList
from tests.compliance.sanctions_support import (
    FakeSanctionsListStore,
    Party,
    loaded,
    synthetic_parties,
)

pytestmark = pytest.mark.integration

EU, UN = SanctionsList.EU, SanctionsList.UN
CYRILLIC_ALIAS = "\u0425\u043e\u0441\u0435 \u041c\u044e\u043b\u043b\u0435\u0440"
PARTIES = [
    Party(
        1,
        "individual",
        "José Antonio",
        "Müller",
        aliases=("Pepe Muller", CYRILLIC_ALIAS),
        countries=("ES", "DE"),
        birth_year=1961,
    ),
    Party(2, "entity", "Arvand Bank PJSC", countries=("IR",), programme="IRAN"),
    Party(3, "vessel", "ADRIAN DARYA"),
]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 5, 1, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    # Resolved in a sync fixture: postgres_url runs its own event loop to create the database.
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/compliance.db"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, schema="compliance")
    await db.create_schema(tables.metadata)
    yield db
    await db.dispose()


@pytest.fixture(params=["postgresql", "sqlite", "fake"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/compliance.db" if request.param == "sqlite" else None


@pytest.fixture
async def store(store_url: str | None) -> AsyncIterator[SanctionsListStore]:
    if store_url is None:
        yield FakeSanctionsListStore()
        return
    db = Database(store_url, schema="compliance")
    await db.create_schema(tables.metadata)
    yield SqlAlchemySanctionsRepository(db, clock=Clock())
    await db.dispose()


def with_remarks(list_: LoadedList) -> LoadedList:
    entries = tuple(replace(entry, remarks=f"remark {entry.entry_id}") for entry in list_.entries)
    return LoadedList(list_.version, entries)


async def test_a_stored_list_is_read_back_whole_as_the_active_version(
    store: SanctionsListStore,
) -> None:
    eu = with_remarks(loaded(EU, "2030-05-01", PARTIES))

    stored = await store.store(eu)
    entries, versions = await store.active()

    assert (stored.list_name, stored.version, stored.entry_count) == (EU, "2030-05-01", 3)
    assert stored.loaded_at is not None
    assert versions == [stored]
    assert set(entries) == set(eu.entries)
    assert await store.active_versions() == [stored]


async def test_storing_the_same_version_again_changes_nothing(store: SanctionsListStore) -> None:
    first = await store.store(loaded(EU, "v1", PARTIES))

    again = await store.store(loaded(EU, "v1", PARTIES[:1]))
    entries, versions = await store.active()

    assert again == first
    assert versions == [first]
    assert len(entries) == len(PARTIES)


async def test_a_new_version_replaces_the_active_one_of_its_list_only(
    store: SanctionsListStore,
) -> None:
    await store.store(loaded(EU, "v1", PARTIES))
    un = await store.store(loaded(UN, "u1", PARTIES[:1]))

    newer = await store.store(loaded(EU, "v2", PARTIES[1:]))
    reloaded_older = await store.store(loaded(EU, "v1", PARTIES))
    entries, versions = await store.active()

    assert versions == [newer, un]
    assert reloaded_older.version == "v1"
    assert sorted((entry.list_name, entry.entry_id) for entry in entries) == [
        (EU, "2"),
        (EU, "3"),
        (UN, "1"),
    ]


async def test_a_large_list_is_stored_in_chunks_and_read_back(store: SanctionsListStore) -> None:
    big = loaded(EU, "big", synthetic_parties(2_500, seed=3))

    await store.store(big)
    entries, _ = await store.active()

    assert len(entries) == 2_500
    assert set(entries) == set(big.entries)


async def test_every_stored_version_keeps_its_entries(database: Database) -> None:
    repository = SqlAlchemySanctionsRepository(database, clock=Clock())
    await repository.store(loaded(EU, "v1", PARTIES))
    await repository.store(loaded(EU, "v2", PARTIES[:1]))

    async with database.engine.connect() as connection:
        counts = dict(
            (
                await connection.execute(
                    sa.select(sanctions_entries.c.version, sa.func.count()).group_by(
                        sanctions_entries.c.version
                    )
                )
            ).all()
        )

    assert counts == {"v1": 3, "v2": 1}
