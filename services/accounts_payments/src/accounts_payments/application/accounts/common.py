"""Look-ups and views every account use case shares: tenant checks, balances, webhook bodies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts_payments.application.accounts.ports import AccountsWork
from accounts_payments.application.ports.customers import CustomerView
from accounts_payments.domain.accounts import Account
from shared_kernel.domain.errors import NotFound
from shared_kernel.domain.money import Money

SYNC_ACCOUNT_STATUS = "SYNC_ACCOUNT_STATUS"
_SETTLEMENT_NAMESPACE = uuid.UUID("6f1d0c3e-3b7a-4d8e-9a55-2b8f1c0e7a10")


def settlement_account_id(customer_id: str, currency: str) -> str:
    """The internal ledger account money from outside comes through, one per tenant and currency.

    A name-based UUID, so every process derives the same id without a look-up table.
    """
    return str(uuid.uuid5(_SETTLEMENT_NAMESPACE, f"settlement:{customer_id}:{currency.upper()}"))


async def require_customer(uow: AccountsWork, customer_id: str) -> CustomerView:
    """The registered customer, or ``CUSTOMER_NOT_FOUND``."""
    customer = await uow.customers.find(customer_id)
    if customer is None:
        raise NotFound(f"Customer {customer_id} is not registered", code="CUSTOMER_NOT_FOUND")
    return customer


async def require_account(
    uow: AccountsWork,
    customer_id: str,
    account_id: str,
    *,
    client_id: str | None = None,
    code: str = "ACCOUNT_NOT_FOUND",
    lock: bool = False,
) -> Account:
    """The customer's account (of ``client_id`` when given), or ``NotFound`` with ``code``."""
    await require_customer(uow, customer_id)
    account = await uow.accounts.get(customer_id, account_id, lock=lock)
    if account is None or (client_id is not None and account.client_id != client_id):
        raise NotFound(f"Account {account_id} was not found", code=code)
    return account


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account with its balances read from the ledger."""

    account: Account
    total: Money
    available: Money


async def view_of(uow: AccountsWork, account: Account) -> AccountView:
    """The account with ledger balances (zero while the ledger account is not opened yet)."""
    zero = Money.zero(account.currency)
    if account.bank is None:
        return AccountView(account, zero, zero)
    try:
        balance = await uow.ledger.balance(account.ledger_account_id)
    except NotFound:
        return AccountView(account, zero, zero)
    return AccountView(account, balance.total, balance.available)


def wire_amount(money: Money) -> float:
    """Toqio's wire number for an amount (its JSON is a double with the currency's decimals)."""
    return float(money.to_decimal())


def wire_decimal(money: Money) -> Decimal:
    """The exact decimal of an amount."""
    return money.to_decimal()


def sync_account_status_body(view: AccountView) -> dict[str, Any]:
    """The SYNC_ACCOUNT_STATUS webhook body."""
    account = view.account
    return {
        "clientId": account.client_id,
        "id": account.account_id,
        "status": account.status.value,
        "oldId": "",
        "balance": wire_amount(view.total),
        "assetType": account.currency.lower(),
        "iban": account.iban or "",
    }


async def announce_status(uow: AccountsWork, account: Account) -> None:
    """Queue SYNC_ACCOUNT_STATUS for the account's current status, in the unit's transaction."""
    view = await view_of(uow, account)
    await uow.notify_toqio(
        SYNC_ACCOUNT_STATUS,
        sync_account_status_body(view),
        customer_id=account.customer_id,
        # One account's status changes must reach Toqio in the order they happened.
        ordering_key=f"account:{account.account_id}",
    )
