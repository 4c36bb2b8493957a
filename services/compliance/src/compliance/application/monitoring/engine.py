"""The built-in monitoring engine: gather the facts, run the rule set, combine the outcomes.

The facts come from local tables and memory only (activity aggregates kept from
TransactionBookedV1, the sanctions index, stated rates), so a decision takes milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from compliance.application.monitoring.conversion import convert_up
from compliance.application.monitoring.ports import ActivityReader, ExchangeRates, NameScreening
from compliance.domain.monitoring.decision import MonitoringStatus, Reason, RuleOutcome, combine
from compliance.domain.monitoring.evaluation import Facts, evaluate
from compliance.domain.monitoring.rules import RuleSet
from compliance.domain.monitoring.transaction import MonitoredTransaction, PartyType
from compliance.domain.sanctions.names import normalise
from shared_kernel.domain.errors import InvalidInput

UNSUPPORTED_CURRENCY = "UNSUPPORTED_CURRENCY"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A rule set's verdict on a transaction, with every outcome."""

    status: MonitoringStatus
    risk_score: int
    reasons: tuple[Reason, ...]
    outcomes: tuple[RuleOutcome, ...]
    sanctions_versions: tuple[str, ...]


def to_base(tx: MonitoredTransaction, base: str, rates: ExchangeRates) -> int:
    """The amount in ``base`` minor units, rounded up so a limit is never slipped under.

    Raises:
        InvalidInput: ``UNSUPPORTED_CURRENCY`` when no stated rate converts it.
    """
    source = tx.amount.currency.code
    converted = convert_up(tx.amount.minor, source, base, rates)
    if converted is None:
        raise InvalidInput(
            f"No stated rate converts {source} to {base.upper()}", code=UNSUPPORTED_CURRENCY
        )
    return converted


class RuleEngine:
    """Evaluates a rule set on the facts it needs."""

    def __init__(
        self, activity: ActivityReader, rates: ExchangeRates, screening: NameScreening
    ) -> None:
        self._activity = activity
        self._rates = rates
        self._screening = screening

    async def facts(self, tx: MonitoredTransaction, rule_set: RuleSet, now: datetime) -> Facts:
        """Everything ``rule_set`` reads about ``tx``."""
        base = rule_set.base_currency
        amount = to_base(tx, base, self._rates)
        activity = await self._activity.read(
            tx, rule_set.velocity_windows, now=now, base_currency=base
        )
        party = tx.beneficiary
        finding = None
        if party.name:
            entity = {PartyType.PERSON: "INDIVIDUAL", PartyType.COMPANY: "ENTITY"}.get(party.type)
            finding = self._screening.best_match(
                party.name, entity_type=entity, country=party.country or None
            )
        return Facts(
            base_amount_minor=amount,
            base_currency=base,
            activity=activity.windows,
            paid_before=activity.paid_before,
            sanctions=finding,
            normalised_payee_name=" ".join(normalise(party.name)),
        )

    def judge(self, tx: MonitoredTransaction, rule_set: RuleSet, facts: Facts) -> Evaluation:
        """Run every rule and combine."""
        outcomes = tuple(evaluate(rule, tx, facts) for rule in rule_set.rules)
        verdicts = combine(outcomes)
        return Evaluation(
            verdicts.status,
            verdicts.risk_score,
            verdicts.reasons,
            outcomes,
            self._screening.list_versions(),
        )
