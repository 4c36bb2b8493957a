"""Evaluating one rule against a transaction and the facts gathered for it (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from compliance.domain.monitoring.decision import RuleOutcome, Verdict
from compliance.domain.monitoring.rules import (
    AmountThreshold,
    CountryRisk,
    ListAction,
    ListMatch,
    NewBeneficiary,
    Rule,
    SanctionsScreening,
    Velocity,
    VelocityScope,
)
from compliance.domain.monitoring.transaction import MonitoredTransaction


@dataclass(frozen=True, slots=True)
class WindowActivity:
    """Payments already booked in a window: how many, and their sum in the base currency."""

    count: int = 0
    sum_minor: int = 0


@dataclass(frozen=True, slots=True)
class SanctionsFinding:
    """The best sanctions hit for the payee's name (``score`` 0..1), or none."""

    score: float
    matched_name: str
    entry: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read besides the transaction, gathered from local tables beforehand."""

    base_amount_minor: int
    base_currency: str
    activity: Mapping[tuple[VelocityScope, int], WindowActivity] = field(default_factory=dict)
    paid_before: bool = False
    sanctions: SanctionsFinding | None = None
    normalised_payee_name: str = ""


def _money(minor: int, currency: str) -> str:
    return f"{minor / 100:,.2f} {currency}" if currency else str(minor)


def _amount(rule: AmountThreshold, facts: Facts) -> RuleOutcome:
    amount = facts.base_amount_minor
    inputs = {"baseAmountMinor": str(amount), "baseCurrency": facts.base_currency}
    shown = _money(amount, facts.base_currency)
    if rule.reject_above_minor is not None and amount > rule.reject_above_minor:
        limit = _money(rule.reject_above_minor, facts.base_currency)
        return RuleOutcome(
            rule.rule_id,
            rule.kind,
            Verdict.REJECT,
            rule.score * 2,
            f"Amount {shown} is above the rejection limit {limit}",
            inputs,
        )
    if rule.review_above_minor is not None and amount > rule.review_above_minor:
        limit = _money(rule.review_above_minor, facts.base_currency)
        return RuleOutcome(
            rule.rule_id,
            rule.kind,
            Verdict.REVIEW,
            rule.score,
            f"Amount {shown} is above the review limit {limit}",
            inputs,
        )
    return RuleOutcome(
        rule.rule_id, rule.kind, Verdict.PASS, 0, f"Amount {shown} is within limits", inputs
    )


def _velocity(rule: Velocity, facts: Facts) -> RuleOutcome:
    seen = facts.activity.get((rule.scope, rule.window_seconds), WindowActivity())
    count, total = seen.count + 1, seen.sum_minor + facts.base_amount_minor
    inputs = {
        "scope": rule.scope.value,
        "windowSeconds": str(rule.window_seconds),
        "count": str(count),
        "sumMinor": str(total),
    }
    over = []
    if rule.max_count is not None and count > rule.max_count:
        over.append(f"{count} payments (limit {rule.max_count})")
    if rule.max_sum_minor is not None and total > rule.max_sum_minor:
        limit = _money(rule.max_sum_minor, facts.base_currency)
        over.append(f"{_money(total, facts.base_currency)} (limit {limit})")
    window = (
        f"{rule.window_seconds // 3600} h"
        if rule.window_seconds >= 3600
        else f"{rule.window_seconds} s"
    )
    if not over:
        return RuleOutcome(
            rule.rule_id,
            rule.kind,
            Verdict.PASS,
            0,
            f"{rule.scope.value.lower()} activity in {window} is within limits",
            inputs,
        )
    verdict = Verdict.REJECT if rule.reject else Verdict.REVIEW
    message = f"{rule.scope.value.lower()} activity in {window}: " + " and ".join(over)
    return RuleOutcome(rule.rule_id, rule.kind, verdict, rule.score, message, inputs)


def _new_beneficiary(rule: NewBeneficiary, tx: MonitoredTransaction, facts: Facts) -> RuleOutcome:
    inputs = {"paidBefore": str(facts.paid_before).lower(), "beneficiary": tx.beneficiary.key}
    if not facts.paid_before and facts.base_amount_minor > rule.above_minor and not tx.own_accounts:
        limit = _money(rule.above_minor, facts.base_currency)
        return RuleOutcome(
            rule.rule_id,
            rule.kind,
            Verdict.REVIEW,
            rule.score,
            f"First payment to this beneficiary, above {limit}",
            inputs,
        )
    return RuleOutcome(
        rule.rule_id, rule.kind, Verdict.PASS, 0, "Known or small beneficiary", inputs
    )


def _country(rule: CountryRisk, tx: MonitoredTransaction) -> RuleOutcome:
    countries = tx.beneficiary.countries
    inputs = {"countries": ",".join(sorted(countries))}
    if banned := sorted(countries & rule.sanctioned):
        return RuleOutcome(
            rule.rule_id,
            rule.kind,
            Verdict.REJECT,
            rule.score * 2,
            f"Beneficiary tied to sanctioned country {', '.join(banned)}",
            inputs,
            overridable=False,
        )
    if risky := sorted(countries & rule.high_risk):
        return RuleOutcome(
            rule.rule_id,
            rule.kind,
            Verdict.REVIEW,
            rule.score,
            f"Beneficiary tied to high-risk country {', '.join(risky)}",
            inputs,
        )
    return RuleOutcome(rule.rule_id, rule.kind, Verdict.PASS, 0, "No risky country", inputs)


def _list(rule: ListMatch, tx: MonitoredTransaction, facts: Facts) -> RuleOutcome:
    iban = tx.beneficiary.iban.replace(" ", "").upper()
    hits = []
    if tx.client_id in rule.merchants:
        hits.append(f"merchant {tx.client_id}")
    if iban and iban in rule.ibans:
        hits.append(f"IBAN {iban}")
    if facts.normalised_payee_name and facts.normalised_payee_name in rule.names:
        hits.append(f"name {tx.beneficiary.name}")
    inputs = {"iban": iban, "client": tx.client_id, "name": facts.normalised_payee_name}
    if not hits:
        return RuleOutcome(rule.rule_id, rule.kind, Verdict.PASS, 0, "Not on the list", inputs)
    if rule.action is ListAction.BLOCK:
        return RuleOutcome(
            rule.rule_id,
            rule.kind,
            Verdict.REJECT,
            100,
            f"Block list: {', '.join(hits)}",
            inputs,
            overridable=False,
        )
    return RuleOutcome(
        rule.rule_id, rule.kind, Verdict.ALLOW, 0, f"Allow list: {', '.join(hits)}", inputs
    )


def _sanctions(rule: SanctionsScreening, facts: Facts) -> RuleOutcome:
    found = facts.sanctions
    if found is None or found.score < rule.review_at:
        best = f"{found.score:.2f}" if found else "none"
        return RuleOutcome(
            rule.rule_id, rule.kind, Verdict.PASS, 0, "No sanctions match", {"bestScore": best}
        )
    inputs = {
        "score": f"{found.score:.3f}",
        "entry": found.entry,
        "matchedName": found.matched_name,
    }
    if found.score >= rule.reject_at:
        return RuleOutcome(
            rule.rule_id,
            rule.kind,
            Verdict.REJECT,
            100,
            f"Confirmed sanctions match: {found.matched_name} ({found.explanation})",
            inputs,
            overridable=False,
        )
    return RuleOutcome(
        rule.rule_id,
        rule.kind,
        Verdict.REVIEW,
        rule.score,
        f"Possible sanctions match: {found.matched_name} ({found.explanation})",
        inputs,
    )


def evaluate(rule: Rule, tx: MonitoredTransaction, facts: Facts) -> RuleOutcome:
    """One rule's outcome for ``tx``."""
    match rule:
        case AmountThreshold():
            return _amount(rule, facts)
        case Velocity():
            return _velocity(rule, facts)
        case NewBeneficiary():
            return _new_beneficiary(rule, tx, facts)
        case CountryRisk():
            return _country(rule, tx)
        case ListMatch():
            return _list(rule, tx, facts)
        case SanctionsScreening():
            return _sanctions(rule, facts)
