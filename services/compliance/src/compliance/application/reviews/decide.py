"""DecideCase: a reviewer approves or rejects a held transaction; the final word goes to Toqio.

The case, its audit line, the ``TRANSACTION_MONITORING_STATUS_UPDATED`` webhook and the
``TransactionDecidedV1`` event commit in one transaction, under a lock on the case, so two
reviewers deciding at once are serialised: the second sees the first's outcome.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import structlog

from compliance.application.monitoring.conversion import convert_up
from compliance.application.monitoring.ports import ExchangeRates
from compliance.application.reviews.ports import (
    AuditAction,
    AuditEntry,
    Clock,
    ReviewRepository,
    ReviewUnitOfWork,
    ReviewUnitOfWorkFactory,
)
from compliance.application.reviews.queries import case_not_found
from compliance.domain.access import ReviewerIdentity
from compliance.domain.monitoring.decision import MonitoringStatus
from compliance.domain.reviews import CaseStatus, ReviewCase, ReviewDecision
from shared_kernel.contracts import TransactionDecidedV1
from shared_kernel.domain.errors import DomainError
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money

MONITORING_STATUS_UPDATED = "TRANSACTION_MONITORING_STATUS_UPDATED"
FOUR_EYES_CURRENCY = "EUR"

_log = structlog.get_logger(__name__)


def toqio_time(at: datetime) -> str:
    """``at`` as Toqio writes instants: ISO-8601 in UTC with milliseconds and ``Z``."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def in_currency(amount: Money, target: str, rates: ExchangeRates) -> int | None:
    """``amount`` in ``target`` minor units at the stated rates, rounded up; ``None`` if no rate."""
    return convert_up(amount.minor, amount.currency.code, target, rates)


def status_webhook(case: ReviewCase) -> dict[str, Any]:
    """The ``TRANSACTION_MONITORING_STATUS_UPDATED`` body for a final case."""
    final, decided_at = case.final_decision, case.decided_at
    if final is None or decided_at is None:
        raise ValueError(f"case {case.case_id} is not final: there is nothing to announce")
    return {
        "id": new_id(),
        "transactionId": case.transaction_id,
        "status": case.status.value,
        "previousStatus": MonitoringStatus.PENDING_EXTERNAL_APPROVAL.value,
        "reason": final.reason,
        "decidedAt": toqio_time(decided_at),
        "decidedBy": case.decided_by,
    }


_ACTIONS = {
    CaseStatus.APPROVED: AuditAction.CASE_APPROVED,
    CaseStatus.REJECTED: AuditAction.CASE_REJECTED,
    CaseStatus.AWAITING_SECOND_REVIEW: AuditAction.FIRST_APPROVAL,
}


class DecideCase:
    """Approve or reject a case; a second reviewer (a supervisor) above the four-eyes amount."""

    def __init__(
        self,
        units: ReviewUnitOfWorkFactory,
        reviews: ReviewRepository,
        rates: ExchangeRates,
        clock: Clock,
        *,
        four_eyes_above_minor: int | None,
    ) -> None:
        """Wire the use case.

        Args:
            units: a new unit of work per decision.
            reviews: where refused attempts are audited, after the refusal.
            rates: the stated rates the case's amount is converted to euros with.
            clock: now, in UTC.
            four_eyes_above_minor: euro minor units above which two approvals are needed;
                ``None`` never asks for a second one.
        """
        self._units = units
        self._reviews = reviews
        self._rates = rates
        self._clock = clock
        self._four_eyes_above = four_eyes_above_minor

    async def __call__(
        self, case_id: str, reviewer: ReviewerIdentity, decision: ReviewDecision, reason: str
    ) -> ReviewCase:
        """The case after ``reviewer``'s decision; every attempt, refused or not, is audited.

        Raises:
            NotFound: ``CASE_NOT_FOUND``.
            InvalidInput: The reason is missing, too short or too long.
            Conflict: ``CASE_ALREADY_DECIDED``.
            RuleViolated: ``SECOND_REVIEWER_REQUIRED`` or ``SUPERVISOR_REQUIRED``.
        """
        try:
            async with self._units() as unit:
                case = await self._decide(unit, case_id, reviewer, decision, reason)
                await unit.commit()
        except DomainError as error:
            await self._audit_refusal(case_id, reviewer, decision, error)
            raise
        _log.info(
            "review.decided",
            case_id=case_id,
            reviewer_id=reviewer.reviewer_id,
            decision=decision.value,
            status=case.status.value,
        )
        return case

    async def _decide(
        self,
        unit: ReviewUnitOfWork,
        case_id: str,
        reviewer: ReviewerIdentity,
        decision: ReviewDecision,
        reason: str,
    ) -> ReviewCase:
        case = await unit.lock(case_id)
        if case is None:
            raise case_not_found(case_id)
        now = self._clock()
        entry = case.decide(
            reviewer, decision, reason, now, needs_second_review=self._needs_second_review(case)
        )
        await unit.save(case)
        await unit.audit(
            AuditEntry(
                case_id=case_id,
                reviewer_id=reviewer.reviewer_id,
                username=reviewer.username,
                action=_ACTIONS[case.status],
                detail=entry.reason,
                at=now,
            )
        )
        if case.is_final:
            await self._announce(unit, case)
        return case

    def _needs_second_review(self, case: ReviewCase) -> bool:
        if self._four_eyes_above is None:
            return False
        in_euros = in_currency(case.amount, FOUR_EYES_CURRENCY, self._rates)
        # No stated rate: the amount cannot be shown to be small, so two people look at it.
        return in_euros is None or in_euros > self._four_eyes_above

    async def _announce(self, unit: ReviewUnitOfWork, case: ReviewCase) -> None:
        await unit.notify_toqio(
            MONITORING_STATUS_UPDATED,
            status_webhook(case),
            customer_id=case.customer_id,
            ordering_key=f"transaction:{case.transaction_id}",
            dedupe_key=f"monitoring-status:{case.case_id}",
        )
        status: Literal["APPROVED", "REJECTED"] = (
            "APPROVED" if case.status is CaseStatus.APPROVED else "REJECTED"
        )
        unit.publish(
            TransactionDecidedV1(
                customer_id=case.customer_id,
                transaction_id=case.transaction_id,
                decision_id=case.decision_id,
                status=status,
                risk_score=case.risk_score,
                decided_by=case.decided_by,
            ),
            correlation_id=case.transaction_id,
        )

    async def _audit_refusal(
        self,
        case_id: str,
        reviewer: ReviewerIdentity,
        decision: ReviewDecision,
        error: DomainError,
    ) -> None:
        entry = AuditEntry(
            case_id=case_id,
            reviewer_id=reviewer.reviewer_id,
            username=reviewer.username,
            action=AuditAction.DECISION_REFUSED,
            detail=f"{error.code} ({decision.value}): {error.message}",
            at=self._clock(),
        )
        try:
            await self._reviews.audit(entry)
        except Exception:
            # The reviewer must still learn why the decision was refused.
            _log.exception("review.refusal_not_audited", case_id=case_id, code=error.code)
