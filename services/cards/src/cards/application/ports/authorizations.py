"""Where authorizations are kept and what cards' spend limits read."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from cards.domain.authorization import Authorization
from cards.domain.spend import SpendUsage
from shared_kernel.domain.money import Currency


class AuthorizationRepository(Protocol):
    """Authorizations with their clearings and reversals, inside a unit of work."""

    async def add(self, authorization: Authorization) -> bool:
        """Store a new authorization; ``False`` if the processor id is stored already."""
        ...

    async def by_processor_id(
        self, processor_id: str, *, for_update: bool = False
    ) -> Authorization | None:
        """The authorization the processor sent under ``processor_id``, else ``None``."""
        ...

    async def get(self, authorization_id: str, *, for_update: bool = False) -> Authorization | None:
        """An authorization by our id, else ``None``."""
        ...

    async def save(self, authorization: Authorization) -> None:
        """Store the authorization's new state and operations (insert-only operations)."""
        ...

    async def usage(self, card_id: str, currency: Currency, today: date) -> SpendUsage:
        """What the card spent (approved, not reversed) today, this month and ever."""
        ...
