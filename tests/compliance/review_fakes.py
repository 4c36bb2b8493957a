"""In-memory stand-ins for the review ports: a case store with its unit of work, and rates."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from compliance.application.reviews.ports import (
    AuditEntry,
    CaseFile,
    CaseQuery,
    CaseSummary,
    MerchantActivity,
    SortKey,
)
from compliance.domain.access import ReviewerIdentity, ReviewerRole
from compliance.domain.monitoring.transaction import Beneficiary, MonitoredTransaction, PartyType
from compliance.domain.reviews import CaseStatus, ReviewCase
from shared_kernel.contracts import IntegrationMessage
from shared_kernel.domain.money import Money

NOW = datetime(2030, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)

ALICE = ReviewerIdentity(reviewer_id="r-alice", username="alice", role=ReviewerRole.REVIEWER)
BOB = ReviewerIdentity(reviewer_id="r-bob", username="bob", role=ReviewerRole.SUPERVISOR)
CAROL = ReviewerIdentity(reviewer_id="r-carol", username="carol", role=ReviewerRole.REVIEWER)
DAVE = ReviewerIdentity(reviewer_id="r-dave", username="dave", role=ReviewerRole.SUPERVISOR)


def held_case(
    case_id: str = "case-1",
    *,
    amount: str = "500.00",
    currency: str = "EUR",
    risk_score: int = 40,
    customer_id: str = "cust-1",
    created_at: datetime = NOW,
    status: CaseStatus = CaseStatus.PENDING,
) -> ReviewCase:
    """A case as the decision store opens it for a held transaction."""
    return ReviewCase(
        case_id=case_id,
        decision_id=f"decision-{case_id}",
        customer_id=customer_id,
        client_id="client-1",
        transaction_id=f"tx-{case_id}",
        amount=Money.from_decimal(Decimal(amount), currency),
        risk_score=risk_score,
        status=status,
        created_at=created_at,
    )


def transaction_of(case: ReviewCase) -> MonitoredTransaction:
    return MonitoredTransaction(
        transaction_id=case.transaction_id,
        customer_id=case.customer_id,
        client_id=case.client_id,
        source_account_id="acc-1",
        amount=case.amount,
        beneficiary=Beneficiary(type=PartyType.COMPANY, name="Initech GmbH"),
        created_at=case.created_at,
    )


class FixedRates:
    """Stated rates from a table; ``None`` for any other pair."""

    def __init__(self, rates: Mapping[tuple[str, str], Decimal]) -> None:
        self._rates = dict(rates)

    def rate(self, from_: str, to: str) -> Decimal | None:
        return Decimal(1) if from_ == to else self._rates.get((from_, to))


@dataclass(frozen=True)
class QueuedWebhook:
    webhook_type: str
    payload: Mapping[str, Any]
    customer_id: str
    ordering_key: str
    dedupe_key: str


def _summary(case: ReviewCase) -> CaseSummary:
    final = case.final_decision
    return CaseSummary(
        case_id=case.case_id,
        decision_id=case.decision_id,
        customer_id=case.customer_id,
        client_id=case.client_id,
        transaction_id=case.transaction_id,
        amount=case.amount,
        risk_score=case.risk_score,
        status=case.status,
        created_at=case.created_at,
        decided_at=case.decided_at,
        decided_by=case.decided_by,
        decision_reason=final.reason if final else "",
    )


_SORT = {
    SortKey.CREATED_AT: lambda c: c.created_at,
    SortKey.RISK_SCORE: lambda c: c.risk_score,
    SortKey.AMOUNT: lambda c: c.amount.minor,
}


@dataclass
class FakeReviewStore:
    """The review tables in memory: a ``ReviewRepository`` and a unit-of-work factory."""

    cases: dict[str, ReviewCase] = field(default_factory=dict)
    transactions: dict[str, MonitoredTransaction] = field(default_factory=dict)
    audit_log: list[AuditEntry] = field(default_factory=list)
    webhooks: list[QueuedWebhook] = field(default_factory=list)
    events: list[tuple[IntegrationMessage, str | None]] = field(default_factory=list)
    activity: MerchantActivity | None = None
    activity_asked: list[tuple[str, str, datetime, int]] = field(default_factory=list)
    audit_fails: bool = False
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def add(self, case: ReviewCase) -> ReviewCase:
        self.cases[case.case_id] = copy.deepcopy(case)
        self.transactions[case.case_id] = transaction_of(case)
        return case

    def actions(self) -> list[tuple[str, str, str]]:
        return [(e.case_id, e.username, e.action.value) for e in self.audit_log]

    async def list_page(self, query: CaseQuery) -> tuple[list[CaseSummary], int]:
        matching = [
            case
            for case in self.cases.values()
            if case.status in query.status.statuses
            and query.customer_id in (None, case.customer_id)
            and (query.min_risk is None or case.risk_score >= query.min_risk)
        ]
        matching.sort(key=lambda c: c.case_id, reverse=query.descending)
        matching.sort(key=_SORT[query.sort], reverse=query.descending)
        page = matching[query.offset : query.offset + query.page_size]
        return [_summary(case) for case in page], len(matching)

    async def get(self, case_id: str) -> CaseFile | None:
        case = self.cases.get(case_id)
        if case is None:
            return None
        return CaseFile(case=copy.deepcopy(case), transaction=self.transactions[case_id])

    async def merchant_activity(
        self, customer_id: str, client_id: str, *, now: datetime, limit: int
    ) -> MerchantActivity:
        self.activity_asked.append((customer_id, client_id, now, limit))
        assert self.activity is not None
        return self.activity

    async def audit(self, entry: AuditEntry) -> None:
        if self.audit_fails:
            raise ConnectionError("database down")
        self.audit_log.append(entry)

    def unit_of_work(self) -> FakeReviewUnitOfWork:
        return FakeReviewUnitOfWork(self)


class FakeReviewUnitOfWork:
    """Stages every write and applies them together on ``commit``; ``lock`` serialises."""

    def __init__(self, store: FakeReviewStore) -> None:
        self._store = store
        self._held: asyncio.Lock | None = None
        self._cases: dict[str, ReviewCase] = {}
        self._audit: list[AuditEntry] = []
        self._webhooks: list[QueuedWebhook] = []
        self._events: list[tuple[IntegrationMessage, str | None]] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._held is not None:
            self._held.release()

    async def lock(self, case_id: str) -> ReviewCase | None:
        self._held = self._store.locks.setdefault(case_id, asyncio.Lock())
        await self._held.acquire()
        await asyncio.sleep(0)  # let a concurrent decider reach its own lock
        case = self._store.cases.get(case_id)
        return copy.deepcopy(case) if case is not None else None

    async def save(self, case: ReviewCase) -> None:
        self._cases[case.case_id] = copy.deepcopy(case)

    async def audit(self, entry: AuditEntry) -> None:
        self._audit.append(entry)

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str,
        dedupe_key: str,
    ) -> None:
        self._webhooks.append(
            QueuedWebhook(webhook_type, dict(payload), customer_id, ordering_key, dedupe_key)
        )

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        self._events.append((message, correlation_id))

    async def commit(self) -> None:
        self._store.cases.update(self._cases)
        self._store.audit_log.extend(self._audit)
        known = {w.dedupe_key for w in self._store.webhooks}
        self._store.webhooks.extend(w for w in self._webhooks if w.dedupe_key not in known)
        self._store.events.extend(self._events)
