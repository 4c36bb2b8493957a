"""Customers (Toqio tenants): the read view other use cases need, and the ports they own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from accounts_payments.domain.customers import Customer
from accounts_payments.domain.products import CustomerProduct, PartnerProduct


@dataclass(frozen=True, slots=True)
class CustomerView:
    """A registered customer without its secrets."""

    customer_id: str
    commercial_name: str
    provider: str
    available_currencies: tuple[str, ...]


class CustomerDirectory(Protocol):
    """Read access to registered customers, inside the caller's transaction."""

    async def find(self, customer_id: str) -> CustomerView | None:
        """The customer, or ``None`` when it is not registered."""
        ...


class CustomerRepository(Protocol):
    """Customers with their secrets, and the products Toqio notified, in one transaction.

    Every method is scoped by customer id; adapters keep the secrets encrypted at rest.
    """

    async def get(self, customer_id: str) -> Customer | None:
        """The customer with its secrets, or ``None`` when it is not registered."""
        ...

    async def save(self, customer: Customer) -> None:
        """Insert the customer, or replace the stored record with the same id."""
        ...

    async def upsert_products(self, customer_id: str, products: Sequence[CustomerProduct]) -> None:
        """Create or replace each product of ``customer_id`` by its product id."""
        ...

    async def delete_products(self, customer_id: str, product_ids: Sequence[str]) -> None:
        """Mark those products of ``customer_id`` deleted; unknown ids are ignored."""
        ...

    async def products(
        self, customer_id: str, *, include_deleted: bool = False
    ) -> list[CustomerProduct]:
        """The products of ``customer_id``, ordered by product id."""
        ...


class CustomersUnitOfWork(Protocol):
    """One transaction over the customer repository; commit explicitly or nothing is kept."""

    @property
    def customer_repository(self) -> CustomerRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Commit; leaving the block without it rolls everything back."""
        ...


CustomersUnitOfWorkFactory = Callable[[], CustomersUnitOfWork]


@runtime_checkable
class PartnerProductCatalog(Protocol):
    """The provider's catalog of partner products.

    A provider adapter that knows its real catalog implements this beside ``BankingProvider``;
    otherwise the catalog is derived from the provider's capabilities.
    """

    async def partner_products(self) -> Sequence[PartnerProduct]:
        """Every product the provider offers, to any customer."""
        ...


class SecretDecryptionFailed(Exception):
    """A stored secret does not decrypt: wrong or missing key, tampering, or a moved value."""


class SecretCipher(Protocol):
    """Authenticated encryption of tenant secrets, bound to where they are stored."""

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """Encrypt; the same ``associated_data`` is needed to decrypt."""
        ...

    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes:
        """Decrypt, or raise :class:`SecretDecryptionFailed`."""
        ...
