"""ApplyProductChanges: ``POST …/products/changes``, idempotent upserts and deletions."""

from __future__ import annotations

from collections.abc import Sequence

from accounts_payments.application.customers.lookup import require_customer
from accounts_payments.application.ports.customers import CustomersUnitOfWorkFactory
from accounts_payments.domain.products import CustomerProduct, ProductChanges


class ApplyProductChanges:
    """Upsert and delete a customer's products by product id, all or nothing.

    Replaying a notification leaves the same state: upserts overwrite by id and deleting an
    unknown or already deleted product does nothing.
    """

    def __init__(self, uow_factory: CustomersUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def __call__(
        self,
        customer_id: str,
        upserts: Sequence[CustomerProduct],
        deletions: Sequence[str],
    ) -> ProductChanges:
        """Apply the notification; ``CUSTOMER_NOT_FOUND`` or ``INVALID_REQUEST`` change nothing."""
        async with self._uow_factory() as uow:
            repository = uow.customer_repository
            await require_customer(repository, customer_id)
            changes = ProductChanges.of(customer_id, upserts, deletions)
            if changes.upserts:
                await repository.upsert_products(customer_id, changes.upserts)
            if changes.deletions:
                await repository.delete_products(customer_id, changes.deletions)
            await uow.commit()
        return changes


class ListCustomerProducts:
    """The products Toqio configured for a customer (deleted ones left out)."""

    def __init__(self, uow_factory: CustomersUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def __call__(self, customer_id: str) -> list[CustomerProduct]:
        """The live products, or ``CUSTOMER_NOT_FOUND``."""
        async with self._uow_factory() as uow:
            repository = uow.customer_repository
            await require_customer(repository, customer_id)
            return await repository.products(customer_id)
