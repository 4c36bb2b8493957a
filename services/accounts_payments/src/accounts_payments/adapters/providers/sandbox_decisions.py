"""How the sandbox bank decides a due payment, and the rows a settlement or a return writes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from accounts_payments.adapters.persistence.sandbox_tables import (
    sandbox_accounts,
    sandbox_transactions,
)
from accounts_payments.adapters.providers.sandbox_outcomes import ArmedOutcome
from accounts_payments.adapters.providers.sandbox_transfers import (
    Direction,
    SandboxTransactionStatus,
)
from accounts_payments.application.ports.banking_provider import ProviderAccountStatus
from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from shared_kernel.domain.ids import new_id

Status = ProviderPaymentStatus
Account = ProviderAccountStatus


async def account_row(
    connection: AsyncConnection, account_id: str, *, lock: bool = False
) -> Mapping[str, Any] | None:
    """The sandbox account ``account_id``; ``lock`` holds it until the transaction ends."""
    query = sa.select(sandbox_accounts).where(sandbox_accounts.c.id == account_id)
    if lock:
        # FOR NO KEY UPDATE (compiled away on SQLite): it serialises deciders on the account
        # but not the key-share locks foreign keys take, so two internal transfers crossing
        # between two accounts cannot deadlock.
        query = query.with_for_update(key_share=True)
    return await _one(connection, query)


async def creditor_row(
    connection: AsyncConnection, row: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The sandbox account the payment credits: the internal payee, or the one with the IBAN."""
    if row["creditor_account_id"] is not None:
        return await account_row(connection, row["creditor_account_id"])
    if row["creditor_iban"] is None:
        return None
    query = sa.select(sandbox_accounts).where(sandbox_accounts.c.iban == row["creditor_iban"])
    return await _one(connection, query)


async def _one(connection: AsyncConnection, query: sa.Select[Any]) -> dict[str, Any] | None:
    row = (await connection.execute(query)).mappings().one_or_none()
    return None if row is None else dict(row)


def verdict(
    row: Mapping[str, Any],
    outcome: ArmedOutcome | None,
    debtor: Mapping[str, Any] | None,
    creditor: Mapping[str, Any] | None,
) -> tuple[Status, str | None]:
    """What the bank decides before looking at the balance, with its reason code."""
    if outcome is not None:
        return outcome.status, outcome.reason_code
    if debtor is None or debtor["status"] != Account.ACTIVE:
        closed = debtor is None or debtor["status"] == Account.CLOSED
        return Status.REJECTED, "AC04" if closed else "AC06"
    if row["creditor_account_id"] is not None:
        if creditor is None:
            return Status.REJECTED, "AC01"
        if creditor["status"] != Account.ACTIVE:
            return Status.REJECTED, "AC04"
        if creditor["currency"] != row["credited_currency"]:
            return Status.REJECTED, "AM03"
    elif creditor is not None and creditor["status"] == Account.CLOSED:
        return Status.REJECTED, "AC04"
    return Status.SETTLED, None


def _booked(**values: Any) -> sa.Insert:
    return sa.insert(sandbox_transactions).values(
        id=new_id(), status=SandboxTransactionStatus.BOOKED, **values
    )


async def book_settlement(
    connection: AsyncConnection,
    row: Mapping[str, Any],
    debtor: Mapping[str, Any],
    creditor: Mapping[str, Any] | None,
    now: datetime,
) -> None:
    """Debit the payer; an internal transfer also credits the payee's sandbox account."""
    # Every row a payment writes carries its reference as connector_transaction_id: the
    # connector books them through the payment, so none may pass for an inbound transfer.
    internal = creditor if row["creditor_account_id"] is not None else None
    same = {"reference": row["reference"], "connector_transaction_id": row["reference"]}
    payee_iban = row["creditor_iban"] or (internal["iban"] if internal else "")
    await connection.execute(
        _booked(
            account_id=row["account_id"],
            direction=Direction.OUTBOUND,
            amount_minor=row["amount_minor"],
            currency=row["currency"],
            counterparty_name=row["creditor_name"],
            counterparty_iban=payee_iban,
            created_at=now,
            **same,
        )
    )
    if internal is not None:
        await connection.execute(
            _booked(
                account_id=internal["id"],
                direction=Direction.INBOUND,
                amount_minor=row["credited_minor"],
                currency=row["credited_currency"],
                counterparty_name=debtor["holder_name"],
                counterparty_iban=debtor["iban"],
                created_at=now,
                **same,
            )
        )


async def book_return(connection: AsyncConnection, row: Mapping[str, Any], now: datetime) -> None:
    """Credit the payer again with what another bank sent back."""
    await connection.execute(
        _booked(
            account_id=row["account_id"],
            direction=Direction.INBOUND,
            amount_minor=row["amount_minor"],
            currency=row["currency"],
            counterparty_name=row["creditor_name"],
            counterparty_iban=row["creditor_iban"] or "",
            created_at=now,
            reference=row["reference"],
            connector_transaction_id=f"{row['reference']}:return",
        )
    )
