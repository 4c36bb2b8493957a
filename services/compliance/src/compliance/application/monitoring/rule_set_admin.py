"""Rule sets through the admin API: add a version, list them, switch which one acts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from compliance.application.monitoring.ports import RuleSetAdmin
from compliance.domain.monitoring.rules import Rule, RuleSet, RuleSetMode
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency


class ManageRuleSets:
    """Versions are only ever added; switching changes which version acts or shadows."""

    def __init__(self, store: RuleSetAdmin, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    async def add_version(
        self,
        customer_id: str,
        rule_set_id: str,
        base_currency: str,
        rules: tuple[Rule, ...],
        mode: RuleSetMode,
    ) -> RuleSet:
        """Store the rules as the next version of ``rule_set_id``; ``INVALID_RULE_SET`` if bad."""
        try:
            currency = Currency.of(base_currency).code
        except InvalidInput as error:
            raise InvalidInput(error.message, code="INVALID_RULE_SET") from None
        rule_set = RuleSet(
            rule_set_id=rule_set_id,
            customer_id=customer_id,
            version=0,  # assigned by the store
            base_currency=currency,
            rules=rules,
            created_at=self._clock(),
            mode=mode,
        )
        return await self._store.add_version(rule_set)

    async def versions(self, customer_id: str) -> list[RuleSet]:
        """Every version of the customer's rule sets, oldest first."""
        return await self._store.versions(customer_id)

    async def switch(
        self, customer_id: str, rule_set_id: str, version: int, mode: RuleSetMode
    ) -> None:
        """Make a version ACTIVE, SHADOW or RETIRED (``RULE_SET_NOT_FOUND`` if unknown)."""
        await self._store.switch(customer_id, rule_set_id, version, mode.value)
