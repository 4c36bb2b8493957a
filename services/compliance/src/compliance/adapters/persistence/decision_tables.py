"""Monitoring decisions, rule sets and the activity aggregates the rules read."""

from __future__ import annotations

import sqlalchemy as sa

from building_blocks.persistence import UtcDateTime
from compliance.adapters.persistence.metadata import metadata
from compliance.domain.monitoring.decision import MonitoringStatus, Verdict
from compliance.domain.reviews import CaseStatus

__all__ = [
    "RETIRED",
    "activity",
    "decisions",
    "metadata",
    "review_cases",
    "rule_outcomes",
    "rule_sets",
]

RETIRED = "RETIRED"


def _one_of(values: list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


_STATUSES = _one_of([status.value for status in MonitoringStatus])
_VERDICTS = _one_of([verdict.value for verdict in Verdict])
_MODES = _one_of(["ACTIVE", "SHADOW", RETIRED])
_CASE_STATUSES = _one_of([status.value for status in CaseStatus])
# Toqio's ids are opaque strings; generous lengths so a long one is stored, not refused.
_EXTERNAL_ID = sa.String(128)
_OUR_ID = sa.String(36)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("decision_id", _OUR_ID, primary_key=True),
    sa.Column("customer_id", _EXTERNAL_ID, nullable=False),
    sa.Column("transaction_id", _EXTERNAL_ID, nullable=False),
    sa.Column("client_id", _EXTERNAL_ID, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("risk_score", sa.Integer, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False),  # JSON [{"code", "message"}]
    sa.Column("decided_at", UtcDateTime, nullable=False),
    sa.Column("decided_by", sa.String(128), nullable=False),
    sa.Column("rule_set_id", sa.String(64), nullable=False),
    sa.Column("rule_set_version", sa.Integer, nullable=False),
    sa.Column("sanctions_versions", sa.Text, nullable=False),  # JSON [str]
    sa.Column("shadow_status", sa.String(32)),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    # The transaction as received, so a reviewer sees what the engine saw.
    sa.Column("request", sa.Text, nullable=False),
    sa.CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
    sa.CheckConstraint(
        f"shadow_status IS NULL OR shadow_status IN ({_STATUSES})", name="shadow_status_known"
    ),
    sa.CheckConstraint("risk_score BETWEEN 0 AND 100", name="risk_score_in_range"),
    # One decision per transaction, forever: a repeated request gets the stored one.
    sa.UniqueConstraint("customer_id", "transaction_id"),
)

rule_outcomes = sa.Table(
    "rule_outcomes",
    metadata,
    sa.Column("decision_id", _OUR_ID, sa.ForeignKey(decisions.c.decision_id), primary_key=True),
    sa.Column("shadow", sa.Boolean, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),  # JSON {str: str}
    sa.Column("overridable", sa.Boolean, nullable=False),
    sa.CheckConstraint(f"verdict IN ({_VERDICTS})", name="verdict_known"),
)

rule_sets = sa.Table(
    "rule_sets",
    metadata,
    sa.Column("customer_id", _EXTERNAL_ID, primary_key=True),
    sa.Column("rule_set_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("base_currency", sa.String(3), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("rules", sa.Text, nullable=False),  # JSON, see rule_set_codec
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(f"mode IN ({_MODES})", name="mode_known"),
    sa.CheckConstraint("version > 0", name="version_positive"),
)


def _at_most_one(mode: str) -> sa.Index:
    # The store switches modes under a lock; these partial indexes are the last line of defence.
    only = rule_sets.c.mode == mode
    return sa.Index(
        f"ix_rule_sets_one_{mode.lower()}",
        rule_sets.c.customer_id,
        unique=True,
        postgresql_where=only,
        sqlite_where=only,
    )


_at_most_one("ACTIVE")
_at_most_one("SHADOW")

review_cases = sa.Table(
    "review_cases",
    metadata,
    sa.Column("case_id", _OUR_ID, primary_key=True),
    sa.Column(
        "decision_id", _OUR_ID, sa.ForeignKey(decisions.c.decision_id), nullable=False, unique=True
    ),
    sa.Column("customer_id", _EXTERNAL_ID, nullable=False),
    sa.Column("client_id", _EXTERNAL_ID, nullable=False),
    sa.Column("transaction_id", _EXTERNAL_ID, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("risk_score", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("decided_at", UtcDateTime),
    # The human outcome of a final case (the decision row stays as the engine made it):
    # the reviewers' usernames ("alice,bob" for four eyes) and the closing reason.
    sa.Column("decided_by", sa.String(300)),
    sa.Column("decision_reason", sa.Text),
    sa.CheckConstraint(f"status IN ({_CASE_STATUSES})", name="status_known"),
    # The queue lists a customer's pending cases oldest first.
    sa.Index(None, "customer_id", "status", "created_at"),
    # ... and every customer's, for reviewers working the whole queue.
    sa.Index(None, "status", "created_at"),
)

activity = sa.Table(
    "activity",
    metadata,
    # A booked transaction moves money once per direction (a return credits the same id).
    sa.Column("customer_id", _EXTERNAL_ID, primary_key=True),
    sa.Column("transaction_id", _EXTERNAL_ID, primary_key=True),
    sa.Column("direction", sa.String(6), primary_key=True),
    sa.Column("client_id", _EXTERNAL_ID, nullable=False),
    sa.Column("account_id", _EXTERNAL_ID, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    # In euros at the stated rates, rounded up; NULL when no rate was stated for the currency.
    sa.Column("base_amount_minor", sa.BigInteger),
    # Beneficiary.key of the counterparty: compact upper-case IBAN, else name.
    sa.Column("counterparty_key", sa.Text, nullable=False),
    sa.Column("booked_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("direction IN ('DEBIT', 'CREDIT')", name="direction_known"),
    sa.Index(None, "customer_id", "client_id", "booked_at"),
    sa.Index(None, "customer_id", "account_id", "booked_at"),
    sa.Index(None, "customer_id", "client_id", "counterparty_key", "booked_at"),
)
