"""The review queue's own tables: each reviewer's say on a case, and the audit trail."""

from __future__ import annotations

import sqlalchemy as sa

from building_blocks.persistence import UtcDateTime
from compliance.adapters.persistence.decision_tables import review_cases
from compliance.adapters.persistence.metadata import metadata
from compliance.application.reviews.ports import AuditAction
from compliance.domain.reviews import ReviewDecision

__all__ = ["review_approvals", "review_audit"]


def _one_of(values: list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


_DECISIONS = _one_of([decision.value for decision in ReviewDecision])
_ACTIONS = _one_of([action.value for action in AuditAction])
_OUR_ID = sa.String(36)
# Reviewers' usernames are at most 64 characters (compliance.domain.access).
_USERNAME = sa.String(64)

review_approvals = sa.Table(
    "review_approvals",
    metadata,
    sa.Column("case_id", _OUR_ID, sa.ForeignKey(review_cases.c.case_id), primary_key=True),
    # 0 for the first reviewer's say, 1 for the second's (four eyes).
    sa.Column("position", sa.Integer, primary_key=True),
    # No foreign key to reviewers: who decided is kept as it was, whatever becomes of them.
    sa.Column("reviewer_id", _OUR_ID, nullable=False),
    sa.Column("username", _USERNAME, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.CheckConstraint(f"decision IN ({_DECISIONS})", name="decision_known"),
    sa.CheckConstraint("position >= 0", name="position_not_negative"),
)

review_audit = sa.Table(
    "review_audit",
    metadata,
    sa.Column("id", _OUR_ID, primary_key=True),
    # No foreign key: a refused attempt on an unknown case id is audited too.
    sa.Column("case_id", _OUR_ID, nullable=False),
    sa.Column("reviewer_id", _OUR_ID, nullable=False),
    sa.Column("username", _USERNAME, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.CheckConstraint(f"action IN ({_ACTIONS})", name="action_known"),
    # A case's trail, in order.
    sa.Index(None, "case_id", "at"),
)
