"""What the payment use cases need: the payment repository and their unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from accounts_payments.application.beneficiaries.ports import BeneficiariesWork
from accounts_payments.domain.payments.payment import Payment


class PaymentRepository(Protocol):
    """Outbound payments and their lifecycle history, in the unit of work's transaction."""

    async def add(self, payment: Payment) -> bool:
        """Store a new payment with its recorded transitions.

        Returns ``False`` (and stores nothing) when the payment id, or the customer's
        idempotency key, is taken - including by a concurrent transaction that just committed.
        """
        ...

    async def save(self, payment: Payment) -> None:
        """Write back state, provider id and reason, and append the new transitions."""
        ...

    async def get(self, customer_id: str, payment_id: str, *, lock: bool = False) -> Payment | None:
        """The customer's payment, locked ``FOR UPDATE`` when ``lock``."""
        ...

    async def find(self, payment_id: str, *, lock: bool = False) -> Payment | None:
        """Any customer's payment by id (for the provider's reports only)."""
        ...

    async def find_by_idempotency_key(self, customer_id: str, key: str) -> Payment | None:
        """The payment a request with this ``Idempotency-Key`` created, if any."""
        ...

    async def awaiting_submission(self, updated_before: datetime, limit: int) -> list[Payment]:
        """Payments still RESERVED since before ``updated_before``, oldest first."""
        ...


class PaymentsWork(BeneficiariesWork, Protocol):
    """The beneficiaries unit of work plus the payment repository."""

    payments: PaymentRepository


PaymentsUnitOfWorkFactory = Callable[[], PaymentsWork]
