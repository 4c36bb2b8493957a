"""The unit of work commits only on request and runs after-commit callbacks only on commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from building_blocks.persistence import Database, SqlAlchemyUnitOfWork, service_metadata

pytestmark = pytest.mark.integration

metadata = service_metadata("uow_test")
notes = sa.Table(
    "notes", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("text", sa.String)
)


@pytest.fixture(params=["postgresql", "sqlite"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path}/uow.db"
    db = Database(url, schema="uow_test")
    await db.create_schema(metadata)
    yield db
    await db.dispose()


async def count(db: Database) -> int:
    async with SqlAlchemyUnitOfWork(db.sessions) as uow:
        return (
            await uow.session.execute(sa.select(sa.func.count()).select_from(notes))
        ).scalar_one()


async def test_work_is_committed_only_when_asked(database: Database) -> None:
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        await uow.session.execute(notes.insert().values(text="dropped"))
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        await uow.session.execute(notes.insert().values(text="kept"))
        await uow.commit()
    assert await count(database) == 1


async def test_after_commit_callbacks_run_only_after_a_commit(database: Database) -> None:
    ran: list[str] = []

    async def mark() -> None:
        ran.append("yes")

    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        uow.after_commit(mark)
    assert ran == []
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        uow.after_commit(mark)
        await uow.commit()
    assert ran == ["yes"]


async def test_an_error_inside_the_block_rolls_back(database: Database) -> None:
    with pytest.raises(ValueError, match="boom"):
        async with SqlAlchemyUnitOfWork(database.sessions) as uow:
            await uow.session.execute(notes.insert().values(text="lost"))
            raise ValueError("boom")
    assert await count(database) == 0


async def test_a_unit_of_work_cannot_be_reused(database: Database) -> None:
    uow = SqlAlchemyUnitOfWork(database.sessions)
    async with uow:
        pass
    with pytest.raises(RuntimeError, match="single-use"):
        async with uow:
            pass


async def test_database_reports_ready_when_reachable(database: Database) -> None:
    assert await database.ping()
    broken = Database("postgresql://nobody@127.0.0.1:1/none", schema="x")
    assert not await broken.ping()
    await broken.dispose()
