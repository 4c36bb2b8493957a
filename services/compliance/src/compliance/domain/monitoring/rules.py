"""The kinds of rule a rule set is made of, and rule sets themselves (versioned per customer).

Amounts in rules are minor units of the rule set's ``base_currency``; a transaction in another
currency is converted at the stated rates before any rule reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared_kernel.domain.errors import InvalidInput


class VelocityScope(StrEnum):
    """Whose activity a velocity rule counts."""

    MERCHANT = "MERCHANT"  # every payment of the client
    SOURCE_ACCOUNT = "SOURCE_ACCOUNT"
    BENEFICIARY = "BENEFICIARY"  # payments of the client to the same payee


class RuleSetMode(StrEnum):
    """Whether a rule set version decides, or is only scored beside the one that does."""

    ACTIVE = "ACTIVE"
    SHADOW = "SHADOW"
    RETIRED = "RETIRED"  # an earlier version, kept for the decisions that cite it


@dataclass(frozen=True, slots=True)
class AmountThreshold:
    """Review above one amount, reject above another."""

    rule_id: str
    review_above_minor: int | None = None
    reject_above_minor: int | None = None
    score: int = 30
    kind = "AMOUNT_THRESHOLD"


@dataclass(frozen=True, slots=True)
class Velocity:
    """Too many payments, or too much money, in a sliding window, counting this one."""

    rule_id: str
    scope: VelocityScope
    window_seconds: int
    max_count: int | None = None
    max_sum_minor: int | None = None
    reject: bool = False
    score: int = 25
    kind = "VELOCITY"


@dataclass(frozen=True, slots=True)
class NewBeneficiary:
    """The client's first payment to a payee, above an amount."""

    rule_id: str
    above_minor: int
    score: int = 20
    kind = "NEW_BENEFICIARY"


@dataclass(frozen=True, slots=True)
class CountryRisk:
    """Payees tied to high-risk countries are reviewed, to sanctioned ones rejected."""

    rule_id: str
    high_risk: frozenset[str] = frozenset()
    sanctioned: frozenset[str] = frozenset()
    score: int = 40
    kind = "COUNTRY_RISK"


class ListAction(StrEnum):
    """What a list entry does."""

    ALLOW = "ALLOW"
    BLOCK = "BLOCK"


@dataclass(frozen=True, slots=True)
class ListMatch:
    """An allow or block list of merchants (client ids), payee IBANs and payee names."""

    rule_id: str
    action: ListAction
    merchants: frozenset[str] = frozenset()
    ibans: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    kind = "LIST"


@dataclass(frozen=True, slots=True)
class SanctionsScreening:
    """Screen the payee's name: review a possible hit, reject a confirmed one."""

    rule_id: str
    review_at: float = 0.88
    reject_at: float = 0.97
    score: int = 60
    kind = "SANCTIONS"


Rule = AmountThreshold | Velocity | NewBeneficiary | CountryRisk | ListMatch | SanctionsScreening


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One version of a customer's rules; versions are never edited, only added."""

    rule_set_id: str
    customer_id: str
    version: int
    base_currency: str
    rules: tuple[Rule, ...]
    created_at: datetime
    mode: RuleSetMode = RuleSetMode.ACTIVE

    def __post_init__(self) -> None:
        ids = [rule.rule_id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise InvalidInput("rule ids must be unique within a rule set", code="INVALID_RULE_SET")
        for rule in self.rules:
            _check(rule)

    @property
    def velocity_windows(self) -> frozenset[tuple[VelocityScope, int]]:
        """The activity windows the rules read, so they are fetched once."""
        return frozenset(
            (rule.scope, rule.window_seconds) for rule in self.rules if isinstance(rule, Velocity)
        )


def _check(rule: Rule) -> None:
    def bad(message: str) -> InvalidInput:
        return InvalidInput(f"rule {rule.rule_id}: {message}", code="INVALID_RULE_SET")

    if not rule.rule_id.strip():
        raise bad("rule_id is required")
    if isinstance(rule, Velocity):
        if rule.window_seconds <= 0:
            raise bad("window_seconds must be positive")
        if rule.max_count is None and rule.max_sum_minor is None:
            raise bad("needs max_count or max_sum_minor")
    if isinstance(rule, AmountThreshold):
        low, high = rule.review_above_minor, rule.reject_above_minor
        if low is None and high is None:
            raise bad("needs review_above_minor or reject_above_minor")
        if low is not None and high is not None and high < low:
            raise bad("reject_above_minor must not be below review_above_minor")
    if isinstance(rule, SanctionsScreening) and not 0 < rule.review_at <= rule.reject_at <= 1:
        raise bad("0 < review_at <= reject_at <= 1 is required")
