"""Rules and their combination: each kind's verdicts, precedence, allow lists and scores."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.domain.monitoring.decision import (
    MonitoringStatus,
    RuleOutcome,
    Verdict,
    combine,
)
from compliance.domain.monitoring.evaluation import (
    Facts,
    SanctionsFinding,
    WindowActivity,
    evaluate,
)
from compliance.domain.monitoring.rules import (
    AmountThreshold,
    CountryRisk,
    ListAction,
    ListMatch,
    NewBeneficiary,
    RuleSet,
    SanctionsScreening,
    Velocity,
    VelocityScope,
)
from shared_kernel.domain.errors import InvalidInput
from tests.compliance.monitoring_fakes import NOW, transaction

pytestmark = pytest.mark.unit

S = MonitoringStatus


def facts(amount: int = 10_000, **kwargs: object) -> Facts:
    return Facts(base_amount_minor=amount, base_currency="EUR", **kwargs)  # type: ignore[arg-type]


def outcome(verdict: Verdict, *, overridable: bool = True, score: int = 10) -> RuleOutcome:
    return RuleOutcome("r", "KIND", verdict, score, "why", overridable=overridable)


def test_amount_thresholds_review_then_reject() -> None:
    rule = AmountThreshold("amt", review_above_minor=1_000_00, reject_above_minor=10_000_00)
    assert evaluate(rule, transaction(), facts(1_000_00)).verdict is Verdict.PASS
    review = evaluate(rule, transaction(), facts(1_000_01))
    assert review.verdict is Verdict.REVIEW
    assert "1,000.01 EUR" in review.explanation
    assert evaluate(rule, transaction(), facts(10_000_01)).verdict is Verdict.REJECT


def test_velocity_counts_this_payment_with_the_window() -> None:
    rule = Velocity("v", VelocityScope.MERCHANT, 3600, max_count=3, max_sum_minor=500_00)
    quiet = facts(100_00, activity={(VelocityScope.MERCHANT, 3600): WindowActivity(2, 300_00)})
    busy = facts(100_00, activity={(VelocityScope.MERCHANT, 3600): WindowActivity(3, 300_00)})
    heavy = facts(300_00, activity={(VelocityScope.MERCHANT, 3600): WindowActivity(1, 300_00)})

    assert evaluate(rule, transaction(), quiet).verdict is Verdict.PASS
    assert evaluate(rule, transaction(), busy).explanation.endswith("4 payments (limit 3)")
    assert evaluate(rule, transaction(), heavy).verdict is Verdict.REVIEW
    assert evaluate(rule, transaction(), heavy).inputs["sumMinor"] == "60000"


def test_a_first_payment_to_a_new_beneficiary_above_the_amount_is_reviewed() -> None:
    rule = NewBeneficiary("new", above_minor=5_000_00)
    assert evaluate(rule, transaction(), facts(5_000_01)).verdict is Verdict.REVIEW
    assert evaluate(rule, transaction(), facts(5_000_01, paid_before=True)).verdict is Verdict.PASS
    assert evaluate(rule, transaction(), facts(4_000_00)).verdict is Verdict.PASS


def test_sanctioned_countries_reject_and_high_risk_ones_are_reviewed() -> None:
    rule = CountryRisk("c", high_risk=frozenset({"PA"}), sanctioned=frozenset({"KP"}))
    banned = evaluate(rule, transaction(iban="", country="KP"), facts())
    risky = evaluate(rule, transaction(iban="", country="", bank_country="PA"), facts())
    by_iban = evaluate(rule, transaction(iban="PA00123", country="DE"), facts())

    assert (banned.verdict, banned.overridable) == (Verdict.REJECT, False)
    assert risky.verdict is Verdict.REVIEW
    assert by_iban.verdict is Verdict.REVIEW
    assert evaluate(rule, transaction(), facts()).verdict is Verdict.PASS


def test_lists_block_or_allow_by_merchant_iban_or_name() -> None:
    block = ListMatch("b", ListAction.BLOCK, ibans=frozenset({"DE89370400440532013000"}))
    allow = ListMatch("a", ListAction.ALLOW, names=frozenset({"initech"}))
    blocked = evaluate(block, transaction(), facts())
    allowed = evaluate(allow, transaction(), facts(normalised_payee_name="initech"))

    assert (blocked.verdict, blocked.overridable) == (Verdict.REJECT, False)
    assert allowed.verdict is Verdict.ALLOW
    assert evaluate(allow, transaction(), facts(normalised_payee_name="other")).verdict is (
        Verdict.PASS
    )


def test_sanctions_review_a_possible_hit_and_reject_a_confirmed_one() -> None:
    rule = SanctionsScreening("s", review_at=0.88, reject_at=0.97)

    def found(score: float) -> Facts:
        return facts(sanctions=SanctionsFinding(score, "IVAN PETROV", "OFAC_SDN:1", "name 0.9"))

    assert evaluate(rule, transaction(), facts()).verdict is Verdict.PASS
    assert evaluate(rule, transaction(), found(0.8)).verdict is Verdict.PASS
    assert evaluate(rule, transaction(), found(0.9)).verdict is Verdict.REVIEW
    confirmed = evaluate(rule, transaction(), found(0.98))
    assert (confirmed.verdict, confirmed.overridable) == (Verdict.REJECT, False)


def test_rejected_beats_pending_beats_approved() -> None:
    assert combine([]).status is S.APPROVED
    assert combine([outcome(Verdict.PASS)]).status is S.APPROVED
    assert (
        combine([outcome(Verdict.REVIEW), outcome(Verdict.PASS)]).status
        is S.PENDING_EXTERNAL_APPROVAL
    )
    assert combine([outcome(Verdict.REVIEW), outcome(Verdict.REJECT)]).status is S.REJECTED


def test_an_allow_list_clears_reviews_but_never_a_confirmed_hit_or_a_block() -> None:
    allow = outcome(Verdict.ALLOW)
    cleared = combine([allow, outcome(Verdict.REVIEW)])
    sanctions = combine([allow, outcome(Verdict.REJECT, overridable=False)])
    held = combine([allow, outcome(Verdict.REVIEW, overridable=False)])

    assert cleared.status is S.APPROVED
    assert sanctions.status is S.REJECTED
    assert held.status is S.PENDING_EXTERNAL_APPROVAL


@given(st.lists(st.sampled_from(list(Verdict)), max_size=8), st.lists(st.integers(0, 100)))
def test_the_risk_score_stays_between_0_and_100_and_a_rejection_scores_high(
    verdicts: list[Verdict], scores: list[int]
) -> None:
    outcomes = [outcome(v, score=s) for v, s in zip(verdicts, scores + [0] * 8, strict=False)]
    combined = combine(outcomes)
    assert 0 <= combined.risk_score <= 100
    if combined.status is S.REJECTED:
        assert combined.risk_score >= 90


def test_a_rule_set_refuses_duplicate_ids_and_meaningless_rules() -> None:
    def rule_set(*rules: object) -> RuleSet:
        return RuleSet("rs", "cust-1", 1, "EUR", rules, NOW)  # type: ignore[arg-type]

    with pytest.raises(InvalidInput, match="unique"):
        rule_set(NewBeneficiary("x", 1), NewBeneficiary("x", 2))
    with pytest.raises(InvalidInput, match="max_count or max_sum_minor"):
        rule_set(Velocity("v", VelocityScope.MERCHANT, 60))
    with pytest.raises(InvalidInput, match="window_seconds"):
        rule_set(Velocity("v", VelocityScope.MERCHANT, 0, max_count=1))
    with pytest.raises(InvalidInput, match="below"):
        rule_set(AmountThreshold("a", review_above_minor=10, reject_above_minor=5))
    with pytest.raises(InvalidInput, match="needs"):
        rule_set(AmountThreshold("a"))
    with pytest.raises(InvalidInput, match="review_at"):
        rule_set(SanctionsScreening("s", review_at=0.99, reject_at=0.9))
    with pytest.raises(InvalidInput, match="rule_id"):
        rule_set(NewBeneficiary(" ", 1))
    windows = rule_set(
        Velocity("a", VelocityScope.MERCHANT, 60, max_count=1),
        Velocity("b", VelocityScope.MERCHANT, 60, max_sum_minor=1),
    ).velocity_windows
    assert windows == {(VelocityScope.MERCHANT, 60)}
