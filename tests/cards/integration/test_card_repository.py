"""The card repository on PostgreSQL and SQLite: round trips, optimistic locking, DB guards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from building_blocks.persistence import Database
from cards.adapters.persistence import tables
from cards.adapters.persistence.card_repository import SqlAlchemyCardRepository
from cards.adapters.persistence.card_tables import (
    DROP_POSTGRESQL,
    card_transitions,
    cards,
    postgresql_ddl,
)
from cards.application.cards.ports import CardIssuance, ProcessorStatus
from cards.domain.card import Card
from cards.domain.card_types import CardForm
from cards.domain.controls import SpendControls
from cards.domain.lifecycle import CardAction, CardStatus
from cards.domain.limits import CardLimits, LimitKind
from shared_kernel.domain.errors import Conflict
from shared_kernel.domain.money import Money
from tests.cards.card_builders import ISSUER, TOQIO, context, profile

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)


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


@pytest.fixture
async def postgres(postgres_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_url, schema="cards")
    await database.create_schema(tables.metadata)
    yield database
    await database.dispose()


def a_card(card_id: str = "card-1", **overrides: object) -> Card:
    limits = CardLimits.of(
        "EUR", {LimitKind.DAILY: Money.of(50_000, "EUR"), LimitKind.ATM_OPERATIONS: 3}
    )
    controls = SpendControls(
        blocked_mccs=frozenset({"7995"}),
        allowed_countries=frozenset({"ES", "PT"}),
        cash_allowed=False,
    )
    return Card.issue(
        profile(card_id=card_id, pan_ref=f"tok_{card_id.replace('-', '')}", **overrides),
        context(at=NOW),
        alias="Travel",
        limits=limits,
        controls=controls,
    )


async def add(database: Database, *added: Card) -> None:
    async with database.sessions.begin() as session:
        repository = SqlAlchemyCardRepository(session, clock=lambda: NOW)
        for card in added:
            await repository.add(card)


async def test_a_card_reads_back_as_it_was_stored(database: Database) -> None:
    card = a_card(form=CardForm.PHYSICAL, replaces_card_id="card-0")
    await add(database, card, a_card("card-2", account_id="acc-2"))

    async with database.sessions() as session:
        repository = SqlAlchemyCardRepository(session)
        read = await repository.get("cust-1", "card-1")
        found = await repository.find("card-1")
        others = await repository.get("cust-2", "card-1")
        of_account = await repository.of_account("cust-1", "acc-1")
        history = await repository.history("card-1")

    assert read is not None
    assert found is not None
    assert read.profile == card.profile
    assert (read.status, read.version, read.alias) == (CardStatus.PENDING_ACTIVATION, 1, "Travel")
    assert read.limits == card.limits
    assert read.controls == card.controls
    assert read.issued_at == NOW
    assert found.profile == card.profile
    assert others is None
    assert [c.card_id for c in of_account] == ["card-1"]
    assert [(t.action, t.from_status, t.to_status) for t in history] == [
        (CardAction.ISSUE, None, CardStatus.PENDING_ACTIVATION)
    ]
    assert history[0].actor == TOQIO.actor


async def test_changes_and_their_transitions_are_saved(database: Database) -> None:
    await add(database, a_card())

    async with database.sessions.begin() as session:
        repository = SqlAlchemyCardRepository(session)
        card = await repository.get("cust-1", "card-1", for_update=True)
        assert card is not None
        card.suspend(TOQIO)
        card.block(ISSUER)
        card.rename("Groceries")
        await repository.save(card)
        card.delete(TOQIO)
        await repository.save(card)

    async with database.sessions() as session:
        repository = SqlAlchemyCardRepository(session)
        stored = await repository.get("cust-1", "card-1")
        history = await repository.history("card-1")

    assert stored is not None
    assert (stored.status, stored.alias, stored.version) == (CardStatus.CLOSED, "Groceries", 5)
    assert stored.deleted_at == TOQIO.at
    assert [(t.action, t.version) for t in history] == [
        (CardAction.ISSUE, 1),
        (CardAction.SUSPEND, 2),
        (CardAction.BLOCK, 3),
        (CardAction.DELETE, 5),
    ]
    assert history[2].channel == ISSUER.channel


async def test_a_save_over_a_change_made_meanwhile_is_refused(database: Database) -> None:
    await add(database, a_card())

    async with database.sessions() as session:
        repository = SqlAlchemyCardRepository(session)
        mine = await repository.get("cust-1", "card-1")
        await session.commit()
        async with database.sessions.begin() as other:
            their_repository = SqlAlchemyCardRepository(other)
            theirs = await their_repository.get("cust-1", "card-1")
            assert theirs is not None
            theirs.suspend(TOQIO)
            await their_repository.save(theirs)
        assert mine is not None
        mine.cancel(TOQIO)
        with pytest.raises(Conflict) as refused:
            await repository.save(mine)
        await session.rollback()

    assert refused.value.code == "CARD_MODIFIED"
    async with database.sessions() as session:
        stored = await SqlAlchemyCardRepository(session).get("cust-1", "card-1")
        history = await SqlAlchemyCardRepository(session).history("card-1")
    assert stored is not None
    assert stored.status is CardStatus.SUSPENDED
    assert [t.action for t in history] == [CardAction.ISSUE, CardAction.SUSPEND]


async def test_an_unchanged_card_saves_nothing_and_an_unread_one_is_refused(
    database: Database,
) -> None:
    await add(database, a_card())

    async with database.sessions.begin() as session:
        repository = SqlAlchemyCardRepository(session)
        card = await repository.get("cust-1", "card-1")
        assert card is not None
        await repository.save(card)
        with pytest.raises(ValueError, match="not read"):
            await SqlAlchemyCardRepository(session).save(card)


async def test_the_issuing_record_is_kept_beside_the_card(database: Database) -> None:
    await add(database, a_card())
    record = CardIssuance(
        security_code_hash="ab" * 32,
        processor_status=ProcessorStatus.ACCEPTED,
        processor_card_id="sbx_1",
        programme="STANDARD",
        design="blue",
    )

    async with database.sessions.begin() as session:
        repository = SqlAlchemyCardRepository(session)
        fresh = await repository.issuance("card-1")
        await repository.record_issuance("card-1", record)
        with pytest.raises(ValueError, match="not stored"):
            await repository.record_issuance("card-9", record)
    async with database.sessions() as session:
        repository = SqlAlchemyCardRepository(session)
        stored = await repository.issuance("card-1")
        missing = await repository.issuance("card-9")

    assert fresh == CardIssuance()
    assert stored == record
    assert missing is None


async def test_the_database_keeps_a_final_status_and_every_card_row(database: Database) -> None:
    card = a_card()
    card.cancel(TOQIO)
    await add(database, card)

    for statement in (
        sa.update(cards).where(cards.c.card_id == "card-1").values(status="ACTIVE"),
        sa.delete(cards).where(cards.c.card_id == "card-1"),
    ):
        with pytest.raises(DBAPIError):
            async with database.sessions.begin() as session:
                await session.execute(statement)

    async with database.sessions.begin() as session:
        # What is not the status may still be written (a deletion mark, say).
        await session.execute(
            sa.update(cards).where(cards.c.card_id == "card-1").values(deleted_at=NOW)
        )
        status = await session.scalar(sa.select(cards.c.status))
    assert status == "CANCELLED"


async def test_the_database_keeps_card_transitions_insert_only(database: Database) -> None:
    await add(database, a_card())

    for statement in (
        sa.update(card_transitions).values(reason="rewritten"),
        sa.delete(card_transitions),
    ):
        with pytest.raises(DBAPIError):
            async with database.sessions.begin() as session:
                await session.execute(statement)

    async with database.sessions() as session:
        reasons = (await session.scalars(sa.select(card_transitions.c.reason))).all()
    assert reasons == ["requested in a test"]


async def test_postgresql_refuses_truncating_card_transitions(postgres: Database) -> None:
    await add(postgres, a_card())

    with pytest.raises(DBAPIError, match="insert-only"):
        async with postgres.engine.begin() as connection:
            await connection.execute(sa.text("TRUNCATE cards.card_transitions"))


async def test_the_migration_statements_drop_and_recreate_the_guards(postgres: Database) -> None:
    async with postgres.engine.begin() as connection:
        for statement in (*DROP_POSTGRESQL, *postgresql_ddl("cards")):
            await connection.execute(sa.text(statement))
    card = a_card()
    card.cancel(TOQIO)
    await add(postgres, card)

    with pytest.raises(DBAPIError, match="final status"):
        async with postgres.sessions.begin() as session:
            await session.execute(sa.update(cards).values(status="ACTIVE"))


async def test_a_locked_card_makes_a_second_writer_wait_for_the_first(
    postgres: Database,
) -> None:
    await add(postgres, a_card())
    events: list[str] = []
    locked = asyncio.Event()

    async def first() -> None:
        async with postgres.sessions.begin() as session:
            repository = SqlAlchemyCardRepository(session)
            card = await repository.get("cust-1", "card-1", for_update=True)
            assert card is not None
            locked.set()
            await asyncio.sleep(0.2)
            card.suspend(TOQIO)
            await repository.save(card)
            events.append("first saved")

    async def second() -> None:
        await locked.wait()
        async with postgres.sessions.begin() as session:
            repository = SqlAlchemyCardRepository(session)
            card = await repository.get("cust-1", "card-1", for_update=True)
            assert card is not None
            events.append(f"second read {card.status.value}")
            card.cancel(TOQIO)
            await repository.save(card)

    await asyncio.gather(first(), second())

    assert events == ["first saved", "second read SUSPENDED"]
    async with postgres.sessions() as session:
        stored = await SqlAlchemyCardRepository(session).get("cust-1", "card-1")
    assert stored is not None
    assert stored.status is CardStatus.CANCELLED
