"""A held transaction's review case: approved or rejected by a person, by two for large amounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from compliance.domain.access import ReviewerIdentity, ReviewerRole
from shared_kernel.domain.errors import Conflict, FieldProblem, InvalidInput, RuleViolated
from shared_kernel.domain.money import Money

MIN_REASON_LENGTH = 3
MAX_REASON_LENGTH = 1000
CASE_ALREADY_DECIDED = "CASE_ALREADY_DECIDED"
SECOND_REVIEWER_REQUIRED = "SECOND_REVIEWER_REQUIRED"
SUPERVISOR_REQUIRED = "SUPERVISOR_REQUIRED"
INVALID_REQUEST = "INVALID_REQUEST"


class CaseStatus(StrEnum):
    """Where a review case stands; APPROVED and REJECTED are final."""

    PENDING = "PENDING"
    # Approved once above the four-eyes amount: a supervisor other than the first must agree.
    AWAITING_SECOND_REVIEW = "AWAITING_SECOND_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"

    @property
    def is_final(self) -> bool:
        """Whether nothing more can be decided on a case in this status."""
        return self in (CaseStatus.APPROVED, CaseStatus.REJECTED)


class ReviewDecision(StrEnum):
    """What a reviewer decides."""

    APPROVE = "APPROVE"
    REJECT = "REJECT"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewerDecision:
    """One reviewer's say on a case, kept in the order it was given."""

    reviewer_id: str
    username: str
    decision: ReviewDecision
    reason: str
    at: datetime


def checked_reason(reason: str) -> str:
    """``reason`` stripped, or :class:`InvalidInput` when it is too short or too long."""
    cleaned = reason.strip()
    if MIN_REASON_LENGTH <= len(cleaned) <= MAX_REASON_LENGTH:
        return cleaned
    code = "TOO_SHORT" if len(cleaned) < MIN_REASON_LENGTH else "TOO_LONG"
    message = f"reason must have {MIN_REASON_LENGTH} to {MAX_REASON_LENGTH} characters"
    raise InvalidInput(
        message, code=INVALID_REQUEST, problems=(FieldProblem("reason", code, message),)
    )


@dataclass(slots=True, kw_only=True)
class ReviewCase:
    """A transaction monitoring held (PENDING_EXTERNAL_APPROVAL), waiting for a person.

    The monitoring decision itself is never changed: the case holds the human outcome.
    """

    case_id: str
    decision_id: str
    customer_id: str
    client_id: str
    transaction_id: str
    amount: Money
    risk_score: int
    status: CaseStatus
    created_at: datetime
    decided_at: datetime | None = None
    approvals: list[ReviewerDecision] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        """Whether the case is APPROVED or REJECTED."""
        return self.status.is_final

    @property
    def final_decision(self) -> ReviewerDecision | None:
        """The reviewer decision that closed the case, else ``None``."""
        return self.approvals[-1] if self.is_final and self.approvals else None

    @property
    def decided_by(self) -> str:
        """Who decided a final case: every approver in order (``"alice,bob"``), or the rejecter.

        Empty while the case is open.
        """
        final = self.final_decision
        if final is None:
            return ""
        if final.decision is ReviewDecision.REJECT:
            return final.username
        return ",".join(a.username for a in self.approvals if a.decision is ReviewDecision.APPROVE)

    def decide(
        self,
        reviewer: ReviewerIdentity,
        decision: ReviewDecision,
        reason: str,
        now: datetime,
        *,
        needs_second_review: bool,
    ) -> ReviewerDecision:
        """Record ``reviewer``'s decision and move the case on.

        A REJECT by anyone is final. An APPROVE is final unless ``needs_second_review`` (the
        amount is above the four-eyes amount): then the first APPROVE waits for a second one,
        which must come from another reviewer with the SUPERVISOR role.

        Returns:
            The decision as recorded.

        Raises:
            InvalidInput: The reason is missing, too short or too long.
            Conflict: ``CASE_ALREADY_DECIDED`` when the case is final.
            RuleViolated: ``SECOND_REVIEWER_REQUIRED`` when the first approver approves again,
                ``SUPERVISOR_REQUIRED`` when the second approver is not a supervisor.
        """
        cleaned = checked_reason(reason)
        if self.is_final:
            raise Conflict(
                f"Case {self.case_id} is {self.status.value} already", code=CASE_ALREADY_DECIDED
            )
        if decision is ReviewDecision.APPROVE and self.status is CaseStatus.AWAITING_SECOND_REVIEW:
            self._check_second_approver(reviewer)
        entry = ReviewerDecision(
            reviewer_id=reviewer.reviewer_id,
            username=reviewer.username,
            decision=decision,
            reason=cleaned,
            at=now,
        )
        self.approvals.append(entry)
        if decision is ReviewDecision.REJECT:
            self._close(CaseStatus.REJECTED, now)
        elif self.status is CaseStatus.AWAITING_SECOND_REVIEW or not needs_second_review:
            self._close(CaseStatus.APPROVED, now)
        else:
            self.status = CaseStatus.AWAITING_SECOND_REVIEW
        return entry

    def _check_second_approver(self, reviewer: ReviewerIdentity) -> None:
        if any(a.reviewer_id == reviewer.reviewer_id for a in self.approvals):
            raise RuleViolated(
                "Above the four-eyes amount a second, different reviewer must approve",
                code=SECOND_REVIEWER_REQUIRED,
            )
        if reviewer.role is not ReviewerRole.SUPERVISOR:
            raise RuleViolated(
                "Above the four-eyes amount only a supervisor may give the second approval",
                code=SUPERVISOR_REQUIRED,
            )

    def _close(self, status: CaseStatus, now: datetime) -> None:
        self.status = status
        self.decided_at = now
