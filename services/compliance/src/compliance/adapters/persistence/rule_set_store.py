"""SqlAlchemyRuleSetStore: versioned rule sets per customer, at most one ACTIVE and one SHADOW.

A version is stored with the mode its ``RuleSet`` says: adding an ACTIVE (or SHADOW) version
retires the customer's previous ACTIVE (or SHADOW) one in the same transaction. ``switch``
moves modes later. Both run under a per-customer lock (a PostgreSQL transaction-scoped
advisory lock, which, unlike ``SELECT ... FOR UPDATE``, also covers a customer with no rows
yet); SQLite serialises writers anyway. Partial unique indexes back the invariant up.
"""

from __future__ import annotations

import dataclasses
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.outbox.leadership import lock_key
from building_blocks.persistence import Database
from compliance.adapters.persistence.decision_tables import RETIRED, rule_sets
from compliance.application.monitoring.rule_set_codec import rules_from_json, rules_to_json
from compliance.domain.monitoring.rules import RuleSet, RuleSetMode
from shared_kernel.domain.errors import InvalidInput, NotFound

RULE_SET_NOT_FOUND = "RULE_SET_NOT_FOUND"
_MODES = frozenset({RuleSetMode.ACTIVE.value, RuleSetMode.SHADOW.value, RETIRED})


_DOMAIN_MODES = frozenset(mode.value for mode in RuleSetMode)


def _mode(value: str) -> RuleSetMode:
    # The domain names only ACTIVE and SHADOW; a retired version keeps the plain text
    # "RETIRED" (a str, as a StrEnum member is) until RuleSetMode names it too.
    return RuleSetMode(value) if value in _DOMAIN_MODES else cast(RuleSetMode, value)


def _rule_set(row: sa.RowMapping) -> RuleSet:
    return RuleSet(
        rule_set_id=row["rule_set_id"],
        customer_id=row["customer_id"],
        version=row["version"],
        base_currency=row["base_currency"],
        rules=rules_from_json(row["rules"]),
        created_at=row["created_at"],
        mode=_mode(row["mode"]),
    )


class SqlAlchemyRuleSetStore:
    """``RuleSetStore`` and ``RuleSetAdmin`` on the ``rule_sets`` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def active(self, customer_id: str) -> RuleSet | None:
        """The customer's ACTIVE version, else ``None`` (the built-in default applies)."""
        return await self._in_mode(customer_id, RuleSetMode.ACTIVE.value)

    async def shadow(self, customer_id: str) -> RuleSet | None:
        """The customer's SHADOW version, else ``None``."""
        return await self._in_mode(customer_id, RuleSetMode.SHADOW.value)

    async def in_force(self, customer_id: str) -> tuple[RuleSet | None, RuleSet | None]:
        """The customer's ACTIVE and SHADOW versions (either may be ``None``), in one query."""
        r = rule_sets.c
        wanted = (RuleSetMode.ACTIVE.value, RuleSetMode.SHADOW.value)
        async with self._database.engine.connect() as connection:
            found = await connection.execute(
                sa.select(rule_sets).where(r.customer_id == customer_id, r.mode.in_(wanted))
            )
            by_mode = {row["mode"]: _rule_set(row) for row in found.mappings()}
        return by_mode.get(RuleSetMode.ACTIVE.value), by_mode.get(RuleSetMode.SHADOW.value)

    async def versions(self, customer_id: str) -> list[RuleSet]:
        """Every version of every rule set of the customer, oldest first."""
        r = rule_sets.c
        async with self._database.sessions.begin() as session:
            rows = await session.execute(
                sa.select(rule_sets)
                .where(r.customer_id == customer_id)
                .order_by(r.created_at, r.rule_set_id, r.version)
            )
            return [_rule_set(row) for row in rows.mappings()]

    async def add_version(self, rule_set: RuleSet) -> RuleSet:
        """Store ``rule_set`` as version ``max + 1`` of its id (1 for the first).

        Returns:
            The stored version, with its assigned ``version``.
        """
        r = rule_sets.c
        customer = rule_set.customer_id
        async with self._database.sessions.begin() as session:
            await self._lock(session, customer)
            latest = await session.scalar(
                sa.select(sa.func.max(r.version)).where(
                    r.customer_id == customer, r.rule_set_id == rule_set.rule_set_id
                )
            )
            stored = dataclasses.replace(rule_set, version=(latest or 0) + 1)
            await self._retire(session, customer, str(stored.mode))
            await session.execute(
                sa.insert(rule_sets).values(
                    customer_id=customer,
                    rule_set_id=stored.rule_set_id,
                    version=stored.version,
                    base_currency=stored.base_currency,
                    mode=str(stored.mode),
                    rules=rules_to_json(stored.rules),
                    created_at=stored.created_at,
                )
            )
        return stored

    async def switch(self, customer_id: str, rule_set_id: str, version: int, mode: str) -> None:
        """Put a version in ``mode``: ACTIVE or SHADOW (retiring the holder), or RETIRED.

        Raises:
            NotFound: ``RULE_SET_NOT_FOUND``.
            InvalidInput: ``INVALID_RULE_SET_MODE`` for another mode.
        """
        if mode not in _MODES:
            raise InvalidInput(
                f"mode must be ACTIVE, SHADOW or RETIRED, not {mode!r}",
                code="INVALID_RULE_SET_MODE",
            )
        r = rule_sets.c
        this = (r.customer_id == customer_id, r.rule_set_id == rule_set_id, r.version == version)
        async with self._database.sessions.begin() as session:
            await self._lock(session, customer_id)
            current = await session.scalar(sa.select(r.mode).where(*this))
            if current is None:
                raise NotFound(
                    f"Rule set {rule_set_id} has no version {version}", code=RULE_SET_NOT_FOUND
                )
            if current == mode:
                return
            # Retire first: the partial unique index checks each statement on its own.
            await self._retire(session, customer_id, mode)
            await session.execute(sa.update(rule_sets).where(*this).values(mode=mode))

    async def _in_mode(self, customer_id: str, mode: str) -> RuleSet | None:
        r = rule_sets.c
        async with self._database.sessions.begin() as session:
            found = await session.execute(
                sa.select(rule_sets).where(r.customer_id == customer_id, r.mode == mode)
            )
            row = found.mappings().one_or_none()
        return None if row is None else _rule_set(row)

    async def _lock(self, session: AsyncSession, customer_id: str) -> None:
        if not self._database.is_sqlite:
            key = lock_key(f"compliance.rule_sets:{customer_id}")
            await session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))

    @staticmethod
    async def _retire(session: AsyncSession, customer_id: str, mode: str) -> None:
        if mode == RETIRED:
            return
        r = rule_sets.c
        await session.execute(
            sa.update(rule_sets)
            .where(r.customer_id == customer_id, r.mode == mode)
            .values(mode=RETIRED)
        )
