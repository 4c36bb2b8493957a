"""The SQLAlchemy ledger on PostgreSQL under concurrency: nothing lost, nothing overdrawn."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.persistence.ledger_tables import (
    ledger_accounts,
    ledger_entries,
    ledger_holds,
    ledger_journals,
)
from accounts_payments.adapters.persistence.sqlalchemy_ledger import SqlAlchemyLedger
from accounts_payments.adapters.persistence.transactions import retry_on_deadlock
from accounts_payments.application.ports.ledger import HoldStatus, NormalSide, Posting
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from shared_kernel.domain.errors import RuleViolated
from shared_kernel.domain.money import Money

pytestmark = pytest.mark.integration

SCHEMA = "accounts_payments"
LEDGER_TABLES = [ledger_accounts, ledger_journals, ledger_entries, ledger_holds]
ACCOUNTS = [f"acct-{n:02d}" for n in range(10)]
FUNDING = "bank-funding"


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_url, schema=SCHEMA)
    async with database.engine.begin() as connection:
        await connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        await connection.run_sync(lambda c: ledger_accounts.metadata.create_all(c, LEDGER_TABLES))
        # Detect deadlocks in 50 ms instead of 1 s, so the deadlock-prone test stays quick.
        name = await connection.scalar(sa.text("SELECT current_database()"))
        await connection.execute(
            sa.text(f"ALTER DATABASE \"{name}\" SET deadlock_timeout = '50ms'")
        )
    await database.engine.dispose()  # new connections pick the setting up
    yield database
    await database.dispose()


def eur(minor: int) -> Money:
    return Money.of(minor, "EUR")


async def in_unit_of_work(database: Database, operation: object) -> None:
    """Run ``operation(ledger)`` in its own unit of work, re-run whole after a deadlock."""

    async def attempt() -> None:
        async with SqlAlchemyUnitOfWork(database.sessions) as uow:
            await operation(SqlAlchemyLedger(uow.session))  # type: ignore[operator]
            await uow.commit()

    # Many attempts: two-journal units of work under heavy contention deadlock repeatedly.
    await retry_on_deadlock(attempt, attempts=30)


async def open_and_fund(database: Database, accounts: list[str], minor: int) -> None:
    async def setup(ledger: SqlAlchemyLedger) -> None:
        await ledger.open_account(FUNDING, "EUR", normal_side=NormalSide.DEBIT, floor_minor=None)
        for account in accounts:
            await ledger.open_account(account, "EUR")
            postings = [
                Posting(FUNDING, NormalSide.DEBIT, eur(minor)),
                Posting(account, NormalSide.CREDIT, eur(minor)),
            ]
            await ledger.record(f"fund-{account}", postings, description="funding")

    await in_unit_of_work(database, setup)


def legs(rng: random.Random) -> list[Posting]:
    """A transfer of a random amount between two random accounts, legs in random order."""
    source, target = rng.sample(ACCOUNTS, 2)
    amount = eur(rng.randint(1, 4_000))
    postings = [
        Posting(source, NormalSide.DEBIT, amount),
        Posting(target, NormalSide.CREDIT, amount),
    ]
    rng.shuffle(postings)
    return postings


async def test_concurrent_transfers_conserve_money_and_lose_no_update(database: Database) -> None:
    await open_and_fund(database, ACCOUNTS, 10_000)
    rng = random.Random(7)
    declined = 0

    async def mover(task: int) -> None:
        nonlocal declined
        for step in range(6):
            # Two journals in one unit of work take their locks in two rounds, in random
            # directions, so transactions can deadlock; retry_on_deadlock re-runs them whole.
            journals = [legs(rng) for _ in range(rng.choice([1, 1, 1, 2]))]
            prefix = f"move-{task}-{step}"

            async def move(
                ledger: SqlAlchemyLedger, js: list[list[Posting]] = journals, prefix: str = prefix
            ) -> None:
                for leg, postings in enumerate(js):
                    await ledger.record(f"{prefix}-{leg}", postings, description="move")

            try:
                await in_unit_of_work(database, move)
            except RuleViolated as error:
                declined += error.code == "INSUFFICIENT_FUNDS"

    await asyncio.gather(*(mover(task) for task in range(60)))

    async with database.sessions() as session:
        accounts = {
            row.id: row for row in (await session.execute(sa.select(ledger_accounts))).all()
        }
        e = ledger_entries.c
        sums = (
            await session.execute(
                sa.select(
                    e.account_id,
                    e.side,
                    sa.func.sum(e.amount_minor),
                    sa.func.count(),
                ).group_by(e.account_id, e.side)
            )
        ).all()
    posted: dict[tuple[str, str], int] = {(a, s): int(total) for a, s, total, _ in sums}
    entry_count: dict[str, int] = {}
    for account, _side, _total, count in sums:
        entry_count[account] = entry_count.get(account, 0) + count
    customer_total = sum(
        row.posted_credits - row.posted_debits for row in accounts.values() if row.id != FUNDING
    )
    assert customer_total == 10 * 10_000
    assert sum(row.posted_debits for row in accounts.values()) == sum(
        row.posted_credits for row in accounts.values()
    )
    for row in accounts.values():
        assert row.posted_debits == posted.get((row.id, "DEBIT"), 0)
        assert row.posted_credits == posted.get((row.id, "CREDIT"), 0)
        assert row.version == entry_count[row.id]
        if row.id != FUNDING:
            assert row.posted_credits - row.posted_debits >= 0
    assert declined < 360, "some transfers should have gone through"


async def test_concurrent_holds_on_one_account_never_exceed_its_balance(database: Database) -> None:
    await open_and_fund(database, ["payer", "merchant"], 10_000)
    amounts = [700, 1_300, 2_500, 900, 1_800, 3_100, 400, 2_200] * 3
    outcomes: dict[str, bool] = {}

    async def reserve(index: int, amount: int) -> None:
        async def place(ledger: SqlAlchemyLedger) -> None:
            await ledger.reserve(
                f"hold-{index}",
                debit_account="payer",
                credit_account="merchant",
                amount=eur(amount),
            )

        try:
            await in_unit_of_work(database, place)
            outcomes[f"hold-{index}"] = True
        except RuleViolated:
            outcomes[f"hold-{index}"] = False

    await asyncio.gather(*(reserve(i, amount) for i, amount in enumerate(amounts)))

    async with database.sessions() as session:
        ledger = SqlAlchemyLedger(session)
        payer = await ledger.balance("payer")
        holds = [
            await ledger.hold(f"hold-{i}") for i in range(len(amounts)) if outcomes[f"hold-{i}"]
        ]
    held = sum(hold.amount.minor for hold in holds)
    assert all(hold.status is HoldStatus.PENDING for hold in holds)
    assert payer.pending_debits == held <= 10_000
    assert payer.available_minor == 10_000 - held >= 0
    # Each refusal was right when it was made: no refused hold would have fitted at the end.
    refused = [a for i, a in enumerate(amounts) if not outcomes[f"hold-{i}"]]
    assert refused
    assert min(refused) > payer.available_minor


async def test_the_database_refuses_to_change_or_remove_entries(database: Database) -> None:
    await open_and_fund(database, ["payer"], 500)
    statements = [
        sa.update(ledger_entries).values(amount_minor=1),
        sa.delete(ledger_entries),
        sa.text(f'TRUNCATE "{SCHEMA}".ledger_entries'),
    ]
    for statement in statements:
        async with SqlAlchemyUnitOfWork(database.sessions) as uow:
            with pytest.raises(sa.exc.DBAPIError, match="insert-only"):
                await uow.session.execute(statement)
    async with database.sessions() as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(ledger_entries))
    assert count == 2
