"""The sandbox bank's own book of transactions: inbound transfers (payments in sandbox_payments)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from accounts_payments.adapters.persistence.sandbox_tables import (
    sandbox_accounts,
    sandbox_transactions,
)
from accounts_payments.application.ports.banking_provider import ProviderAccountStatus
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from building_blocks.persistence import Database
from shared_kernel.domain.errors import InvalidInput, NotFound, RuleViolated
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import CurrencyMismatch, Money


class Direction(StrEnum):
    """Which way money moved, seen from the sandbox account."""

    INBOUND = "INBOUND"
    # OUTBOUND: settled outbound payments debit the account here, in their own rows.
    OUTBOUND = "OUTBOUND"


class SandboxTransactionStatus(StrEnum):
    """Where a provider-side transaction stands."""

    BOOKED = "BOOKED"


class SandboxTransfers:
    """Provider-side transactions, each change in its own short transaction."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self._database = database
        self._clock = clock

    async def receive(
        self,
        provider_account_id: str,
        amount: Money,
        *,
        debtor_name: str,
        debtor_iban: Iban,
        reference: str,
    ) -> InboundTransfer:
        """Credit an inbound transfer to an active account; returns what the bank reports.

        Raises:
            NotFound: ``ACCOUNT_NOT_FOUND``, the bank has no such account.
            RuleViolated: ``ACCOUNT_NOT_ACTIVE``, the account is blocked, closed or pending.
            InvalidInput: ``CURRENCY_MISMATCH``, or ``INVALID_AMOUNT`` for a non-positive one.
        """
        if not amount.is_positive():
            raise InvalidInput("an inbound transfer must be positive", code="INVALID_AMOUNT")
        transfer_id, now = new_id(), self._clock()
        async with self._database.engine.begin() as connection:
            account = (
                await connection.execute(
                    sa.select(sandbox_accounts.c.status, sandbox_accounts.c.currency).where(
                        sandbox_accounts.c.id == provider_account_id
                    )
                )
            ).one_or_none()
            if account is None:
                raise NotFound("the bank has no such account", code="ACCOUNT_NOT_FOUND")
            if account.status != ProviderAccountStatus.ACTIVE:
                message = f"the account is {account.status.lower()} and cannot receive money"
                raise RuleViolated(message, code="ACCOUNT_NOT_ACTIVE")
            if account.currency != amount.currency.code:
                message = f"the account holds {account.currency}, not {amount.currency.code}"
                raise CurrencyMismatch(message)
            await connection.execute(
                sa.insert(sandbox_transactions).values(
                    id=transfer_id,
                    account_id=provider_account_id,
                    direction=Direction.INBOUND,
                    amount_minor=amount.minor,
                    currency=amount.currency.code,
                    counterparty_name=debtor_name,
                    counterparty_iban=debtor_iban.value,
                    reference=reference,
                    status=SandboxTransactionStatus.BOOKED,
                    created_at=now,
                )
            )
        return InboundTransfer(
            provider_transaction_id=transfer_id,
            provider_account_id=provider_account_id,
            amount=amount,
            debtor_name=debtor_name,
            debtor_iban=debtor_iban.value,
            reference=reference,
            received_at=now,
        )

    async def confirm(self, provider_transaction_id: str, connector_transaction_id: str) -> None:
        """Remember that the connector booked the transfer under ``connector_transaction_id``."""
        async with self._database.engine.begin() as connection:
            await connection.execute(
                sa.update(sandbox_transactions)
                .where(sandbox_transactions.c.id == provider_transaction_id)
                .values(
                    connector_transaction_id=connector_transaction_id, notified_at=self._clock()
                )
            )

    async def unconfirmed(self) -> list[InboundTransfer]:
        """Inbound transfers the connector has not acknowledged yet, oldest first."""
        t = sandbox_transactions
        query = (
            sa.select(t)
            .where(t.c.direction == Direction.INBOUND, t.c.connector_transaction_id.is_(None))
            .order_by(t.c.created_at, t.c.id)
        )
        async with self._database.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            InboundTransfer(
                provider_transaction_id=row.id,
                provider_account_id=row.account_id,
                amount=Money.of(row.amount_minor, row.currency),
                debtor_name=row.counterparty_name,
                debtor_iban=row.counterparty_iban,
                reference=row.reference,
                received_at=row.created_at,
            )
            for row in rows
        ]


async def balance_minor(connection: AsyncConnection, provider_account_id: str) -> int:
    """The account's provider-side balance in minor units (inbound minus outbound)."""
    t = sandbox_transactions
    signed = sa.case(
        (t.c.direction == Direction.INBOUND, t.c.amount_minor), else_=-t.c.amount_minor
    )
    query = sa.select(sa.func.coalesce(sa.func.sum(signed), 0)).where(
        t.c.account_id == provider_account_id
    )
    return int((await connection.execute(query)).scalar_one())
