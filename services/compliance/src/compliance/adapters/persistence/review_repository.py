"""SqlAlchemyReviewRepository: the review queue read from its tables, and the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.persistence import Database
from compliance.adapters.persistence.decision_store import request_from_json
from compliance.adapters.persistence.decision_tables import activity, decisions, review_cases
from compliance.adapters.persistence.review_tables import review_approvals, review_audit
from compliance.application.reviews.ports import (
    ActivityEntry,
    ActivityTotals,
    AuditEntry,
    CaseFile,
    CaseQuery,
    CaseSummary,
    MerchantActivity,
    SortKey,
    StatusFilter,
)
from compliance.domain.reviews import CaseStatus, ReviewCase, ReviewDecision, ReviewerDecision
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money

DAY = timedelta(days=1)
MONTH = timedelta(days=30)


def audit_row(entry: AuditEntry) -> dict[str, Any]:
    """``entry`` as a ``review_audit`` row."""
    return {
        "id": new_id(),
        "case_id": entry.case_id,
        "reviewer_id": entry.reviewer_id,
        "username": entry.username,
        "action": entry.action.value,
        "detail": entry.detail,
        "at": entry.at,
    }


def approvals_of(rows: Sequence[sa.RowMapping]) -> list[ReviewerDecision]:
    """``review_approvals`` rows (in position order) as reviewer decisions."""
    return [
        ReviewerDecision(
            reviewer_id=row["reviewer_id"],
            username=row["username"],
            decision=ReviewDecision(row["decision"]),
            reason=row["reason"],
            at=row["at"],
        )
        for row in rows
    ]


def case_of(row: sa.RowMapping, approvals: list[ReviewerDecision]) -> ReviewCase:
    """A ``review_cases`` row and its approvals as the aggregate."""
    return ReviewCase(
        case_id=row["case_id"],
        decision_id=row["decision_id"],
        customer_id=row["customer_id"],
        client_id=row["client_id"],
        transaction_id=row["transaction_id"],
        amount=Money.of(row["amount_minor"], row["currency"]),
        risk_score=row["risk_score"],
        status=CaseStatus(row["status"]),
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        approvals=approvals,
    )


async def approvals_for(session: AsyncSession, case_id: str) -> list[ReviewerDecision]:
    """The reviewer decisions stored for ``case_id``, first first."""
    r = review_approvals.c
    found = await session.execute(
        sa.select(review_approvals).where(r.case_id == case_id).order_by(r.position)
    )
    return approvals_of(found.mappings().all())


def _summary(row: sa.RowMapping) -> CaseSummary:
    return CaseSummary(
        case_id=row["case_id"],
        decision_id=row["decision_id"],
        customer_id=row["customer_id"],
        client_id=row["client_id"],
        transaction_id=row["transaction_id"],
        amount=Money.of(row["amount_minor"], row["currency"]),
        risk_score=row["risk_score"],
        status=CaseStatus(row["status"]),
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        decided_by=row["decided_by"] or "",
        decision_reason=row["decision_reason"] or "",
    )


def _conditions(query: CaseQuery) -> list[sa.ColumnElement[bool]]:
    c = review_cases.c
    conditions: list[sa.ColumnElement[bool]] = []
    if query.status is not StatusFilter.ALL:
        conditions.append(c.status.in_(sorted(s.value for s in query.status.statuses)))
    if query.customer_id is not None:
        conditions.append(c.customer_id == query.customer_id)
    if query.min_risk is not None:
        conditions.append(c.risk_score >= query.min_risk)
    return conditions


_SORT_COLUMNS = {
    SortKey.CREATED_AT: review_cases.c.created_at,
    SortKey.RISK_SCORE: review_cases.c.risk_score,
    SortKey.AMOUNT: review_cases.c.amount_minor,
}


def _entry(row: sa.RowMapping) -> ActivityEntry:
    return ActivityEntry(
        transaction_id=row["transaction_id"],
        direction=row["direction"],
        account_id=row["account_id"],
        kind=row["kind"],
        amount=Money.of(row["amount_minor"], row["currency"]),
        counterparty=row["counterparty_key"],
        booked_at=row["booked_at"],
    )


class SqlAlchemyReviewRepository:
    """``ReviewRepository`` on ``review_cases``, ``review_approvals``, ``decisions``,
    ``activity`` and ``review_audit``; every call is its own transaction.
    """

    def __init__(self, database: Database) -> None:
        self._database = database

    async def list_page(self, query: CaseQuery) -> tuple[list[CaseSummary], int]:
        """The page ``query`` asks for, ties broken by case id (UUIDv7: creation order)."""
        c = review_cases.c
        conditions = _conditions(query)
        column = _SORT_COLUMNS[query.sort]
        order = (column.desc(), c.case_id.desc()) if query.descending else (column.asc(), c.case_id)
        async with self._database.sessions.begin() as session:
            total = await session.scalar(
                sa.select(sa.func.count()).select_from(review_cases).where(*conditions)
            )
            rows = await session.execute(
                sa.select(review_cases)
                .where(*conditions)
                .order_by(*order)
                .offset(query.offset)
                .limit(query.page_size)
            )
            return [_summary(row) for row in rows.mappings()], int(total or 0)

    async def get(self, case_id: str) -> CaseFile | None:
        """The case, its reviewer decisions and the transaction kept with its decision."""
        c = review_cases.c
        async with self._database.sessions.begin() as session:
            found = await session.execute(
                sa.select(review_cases, decisions.c.request)
                .join(decisions, decisions.c.decision_id == c.decision_id)
                .where(c.case_id == case_id)
            )
            row = found.mappings().one_or_none()
            if row is None:
                return None
            case = case_of(row, await approvals_for(session, case_id))
        return CaseFile(case=case, transaction=request_from_json(row["request"]))

    async def merchant_activity(
        self, customer_id: str, client_id: str, *, now: datetime, limit: int
    ) -> MerchantActivity:
        """The client's newest bookings, and its debits and credits over 24 h and 30 days."""
        a = activity.c
        mine = (a.customer_id == customer_id, a.client_id == client_id)
        async with self._database.sessions.begin() as session:
            recent = await session.execute(
                sa.select(activity)
                .where(*mine)
                .order_by(a.booked_at.desc(), a.transaction_id.desc())
                .limit(limit)
            )
            entries = [_entry(row) for row in recent.mappings()]
            day = await self._totals(session, mine, now - DAY)
            month = await self._totals(session, mine, now - MONTH)
        return MerchantActivity(recent=entries, last_24_hours=day, last_30_days=month)

    async def audit(self, entry: AuditEntry) -> None:
        """Append ``entry`` in a transaction of its own."""
        async with self._database.sessions.begin() as session:
            await session.execute(sa.insert(review_audit).values(audit_row(entry)))

    @staticmethod
    async def _totals(
        session: AsyncSession,
        mine: tuple[sa.ColumnElement[bool], ...],
        since: datetime,
    ) -> ActivityTotals:
        a = activity.c
        found = await session.execute(
            sa.select(a.direction, sa.func.count(), sa.func.sum(a.base_amount_minor))
            .where(*mine, a.booked_at > since)
            .group_by(a.direction)
        )
        by_direction = {direction: (int(n), int(s or 0)) for direction, n, s in found}
        debits, debit_sum = by_direction.get("DEBIT", (0, 0))
        credits, credit_sum = by_direction.get("CREDIT", (0, 0))
        return ActivityTotals(
            debits=debits, debit_eur_minor=debit_sum, credits=credits, credit_eur_minor=credit_sum
        )
