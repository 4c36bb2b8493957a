"""The sandbox bank's outbound payments: taken at once, decided after a delay, reported later."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from accounts_payments.adapters.persistence.sandbox_tables import (
    sandbox_accounts,
    sandbox_payments,
)
from accounts_payments.adapters.providers.sandbox_decisions import (
    account_row,
    book_return,
    book_settlement,
    creditor_row,
    verdict,
)
from accounts_payments.adapters.providers.sandbox_faults import rejected
from accounts_payments.adapters.providers.sandbox_outcomes import SandboxOutcomes
from accounts_payments.adapters.providers.sandbox_sql import insert
from accounts_payments.adapters.providers.sandbox_transfers import balance_minor
from accounts_payments.application.ports.banking_provider import ProviderAccountStatus
from accounts_payments.application.ports.payment_provider import (
    PaymentInstruction,
    ProviderPaymentReceipt,
    ProviderPaymentStatus,
    ProviderPaymentUpdate,
)
from building_blocks.persistence import Database
from shared_kernel.domain.errors import NotFound
from shared_kernel.domain.ids import new_id

Status = ProviderPaymentStatus
Account = ProviderAccountStatus
# What the connector hears, in order, for a payment that reached each status: it is told a
# settlement was accepted before it settled, and that it settled before it came back.
_PATH: dict[Status, tuple[Status, ...]] = {
    Status.ACCEPTED: (Status.ACCEPTED,),
    Status.SETTLED: (Status.ACCEPTED, Status.SETTLED),
    Status.RETURNED: (Status.ACCEPTED, Status.SETTLED, Status.RETURNED),
    Status.REJECTED: (Status.REJECTED,),
    Status.CANCELLED: (Status.CANCELLED,),
}


class SandboxPayments(SandboxOutcomes):
    """The provider-side payment book; each call is its own short transaction."""

    def __init__(
        self, database: Database, clock: Callable[[], datetime], *, settlement_delay: float
    ) -> None:
        super().__init__()
        self._database = database
        self._clock = clock
        self._delay = timedelta(seconds=settlement_delay)

    async def submit(self, instruction: PaymentInstruction) -> ProviderPaymentReceipt:
        """Take the payment; the same ``reference`` again returns the first receipt.

        Raises:
            ProviderRejected: the debited account is unknown, not active (``AC06``),
                closed (``AC04``) or holds another currency (``AM03``).
        """
        p, reference = sandbox_payments.c, instruction.reference
        by_reference = sa.select(p.id).where(p.reference == reference)
        async with self._database.engine.begin() as connection:
            found = (await connection.execute(by_reference)).scalar_one_or_none()
            if found is None:
                await _check_debtor(connection, instruction)
                row = _new_row(instruction, self._clock(), self._delay)
                statement = insert(self._database, sandbox_payments).values(**row)
                # A concurrent submission of the reference may have won: read back the winner.
                await connection.execute(
                    statement.on_conflict_do_nothing(index_elements=["reference"])
                )
                found = (await connection.execute(by_reference)).scalar_one()
        return ProviderPaymentReceipt(provider_payment_id=str(found), status=Status.SUBMITTED)

    async def decide_due(
        self, now: datetime | None = None, *, everything: bool = False
    ) -> list[ProviderPaymentUpdate]:
        """Settle, reject or cancel the submitted payments due by ``now``, oldest first.

        Args:
            now: the decision time (the clock's now when omitted).
            everything: decide every submitted payment, due or not.

        Returns:
            The updates of the payments this call decided (another worker's are not included).
        """
        now = now or self._clock()
        p = sandbox_payments.c
        query = sa.select(p.id).where(p.status == Status.SUBMITTED)
        if not everything:
            query = query.where(p.settle_at <= now)
        async with self._database.engine.connect() as connection:
            ids = (await connection.execute(query.order_by(p.created_at, p.id))).scalars().all()
        updates: list[ProviderPaymentUpdate] = []
        for payment_id in ids:
            updates += await self._decide(payment_id, now)
        return updates

    async def _decide(self, payment_id: str, now: datetime) -> list[ProviderPaymentUpdate]:
        async with self._database.engine.begin() as connection:
            row = await self._lock(connection, payment_id, skip_locked=True)
            if row is None or row["status"] != Status.SUBMITTED:
                return []  # another worker holds or has decided it
            # An outcome taken by a decision whose transaction then fails is spent: the
            # sandbox's armed outcomes are a test aid, not a ledger.
            outcome = self.take_outcome(row["creditor_iban"])
            # Locking the debited account serialises balance checks on it across workers.
            debtor = await account_row(connection, row["account_id"], lock=True)
            creditor = await creditor_row(connection, row)
            status, reason = verdict(row, outcome, debtor, creditor)
            if status is Status.SETTLED and (
                await balance_minor(connection, row["account_id"]) < row["amount_minor"]
            ):
                status, reason = Status.REJECTED, "AM04"
            if status is Status.SETTLED:
                assert debtor is not None  # verdict() refuses a missing payer
                await book_settlement(connection, row, debtor, creditor, now)
            await connection.execute(
                sa.update(sandbox_payments)
                .where(sandbox_payments.c.id == payment_id)
                .values(status=status, reason_code=reason, updated_at=now)
            )
        return [_update(row, step, now, reason) for step in _PATH[status]]

    async def unreported(self) -> list[ProviderPaymentUpdate]:
        """What the connector has not acknowledged yet, oldest first and in order per payment."""
        p = sandbox_payments.c
        query = (
            sa.select(sandbox_payments)
            .where(
                p.status != Status.SUBMITTED,
                sa.or_(p.reported_status.is_(None), p.reported_status != p.status),
            )
            .order_by(p.updated_at, p.id)
        )
        async with self._database.engine.connect() as connection:
            rows = [dict(row) for row in (await connection.execute(query)).mappings()]
        updates: list[ProviderPaymentUpdate] = []
        for row in rows:
            path = _PATH[Status(row["status"])]
            told = row["reported_status"]
            pending = path[path.index(told) + 1 :] if told in path else path
            updates += [
                _update(row, step, row["updated_at"], row["reason_code"]) for step in pending
            ]
        return updates

    async def mark_reported(self, provider_payment_id: str, status: ProviderPaymentStatus) -> None:
        """Remember the connector has been told ``status``; an older status never overwrites it."""
        p = sandbox_payments.c
        earlier = _PATH.get(status, (status,))[:-1]
        statement = (
            sa.update(sandbox_payments)
            .where(
                p.id == provider_payment_id,
                sa.or_(p.reported_status.is_(None), p.reported_status.in_(earlier)),
            )
            .values(reported_status=status)
        )
        async with self._database.engine.begin() as connection:
            await connection.execute(statement)

    async def return_payment(
        self, provider_payment_id: str, *, reason_code: str = "MD06"
    ) -> ProviderPaymentUpdate:
        """The payee's bank sends a settled payment back: the debited account is credited again.

        Raises:
            NotFound: ``PAYMENT_NOT_FOUND``.
            ProviderRejected: ``PAYMENT_NOT_RETURNABLE``, the payment has not settled or was
                an internal transfer (its money never left the bank).
        """
        now = self._clock()
        async with self._database.engine.begin() as connection:
            row = await self._lock(connection, provider_payment_id, skip_locked=False)
            if row is None:
                raise NotFound("the bank has no such payment", code="PAYMENT_NOT_FOUND")
            if row["status"] != Status.SETTLED or row["creditor_account_id"] is not None:
                raise rejected("PAYMENT_NOT_RETURNABLE")
            await book_return(connection, row, now)
            await connection.execute(
                sa.update(sandbox_payments)
                .where(sandbox_payments.c.id == provider_payment_id)
                .values(status=Status.RETURNED, reason_code=reason_code, updated_at=now)
            )
        return _update(row, Status.RETURNED, now, reason_code)

    async def get(self, provider_payment_id: str) -> dict[str, Any] | None:
        """The payment as the sandbox holds it, or ``None``."""
        query = sa.select(sandbox_payments).where(sandbox_payments.c.id == provider_payment_id)
        async with self._database.engine.connect() as connection:
            row = (await connection.execute(query)).mappings().one_or_none()
        return None if row is None else dict(row)

    async def _lock(
        self, connection: AsyncConnection, payment_id: str, *, skip_locked: bool
    ) -> dict[str, Any] | None:
        query = sa.select(sandbox_payments).where(sandbox_payments.c.id == payment_id)
        if not self._database.is_sqlite:  # SQLite locks the whole file on write instead
            query = query.with_for_update(skip_locked=skip_locked)
        row = (await connection.execute(query)).mappings().one_or_none()
        return None if row is None else dict(row)


async def _check_debtor(connection: AsyncConnection, instruction: PaymentInstruction) -> None:
    a = sandbox_accounts.c
    query = sa.select(a.status, a.currency).where(a.id == instruction.provider_account_id)
    account = (await connection.execute(query)).one_or_none()
    if account is None:
        raise rejected("ACCOUNT_NOT_FOUND")
    if account.status != Account.ACTIVE:
        raise rejected("AC04" if account.status == Account.CLOSED else "AC06")
    if account.currency != instruction.amount.currency.code:
        raise rejected("AM03")


def _new_row(instruction: PaymentInstruction, now: datetime, delay: timedelta) -> dict[str, Any]:
    iban = instruction.creditor_iban
    return {
        "id": new_id(),
        "reference": instruction.reference,
        "account_id": instruction.provider_account_id,
        "creditor_account_id": instruction.creditor_provider_account_id,
        "amount_minor": instruction.amount.minor,
        "currency": instruction.amount.currency.code,
        "credited_minor": instruction.credited.minor,
        "credited_currency": instruction.credited.currency.code,
        "scheme": instruction.scheme,
        "creditor_name": instruction.creditor_name,
        "creditor_iban": "".join(iban.split()).upper() if iban else None,
        "status": Status.SUBMITTED,
        "reason_code": None,
        "settle_at": now + delay,
        "created_at": now,
        "updated_at": now,
        "reported_status": None,
    }


def _update(
    row: Mapping[str, Any], status: Status, at: datetime, reason_code: str | None
) -> ProviderPaymentUpdate:
    # Only refusals and returns carry a reason; ACCEPTED and SETTLED never do.
    keeps_reason = status in (Status.REJECTED, Status.CANCELLED, Status.RETURNED)
    return ProviderPaymentUpdate(
        provider_payment_id=row["id"],
        reference=row["reference"],
        status=status,
        occurred_at=at,
        reason_code=reason_code if keeps_reason else None,
    )
