"""What the review use cases read and write: cases, their audit trail and merchants' activity."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from compliance.domain.monitoring.decision import Decision
from compliance.domain.monitoring.transaction import MonitoredTransaction
from compliance.domain.reviews import CaseStatus, ReviewCase
from shared_kernel.contracts import IntegrationMessage
from shared_kernel.domain.money import Money

T = TypeVar("T")

Clock = Callable[[], datetime]
"""Now, timezone-aware in UTC."""


class AuditAction(StrEnum):
    """What a reviewer did to a case; every one is kept in the audit trail."""

    CASE_VIEWED = "CASE_VIEWED"
    FIRST_APPROVAL = "FIRST_APPROVAL"
    CASE_APPROVED = "CASE_APPROVED"
    CASE_REJECTED = "CASE_REJECTED"
    DECISION_REFUSED = "DECISION_REFUSED"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One line of the audit trail: who did what to which case, when."""

    case_id: str
    reviewer_id: str
    username: str
    action: AuditAction
    detail: str
    at: datetime


class StatusFilter(StrEnum):
    """Which cases the queue lists; ``pending`` includes those awaiting a second review."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ALL = "all"

    @property
    def statuses(self) -> frozenset[CaseStatus]:
        """The case statuses this filter admits."""
        match self:
            case StatusFilter.PENDING:
                return frozenset({CaseStatus.PENDING, CaseStatus.AWAITING_SECOND_REVIEW})
            case StatusFilter.APPROVED:
                return frozenset({CaseStatus.APPROVED})
            case StatusFilter.REJECTED:
                return frozenset({CaseStatus.REJECTED})
            case _:
                return frozenset(CaseStatus)


class SortKey(StrEnum):
    """What the queue is ordered by (ties are broken by case id, i.e. by creation)."""

    CREATED_AT = "created_at"
    RISK_SCORE = "risk_score"
    # Minor units as held, across currencies: cases of one customer share a currency mostly.
    AMOUNT = "amount"


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseQuery:
    """A checked page request of the queue (see ``ListCases``)."""

    status: StatusFilter = StatusFilter.PENDING
    customer_id: str | None = None
    min_risk: int | None = None
    sort: SortKey = SortKey.CREATED_AT
    descending: bool = False
    page: int = 1
    page_size: int = 20

    @property
    def offset(self) -> int:
        """How many cases come before this page."""
        return (self.page - 1) * self.page_size


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a listing and how many items the whole listing has."""

    items: list[T]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseSummary:
    """A case as the queue lists it."""

    case_id: str
    decision_id: str
    customer_id: str
    client_id: str
    transaction_id: str
    amount: Money
    risk_score: int
    status: CaseStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by: str
    decision_reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseFile:
    """A case with the transaction as Toqio sent it."""

    case: ReviewCase
    transaction: MonitoredTransaction


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityEntry:
    """One booked transaction of the merchant."""

    transaction_id: str
    direction: str
    account_id: str
    kind: str
    amount: Money
    counterparty: str
    booked_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityTotals:
    """Counts and sums of the merchant's bookings in a window.

    Sums are in euro minor units at the stated rates; a booking in a currency with no stated
    rate is counted but not summed.
    """

    debits: int = 0
    debit_eur_minor: int = 0
    credits: int = 0
    credit_eur_minor: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class MerchantActivity:
    """What the merchant did lately: the newest bookings, and totals over 24 hours and 30 days."""

    recent: list[ActivityEntry]
    last_24_hours: ActivityTotals
    last_30_days: ActivityTotals


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseDetail:
    """Everything a reviewer needs to decide a case.

    ``decision`` is the monitoring decision as made (status, risk, reasons, every rule outcome
    with its inputs and explanation); ``transaction`` is the request as received.
    """

    case: ReviewCase
    decision: Decision
    transaction: MonitoredTransaction
    activity: MerchantActivity


class ReviewRepository(Protocol):
    """Reading cases and writing the audit trail; every call is its own short transaction."""

    async def list_page(self, query: CaseQuery) -> tuple[list[CaseSummary], int]:
        """The page of cases ``query`` asks for, and how many cases match in all."""
        ...

    async def get(self, case_id: str) -> CaseFile | None:
        """The case with its reviewer decisions and the transaction, else ``None``."""
        ...

    async def merchant_activity(
        self, customer_id: str, client_id: str, *, now: datetime, limit: int
    ) -> MerchantActivity:
        """The client's newest ``limit`` bookings and its 24 h and 30 d totals up to ``now``."""
        ...

    async def audit(self, entry: AuditEntry) -> None:
        """Append ``entry`` to the audit trail, in a transaction of its own."""
        ...


class ReviewUnitOfWork(Protocol):
    """One transaction deciding one case: nothing is kept unless ``commit`` is called."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def lock(self, case_id: str) -> ReviewCase | None:
        """The case, locked until this unit ends so concurrent deciders queue; else ``None``."""
        ...

    async def save(self, case: ReviewCase) -> None:
        """Write the case's status, outcome and the reviewer decisions added since ``lock``."""
        ...

    async def audit(self, entry: AuditEntry) -> None:
        """Append ``entry`` to the audit trail in this transaction."""
        ...

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str,
        dedupe_key: str,
    ) -> None:
        """Queue a webhook to Toqio in this transaction; it is sent after the commit."""
        ...

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        """Put ``message`` in the outbox with the commit."""
        ...

    async def commit(self) -> None:
        """Keep everything done in this unit."""
        ...


ReviewUnitOfWorkFactory = Callable[[], ReviewUnitOfWork]
