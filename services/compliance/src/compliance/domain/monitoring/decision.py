"""A monitoring decision: the status Toqio gets, the risk score, and every rule's say in it.

Precedence is REJECTED > PENDING_EXTERNAL_APPROVAL > APPROVED. An allow-list entry can clear a
rule that only asked for a review, but never a confirmed sanctions hit or a block-list hit:
those outcomes are marked ``overridable=False``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MonitoringStatus(StrEnum):
    """The only three statuses Toqio understands; anything else it reads as REJECTED."""

    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    PENDING_EXTERNAL_APPROVAL = "PENDING_EXTERNAL_APPROVAL"


class Verdict(StrEnum):
    """What one rule asks for."""

    PASS = "PASS"  # noqa: S105 - a verdict, not a password
    REVIEW = "REVIEW"
    REJECT = "REJECT"
    ALLOW = "ALLOW"  # an allow-list hit: clears overridable REVIEW verdicts


_RANK = {Verdict.PASS: 0, Verdict.ALLOW: 0, Verdict.REVIEW: 1, Verdict.REJECT: 2}


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason Toqio sees (``reasons[]``)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """One rule's result, with the inputs it read and what it added to the risk score."""

    rule_id: str
    kind: str
    verdict: Verdict
    score: int
    explanation: str
    inputs: Mapping[str, str] = field(default_factory=dict)
    overridable: bool = True

    @property
    def reason(self) -> Reason:
        """The outcome as a reason Toqio shows."""
        return Reason(f"{self.kind}:{self.rule_id}", self.explanation)


@dataclass(frozen=True, slots=True)
class Verdicts:
    """The combined say of a set of outcomes."""

    status: MonitoringStatus
    risk_score: int
    reasons: tuple[Reason, ...]


def combine(outcomes: Sequence[RuleOutcome]) -> Verdicts:
    """Fold rule outcomes into a status, a 0-100 risk score and the reasons that count."""
    allowed = any(o.verdict is Verdict.ALLOW for o in outcomes)
    effective = [
        o for o in outcomes if not (allowed and o.verdict is Verdict.REVIEW and o.overridable)
    ]
    worst = max((_RANK[o.verdict] for o in effective), default=0)
    status = (
        MonitoringStatus.REJECTED
        if worst == 2
        else MonitoringStatus.PENDING_EXTERNAL_APPROVAL
        if worst == 1
        else MonitoringStatus.APPROVED
    )
    score = min(100, max(0, sum(o.score for o in effective)))
    if status is MonitoringStatus.REJECTED:
        score = max(score, 90)
    reasons = tuple(
        o.reason for o in effective if o.verdict in (Verdict.REVIEW, Verdict.REJECT, Verdict.ALLOW)
    )
    return Verdicts(status, score, reasons)


@dataclass(frozen=True, slots=True)
class Decision:
    """What compliance answered for one transaction, kept forever and answered again on repeat.

    ``shadow`` holds the outcomes of a rule set version running in shadow mode: scored and
    stored for comparison, never acting.
    """

    decision_id: str
    transaction_id: str
    customer_id: str
    client_id: str
    status: MonitoringStatus
    risk_score: int
    reasons: tuple[Reason, ...]
    outcomes: tuple[RuleOutcome, ...]
    decided_at: datetime
    decided_by: str
    rule_set_id: str = ""
    rule_set_version: int = 0
    sanctions_versions: tuple[str, ...] = ()
    shadow_status: MonitoringStatus | None = None
    shadow_outcomes: tuple[RuleOutcome, ...] = ()
    amount_minor: int = 0
    currency: str = ""
