"""The unit of work accounts_payments' use cases run in: one transaction, its repositories."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Protocol, Self

from accounts_payments.application.ports.customers import CustomerDirectory
from accounts_payments.application.ports.ledger import Ledger
from shared_kernel.contracts import IntegrationMessage


class AccountsUnitOfWork(Protocol):
    """Everything one use case changes commits together, or nothing does.

    Repositories hang off the unit of work (as in cosmicpython) so they share its
    transaction; ``publish`` and ``notify_toqio`` write outbox and webhook rows in the same
    transaction as the state change they announce. Use one per use case, never shared.
    """

    ledger: Ledger
    customers: CustomerDirectory

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

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        """Announce ``message`` to the other services once this transaction commits."""
        ...

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        """Queue a webhook to Toqio, delivered durably once this transaction commits."""
        ...
