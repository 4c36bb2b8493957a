"""SqlAlchemyActivity: booked transactions kept from TransactionBookedV1, read by velocity rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.persistence import Database, dialect_insert
from compliance.adapters.persistence.decision_tables import activity
from compliance.application.monitoring.conversion import convert_up
from compliance.application.monitoring.ports import ExchangeRates
from compliance.domain.monitoring.evaluation import WindowActivity
from compliance.domain.monitoring.rules import VelocityScope
from compliance.domain.monitoring.transaction import Beneficiary, MonitoredTransaction
from shared_kernel.contracts import TransactionBookedV1
from shared_kernel.domain.errors import DomainError

log = structlog.get_logger(__name__)

STORED_BASE = "EUR"
DEBIT = "DEBIT"
STATED_RATE_MISSING = "STATED_RATE_MISSING"

Window = tuple[VelocityScope, int]


class SqlAlchemyActivity:
    """``ActivityReader`` on the ``activity`` table, which ``record`` fills from bookings."""

    def __init__(self, database: Database, rates: ExchangeRates) -> None:
        self._database = database
        self._rates = rates

    async def record(self, session: AsyncSession, event: TransactionBookedV1) -> None:
        """Add the booking in ``session``'s transaction; a booking seen before changes nothing."""
        party = Beneficiary(name=event.counterparty_name or "", iban=event.counterparty_iban or "")
        base = convert_up(event.amount_minor, event.currency, STORED_BASE, self._rates)
        if base is None:
            # Still counted; sums read it at query time once a rate is stated.
            log.warning("activity.no_stated_rate", currency=event.currency)
        booked_at = event.booked_at
        if booked_at.tzinfo is None:
            booked_at = booked_at.replace(tzinfo=UTC)
        await session.execute(
            dialect_insert(self._database, activity)
            .values(
                customer_id=event.customer_id,
                transaction_id=event.transaction_id,
                direction=event.direction,
                client_id=event.client_id,
                account_id=event.account_id,
                kind=event.kind,
                amount_minor=event.amount_minor,
                currency=event.currency.upper(),
                base_amount_minor=base,
                counterparty_key=party.key,
                booked_at=booked_at,
            )
            .on_conflict_do_nothing()
        )

    async def windows(
        self,
        tx: MonitoredTransaction,
        wanted: frozenset[Window],
        *,
        now: datetime,
        base_currency: str,
    ) -> Mapping[Window, WindowActivity]:
        """Count and sum (in ``base_currency``) of the debits in each wanted window.

        Only booked debits count, of the client (MERCHANT), of the source account
        (SOURCE_ACCOUNT) or of the client to this payee (BENEFICIARY), booked after
        ``now - window``.

        Raises:
            DomainError: ``STATED_RATE_MISSING`` when a debit in the window cannot be
                converted to ``base_currency``.
        """
        found: dict[Window, WindowActivity] = {}
        async with self._database.sessions.begin() as session:
            for scope, seconds in wanted:
                since = now - timedelta(seconds=seconds)
                found[scope, seconds] = await self._window(session, tx, scope, since, base_currency)
        return found

    async def paid_before(self, customer_id: str, client_id: str, beneficiary_key: str) -> bool:
        """Whether the client has a booked debit to this payee."""
        if not beneficiary_key:
            return False
        a = activity.c
        query = (
            sa.select(sa.literal(1))
            .where(a.customer_id == customer_id, a.client_id == client_id)
            .where(a.counterparty_key == beneficiary_key, a.direction == DEBIT)
            .limit(1)
        )
        async with self._database.sessions.begin() as session:
            return (await session.scalar(query)) is not None

    async def _window(
        self,
        session: AsyncSession,
        tx: MonitoredTransaction,
        scope: VelocityScope,
        since: datetime,
        base: str,
    ) -> WindowActivity:
        a = activity.c
        scoped = _scope(tx, scope)
        if scoped is None:
            return WindowActivity()
        where = (a.customer_id == tx.customer_id, a.direction == DEBIT, a.booked_at > since)
        if base.upper() == STORED_BASE:
            count, total, converted = (
                await session.execute(
                    sa.select(sa.func.count(), sa.func.sum(a.base_amount_minor))
                    .add_columns(sa.func.count(a.base_amount_minor))
                    .where(*where, *scoped)
                )
            ).one()
            if count == converted:
                return WindowActivity(count, int(total or 0))
        # Another base, or bookings in a currency without a stated rate when they arrived:
        # sum per currency and convert each sum once.
        groups = await session.execute(
            sa.select(a.currency, sa.func.count(), sa.func.sum(a.amount_minor))
            .where(*where, *scoped)
            .group_by(a.currency)
        )
        count, total = 0, 0
        for currency, counted, summed in groups:
            amount = convert_up(int(summed), currency, base, self._rates)
            if amount is None:
                raise DomainError(
                    f"No stated rate converts {currency} to {base}", code=STATED_RATE_MISSING
                )
            count, total = count + counted, total + amount
        return WindowActivity(count, total)


def _scope(tx: MonitoredTransaction, scope: VelocityScope) -> tuple[Any, ...] | None:
    a = activity.c
    match scope:
        case VelocityScope.MERCHANT:
            return (a.client_id == tx.client_id,)
        case VelocityScope.SOURCE_ACCOUNT:
            return (a.account_id == tx.source_account_id,)
        case VelocityScope.BENEFICIARY:
            key = tx.beneficiary.key
            # A payee with no IBAN, account or name is no one in particular: nothing to count.
            return (a.client_id == tx.client_id, a.counterparty_key == key) if key else None
