"""ValidateTransaction: stored decisions, verdicts, shadow rules, and safe fallbacks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compliance.application.monitoring.builtin import BuiltInMonitoring
from compliance.application.monitoring.engine import RuleEngine, to_base
from compliance.application.monitoring.validate import FALLBACK, ValidateTransaction
from compliance.domain.monitoring.decision import MonitoringStatus
from compliance.domain.monitoring.evaluation import SanctionsFinding, WindowActivity
from compliance.domain.monitoring.rules import (
    AmountThreshold,
    NewBeneficiary,
    RuleSet,
    RuleSetMode,
    SanctionsScreening,
    VelocityScope,
)
from shared_kernel.contracts import TransactionDecidedV1
from shared_kernel.domain.errors import InvalidInput
from tests.compliance.monitoring_fakes import (
    NOW,
    FakeActivity,
    FakeDecisionStore,
    FakeRuleSets,
    FakeScreening,
    FixedRates,
    transaction,
)

pytestmark = pytest.mark.unit

S = MonitoringStatus


def validator(
    store: FakeDecisionStore | None = None,
    rule_sets: FakeRuleSets | None = None,
    activity: FakeActivity | None = None,
    screening: FakeScreening | None = None,
    deadline: float = 0.5,
) -> tuple[ValidateTransaction, FakeDecisionStore]:
    store = store or FakeDecisionStore()
    engine = RuleEngine(activity or FakeActivity(), FixedRates(), screening or FakeScreening())
    monitoring = BuiltInMonitoring(rule_sets or FakeRuleSets(), engine, lambda: NOW)
    use_case = ValidateTransaction(store, monitoring, lambda: NOW, deadline=deadline)
    return use_case, store


def rules(*rules: object, mode: RuleSetMode = RuleSetMode.ACTIVE, version: int = 1) -> RuleSet:
    return RuleSet("custom", "cust-1", version, "EUR", rules, NOW, mode)  # type: ignore[arg-type]


async def test_a_plain_payment_is_approved_by_the_default_rules_and_announced() -> None:
    validate, store = validator()

    decision = await validate(transaction())

    assert decision.status is S.APPROVED
    assert (decision.rule_set_id, decision.rule_set_version) == ("default", 0)
    assert decision.sanctions_versions == ("OFAC_SDN:2030-05-01",)
    assert len(decision.outcomes) == 8
    [event] = store.events
    assert isinstance(event, TransactionDecidedV1)
    assert (event.transaction_id, event.status) == ("tx-1", "APPROVED")


async def test_the_same_transaction_id_gets_the_stored_decision() -> None:
    validate, store = validator()
    first = await validate(transaction())

    again = await validate(transaction(amount="999999.00"))

    assert again == first
    assert len(store.events) == 1


async def test_a_large_first_payment_is_held_with_its_reasons() -> None:
    validate, store = validator()

    decision = await validate(transaction(amount="12000.00"))

    assert decision.status is S.PENDING_EXTERNAL_APPROVAL
    codes = {reason.code for reason in decision.reasons}
    assert codes == {"AMOUNT_THRESHOLD:large-amount", "NEW_BENEFICIARY:new-beneficiary"}
    assert store.held == ["tx-1"]


async def test_a_confirmed_sanctions_hit_is_rejected() -> None:
    hit = SanctionsFinding(0.99, "INITECH GMBH", "EU:123", "name 0.99")
    validate, _ = validator(screening=FakeScreening(hit))

    decision = await validate(transaction())

    assert decision.status is S.REJECTED
    assert decision.risk_score >= 90
    assert any("Confirmed sanctions match" in r.message for r in decision.reasons)


async def test_velocity_reads_the_activity_windows_of_the_rule_set() -> None:
    busy = FakeActivity({(VelocityScope.MERCHANT, 3600): WindowActivity(20, 100_00)}, paid=True)
    validate, _ = validator(activity=busy)

    decision = await validate(transaction())

    assert decision.status is S.PENDING_EXTERNAL_APPROVAL
    assert [r.code for r in decision.reasons] == ["VELOCITY:merchant-burst"]


async def test_a_customers_own_rule_set_decides_and_a_shadow_version_is_only_scored() -> None:
    active = rules(AmountThreshold("amt", review_above_minor=50_00))
    shadow = rules(SanctionsScreening("s"), mode=RuleSetMode.SHADOW, version=2)
    validate, _ = validator(rule_sets=FakeRuleSets(active, shadow))

    decision = await validate(transaction(amount="60.00"))

    assert decision.status is S.PENDING_EXTERNAL_APPROVAL
    assert (decision.rule_set_id, decision.rule_set_version) == ("custom", 1)
    assert decision.shadow_status is S.APPROVED
    assert [o.rule_id for o in decision.shadow_outcomes] == ["s"]


async def test_amounts_in_other_currencies_are_converted_at_the_stated_rate_rounded_up() -> None:
    validate, _ = validator(rule_sets=FakeRuleSets(rules(NewBeneficiary("new", 117_00))))

    below = await validate(transaction(amount="100.00", currency="GBP"))

    assert below.status is S.APPROVED  # 100 GBP = 117.00 EUR, not above
    assert to_base(transaction(amount="0.01", currency="GBP"), "EUR", FixedRates()) == 2
    with pytest.raises(InvalidInput) as unknown:
        to_base(transaction(currency="JPY", amount="100"), "EUR", FixedRates())
    assert unknown.value.code == "UNSUPPORTED_CURRENCY"


async def test_a_currency_without_a_stated_rate_is_bad_input_and_stores_nothing() -> None:
    validate, store = validator()

    with pytest.raises(InvalidInput):
        await validate(transaction(currency="JPY", amount="100"))

    assert store.decisions == {}


async def test_a_missed_deadline_holds_the_transaction_never_approves_it() -> None:
    slow = FakeDecisionStore()
    slow.delay = 0.2
    validate, store = validator(store=slow, deadline=0.05)

    decision = await validate(transaction())

    assert decision.status is S.PENDING_EXTERNAL_APPROVAL
    assert decision.decided_by == FALLBACK
    assert [r.code for r in decision.reasons] == ["DEADLINE_EXCEEDED"]
    assert store.held == ["tx-1"]


async def test_a_failing_dependency_holds_the_transaction() -> None:
    class BrokenScreening(FakeScreening):
        def best_match(self, name: str, *, entity_type: str | None, country: str | None) -> None:
            raise RuntimeError("index not loaded")

    validate, _ = validator(screening=BrokenScreening())

    decision = await validate(transaction())

    assert (decision.status, decision.decided_by) == (S.PENDING_EXTERNAL_APPROVAL, FALLBACK)
    assert [r.code for r in decision.reasons] == ["DEPENDENCY_UNAVAILABLE"]


async def test_with_the_database_down_the_answer_is_a_hold() -> None:
    down = FakeDecisionStore()
    down.fail = True
    validate, _ = validator(store=down)

    decision = await validate(transaction())

    assert decision.status is S.PENDING_EXTERNAL_APPROVAL


def test_stated_rates_are_exact_decimals() -> None:
    assert FixedRates().rate("GBP", "EUR") == Decimal("1.17")
