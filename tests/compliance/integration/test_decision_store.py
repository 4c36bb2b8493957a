"""The decision store on PostgreSQL and SQLite: one decision per transaction, and its event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.decision_store import (
    SqlAlchemyDecisionStore,
    request_from_json,
)
from compliance.adapters.persistence.decision_tables import decisions, review_cases, rule_outcomes
from compliance.domain.monitoring.decision import (
    Decision,
    MonitoringStatus,
    Reason,
    RuleOutcome,
    Verdict,
)
from compliance.domain.monitoring.transaction import Beneficiary, MonitoredTransaction, PartyType
from shared_kernel.contracts import TransactionDecidedV1, decode_envelope
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)
APPROVED, HELD = MonitoringStatus.APPROVED, MonitoringStatus.PENDING_EXTERNAL_APPROVAL


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/compliance.db"


async def _database(url: str) -> Database:
    database = Database(url, schema="compliance")
    await database.create_schema(tables.metadata)
    return database


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = await _database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def store(database: Database) -> SqlAlchemyDecisionStore:
    return SqlAlchemyDecisionStore(database, Outbox(tables.messaging))


def transaction(transaction_id: str = "tx-1") -> MonitoredTransaction:
    return MonitoredTransaction(
        transaction_id=transaction_id,
        customer_id="cust-1",
        client_id="client-1",
        source_account_id="acc-1",
        amount=Money.from_decimal(Decimal("12500.75"), "EUR"),
        beneficiary=Beneficiary(
            type=PartyType.COMPANY, name="Initech GmbH", iban="DE89370400440532013000", country="DE"
        ),
        created_at=NOW,
        user_id="user-9",
        concept="Invoice 42",
        is_fx=True,
    )


def outcome(rule_id: str, verdict: Verdict = Verdict.PASS, score: int = 0) -> RuleOutcome:
    return RuleOutcome(
        rule_id,
        "AMOUNT_THRESHOLD",
        verdict,
        score,
        f"{rule_id} says {verdict}",
        {"baseAmountMinor": "1250075", "baseCurrency": "EUR"},
        overridable=verdict is not Verdict.REJECT,
    )


def decision(status: MonitoringStatus = APPROVED, transaction_id: str = "tx-1") -> Decision:
    return Decision(
        decision_id=new_id(),
        transaction_id=transaction_id,
        customer_id="cust-1",
        client_id="client-1",
        status=status,
        risk_score=30 if status is HELD else 0,
        reasons=(Reason("AMOUNT_THRESHOLD:large", "Amount above the review limit"),),
        outcomes=(outcome("large", Verdict.REVIEW, 30), outcome("sanctions")),
        decided_at=NOW,
        decided_by="engine",
        rule_set_id="strict",
        rule_set_version=3,
        sanctions_versions=("OFAC_SDN:2030-05-01", "EU_FSF:2030-05-02"),
        shadow_status=MonitoringStatus.REJECTED,
        shadow_outcomes=(outcome("shadow-large", Verdict.REJECT, 60),),
        amount_minor=1_250_075,
        currency="EUR",
    )


def announcement(made: Decision) -> TransactionDecidedV1:
    return TransactionDecidedV1(
        customer_id=made.customer_id,
        transaction_id=made.transaction_id,
        decision_id=made.decision_id,
        status=made.status.value,
        risk_score=made.risk_score,
        decided_by=made.decided_by,
    )


async def add(store: SqlAlchemyDecisionStore, made: Decision) -> bool:
    return await store.add(made, transaction(made.transaction_id), announce=announcement(made))


async def count(database: Database, table: sa.Table) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


async def test_a_stored_decision_reads_back_with_its_outcomes_and_shadow_outcomes(
    store: SqlAlchemyDecisionStore,
) -> None:
    made = decision(HELD)

    assert await add(store, made)

    assert await store.find("cust-1", "tx-1") == made


async def test_a_fallback_decision_without_outcomes_or_rule_set_reads_back(
    store: SqlAlchemyDecisionStore,
) -> None:
    made = replace(
        decision(HELD),
        outcomes=(),
        shadow_outcomes=(),
        shadow_status=None,
        rule_set_id="",
        rule_set_version=0,
        sanctions_versions=(),
        decided_by="fallback",
    )

    assert await add(store, made)

    assert await store.find("cust-1", "tx-1") == made


async def test_an_unknown_transaction_has_no_decision(store: SqlAlchemyDecisionStore) -> None:
    await add(store, decision())

    assert await store.find("cust-1", "tx-2") is None
    assert await store.find("cust-2", "tx-1") is None


async def test_a_second_decision_for_the_same_transaction_is_refused_and_writes_nothing(
    store: SqlAlchemyDecisionStore, database: Database
) -> None:
    first = decision(APPROVED)
    assert await add(store, first)
    written = [
        await count(database, t) for t in (decisions, rule_outcomes, tables.messaging.outbox)
    ]

    assert not await add(store, decision(HELD))

    after = [await count(database, t) for t in (decisions, rule_outcomes, tables.messaging.outbox)]
    assert after == written
    assert await count(database, review_cases) == 0
    assert await store.find("cust-1", "tx-1") == first


async def test_the_outbox_row_announces_the_decision_under_its_transaction(
    store: SqlAlchemyDecisionStore, database: Database
) -> None:
    made = decision(HELD)
    await add(store, made)

    async with database.sessions() as session:
        row = (await session.execute(sa.select(tables.messaging.outbox))).mappings().one()
    envelope = decode_envelope(row["body"])
    assert envelope.payload == announcement(made)
    assert isinstance(envelope.payload, TransactionDecidedV1)
    assert envelope.correlation_id == "tx-1"
    assert row["routing_key"] == "TransactionDecided.v1"


@pytest.mark.parametrize(("status", "cases"), [(HELD, 1), (APPROVED, 0)])
async def test_only_a_held_decision_opens_a_pending_review_case(
    store: SqlAlchemyDecisionStore, database: Database, status: MonitoringStatus, cases: int
) -> None:
    made = decision(status)
    await add(store, made)

    async with database.sessions() as session:
        rows = (await session.execute(sa.select(review_cases))).mappings().all()
    assert len(rows) == cases
    if cases:
        case = rows[0]
        assert (case["decision_id"], case["transaction_id"]) == (made.decision_id, "tx-1")
        assert (case["status"], case["amount_minor"], case["currency"]) == (
            "PENDING",
            1250075,
            "EUR",
        )
        assert (case["risk_score"], case["created_at"], case["decided_at"]) == (30, NOW, None)


async def test_the_transaction_is_kept_as_received_beside_its_decision(
    store: SqlAlchemyDecisionStore, database: Database
) -> None:
    await add(store, decision())

    async with database.sessions() as session:
        raw = await session.scalar(sa.select(decisions.c.request))
    assert request_from_json(raw) == transaction()


async def test_the_relay_is_woken_only_when_a_decision_was_stored(database: Database) -> None:
    wakes: list[str] = []
    store = SqlAlchemyDecisionStore(
        database, Outbox(tables.messaging), wake_relay=lambda: wakes.append("wake")
    )

    await add(store, decision())
    await add(store, decision())

    assert wakes == ["wake"]


async def test_concurrent_decisions_on_one_transaction_store_exactly_one(postgres_url: str) -> None:
    database = await _database(postgres_url)
    store = SqlAlchemyDecisionStore(database, Outbox(tables.messaging))
    try:
        results = await asyncio.gather(*(add(store, decision(HELD)) for _ in range(10)))

        assert results.count(True) == 1
        assert await count(database, decisions) == 1
        assert await count(database, tables.messaging.outbox) == 1
        assert await count(database, review_cases) == 1
    finally:
        await database.dispose()
