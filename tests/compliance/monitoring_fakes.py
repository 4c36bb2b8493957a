"""In-memory stand-ins for the monitoring ports, for use-case tests."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

from compliance.application.monitoring.ports import ActivitySnapshot
from compliance.domain.monitoring.decision import Decision
from compliance.domain.monitoring.evaluation import SanctionsFinding, WindowActivity
from compliance.domain.monitoring.rules import RuleSet, VelocityScope
from compliance.domain.monitoring.transaction import Beneficiary, MonitoredTransaction, PartyType
from shared_kernel.contracts import IntegrationMessage
from shared_kernel.domain.money import Money

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


class FakeDecisionStore:
    def __init__(self) -> None:
        self.decisions: dict[tuple[str, str], Decision] = {}
        self.events: list[IntegrationMessage] = []
        self.held: list[str] = []
        self.fail = False
        self.delay = 0.0

    async def find(self, customer_id: str, transaction_id: str) -> Decision | None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise ConnectionError("database down")
        return self.decisions.get((customer_id, transaction_id))

    async def add(
        self, decision: Decision, tx: MonitoredTransaction, *, announce: IntegrationMessage
    ) -> bool:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise ConnectionError("database down")
        key = (decision.customer_id, decision.transaction_id)
        if key in self.decisions:
            return False
        self.decisions[key] = decision
        self.events.append(announce)
        if decision.status.value == "PENDING_EXTERNAL_APPROVAL":
            self.held.append(decision.transaction_id)
        return True


class FakeRuleSets:
    def __init__(self, active: RuleSet | None = None, shadow: RuleSet | None = None) -> None:
        self._active, self._shadow = active, shadow

    async def active(self, customer_id: str) -> RuleSet | None:
        return self._active

    async def shadow(self, customer_id: str) -> RuleSet | None:
        return self._shadow


class FakeActivity:
    def __init__(
        self,
        windows: Mapping[tuple[VelocityScope, int], WindowActivity] | None = None,
        paid: bool = False,
    ) -> None:
        self.window_values = dict(windows or {})
        self.paid = paid

    async def read(
        self,
        tx: MonitoredTransaction,
        wanted: frozenset[tuple[VelocityScope, int]],
        *,
        now: datetime,
        base_currency: str,
    ) -> ActivitySnapshot:
        windows = {key: self.window_values.get(key, WindowActivity()) for key in wanted}
        return ActivitySnapshot(windows, self.paid)


class FixedRates:
    def __init__(self, rates: Mapping[tuple[str, str], Decimal] | None = None) -> None:
        self.rates = dict(rates or {("GBP", "EUR"): Decimal("1.17")})

    def rate(self, from_: str, to: str) -> Decimal | None:
        return self.rates.get((from_, to))


class FakeScreening:
    def __init__(self, finding: SanctionsFinding | None = None) -> None:
        self.finding = finding

    def best_match(
        self, name: str, *, entity_type: str | None, country: str | None
    ) -> SanctionsFinding | None:
        return self.finding

    def list_versions(self) -> tuple[str, ...]:
        return ("OFAC_SDN:2030-05-01",)


def transaction(
    amount: str = "100.00", currency: str = "EUR", **beneficiary: str
) -> MonitoredTransaction:
    party = {"name": "Initech GmbH", "iban": "DE89370400440532013000", "country": "DE"}
    party.update(beneficiary)
    return MonitoredTransaction(
        transaction_id="tx-1",
        customer_id="cust-1",
        client_id="client-1",
        source_account_id="acc-1",
        amount=Money.from_decimal(Decimal(amount), currency),
        beneficiary=Beneficiary(type=PartyType.COMPANY, **party),
        created_at=NOW,
    )
