"""SqlAlchemyAuthorizationRepository: authorizations, their operations and cards' spend usage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.persistence import Database
from cards.adapters.persistence.authorization_rows import (
    authorization_of,
    authorization_row,
    operation_row,
    state_row,
)
from cards.adapters.persistence.authorization_tables import (
    authorization_operations,
    authorizations,
)
from cards.domain import errors
from cards.domain.authorization import Authorization
from cards.domain.authorization_values import AuthorizationStatus
from cards.domain.limits import SpendKind
from cards.domain.spend import SpendUsage
from shared_kernel.domain.errors import Conflict
from shared_kernel.domain.money import Currency, Money

Clock = Callable[[], datetime]
AUTHORIZATION_MODIFIED = "AUTHORIZATION_MODIFIED"

_a = authorizations.c
_o = authorization_operations.c
# The statuses whose hold is (or may yet be) placed: the authorization is spend.
_HELD = (AuthorizationStatus.PENDING_FUNDS.value, AuthorizationStatus.APPROVED.value)
_CLEARED = AuthorizationStatus.CLEARED.value
# Only an approved authorization is cleared or reversed: the others skip that query.
_WITHOUT_OPERATIONS = frozenset(
    {AuthorizationStatus.PENDING_FUNDS.value, AuthorizationStatus.DECLINED.value}
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _insert(session: AsyncSession, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    if session.get_bind().dialect.name == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


@dataclass
class _Loaded:
    """What the database holds of an authorization this repository read or added."""

    version: int
    operations: int


class SqlAlchemyAuthorizationRepository:
    """``AuthorizationRepository`` in the session of the caller's unit of work; never commits.

    ``save`` writes only what changed since this repository read (or added) the
    authorization: its new state, guarded by the version it read, and its new operations,
    which are insert-only.
    """

    def __init__(self, session: AsyncSession, *, clock: Clock = _utc_now) -> None:
        self._session = session
        self._clock = clock
        self._loaded: dict[str, _Loaded] = {}

    async def add(self, authorization: Authorization) -> bool:
        """Store a new authorization; ``False``, writing nothing, if its processor id is stored.

        ON CONFLICT DO NOTHING rather than catching an IntegrityError: a failed INSERT aborts
        the whole PostgreSQL transaction, and a concurrent insert of the same processor id
        makes this one wait for it, then yield.
        """
        insert = (
            _insert(self._session, authorizations)
            .values(authorization_row(authorization, self._clock()))
            .on_conflict_do_nothing()
            .returning(_a.authorization_id)
        )
        if (await self._session.execute(insert)).scalar_one_or_none() is None:
            return False
        self._loaded[authorization.authorization_id] = _Loaded(authorization.version, 0)
        await self._add_operations(authorization)
        return True

    async def by_processor_id(
        self, processor_id: str, *, for_update: bool = False
    ) -> Authorization | None:
        """The authorization the processor sent under ``processor_id``, else ``None``."""
        return await self._one(_a.processor_id == processor_id, for_update)

    async def get(self, authorization_id: str, *, for_update: bool = False) -> Authorization | None:
        """An authorization by our id, else ``None``."""
        return await self._one(_a.authorization_id == authorization_id, for_update)

    async def save(self, authorization: Authorization) -> None:
        """Store the authorization's new state and its new operations.

        Raises:
            Conflict: ``AUTHORIZATION_MODIFIED`` when the stored version moved since it was
                read; ``OPERATION_MISMATCH`` when an operation's processor id is stored
                already for another authorization. Nothing is written either way.
            ValueError: the authorization was not read or added through this repository.
        """
        loaded = self._loaded.get(authorization.authorization_id)
        if loaded is None:
            raise ValueError("save() needs an authorization read or added by this repository")
        if authorization.version != loaded.version:
            result = await self._session.execute(
                sa.update(authorizations)
                .where(
                    _a.authorization_id == authorization.authorization_id,
                    _a.version == loaded.version,
                )
                .values(state_row(authorization, self._clock()))
            )
            if int(result.rowcount) != 1:  # type: ignore[attr-defined]
                raise Conflict(
                    f"authorization {authorization.authorization_id} was changed concurrently",
                    code=AUTHORIZATION_MODIFIED,
                )
            loaded.version = authorization.version
        await self._add_operations(authorization)

    async def usage(self, card_id: str, currency: Currency, today: date) -> SpendUsage:
        """What the card committed today, this month (UTC) and ever, in one query.

        An authorization commits its amount less what was reversed while it is approved or
        still waiting for funds (so two authorizations in flight cannot both fit under a
        limit only one fits under), what was cleared once cleared, and nothing if declined
        or reversed in full. Counts are today's committed authorizations.
        """
        day_start = datetime.combine(today, time(), tzinfo=UTC)
        day_end = day_start + timedelta(days=1)
        month_start = day_start.replace(day=1)
        committed = sa.case(
            (_a.status.in_(_HELD), _a.amount_minor - _a.reversed_minor),
            (_a.status == _CLEARED, _a.cleared_minor),
            else_=0,
        )
        today_ = _a.created_at >= day_start
        this_month = _a.created_at >= month_start
        purchase = _a.spend_kind == SpendKind.PURCHASE.value
        atm = _a.spend_kind == SpendKind.ATM_WITHDRAWAL.value

        def total(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
            amount = (
                sa.case((sa.and_(*conditions), committed), else_=0) if conditions else committed
            )
            return sa.func.coalesce(sa.func.sum(amount), 0)

        def count(kind: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
            counted = sa.and_(kind, today_, committed > 0)
            return sa.func.coalesce(sa.func.sum(sa.case((counted, 1), else_=0)), 0)

        query = sa.select(
            total(purchase, today_),
            total(atm, today_),
            total(purchase, this_month),
            total(atm, this_month),
            total(),
            count(purchase),
            count(atm),
        ).where(_a.card_id == card_id, _a.currency == currency.code, _a.created_at < day_end)
        row = (await self._session.execute(query)).one()
        values = [int(value) for value in row]
        return SpendUsage(
            currency=currency,
            purchases_today=Money(values[0], currency),
            atm_today=Money(values[1], currency),
            purchases_this_month=Money(values[2], currency),
            atm_this_month=Money(values[3], currency),
            lifetime=Money(values[4], currency),
            purchases_today_count=values[5],
            atm_today_count=values[6],
        )

    async def _one(
        self, condition: sa.ColumnElement[bool], for_update: bool
    ) -> Authorization | None:
        query = sa.select(authorizations).where(condition)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().one_or_none()
        if row is None:
            return None
        operations: Sequence[sa.RowMapping] = ()
        if row["status"] not in _WITHOUT_OPERATIONS:
            found = await self._session.execute(
                sa.select(authorization_operations)
                .where(_o.authorization_id == row["authorization_id"])
                .order_by(_o.position)
            )
            operations = found.mappings().all()
        authorization = authorization_of(row, operations)
        self._loaded[authorization.authorization_id] = _Loaded(
            authorization.version, len(operations)
        )
        return authorization

    async def _add_operations(self, authorization: Authorization) -> None:
        loaded = self._loaded[authorization.authorization_id]
        new = authorization.operations[loaded.operations :]
        for position, operation in enumerate(new, start=loaded.operations + 1):
            insert = (
                _insert(self._session, authorization_operations)
                .values(operation_row(authorization.authorization_id, position, operation))
                .on_conflict_do_nothing()
                .returning(_o.processor_id)
            )
            if (await self._session.execute(insert)).scalar_one_or_none() is None:
                raise errors.operation_mismatch(
                    operation.processor_id, authorization.authorization_id
                )
            loaded.operations = position


class SqlAlchemyPendingAuthorizations:
    """``PendingAuthorizations`` on ``authorizations``, each call its own short read."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def pending_before(self, cutoff: datetime, limit: int) -> list[str]:
        """Up to ``limit`` ids of authorizations pending since before ``cutoff``, oldest first."""
        query = (
            sa.select(_a.authorization_id)
            .where(_a.status == AuthorizationStatus.PENDING_FUNDS.value, _a.created_at < cutoff)
            .order_by(_a.created_at)
            .limit(limit)
        )
        async with self._database.sessions() as session:
            return list((await session.scalars(query)).all())
