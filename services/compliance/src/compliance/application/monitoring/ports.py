"""What the monitoring use cases need: decisions, rule sets, activity, rates and screening."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from compliance.domain.monitoring.decision import Decision, MonitoringStatus, Reason, RuleOutcome
from compliance.domain.monitoring.evaluation import SanctionsFinding, WindowActivity
from compliance.domain.monitoring.rules import RuleSet, VelocityScope
from compliance.domain.monitoring.transaction import MonitoredTransaction
from shared_kernel.contracts import IntegrationMessage


class DecisionStore(Protocol):
    """Decisions, kept forever; one per (customer, transaction)."""

    async def find(self, customer_id: str, transaction_id: str) -> Decision | None: ...

    async def add(
        self, decision: Decision, tx: MonitoredTransaction, *, announce: IntegrationMessage
    ) -> bool:
        """Store the decision, its event (outbox) and, when it is held, its review case.

        All in one transaction. ``False`` when a decision for the transaction exists already
        (a concurrent request stored it first); nothing is written then.
        """
        ...


class RuleSetStore(Protocol):
    """Versioned rule sets per customer."""

    async def active(self, customer_id: str) -> RuleSet | None: ...

    async def shadow(self, customer_id: str) -> RuleSet | None: ...


@dataclass(frozen=True, slots=True)
class ActivitySnapshot:
    """What the client's booked activity says about a transaction, read at once."""

    windows: Mapping[tuple[VelocityScope, int], WindowActivity]
    paid_before: bool


class ActivityReader(Protocol):
    """Booked activity, kept locally from TransactionBookedV1 events."""

    async def read(
        self,
        tx: MonitoredTransaction,
        wanted: frozenset[tuple[VelocityScope, int]],
        *,
        now: datetime,
        base_currency: str,
    ) -> ActivitySnapshot:
        """Count and sum (in ``base_currency``) of the client's debits per wanted window, and
        whether the client has paid this beneficiary before."""
        ...


class ExchangeRates(Protocol):
    """The stated rates rules convert with (units of ``to`` per one unit of ``from_``)."""

    def rate(self, from_: str, to: str) -> Decimal | None: ...


class NameScreening(Protocol):
    """Sanctions screening of a payee's name, with the versions of the lists it used."""

    def best_match(
        self, name: str, *, entity_type: str | None, country: str | None
    ) -> SanctionsFinding | None: ...

    def list_versions(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class Assessment:
    """A monitoring provider's verdict on a transaction, with everything that explains it."""

    status: MonitoringStatus
    risk_score: int
    reasons: tuple[Reason, ...]
    outcomes: tuple[RuleOutcome, ...] = ()
    decided_by: str = "engine"
    rule_set_id: str = ""
    rule_set_version: int = 0
    sanctions_versions: tuple[str, ...] = ()
    shadow_status: MonitoringStatus | None = None
    shadow_outcomes: tuple[RuleOutcome, ...] = ()


class MonitoringProvider(Protocol):
    """Who decides: the built-in rule engine by default, or an external vendor.

    Raises whatever it likes when it cannot decide; the caller holds the transaction then.
    """

    async def assess(self, tx: MonitoredTransaction) -> Assessment: ...


class RuleSetAdmin(Protocol):
    """Creating and switching rule set versions (the admin API)."""

    async def add_version(self, rule_set: RuleSet) -> RuleSet:
        """Store ``rule_set`` as the next version of its id (its ``version`` is assigned)."""
        ...

    async def versions(self, customer_id: str) -> list[RuleSet]:
        """Every version of every rule set of the customer, oldest first."""
        ...

    async def switch(self, customer_id: str, rule_set_id: str, version: int, mode: str) -> None:
        """Make a version the ACTIVE one (the previous active is retired) or the SHADOW one.

        Raises:
            NotFound: ``RULE_SET_NOT_FOUND``.
        """
        ...


__all__ = [
    "ActivityReader",
    "Assessment",
    "DecisionStore",
    "ExchangeRates",
    "MonitoringProvider",
    "NameScreening",
    "RuleSetAdmin",
    "RuleSetStore",
]
