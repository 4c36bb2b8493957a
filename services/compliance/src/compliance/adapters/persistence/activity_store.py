"""SqlAlchemyActivity: booked transactions kept from TransactionBookedV1, read by velocity rules."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from building_blocks.persistence import Database, dialect_insert
from compliance.adapters.persistence.decision_tables import activity
from compliance.application.monitoring.conversion import convert_up
from compliance.application.monitoring.ports import ActivitySnapshot, ExchangeRates
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

    async def read(
        self,
        tx: MonitoredTransaction,
        wanted: frozenset[Window],
        *,
        now: datetime,
        base_currency: str,
    ) -> ActivitySnapshot:
        """Count and sum (in ``base_currency``) of the debits in each wanted window, and
        whether the client paid this payee before: one query on the hot path.

        Only booked debits count, of the client (MERCHANT), of the source account
        (SOURCE_ACCOUNT) or of the client to this payee (BENEFICIARY), booked after
        ``now - window``. Every window is a conditional aggregate over the same rows; a
        window holding a booking whose stated rate was missing when it arrived (or any window
        in another base) is summed again per currency and converted.

        Raises:
            DomainError: ``STATED_RATE_MISSING`` when a debit in the window cannot be
                converted to ``base_currency``.
        """
        key = tx.beneficiary.key
        windows = tuple(sorted(wanted))
        counted = [w for w in windows if key or w[0] is not VelocityScope.BENEFICIARY]
        params: dict[str, Any] = {
            "customer_id": tx.customer_id,
            "client_id": tx.client_id,
            "account_id": tx.source_account_id,
            "key": key,
        }
        params |= {f"since_{i}": now - timedelta(seconds=w[1]) for i, w in enumerate(counted)}
        async with self._database.engine.connect() as connection:
            row = (await connection.execute(_snapshot(tuple(counted), bool(key)), params)).one()
            found = {window: WindowActivity() for window in windows if window not in counted}
            for index, window in enumerate(counted):
                count, total, converted = row[3 * index : 3 * index + 3]
                if base_currency.upper() == STORED_BASE and count == converted:
                    found[window] = WindowActivity(int(count or 0), int(total or 0))
                else:
                    found[window] = await self._per_currency(
                        connection, tx, window, now, base_currency
                    )
            return ActivitySnapshot(found, bool(row[-1]))

    async def _per_currency(
        self,
        connection: AsyncConnection,
        tx: MonitoredTransaction,
        window: Window,
        now: datetime,
        base: str,
    ) -> WindowActivity:
        a = activity.c
        since = now - timedelta(seconds=window[1])
        scoped = _scope(tx, window[0]) or ()
        where = (a.customer_id == tx.customer_id, a.direction == DEBIT, a.booked_at > since)
        groups = await connection.execute(
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


@functools.lru_cache(maxsize=256)
def _snapshot(counted: tuple[Window, ...], with_payee: bool) -> sa.Select[Any]:
    """One row: count, sum and converted count per window, then whether the payee was paid.

    Built once per set of windows with bound parameters (``customer_id``, ``client_id``,
    ``account_id``, ``key``, ``since_<i>``): a rule set's statement is constructed
    and compiled once, not on every validation.
    """
    a = activity.c
    client: sa.BindParameter[str] = sa.bindparam("client_id")
    account: sa.BindParameter[str] = sa.bindparam("account_id")
    key: sa.BindParameter[str] = sa.bindparam("key")
    scopes = {
        VelocityScope.MERCHANT: (a.client_id == client,),
        VelocityScope.SOURCE_ACCOUNT: (a.account_id == account,),
        VelocityScope.BENEFICIARY: (a.client_id == client, a.counterparty_key == key),
    }
    columns: list[Any] = []
    for index, (scope, _) in enumerate(counted):
        hit = sa.and_(a.booked_at > sa.bindparam(f"since_{index}"), *scopes[scope])
        columns += [
            sa.func.count(sa.case((hit, 1))),
            sa.func.sum(sa.case((hit, a.base_amount_minor))),
            sa.func.count(sa.case((hit, a.base_amount_minor))),
        ]
    customer: sa.BindParameter[str] = sa.bindparam("customer_id")
    paid: Any = sa.false()
    if with_payee:
        paid = (
            sa.select(sa.literal(1))
            .where(a.customer_id == customer, a.client_id == client)
            .where(a.counterparty_key == key, a.direction == DEBIT)
            .exists()
        )
    if not counted:
        return sa.select(paid)
    # The longest window bounds the rows read; every window filters its own within them.
    longest = max(range(len(counted)), key=lambda i: counted[i][1])
    return (
        sa.select(*columns, paid)
        .where(a.customer_id == customer, a.direction == DEBIT)
        .where(a.booked_at > sa.bindparam(f"since_{longest}"))
        .where(sa.or_(a.client_id == client, a.account_id == account))
    )
