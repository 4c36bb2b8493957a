"""The review repository and unit of work on PostgreSQL and SQLite, driven through the use cases."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from building_blocks.webhooks import WebhookQueue
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.decision_store import SqlAlchemyDecisionStore
from compliance.adapters.persistence.decision_tables import activity, review_cases
from compliance.adapters.persistence.review_repository import SqlAlchemyReviewRepository
from compliance.adapters.persistence.review_tables import review_approvals, review_audit
from compliance.adapters.persistence.review_unit_of_work import SqlAlchemyReviewUnitOfWork
from compliance.adapters.rates.static_rates import StaticExchangeRates
from compliance.application.reviews.decide import DecideCase
from compliance.application.reviews.ports import CaseQuery, SortKey, StatusFilter
from compliance.application.reviews.queries import GetCase
from compliance.domain.monitoring.decision import Decision, MonitoringStatus, Reason
from compliance.domain.monitoring.transaction import Beneficiary, MonitoredTransaction, PartyType
from compliance.domain.reviews import CaseStatus, ReviewDecision
from shared_kernel.contracts import TransactionDecidedV1, decode_envelope
from shared_kernel.domain.errors import Conflict
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money
from tests.compliance.review_fakes import ALICE, BOB, DAVE

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)
APPROVE, REJECT = ReviewDecision.APPROVE, ReviewDecision.REJECT


@pytest.fixture(params=["postgresql", "sqlite"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        url = str(request.getfixturevalue("postgres_url"))
    else:
        url = f"sqlite:///{tmp_path}/compliance.db"
    database = Database(url, schema="compliance")
    await database.create_schema(tables.metadata)
    yield database
    await database.dispose()


@dataclass
class Wiring:
    """The review adapters on one database, with counters of the after-commit wake-ups."""

    database: Database
    wakes: dict[str, int] = field(default_factory=lambda: {"relay": 0, "dispatcher": 0})

    @property
    def reviews(self) -> SqlAlchemyReviewRepository:
        return SqlAlchemyReviewRepository(self.database)

    def unit_of_work(self) -> SqlAlchemyReviewUnitOfWork:
        return SqlAlchemyReviewUnitOfWork(
            self.database,
            outbox=Outbox(tables.messaging),
            webhooks=WebhookQueue(tables.webhooks),
            wake_relay=lambda: self._wake("relay"),
            wake_dispatcher=lambda: self._wake("dispatcher"),
        )

    def decide(self, four_eyes: int | None = 1_000_000) -> DecideCase:
        return DecideCase(
            self.unit_of_work,
            self.reviews,
            StaticExchangeRates(),
            lambda: NOW,
            four_eyes_above_minor=four_eyes,
        )

    def _wake(self, name: str) -> None:
        self.wakes[name] += 1

    async def rows(self, table: sa.Table) -> list[dict[str, Any]]:
        async with self.database.engine.connect() as connection:
            return [dict(r) for r in (await connection.execute(sa.select(table))).mappings()]


@pytest.fixture
def wiring(database: Database) -> Wiring:
    return Wiring(database)


async def hold(
    wiring: Wiring, transaction_id: str, amount: str = "500.00", currency: str = "EUR"
) -> str:
    """Store a held decision as ``/transaction/validate`` does; the id of its case."""
    money = Money.from_decimal(Decimal(amount), currency)
    tx = MonitoredTransaction(
        transaction_id=transaction_id,
        customer_id="cust-1",
        client_id="client-1",
        source_account_id="acc-1",
        amount=money,
        beneficiary=Beneficiary(type=PartyType.COMPANY, name="Initech GmbH"),
        created_at=NOW,
        concept="Invoice 42",
    )
    made = Decision(
        decision_id=new_id(),
        transaction_id=transaction_id,
        customer_id="cust-1",
        client_id="client-1",
        status=MonitoringStatus.PENDING_EXTERNAL_APPROVAL,
        risk_score=40,
        reasons=(Reason("AMOUNT_THRESHOLD:large", "Amount above the review limit"),),
        outcomes=(),
        decided_at=NOW,
        decided_by="engine",
        amount_minor=money.minor,
        currency=money.currency.code,
    )
    event = TransactionDecidedV1(
        customer_id="cust-1",
        transaction_id=transaction_id,
        decision_id=made.decision_id,
        status="PENDING_EXTERNAL_APPROVAL",
        risk_score=40,
        decided_by="engine",
    )
    store = SqlAlchemyDecisionStore(wiring.database, Outbox(tables.messaging))
    assert await store.add(made, tx, announce=event)
    async with wiring.database.engine.connect() as connection:
        found = await connection.scalar(
            sa.select(review_cases.c.case_id).where(review_cases.c.transaction_id == transaction_id)
        )
    return str(found)


async def test_a_decided_case_is_stored_with_its_webhook_event_and_audit_then_wakes_workers(
    wiring: Wiring,
) -> None:
    case_id = await hold(wiring, "tx-1")

    await wiring.decide()(case_id, ALICE, APPROVE, "Invoice checked")

    [row] = await wiring.rows(review_cases)
    assert (row["status"], row["decided_by"], row["decision_reason"]) == (
        "APPROVED",
        "alice",
        "Invoice checked",
    )
    assert row["decided_at"] == NOW
    [delivery] = await wiring.rows(tables.webhooks.deliveries)
    assert json.loads(delivery["body"])["decidedAt"] == "2030-06-01T12:00:00.123Z"
    events = [
        decode_envelope(r["body"]).payload for r in await wiring.rows(tables.messaging.outbox)
    ]
    assert [e.status for e in events if isinstance(e, TransactionDecidedV1)] == [
        "PENDING_EXTERNAL_APPROVAL",
        "APPROVED",
    ]
    assert [a["action"] for a in await wiring.rows(review_audit)] == ["CASE_APPROVED"]
    assert wiring.wakes == {"relay": 1, "dispatcher": 1}


async def test_a_case_reads_back_with_its_approvals_and_transaction(wiring: Wiring) -> None:
    case_id = await hold(wiring, "tx-1", "20000.00")
    await wiring.decide()(case_id, ALICE, APPROVE, "Looks fine")

    found = await wiring.reviews.get(case_id)

    assert found is not None
    assert found.case.status is CaseStatus.AWAITING_SECOND_REVIEW
    assert [(a.username, a.decision, a.at) for a in found.case.approvals] == [
        ("alice", APPROVE, NOW)
    ]
    assert found.case.amount == Money.of(2_000_000, "EUR")
    assert (found.transaction.transaction_id, found.transaction.concept) == ("tx-1", "Invoice 42")
    assert await wiring.reviews.get("nope") is None
    assert wiring.wakes == {"relay": 0, "dispatcher": 0}


async def test_the_queue_page_filters_sorts_and_counts(wiring: Wiring) -> None:
    small = await hold(wiring, "tx-1", "100.00")
    large = await hold(wiring, "tx-2", "900.00")
    decided = await hold(wiring, "tx-3", "500.00")
    await wiring.decide()(decided, ALICE, REJECT, "Not ok")

    pending, total = await wiring.reviews.list_page(CaseQuery(sort=SortKey.AMOUNT, descending=True))
    rejected, _ = await wiring.reviews.list_page(CaseQuery(status=StatusFilter.REJECTED))
    second, everything = await wiring.reviews.list_page(
        CaseQuery(status=StatusFilter.ALL, page=2, page_size=2)
    )

    assert ([c.case_id for c in pending], total) == ([large, small], 2)
    assert [(c.case_id, c.decided_by, c.decision_reason) for c in rejected] == [
        (decided, "alice", "Not ok")
    ]
    assert ([c.case_id for c in second], everything) == ([decided], 3)


async def test_two_deciders_at_once_are_serialised_by_the_case_lock(wiring: Wiring) -> None:
    case_id = await hold(wiring, "tx-1")
    decide = wiring.decide()

    results = await asyncio.gather(
        decide(case_id, BOB, APPROVE, "Fine"),
        decide(case_id, DAVE, APPROVE, "Fine too"),
        return_exceptions=True,
    )

    assert sorted(type(r).__name__ for r in results) == ["Conflict", "ReviewCase"]
    assert any(isinstance(r, Conflict) for r in results)
    assert len(await wiring.rows(review_approvals)) == 1
    assert len(await wiring.rows(tables.webhooks.deliveries)) == 1


async def test_merchant_activity_lists_the_newest_bookings_and_sums_the_windows(
    wiring: Wiring,
) -> None:
    def booking(n: int, direction: str, ago: timedelta, base: int | None) -> dict[str, Any]:
        return {
            "customer_id": "cust-1",
            "transaction_id": f"b-{n}",
            "direction": direction,
            "client_id": "client-1",
            "account_id": "acc-1",
            "kind": "OUTBOUND_BANK_TRANSFER",
            "amount_minor": 1000 * n,
            "currency": "EUR" if base is not None else "MXN",
            "base_amount_minor": base,
            "counterparty_key": "DE89370400440532013000",
            "booked_at": NOW - ago,
        }

    rows = [
        booking(1, "DEBIT", timedelta(hours=1), 1000),
        booking(2, "DEBIT", timedelta(hours=30), 2000),
        booking(3, "CREDIT", timedelta(days=2), 3000),
        booking(4, "DEBIT", timedelta(days=40), 4000),
        booking(5, "DEBIT", timedelta(hours=2), None),  # no stated rate: counted, not summed
    ]
    other = {**booking(6, "DEBIT", timedelta(hours=1), 6000), "client_id": "client-2"}
    async with wiring.database.sessions.begin() as session:
        await session.execute(sa.insert(activity), [*rows, other])

    seen = await wiring.reviews.merchant_activity("cust-1", "client-1", now=NOW, limit=3)

    assert [e.transaction_id for e in seen.recent] == ["b-1", "b-5", "b-2"]
    assert seen.recent[1].amount == Money.of(5000, "MXN")
    assert (seen.last_24_hours.debits, seen.last_24_hours.debit_eur_minor) == (2, 1000)
    assert (seen.last_30_days.debits, seen.last_30_days.debit_eur_minor) == (3, 3000)
    assert (seen.last_30_days.credits, seen.last_30_days.credit_eur_minor) == (1, 3000)


async def test_viewing_a_case_is_audited(wiring: Wiring) -> None:
    case_id = await hold(wiring, "tx-1")
    decisions = SqlAlchemyDecisionStore(wiring.database, Outbox(tables.messaging))

    detail = await GetCase(wiring.reviews, decisions, lambda: NOW)(case_id, ALICE)

    assert detail.decision.reasons[0].code == "AMOUNT_THRESHOLD:large"
    [entry] = await wiring.rows(review_audit)
    assert (entry["case_id"], entry["username"], entry["action"]) == (
        case_id,
        "alice",
        "CASE_VIEWED",
    )
