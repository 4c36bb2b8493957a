"""SqlAlchemyActivity and its consumer on PostgreSQL and SQLite: what velocity rules count."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.activity_store import SqlAlchemyActivity
from compliance.adapters.persistence.decision_tables import activity
from compliance.adapters.rates.static_rates import StaticExchangeRates
from compliance.domain.monitoring.evaluation import WindowActivity
from compliance.domain.monitoring.rules import VelocityScope
from compliance.domain.monitoring.transaction import Beneficiary, MonitoredTransaction
from compliance.entrypoints.consumers.activity import activity_handler
from shared_kernel.contracts import Envelope, TransactionBookedV1, TransactionDecidedV1
from shared_kernel.domain.errors import DomainError
from shared_kernel.domain.money import Money

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
HOUR, DAY = 3600, 86_400
MERCHANT, ACCOUNT, PAYEE = (
    VelocityScope.MERCHANT,
    VelocityScope.SOURCE_ACCOUNT,
    VelocityScope.BENEFICIARY,
)
IBAN = "DE89370400440532013000"
RATES = StaticExchangeRates({("EUR", "GBP"): Decimal("0.80"), ("EUR", "JPY"): Decimal("160")})


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/compliance.db"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, schema="compliance")
    await database.create_schema(tables.metadata)
    yield database
    await database.dispose()


@pytest.fixture
def store(database: Database) -> SqlAlchemyActivity:
    return SqlAlchemyActivity(database, RATES)


def booked(transaction_id: str, **changes: Any) -> TransactionBookedV1:
    fields: dict[str, Any] = {
        "customer_id": "cust-1",
        "client_id": "client-1",
        "account_id": "acc-1",
        "transaction_id": transaction_id,
        "direction": "DEBIT",
        "amount_minor": 100_00,
        "currency": "EUR",
        "kind": "OUTBOUND_BANK_TRANSFER",
        "booked_at": NOW - timedelta(minutes=10),
        "counterparty_name": "Initech GmbH",
        "counterparty_iban": IBAN,
    }
    return TransactionBookedV1(**(fields | changes))


def transaction(**party: str) -> MonitoredTransaction:
    return MonitoredTransaction(
        transaction_id="tx-new",
        customer_id="cust-1",
        client_id="client-1",
        source_account_id="acc-1",
        amount=Money.of(1_00, "EUR"),
        beneficiary=Beneficiary(**({"name": "Initech GmbH", "iban": IBAN} | party)),
        created_at=NOW,
    )


async def record(
    store: SqlAlchemyActivity, database: Database, *events: TransactionBookedV1
) -> None:
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        for event in events:
            await store.record(uow.session, event)
        await uow.commit()


async def rows(database: Database) -> list[dict[str, Any]]:
    async with database.sessions() as session:
        found = await session.execute(
            sa.select(activity).order_by(activity.c.transaction_id, activity.c.direction)
        )
        return [dict(row) for row in found.mappings()]


async def windows(
    store: SqlAlchemyActivity, *wanted: tuple[VelocityScope, int], base: str = "EUR", **party: str
) -> dict[tuple[VelocityScope, int], WindowActivity]:
    found = await store.read(transaction(**party), frozenset(wanted), now=NOW, base_currency=base)
    return dict(found.windows)


async def paid_before(
    store: SqlAlchemyActivity, beneficiary: Beneficiary, *, customer: str = "cust-1", client: str
) -> bool:
    tx = dataclasses.replace(
        transaction(), customer_id=customer, client_id=client, beneficiary=beneficiary
    )
    return (await store.read(tx, frozenset(), now=NOW, base_currency="EUR")).paid_before


async def test_each_scope_counts_only_its_own_debits(
    store: SqlAlchemyActivity, database: Database
) -> None:
    await record(
        store,
        database,
        booked("t1"),
        booked("t2", account_id="acc-2", amount_minor=200_00),
        booked("t3", counterparty_iban="FR7630006000011234567890189", amount_minor=400_00),
        booked("t4", client_id="client-2", account_id="acc-9", amount_minor=800_00),
        booked("t5", customer_id="cust-2", amount_minor=1600_00),
        booked("t6", direction="CREDIT", amount_minor=3200_00),
    )

    found = await windows(store, (MERCHANT, DAY), (ACCOUNT, DAY), (PAYEE, DAY))

    assert found == {
        (MERCHANT, DAY): WindowActivity(3, 700_00),
        (ACCOUNT, DAY): WindowActivity(2, 500_00),
        (PAYEE, DAY): WindowActivity(2, 300_00),
    }


async def test_a_window_counts_only_what_was_booked_after_its_start(
    store: SqlAlchemyActivity, database: Database
) -> None:
    start = NOW - timedelta(seconds=HOUR)
    await record(
        store,
        database,
        booked("on-the-edge", booked_at=start),
        booked("just-inside", booked_at=start + timedelta(milliseconds=1), amount_minor=2),
        booked("long-ago", booked_at=NOW - timedelta(days=2), amount_minor=4),
    )

    found = await windows(store, (MERCHANT, HOUR), (MERCHANT, DAY), (MERCHANT, 3 * DAY))

    assert found == {
        (MERCHANT, HOUR): WindowActivity(1, 2),
        (MERCHANT, DAY): WindowActivity(2, 100_02),
        (MERCHANT, 3 * DAY): WindowActivity(3, 100_06),
    }


async def test_no_activity_counts_as_zero(store: SqlAlchemyActivity) -> None:
    assert await windows(store, (MERCHANT, DAY)) == {(MERCHANT, DAY): WindowActivity(0, 0)}


async def test_a_payee_with_no_iban_or_name_has_no_activity(
    store: SqlAlchemyActivity, database: Database
) -> None:
    await record(store, database, booked("t1", counterparty_name=None, counterparty_iban=None))

    assert await windows(store, (PAYEE, DAY), name="", iban="") == {
        (PAYEE, DAY): WindowActivity(0, 0)
    }


async def test_bookings_in_other_currencies_are_kept_in_euros_rounded_up(
    store: SqlAlchemyActivity, database: Database
) -> None:
    await record(
        store,
        database,
        booked("gbp", currency="GBP", amount_minor=1_01),  # 1.2625 EUR
        booked("jpy", currency="JPY", amount_minor=161),  # 1.00625 EUR
    )

    assert [row["base_amount_minor"] for row in await rows(database)] == [1_27, 1_01]
    assert await windows(store, (MERCHANT, DAY)) == {(MERCHANT, DAY): WindowActivity(2, 2_28)}


async def test_sums_in_another_base_currency_convert_each_currency_at_the_stated_rates(
    store: SqlAlchemyActivity, database: Database
) -> None:
    await record(
        store,
        database,
        booked("eur-1", amount_minor=1_00),
        booked("eur-2", amount_minor=1_01),
        booked("gbp", currency="GBP", amount_minor=5_00),
    )

    # 2.01 EUR is 1.608 GBP, rounded up to 1.61 GBP; GBP itself is not converted.
    assert await windows(store, (MERCHANT, DAY), base="GBP") == {
        (MERCHANT, DAY): WindowActivity(3, 6_61)
    }


async def test_a_booking_without_a_stated_rate_is_kept_but_cannot_be_summed(
    store: SqlAlchemyActivity, database: Database
) -> None:
    await record(store, database, booked("t1"), booked("mxn", currency="MXN", amount_minor=5_00))

    assert [row["base_amount_minor"] for row in await rows(database)] == [None, 100_00]
    with pytest.raises(DomainError) as raised:
        await windows(store, (MERCHANT, DAY))
    assert raised.value.code == "STATED_RATE_MISSING"


async def test_a_payee_was_paid_before_only_after_a_debit_to_it_by_the_same_client(
    store: SqlAlchemyActivity, database: Database
) -> None:
    await record(
        store,
        database,
        booked("t1", counterparty_iban="de89 3704 0044 0532 0130 00"),
        booked("t2", counterparty_iban=None, counterparty_name="Jane Roe", direction="CREDIT"),
        booked("t3", client_id="client-2", counterparty_iban=None, counterparty_name="Ann Lee"),
    )

    assert await paid_before(store, Beneficiary(iban=IBAN), client="client-1")
    assert not await paid_before(store, Beneficiary(name="Jane Roe"), client="client-1")
    assert not await paid_before(store, Beneficiary(name="Ann Lee"), client="client-1")
    assert await paid_before(store, Beneficiary(name="ann lee"), client="client-2")
    assert not await paid_before(
        store, Beneficiary(iban=IBAN), customer="cust-2", client="client-1"
    )
    assert not await paid_before(store, Beneficiary(), client="client-1")


async def test_a_booking_recorded_twice_is_kept_once(
    store: SqlAlchemyActivity, database: Database
) -> None:
    await record(store, database, booked("t1"))
    await record(store, database, booked("t1"), booked("t1", direction="CREDIT"))

    assert [(row["transaction_id"], row["direction"]) for row in await rows(database)] == [
        ("t1", "CREDIT"),
        ("t1", "DEBIT"),
    ]


async def test_the_consumer_records_a_redelivered_booking_once(
    store: SqlAlchemyActivity, database: Database
) -> None:
    handle = activity_handler(database, tables.messaging, store)
    envelope = Envelope.wrap(booked("t1"))

    await handle(envelope)
    await handle(envelope)
    await handle(Envelope.wrap(booked("t2")))

    assert [row["transaction_id"] for row in await rows(database)] == ["t1", "t2"]
    async with database.sessions() as session:
        inbox = (await session.execute(sa.select(tables.messaging.inbox))).mappings().all()
    assert {row["consumer"] for row in inbox} == {"compliance.activity"}
    assert len(inbox) == 2


async def test_the_consumer_ignores_other_messages(
    store: SqlAlchemyActivity, database: Database
) -> None:
    handle = activity_handler(database, tables.messaging, store)
    decided = TransactionDecidedV1(
        customer_id="cust-1",
        transaction_id="t1",
        decision_id="d1",
        status="APPROVED",
        risk_score=0,
        decided_by="engine",
    )

    await handle(Envelope.wrap(decided))

    assert await rows(database) == []
    async with database.sessions() as session:
        inbox = await session.scalar(sa.select(sa.func.count()).select_from(tables.messaging.inbox))
    assert inbox == 0
