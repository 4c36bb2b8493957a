"""The built-in MonitoringProvider: the customer's rule set (or the default) on local facts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from compliance.application.monitoring.default_rules import default_rule_set
from compliance.application.monitoring.engine import RuleEngine
from compliance.application.monitoring.ports import Assessment, RuleSetStore
from compliance.domain.monitoring.transaction import MonitoredTransaction

ENGINE = "engine"


class BuiltInMonitoring:
    """Runs the active rule set and, beside it, the shadow one (scored, never acting)."""

    def __init__(
        self, rule_sets: RuleSetStore, engine: RuleEngine, clock: Callable[[], datetime]
    ) -> None:
        self._rule_sets = rule_sets
        self._engine = engine
        self._clock = clock

    async def assess(self, tx: MonitoredTransaction) -> Assessment:
        """The active rules' verdict, with the shadow rules' verdict kept for comparison."""
        now = self._clock()
        active = await self._rule_sets.active(tx.customer_id)
        rule_set = active or default_rule_set(tx.customer_id, now)
        verdict = self._engine.judge(tx, rule_set, await self._engine.facts(tx, rule_set, now))
        shadow = await self._rule_sets.shadow(tx.customer_id)
        shadow_verdict = None
        if shadow is not None:
            facts = await self._engine.facts(tx, shadow, now)
            shadow_verdict = self._engine.judge(tx, shadow, facts)
        return Assessment(
            status=verdict.status,
            risk_score=verdict.risk_score,
            reasons=verdict.reasons,
            outcomes=verdict.outcomes,
            decided_by=ENGINE,
            rule_set_id=rule_set.rule_set_id,
            rule_set_version=rule_set.version,
            sanctions_versions=verdict.sanctions_versions,
            shadow_status=shadow_verdict.status if shadow_verdict else None,
            shadow_outcomes=shadow_verdict.outcomes if shadow_verdict else (),
        )
