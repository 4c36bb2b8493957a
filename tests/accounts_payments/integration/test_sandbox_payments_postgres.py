"""The sandbox bank's payments on PostgreSQL: concurrent submissions and concurrent deciders."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.persistence.sandbox_tables import (
    sandbox_payments,
    sandbox_transactions,
)
from accounts_payments.adapters.providers.sandbox_transfers import balance_minor
from accounts_payments.application.ports.payment_provider import (
    ProviderPaymentStatus,
    ProviderPaymentUpdate,
)
from building_blocks.persistence import Database
from tests.accounts_payments.sandbox_payment_support import (
    ManualClock,
    fund,
    instruction,
    open_account,
    sandbox_bank,
)
from tests.accounts_payments.sandbox_support import sandbox_database

pytestmark = pytest.mark.integration

S = ProviderPaymentStatus


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    async with sandbox_database(postgres_url) as database:
        yield database


async def count(database: Database, query: sa.Select[Any]) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def test_concurrent_submissions_of_one_reference_store_one_payment(
    database: Database,
) -> None:
    bank = sandbox_bank(database, ManualClock())
    payer, _ = await open_account(bank, "payer")

    receipts = await asyncio.gather(
        *(bank.submit_payment(instruction("pay-1", payer)) for _ in range(10))
    )

    assert len(set(receipts)) == 1
    assert await count(database, sa.select(sa.func.count()).select_from(sandbox_payments)) == 1


async def test_two_deciders_decide_each_payment_once_and_never_overdraw(
    database: Database, postgres_url: str
) -> None:
    clock = ManualClock()
    bank = sandbox_bank(database, clock)
    payer, _ = await open_account(bank, "payer")
    await fund(bank, payer, 10_000)
    for n in range(20):
        await bank.submit_payment(instruction(f"pay-{n:02}", payer, 1000))
    clock.advance(2)

    # A second worker with its own connection pool, as another process would have.
    async with sandbox_database(postgres_url) as other_database:
        other = sandbox_bank(other_database, clock)
        first, second = await asyncio.gather(
            bank.payments.decide_due(), other.payments.decide_due()
        )

    decided = Counter(u.reference for u in [*first, *second] if u.status is not S.ACCEPTED)
    final = Counter(u.status for u in [*first, *second] if u.status is not S.ACCEPTED)
    assert set(decided.values()) == {1}
    assert len(decided) == 20
    assert final == {S.SETTLED: 10, S.REJECTED: 10}
    async with database.engine.connect() as connection:
        assert await balance_minor(connection, payer) == 0
    outbound = sa.select(sa.func.count()).where(sandbox_transactions.c.direction == "OUTBOUND")
    assert await count(database, outbound) == 10


async def test_internal_transfers_crossing_between_two_accounts_do_not_deadlock(
    database: Database, postgres_url: str
) -> None:
    clock = ManualClock()
    bank = sandbox_bank(database, clock)
    alice, _ = await open_account(bank, "alice")
    bob, _ = await open_account(bank, "bob")
    await fund(bank, alice, 5_000)
    await fund(bank, bob, 5_000)
    for n in range(10):
        debited, credited = (alice, bob) if n % 2 else (bob, alice)
        await bank.submit_payment(
            instruction(
                f"pay-{n}",
                debited,
                100,
                creditor_iban=None,
                creditor_provider_account_id=credited,
            )
        )

    async with sandbox_database(postgres_url) as other_database:
        other = sandbox_bank(other_database, clock)
        results = await asyncio.gather(
            bank.payments.decide_due(everything=True),
            other.payments.decide_due(everything=True),
        )

    updates: list[ProviderPaymentUpdate] = [u for result in results for u in result]
    assert Counter(u.status for u in updates) == {S.ACCEPTED: 10, S.SETTLED: 10}
    async with database.engine.connect() as connection:
        assert await balance_minor(connection, alice) == 5_000
        assert await balance_minor(connection, bob) == 5_000
