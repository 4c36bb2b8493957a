"""The SQL payment repository on PostgreSQL and SQLite: the shared suite, exact rates, races."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from accounts_payments.adapters.crypto.aes_gcm_cipher import AesGcmSecretCipher
from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.payment_repository import (
    SqlAlchemyPaymentsUnitOfWork,
)
from accounts_payments.adapters.persistence.transactions import ConcurrentUpdate
from accounts_payments.domain.payments.lifecycle import PaymentState
from accounts_payments.domain.payments.payment import Payment, PaymentTransition
from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from building_blocks.webhooks import WebhookQueue
from tests.accounts_payments.payment_repository_contract import (
    MINUTE,
    T0,
    PaymentRepositoryContract,
    PaymentStorage,
    fx_payment,
    payment,
)

pytestmark = pytest.mark.integration


@pytest.fixture(params=["postgresql", "sqlite"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        url = str(request.getfixturevalue("postgres_url"))
    else:
        url = f"sqlite:///{tmp_path / 'payments.db'}"
    database = Database(url, schema="accounts_payments")
    await database.create_schema(tables.metadata)
    yield database
    await database.dispose()


@pytest.fixture
def storage(database: Database) -> PaymentStorage:
    cipher = AesGcmSecretCipher(os.urandom(32))
    outbox, webhooks = Outbox(tables.messaging), WebhookQueue(tables.webhooks)

    def units() -> SqlAlchemyPaymentsUnitOfWork:
        return SqlAlchemyPaymentsUnitOfWork(
            database.sessions, outbox=outbox, webhooks=webhooks, cipher=cipher
        )

    async def history(payment_id: str) -> list[PaymentTransition]:
        async with units() as uow:
            return await uow.payments.history(payment_id)

    return PaymentStorage(units=units, history=history)


class TestSqlAlchemyPaymentRepository(PaymentRepositoryContract):
    """The shared suite, once per database."""


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("1.10", "1.1"),
        ("100", "100"),
        ("0.853210", "0.85321"),
        ("123456789012.123456789012", "123456789012.123456789012"),
        # Both databases round to NUMERIC(24, 12) the way PostgreSQL does: half away from zero.
        ("1.0000000000005", "1.000000000001"),
    ],
)
async def test_a_rate_reads_back_as_the_same_plain_number(
    storage: PaymentStorage, written: str, read: str
) -> None:
    await storage.add(fx_payment(rate=written))

    loaded = await storage.get("cust-1", "pay-fx")

    assert loaded is not None
    assert loaded.fx is not None
    assert str(loaded.fx.rate) == read


async def race(storage: PaymentStorage, *payments: Payment) -> list[bool]:
    """Add each payment in its own unit of work, all at once, each kept open a moment."""

    async def add(made: Payment) -> bool:
        async with storage.units() as uow:
            added = await uow.payments.add(made)
            await asyncio.sleep(0.05)  # the other transactions run into this one's row
            await uow.commit()
        return added

    return list(await asyncio.gather(*(add(made) for made in payments)))


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_concurrent_adds_of_one_payment_id_store_it_once(storage: PaymentStorage) -> None:
    added = await race(storage, *(payment("pay-1", key=f"key-{n}") for n in range(4)))

    assert sorted(added) == [False, False, False, True]
    assert len(await storage.history("pay-1")) == 1


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_concurrent_adds_with_one_idempotency_key_store_one_payment(
    storage: PaymentStorage,
) -> None:
    added = await race(storage, *(payment(f"pay-{n}", key="same") for n in range(4)))

    assert sorted(added) == [False, False, False, True]
    winner = added.index(True)
    async with storage.units() as uow:
        found = await uow.payments.find_by_idempotency_key("cust-1", "same")
    assert found is not None
    assert found.payment_id == f"pay-{winner}"


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_a_save_that_lost_a_race_is_refused_as_a_concurrent_update(
    storage: PaymentStorage,
) -> None:
    await storage.add(payment("pay-1"))

    async with storage.units() as late:
        stale = await late.payments.get("cust-1", "pay-1")
        async with storage.units() as early:
            fresh = await early.payments.get("cust-1", "pay-1")
            assert fresh is not None
            fresh.submitted("prov-1", at=T0 + MINUTE)
            await early.payments.save(fresh)
            await early.commit()
        assert stale is not None
        stale.move_to(PaymentState.CANCELLED, at=T0 + 2 * MINUTE)
        with pytest.raises(ConcurrentUpdate):
            await late.payments.save(stale)

    saved = await storage.get("cust-1", "pay-1")
    assert saved is not None
    assert saved.state is PaymentState.SUBMITTED
