"""The cards unit of work port: one transaction over cards, secrets, authorizations and audit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Protocol, Self

from cards.application.audit.ports import AuditTrail
from cards.application.ports.authorizations import AuthorizationRepository
from cards.application.ports.cards import CardRepository
from cards.application.vault.ports import CardSecretRepository
from shared_kernel.contracts import IntegrationMessage


class CardsUnitOfWork(Protocol):
    """Everything one use case changes commits together, or nothing does.

    ``publish`` (outbox), ``notify_toqio`` (webhook queue) and ``audit`` write in the same
    transaction as the change they announce or record. Use one per use case, never shared.
    """

    # Read-only properties, not attributes: an adapter's narrower repository types then
    # still satisfy the port (attributes would have to match exactly).
    @property
    def cards(self) -> CardRepository: ...

    @property
    def secrets(self) -> CardSecretRepository: ...

    @property
    def authorizations(self) -> AuthorizationRepository: ...

    @property
    def audit(self) -> AuditTrail: ...

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
        """Queue ``message`` for the outbox; it is written by ``commit``."""
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
        """Add a webhook delivery to Toqio in this transaction."""
        ...


CardsUnitOfWorkFactory = Callable[[], CardsUnitOfWork]
