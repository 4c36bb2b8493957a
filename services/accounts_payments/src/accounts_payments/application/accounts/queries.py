"""Read-side use cases: list and get accounts, dynamic balances, payment options, a status."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from accounts_payments.application.accounts.common import (
    AccountView,
    require_account,
    require_customer,
    view_of,
)
from accounts_payments.application.accounts.ports import UnitOfWorkFactory
from accounts_payments.domain.transactions import TransactionStatus
from shared_kernel.domain.errors import NotFound
from shared_kernel.domain.money import Money


class ListAccounts:
    """Every account of one client, with ledger balances."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, customer_id: str, client_id: str) -> list[AccountView]:
        """The client's accounts, oldest first; ``ERROR_CLIENT_NOT_FOUND`` for an unknown one."""
        async with self._uow() as uow:
            await require_customer(uow, customer_id)
            accounts = await uow.accounts.list_for_client(customer_id, client_id)
            if not accounts and await uow.accounts.find_merchant(customer_id, client_id) is None:
                raise NotFound(f"Client {client_id} was not found", code="ERROR_CLIENT_NOT_FOUND")
            return [await view_of(uow, account) for account in accounts]


class GetAccount:
    """One account of one client, with ledger balances."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, customer_id: str, client_id: str, account_id: str) -> AccountView:
        """The account, or ``ACCOUNT_NOT_FOUND``."""
        async with self._uow() as uow:
            account = await require_account(uow, customer_id, account_id, client_id=client_id)
            return await view_of(uow, account)


@dataclass(frozen=True, slots=True)
class DynamicBalance:
    """One labelled balance Toqio shows instead of its own two."""

    key: str
    amount: Money


class GetDynamicBalances:
    """The balances Toqio displays, computed from the ledger on every call."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, customer_id: str, account_id: str) -> list[DynamicBalance]:
        """Available first (what the merchant can spend), then the booked total."""
        async with self._uow() as uow:
            account = await require_account(uow, customer_id, account_id)
            view = await view_of(uow, account)
            return [
                DynamicBalance("available", view.available),
                DynamicBalance("total", view.total),
            ]


class BeneficiarySelectionMode(StrEnum):
    """Which beneficiaries a payment from an account may go to."""

    ANY_BENEFICIARY_ANY_PROVIDER = "ANY_BENEFICIARY_ANY_PROVIDER"
    MERCHANT_ACCOUNTS_ANY_PROVIDER = "MERCHANT_ACCOUNTS_ANY_PROVIDER"
    MERCHANT_ACCOUNTS_SAME_PROVIDER = "MERCHANT_ACCOUNTS_SAME_PROVIDER"


class GetPaymentOptions:
    """How a payment from an account may choose its beneficiary."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, customer_id: str, account_id: str) -> BeneficiarySelectionMode:
        """Read-only accounts may only pay the merchant's own accounts at our provider."""
        async with self._uow() as uow:
            account = await require_account(uow, customer_id, account_id)
            if account.read_only:
                return BeneficiarySelectionMode.MERCHANT_ACCOUNTS_SAME_PROVIDER
            return BeneficiarySelectionMode.ANY_BENEFICIARY_ANY_PROVIDER


class GetTransactionStatus:
    """The status of a transaction the connector booked."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, customer_id: str, transaction_id: str) -> TransactionStatus:
        """The status, or ``TRANSACTION_NOT_FOUND``."""
        async with self._uow() as uow:
            await require_customer(uow, customer_id)
            booked = await uow.accounts.find_transaction(customer_id, transaction_id)
            if booked is None:
                raise NotFound(
                    f"Transaction {transaction_id} was not found", code="TRANSACTION_NOT_FOUND"
                )
            return booked.status
