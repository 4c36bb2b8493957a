"""Find a registered customer or fail with Toqio's ``CUSTOMER_NOT_FOUND``."""

from __future__ import annotations

from accounts_payments.application.ports.customers import CustomerRepository
from accounts_payments.domain.customers import Customer, customer_not_found


async def require_customer(repository: CustomerRepository, customer_id: str) -> Customer:
    """The customer, or ``NotFound`` with code ``CUSTOMER_NOT_FOUND``."""
    customer = await repository.get(customer_id)
    if customer is None:
        raise customer_not_found(customer_id)
    return customer
