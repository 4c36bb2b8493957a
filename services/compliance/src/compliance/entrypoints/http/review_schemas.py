"""The bodies of the review queue API: a reviewer's decision, cases and pages of them.

Amounts are exact decimal strings (``"15000.00"``) beside their currency.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from building_blocks.web import CamelStruct
from compliance.application.reviews.ports import CaseSummary, Page
from compliance.domain.reviews import ReviewCase, ReviewerDecision


class DecisionRequest(CamelStruct, frozen=True, kw_only=True):
    """``POST /reviews/{caseId}/decision``; the reason (3 to 1000 characters) is mandatory."""

    decision: Literal["APPROVE", "REJECT"]
    # Bounded generously here; the case checks the trimmed length.
    reason: Annotated[str, msgspec.Meta(max_length=4000)]


class ReviewerDecisionOut(CamelStruct, frozen=True, kw_only=True):
    """One reviewer's say on a case."""

    reviewer_id: str
    username: str
    decision: str
    reason: str
    at: datetime

    @classmethod
    def of(cls, entry: ReviewerDecision) -> ReviewerDecisionOut:
        return cls(
            reviewer_id=entry.reviewer_id,
            username=entry.username,
            decision=entry.decision.value,
            reason=entry.reason,
            at=entry.at,
        )


class CaseSummaryOut(CamelStruct, frozen=True, kw_only=True):
    """A case as the queue lists it; ``decidedBy`` and ``decisionReason`` once it is final."""

    case_id: str
    decision_id: str
    customer_id: str
    client_id: str
    transaction_id: str
    amount: Decimal
    currency: str
    risk_score: int
    status: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None

    @classmethod
    def of(cls, case: CaseSummary) -> CaseSummaryOut:
        return cls(
            case_id=case.case_id,
            decision_id=case.decision_id,
            customer_id=case.customer_id,
            client_id=case.client_id,
            transaction_id=case.transaction_id,
            amount=case.amount.to_decimal(),
            currency=case.amount.currency.code,
            risk_score=case.risk_score,
            status=case.status.value,
            created_at=case.created_at,
            decided_at=case.decided_at,
            decided_by=case.decided_by or None,
            decision_reason=case.decision_reason or None,
        )


class CaseOut(CaseSummaryOut, frozen=True, kw_only=True):
    """A case with every reviewer's say, in order."""

    reviews: list[ReviewerDecisionOut]

    @classmethod
    def of_case(cls, case: ReviewCase) -> CaseOut:
        final = case.final_decision
        return cls(
            case_id=case.case_id,
            decision_id=case.decision_id,
            customer_id=case.customer_id,
            client_id=case.client_id,
            transaction_id=case.transaction_id,
            amount=case.amount.to_decimal(),
            currency=case.amount.currency.code,
            risk_score=case.risk_score,
            status=case.status.value,
            created_at=case.created_at,
            decided_at=case.decided_at,
            decided_by=case.decided_by or None,
            decision_reason=final.reason if final else None,
            reviews=[ReviewerDecisionOut.of(entry) for entry in case.approvals],
        )


class CasePageOut(CamelStruct, frozen=True, kw_only=True):
    """One page of the queue."""

    items: list[CaseSummaryOut]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: Page[CaseSummary]) -> CasePageOut:
        items = [CaseSummaryOut.of(case) for case in page.items]
        return cls(items=items, total=page.total, page=page.page, page_size=page.page_size)
