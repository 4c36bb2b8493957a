"""In-memory fakes for the accounts_payments unit tests: one banking provider, units of work.

``FakeBank`` is the only fake ``BankingProvider``: it opens ES accounts, can be told to fail, and
its name, capabilities and availability are set by the test. The account fakes are a unit of work
over dicts with an in-memory ledger; the customer fakes keep customers and products in dicts.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from accounts_payments.adapters.persistence.in_memory_ledger import InMemoryLedger
from accounts_payments.application.ports.banking_provider import (
    BankingProvider,
    MerchantProfile,
    ProviderAccount,
    ProviderAccountStatus,
    ProviderCapabilities,
    ProviderUnavailable,
)
from accounts_payments.application.ports.customers import CustomerView
from accounts_payments.domain.accounts import Account
from accounts_payments.domain.clients import Merchant
from accounts_payments.domain.customers import Customer
from accounts_payments.domain.otp import OtpChallenge
from accounts_payments.domain.products import CustomerProduct, PartnerProduct
from accounts_payments.domain.transactions import BookedTransaction
from shared_kernel.contracts import IntegrationMessage
from shared_kernel.domain.iban import generate_iban

ALL_CAPABILITIES = ProviderCapabilities(
    multi_currency=True,
    uk_accounts=True,
    sepa_accounts=True,
    statements=True,
    ownership_certificate=True,
    confirmation_of_payee=False,
    fx=False,
    requires_otp_for_statements=True,
)


class FakeBank:
    """A BankingProvider that opens ES accounts; a test sets its capabilities and availability.

    ``fail_open`` makes ``open_account`` raise ``ProviderUnavailable``; ``answers`` is what
    ``ping`` returns (or raises, when it is an exception).
    """

    def __init__(
        self,
        *,
        name: str = "fakebank",
        capabilities: ProviderCapabilities = ALL_CAPABILITIES,
        answers: bool | Exception = True,
    ) -> None:
        self.name = name
        self.capabilities = capabilities
        self.answers = answers
        self.merchants: dict[tuple[str, str], str] = {}
        self.accounts: dict[str, ProviderAccount] = {}
        self.fail_open = False
        self.opened_status = ProviderAccountStatus.ACTIVE

    async def find_merchant(self, customer_id: str, client_id: str) -> str | None:
        return self.merchants.get((customer_id, client_id))

    async def create_merchant(self, customer_id: str, merchant: MerchantProfile) -> str:
        merchant_id = f"m-{len(self.merchants) + 1}"
        self.merchants[(customer_id, merchant.client_id)] = merchant_id
        return merchant_id

    async def open_account(
        self,
        customer_id: str,
        provider_merchant_id: str,
        *,
        currency: str,
        country_code: str,
        product_code: str,
        holder_name: str,
    ) -> ProviderAccount:
        if self.fail_open:
            raise ProviderUnavailable("The bank did not answer in time")
        number = len(self.accounts) + 1
        account = ProviderAccount(
            provider_account_id=f"pa-{number}",
            provider_merchant_id=provider_merchant_id,
            currency=currency,
            country_code=country_code,
            product_code=product_code,
            status=self.opened_status,
            holder_name=holder_name,
            iban=generate_iban("ES", "9000", f"{number:010d}", "0001").value,
            bic="TQSBESM0",
        )
        self.accounts[account.provider_account_id] = account
        return account

    async def get_account(self, provider_account_id: str) -> ProviderAccount:
        return self.accounts[provider_account_id]

    async def set_account_status(
        self, provider_account_id: str, status: ProviderAccountStatus
    ) -> ProviderAccount:
        changed = replace(self.accounts[provider_account_id], status=status)
        self.accounts[provider_account_id] = changed
        return changed

    async def ping(self) -> bool:
        if isinstance(self.answers, Exception):
            raise self.answers
        return self.answers


class CatalogBankingProvider(FakeBank):
    """A provider that publishes its own partner-product catalog."""

    def __init__(self, catalog: Sequence[PartnerProduct], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalog = list(catalog)

    async def partner_products(self) -> Sequence[PartnerProduct]:
        return self.catalog


class InMemoryUnitOfWork:
    """The async context manager part of the fake units of work: nothing happens on exit."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class FakeCustomerDirectory:
    def __init__(self, customers: dict[str, CustomerView]) -> None:
        self.customers = customers

    async def find(self, customer_id: str) -> CustomerView | None:
        return self.customers.get(customer_id)


@dataclass
class FakeStore:
    """What the fake 'database' holds; units of work copy it in and write it back on commit."""

    merchants: dict[tuple[str, str], Merchant] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    transactions: dict[str, BookedTransaction] = field(default_factory=dict)
    otps: dict[str, OtpChallenge] = field(default_factory=dict)
    messages: list[IntegrationMessage] = field(default_factory=list)
    webhooks: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)
    customers: dict[str, CustomerView] = field(default_factory=dict)
    ledger: InMemoryLedger = field(default_factory=InMemoryLedger)
    fail_next_commit: bool = False


class FakeAccountRepository:
    def __init__(self, store: FakeStore) -> None:
        self.merchants = dict(store.merchants)
        self.accounts = {k: copy.deepcopy(v) for k, v in store.accounts.items()}
        self.transactions = dict(store.transactions)
        self.otps = {k: copy.deepcopy(v) for k, v in store.otps.items()}

    async def find_merchant(self, customer_id: str, client_id: str) -> Merchant | None:
        return self.merchants.get((customer_id, client_id))

    async def add_merchant(self, merchant: Merchant) -> None:
        self.merchants[(merchant.customer_id, merchant.client_id)] = merchant

    async def add(self, account: Account) -> None:
        self.accounts[account.account_id] = copy.deepcopy(account)

    async def add_if_new_provider_account(self, account: Account) -> bool:
        assert account.bank is not None
        if await self.find_by_provider_account(account.bank.provider_account_id) is not None:
            return False
        self.accounts[account.account_id] = copy.deepcopy(account)
        return True

    async def save(self, account: Account) -> None:
        self.accounts[account.account_id] = copy.deepcopy(account)

    async def get(self, customer_id: str, account_id: str, *, lock: bool = False) -> Account | None:
        account = self.accounts.get(account_id)
        return copy.deepcopy(account) if account and account.customer_id == customer_id else None

    async def find_by_id(self, account_id: str) -> Account | None:
        return copy.deepcopy(self.accounts.get(account_id))

    async def list_for_client(self, customer_id: str, client_id: str) -> list[Account]:
        return [
            copy.deepcopy(a)
            for a in self.accounts.values()
            if a.customer_id == customer_id and a.client_id == client_id
        ]

    async def find_by_iban(self, customer_id: str, iban: str) -> Account | None:
        found = (a for a in self.accounts.values() if a.customer_id == customer_id)
        return next((copy.deepcopy(a) for a in found if a.iban == iban), None)

    async def find_by_provider_account(self, provider_account_id: str) -> Account | None:
        for account in self.accounts.values():
            if account.bank and account.bank.provider_account_id == provider_account_id:
                return copy.deepcopy(account)
        return None

    async def add_transaction(self, transaction: BookedTransaction) -> bool:
        if any(
            t.provider_transaction_id == transaction.provider_transaction_id
            for t in self.transactions.values()
        ):
            return False
        self.transactions[transaction.transaction_id] = transaction
        return True

    async def find_transaction(
        self, customer_id: str, transaction_id: str
    ) -> BookedTransaction | None:
        found = self.transactions.get(transaction_id)
        return found if found and found.customer_id == customer_id else None

    async def find_transaction_by_provider_id(
        self, provider_transaction_id: str
    ) -> BookedTransaction | None:
        for transaction in self.transactions.values():
            if transaction.provider_transaction_id == provider_transaction_id:
                return transaction
        return None

    async def add_otp(self, challenge: OtpChallenge) -> None:
        self.otps[challenge.operation_id] = copy.deepcopy(challenge)

    async def get_otp(self, customer_id: str, operation_id: str) -> OtpChallenge | None:
        found = self.otps.get(operation_id)
        return copy.deepcopy(found) if found and found.customer_id == customer_id else None

    async def save_otp(self, challenge: OtpChallenge) -> None:
        self.otps[challenge.operation_id] = copy.deepcopy(challenge)


class FakeAccountsUnitOfWork(InMemoryUnitOfWork):
    """A unit of work whose repository changes, messages and webhooks land only on commit."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.ledger = store.ledger
        self.customers = FakeCustomerDirectory(store.customers)
        self.accounts = FakeAccountRepository(store)
        self._messages: list[IntegrationMessage] = []
        self._webhooks: list[tuple[str, dict[str, Any], str | None]] = []

    async def commit(self) -> None:
        if self._store.fail_next_commit:
            self._store.fail_next_commit = False
            raise RuntimeError("the database went away")
        self._store.merchants = self.accounts.merchants
        self._store.accounts = self.accounts.accounts
        self._store.transactions = self.accounts.transactions
        self._store.otps = self.accounts.otps
        self._store.messages.extend(self._messages)
        self._store.webhooks.extend(self._webhooks)

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        self._messages.append(message)

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        self._webhooks.append((webhook_type, dict(payload), ordering_key))


class FakeCustomerRepository:
    """Customers and products in dicts; a unit of work copies them in and back on commit."""

    def __init__(
        self,
        customers: dict[str, Customer] | None = None,
        products: dict[tuple[str, str], CustomerProduct] | None = None,
    ) -> None:
        self.customers = dict(customers or {})
        self.product_rows = dict(products or {})

    async def find(self, customer_id: str) -> CustomerView | None:
        customer = self.customers.get(customer_id)
        if customer is None:
            return None
        return CustomerView(
            customer.customer_id,
            customer.commercial_name,
            customer.provider,
            customer.available_currencies,
        )

    async def get(self, customer_id: str) -> Customer | None:
        return self.customers.get(customer_id)

    async def save(self, customer: Customer) -> None:
        existing = self.customers.get(customer.customer_id)
        if existing is not None:
            customer = dataclasses.replace(customer, registered_at=existing.registered_at)
        self.customers[customer.customer_id] = customer

    async def upsert_products(self, customer_id: str, products: Sequence[CustomerProduct]) -> None:
        for product in products:
            self.product_rows[(customer_id, product.product_id)] = dataclasses.replace(
                product, deleted=False
            )

    async def delete_products(self, customer_id: str, product_ids: Sequence[str]) -> None:
        for product_id in product_ids:
            key = (customer_id, product_id)
            if key in self.product_rows:
                self.product_rows[key] = dataclasses.replace(self.product_rows[key], deleted=True)

    async def products(
        self, customer_id: str, *, include_deleted: bool = False
    ) -> list[CustomerProduct]:
        return [
            product
            for (owner, _), product in sorted(self.product_rows.items())
            if owner == customer_id and (include_deleted or not product.deleted)
        ]


class FakeCustomersUnitOfWork(InMemoryUnitOfWork):
    """Works on a copy of the store's state; only ``commit`` writes it back."""

    def __init__(self, store: FakeCustomerRepository) -> None:
        self._store = store
        self.customer_repository = FakeCustomerRepository()
        self.committed = False

    async def __aenter__(self) -> Self:
        self.customer_repository = FakeCustomerRepository(
            self._store.customers, self._store.product_rows
        )
        return await super().__aenter__()

    async def commit(self) -> None:
        self._store.customers = dict(self.customer_repository.customers)
        self._store.product_rows = dict(self.customer_repository.product_rows)
        self.committed = True


class RecordingOtpSender:
    def __init__(self) -> None:
        self.sent: dict[str, str] = {}

    async def send(self, customer_id: str, operation_id: str, code: str) -> None:
        self.sent[operation_id] = code


def customer(customer_id: str = "cust-1", currencies: tuple[str, ...] = ("EUR",)) -> CustomerView:
    return CustomerView(
        customer_id=customer_id,
        commercial_name="Acme Bank",
        provider="fakebank",
        available_currencies=currencies,
    )


def fixed_clock(moment: datetime = datetime(2030, 1, 1, tzinfo=UTC)) -> Any:
    return lambda: moment


def _is_a_banking_provider(bank: FakeBank) -> BankingProvider:
    """Where mypy checks that the fake keeps up with the port (Litestar checks with isinstance)."""
    return bank
