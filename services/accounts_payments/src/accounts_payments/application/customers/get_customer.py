"""GetCustomer: ``GET /customers/{customerId}``."""

from __future__ import annotations

from accounts_payments.application.customers.lookup import require_customer
from accounts_payments.application.ports.customers import CustomersUnitOfWorkFactory
from accounts_payments.domain.customers import Customer


class GetCustomer:
    """The registered customer (the HTTP layer masks its secrets)."""

    def __init__(self, uow_factory: CustomersUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def __call__(self, customer_id: str) -> Customer:
        """The customer, or ``CUSTOMER_NOT_FOUND``."""
        async with self._uow_factory() as uow:
            return await require_customer(uow.customer_repository, customer_id)
