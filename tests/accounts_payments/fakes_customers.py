"""In-memory doubles of the customer ports and a banking provider, for the customer tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from accounts_payments.application.ports.banking_provider import ProviderCapabilities
from accounts_payments.application.ports.customers import CustomerView
from accounts_payments.domain.customers import Customer
from accounts_payments.domain.products import CustomerProduct, PartnerProduct

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


class FakeCustomersUnitOfWork:
    """Works on a copy of the store's state; only ``commit`` writes it back."""

    def __init__(self, store: FakeCustomerRepository) -> None:
        self._store = store
        self.customer_repository = FakeCustomerRepository()
        self.committed = False

    async def __aenter__(self) -> Self:
        self.customer_repository = FakeCustomerRepository(
            self._store.customers, self._store.product_rows
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self._store.customers = dict(self.customer_repository.customers)
        self._store.product_rows = dict(self.customer_repository.product_rows)
        self.committed = True


class FakeBankingProvider:
    """A provider whose capabilities and availability a test sets; accounts are not needed."""

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

    async def ping(self) -> bool:
        if isinstance(self.answers, Exception):
            raise self.answers
        return self.answers

    async def find_merchant(self, customer_id: str, client_id: str) -> str | None:
        raise NotImplementedError

    async def create_merchant(self, customer_id: str, merchant: Any) -> str:
        raise NotImplementedError

    async def open_account(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def get_account(self, provider_account_id: str) -> Any:
        raise NotImplementedError

    async def set_account_status(self, provider_account_id: str, status: Any) -> Any:
        raise NotImplementedError


class CatalogBankingProvider(FakeBankingProvider):
    """A provider that publishes its own partner-product catalog."""

    def __init__(self, catalog: Sequence[PartnerProduct], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalog = list(catalog)

    async def partner_products(self) -> Sequence[PartnerProduct]:
        return self.catalog
