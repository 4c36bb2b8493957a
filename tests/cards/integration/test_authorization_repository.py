"""The authorization repository on PostgreSQL and SQLite: round trips, unique ids, guards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from building_blocks.persistence import Database
from cards.adapters.persistence import tables
from cards.adapters.persistence.authorization_repository import (
    AUTHORIZATION_MODIFIED,
    SqlAlchemyAuthorizationRepository,
    SqlAlchemyPendingAuthorizations,
)
from cards.adapters.persistence.authorization_tables import (
    authorization_operations,
    authorizations,
    postgresql_ddl,
)
from cards.domain.authorization import Authorization
from cards.domain.authorization_decision import (
    AuthorizationKind,
    DeclineReason,
)
from cards.domain.authorization_values import AuthorizationStatus, OperationKind
from cards.domain.limits import LimitKind
from shared_kernel.domain.errors import Conflict
from tests.cards.card_builders import eur
from tests.cards.integration.authorization_store import NOW, fields, opened, store

pytestmark = pytest.mark.integration


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/cards.db"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, schema="cards")
    await database.create_schema(tables.metadata)
    yield database
    await database.dispose()


async def test_an_authorization_and_its_operations_read_back_as_stored(database: Database) -> None:
    item = opened("p-1", eur(10_000), mcc="6011", kind=AuthorizationKind.ADVICE)
    item.approve(NOW + timedelta(milliseconds=40))
    item.reverse("rev-1", eur(2_500), NOW + timedelta(hours=1))
    item.clear("clr-1", eur(7_000), NOW + timedelta(days=1))
    await store(database, item)

    async with database.sessions() as session:
        repository = SqlAlchemyAuthorizationRepository(session)
        by_processor = await repository.by_processor_id("p-1")
        by_id = await repository.get(item.authorization_id, for_update=True)

    assert by_processor is not None
    assert by_id is not None
    assert fields(by_processor) == fields(item) == fields(by_id)
    assert [op.kind for op in by_id.operations] == [OperationKind.REVERSAL, OperationKind.CLEARING]
    assert by_id.released == eur(500)


async def test_a_decline_reads_back_with_its_reason_and_limit(database: Database) -> None:
    item = opened(
        "p-1",
        declined=DeclineReason.LIMIT_EXCEEDED_DAILY,
        limit=LimitKind.PURCHASES_DAILY,
    )
    await store(database, item)

    async with database.sessions() as session:
        found = await SqlAlchemyAuthorizationRepository(session).by_processor_id("p-1")

    assert found is not None
    assert fields(found) == fields(item)
    assert found.tenant_id is None


async def test_nothing_is_found_for_unknown_ids(database: Database) -> None:
    async with database.sessions() as session:
        repository = SqlAlchemyAuthorizationRepository(session)
        assert await repository.get("nope") is None
        assert await repository.by_processor_id("nope") is None


async def test_a_processor_id_is_stored_once(database: Database) -> None:
    first, second = opened("p-1"), opened("p-1", eur(99))
    await store(database, first)

    async with database.sessions.begin() as session:
        assert not await SqlAlchemyAuthorizationRepository(session).add(second)

    async with database.sessions() as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(authorizations))
        found = await SqlAlchemyAuthorizationRepository(session).by_processor_id("p-1")
    assert count == 1
    assert found is not None
    assert found.authorization_id == first.authorization_id


async def test_saving_writes_the_new_state_and_only_the_new_operations(database: Database) -> None:
    item = opened("p-1", eur(10_000))
    await store(database, item)

    for step, operation in enumerate(("rev-1", "rev-2")):
        async with database.sessions.begin() as session:
            repository = SqlAlchemyAuthorizationRepository(session)
            loaded = await repository.get(item.authorization_id, for_update=True)
            assert loaded is not None
            if step == 0:
                loaded.approve(NOW)
            loaded.reverse(operation, eur(1_000), NOW)
            await repository.save(loaded)

    async with database.sessions() as session:
        found = await SqlAlchemyAuthorizationRepository(session).get(item.authorization_id)
        row = (await session.execute(sa.select(authorizations))).mappings().one()
        positions = (await session.scalars(sa.select(authorization_operations.c.position))).all()
    assert found is not None
    assert (found.status, found.reversed, found.version) == (
        AuthorizationStatus.APPROVED,
        eur(2_000),
        4,
    )
    assert (row["reversed_minor"], row["hold_id"]) == (2_000, item.authorization_id)
    assert sorted(positions) == [1, 2]


async def test_a_save_over_a_concurrent_change_is_refused(database: Database) -> None:
    item = opened("p-1")
    await store(database, item)
    async with database.sessions() as first_session, database.sessions() as second_session:
        first = SqlAlchemyAuthorizationRepository(first_session)
        second = SqlAlchemyAuthorizationRepository(second_session)
        mine, theirs = (
            await first.get(item.authorization_id),
            await second.get(item.authorization_id),
        )
        assert mine is not None
        assert theirs is not None
        theirs.approve(NOW)
        await second.save(theirs)
        await second_session.commit()
        mine.decline(DeclineReason.INSUFFICIENT_FUNDS, NOW)

        with pytest.raises(Conflict) as conflict:
            await first.save(mine)

    assert conflict.value.code == AUTHORIZATION_MODIFIED


async def test_an_operation_id_used_on_another_authorization_is_a_conflict(
    database: Database,
) -> None:
    one, other = opened("p-1"), opened("p-2")
    for item in (one, other):
        item.approve(NOW)
    one.clear("op-1", eur(500), NOW)
    await store(database, one, other)

    async with database.sessions() as session:
        repository = SqlAlchemyAuthorizationRepository(session)
        loaded = await repository.get(other.authorization_id, for_update=True)
        assert loaded is not None
        loaded.clear("op-1", eur(500), NOW)
        with pytest.raises(Conflict) as conflict:
            await repository.save(loaded)

    assert conflict.value.code == "OPERATION_MISMATCH"


async def test_the_database_refuses_a_decline_without_a_reason(database: Database) -> None:
    item = opened("p-1", declined=DeclineReason.CARD_CLOSED)
    await store(database, item)

    with pytest.raises(IntegrityError):
        async with database.sessions.begin() as session:
            await session.execute(sa.update(authorizations).values(decline_reason=None))


async def _refused(database: Database, statement: sa.Executable) -> None:
    with pytest.raises(DBAPIError):
        async with database.sessions.begin() as session:
            await session.execute(statement)


async def test_the_database_keeps_what_was_asked_final_statuses_and_operations(
    database: Database,
) -> None:
    item = opened("p-1", eur(1_000))
    item.approve(NOW)
    item.clear("clr-1", eur(1_000), NOW)
    await store(database, item)
    a, o = authorizations.c, authorization_operations.c

    await _refused(database, sa.update(authorizations).values(amount_minor=1))
    await _refused(database, sa.update(authorizations).values(card_id="card-2"))
    await _refused(database, sa.update(authorizations).values(status="APPROVED"))
    await _refused(database, sa.delete(authorizations).where(a.processor_id == "p-1"))
    await _refused(database, sa.update(authorization_operations).values(amount_minor=1))
    await _refused(database, sa.delete(authorization_operations).where(o.processor_id == "clr-1"))

    async with database.sessions() as session:
        found = await SqlAlchemyAuthorizationRepository(session).by_processor_id("p-1")
    assert found is not None
    assert fields(found) == fields(item)


def test_the_migration_gets_the_triggers_for_its_schema() -> None:
    statements = postgresql_ddl("cards_v2")

    assert len(statements) == 5
    assert all("%(" not in statement for statement in statements)
    triggers = [s for s in statements if s.startswith("CREATE TRIGGER")]
    assert len(triggers) == 3
    assert all(" ON cards_v2.authorization" in trigger for trigger in triggers)


async def test_saving_an_authorization_read_elsewhere_is_a_programming_error(
    database: Database,
) -> None:
    async with database.sessions() as session:
        with pytest.raises(ValueError, match="read or added"):
            await SqlAlchemyAuthorizationRepository(session).save(opened("p-1"))


async def test_pending_authorizations_are_found_oldest_first_before_the_cutoff(
    database: Database,
) -> None:
    old, older, recent = (
        opened("p-old", at=NOW - timedelta(seconds=10)),
        opened("p-older", at=NOW - timedelta(seconds=20)),
        opened("p-recent", at=NOW),
    )
    decided = opened("p-decided", at=NOW - timedelta(seconds=30))
    decided.approve(NOW)
    await store(database, old, older, recent, decided)
    pending = SqlAlchemyPendingAuthorizations(database)

    found = await pending.pending_before(NOW - timedelta(seconds=5), 10)

    assert found == [older.authorization_id, old.authorization_id]
    assert await pending.pending_before(NOW - timedelta(seconds=5), 1) == [older.authorization_id]


async def test_a_locked_authorization_waits_for_the_locking_transaction(
    postgres_url: str,
) -> None:
    database = Database(postgres_url, schema="cards")
    await database.create_schema(tables.metadata)
    item = opened("p-1")
    await store(database, item)
    try:
        async with database.sessions.begin() as first_session:
            first = SqlAlchemyAuthorizationRepository(first_session)
            mine = await first.get(item.authorization_id, for_update=True)
            assert mine is not None

            async def second_reads() -> Authorization | None:
                async with database.sessions.begin() as session:
                    repository = SqlAlchemyAuthorizationRepository(session)
                    return await repository.by_processor_id("p-1", for_update=True)

            waiting = asyncio.create_task(second_reads())
            await asyncio.sleep(0.2)
            assert not waiting.done()
            mine.approve(NOW)
            await first.save(mine)
        seen = await asyncio.wait_for(waiting, timeout=5)
        assert seen is not None
        assert seen.status is AuthorizationStatus.APPROVED
    finally:
        await database.dispose()
