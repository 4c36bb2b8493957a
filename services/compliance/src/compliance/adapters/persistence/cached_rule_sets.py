"""CachedRuleSets: the rule sets in force per customer, kept in memory for a few seconds.

Every validation reads them, and they change only through the admin API: caching them takes
a database round trip off the hot path. A change made through this process is seen at once
(its write clears the entry); one made through another replica is seen within ``ttl``
seconds (``RULE_SET_CACHE_SECONDS``), so a switch applies to every replica in that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import TTLCache

from compliance.adapters.persistence.rule_set_store import SqlAlchemyRuleSetStore
from compliance.domain.monitoring.rules import RuleSet

InForce = tuple[RuleSet | None, RuleSet | None]


class CachedRuleSets:
    """``RuleSetStore`` and ``RuleSetAdmin`` over the SQL store, reads cached per customer."""

    def __init__(
        self,
        store: SqlAlchemyRuleSetStore,
        *,
        ttl: float,
        maxsize: int = 10_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._cache: TTLCache[str, InForce] = TTLCache(maxsize, ttl, timer=timer)

    async def active(self, customer_id: str) -> RuleSet | None:
        """The customer's ACTIVE version, else ``None`` (the built-in default applies)."""
        return (await self._in_force(customer_id))[0]

    async def shadow(self, customer_id: str) -> RuleSet | None:
        """The customer's SHADOW version, else ``None``."""
        return (await self._in_force(customer_id))[1]

    async def versions(self, customer_id: str) -> list[RuleSet]:
        """Every version of every rule set of the customer, oldest first (never cached)."""
        return await self._store.versions(customer_id)

    async def add_version(self, rule_set: RuleSet) -> RuleSet:
        """Store the next version of ``rule_set`` and forget what was cached for its customer."""
        try:
            return await self._store.add_version(rule_set)
        finally:
            self._cache.pop(rule_set.customer_id, None)

    async def switch(self, customer_id: str, rule_set_id: str, version: int, mode: str) -> None:
        """Change a version's mode and forget what was cached for the customer."""
        try:
            await self._store.switch(customer_id, rule_set_id, version, mode)
        finally:
            self._cache.pop(customer_id, None)

    async def _in_force(self, customer_id: str) -> InForce:
        found = self._cache.get(customer_id)
        if found is None:
            found = await self._store.in_force(customer_id)
            self._cache[customer_id] = found
        return found
