"""ListCases and GetCase: the review queue page by page, and one case with all that explains it."""

from __future__ import annotations

from compliance.application.monitoring.ports import DecisionStore
from compliance.application.reviews.ports import (
    AuditAction,
    AuditEntry,
    CaseDetail,
    CaseQuery,
    CaseSummary,
    Clock,
    Page,
    ReviewRepository,
    SortKey,
    StatusFilter,
)
from compliance.domain.access import ReviewerIdentity
from shared_kernel.domain.errors import FieldProblem, InvalidInput, NotFound

CASE_NOT_FOUND = "CASE_NOT_FOUND"
INVALID_REQUEST = "INVALID_REQUEST"
MAX_PAGE_SIZE = 100
RECENT_ACTIVITY = 20


def case_not_found(case_id: str) -> NotFound:
    """The error for a case id that names no case."""
    return NotFound(f"There is no review case {case_id}", code=CASE_NOT_FOUND)


def _invalid(field_name: str, message: str) -> InvalidInput:
    problem = FieldProblem(field_name, "INVALID_VALUE", message)
    return InvalidInput(message, code=INVALID_REQUEST, problems=(problem,))


class ListCases:
    """The review queue: filtered, sorted and paged."""

    def __init__(self, reviews: ReviewRepository) -> None:
        self._reviews = reviews

    async def __call__(
        self,
        *,
        status: StatusFilter = StatusFilter.PENDING,
        customer_id: str | None = None,
        min_risk: int | None = None,
        sort: SortKey = SortKey.CREATED_AT,
        descending: bool = False,
        page: int = 1,
        page_size: int = 20,
    ) -> Page[CaseSummary]:
        """One page of cases; the default is the pending ones, oldest first.

        Args:
            status: ``pending`` (PENDING and AWAITING_SECOND_REVIEW), ``approved``,
                ``rejected`` or ``all``.
            customer_id: only this Toqio customer's cases.
            min_risk: only cases with at least this risk score (0-100).
            sort: the order; ties are broken by case id (creation order).
            descending: largest, newest or riskiest first.
            page: 1-based.
            page_size: 1 to 100.

        Raises:
            InvalidInput: A page, page size or minimum risk out of range.
        """
        if page < 1:
            raise _invalid("page", "page must be 1 or more")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise _invalid("pageSize", f"pageSize must be 1 to {MAX_PAGE_SIZE}")
        if min_risk is not None and not 0 <= min_risk <= 100:
            raise _invalid("minRisk", "minRisk must be 0 to 100")
        query = CaseQuery(
            status=status,
            customer_id=customer_id or None,
            min_risk=min_risk,
            sort=sort,
            descending=descending,
            page=page,
            page_size=page_size,
        )
        items, total = await self._reviews.list_page(query)
        return Page(items=items, total=total, page=page, page_size=page_size)


class GetCase:
    """One case with its explanation and the merchant's recent activity; each view is audited."""

    def __init__(self, reviews: ReviewRepository, decisions: DecisionStore, clock: Clock) -> None:
        self._reviews = reviews
        self._decisions = decisions
        self._clock = clock

    async def __call__(self, case_id: str, reviewer: ReviewerIdentity) -> CaseDetail:
        """The case, the monitoring decision, the transaction and the merchant's activity.

        Raises:
            NotFound: ``CASE_NOT_FOUND``.
        """
        found = await self._reviews.get(case_id)
        if found is None:
            raise case_not_found(case_id)
        case = found.case
        decision = await self._decisions.find(case.customer_id, case.transaction_id)
        if decision is None:
            # review_cases.decision_id is a foreign key: only a broken database gets here.
            raise RuntimeError(f"review case {case_id} has no monitoring decision")
        now = self._clock()
        activity = await self._reviews.merchant_activity(
            case.customer_id, case.client_id, now=now, limit=RECENT_ACTIVITY
        )
        await self._reviews.audit(
            AuditEntry(
                case_id=case.case_id,
                reviewer_id=reviewer.reviewer_id,
                username=reviewer.username,
                action=AuditAction.CASE_VIEWED,
                detail="",
                at=now,
            )
        )
        return CaseDetail(
            case=case, decision=decision, transaction=found.transaction, activity=activity
        )
