"""Where cards are kept: the card repository port."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cards.domain.card import Card


class CardRepository(Protocol):
    """Cards of every tenant, inside a unit of work's transaction."""

    async def add(self, card: Card) -> None:
        """Store a newly issued card and the transitions it recorded."""
        ...

    async def get(self, tenant_id: str, card_id: str, *, for_update: bool = False) -> Card | None:
        """The tenant's card, else ``None`` (another tenant's card is ``None`` too).

        ``for_update`` locks the card's row until the transaction ends, so concurrent
        authorizations and lifecycle changes of one card run one after the other.
        """
        ...

    async def find(self, card_id: str, *, for_update: bool = False) -> Card | None:
        """A card by id alone (the processor knows no tenant), else ``None``."""
        ...

    async def save(self, card: Card) -> None:
        """Store the card's changes and drain its transitions (insert-only history).

        Raises:
            Conflict: ``CARD_MODIFIED`` when the stored version moved since the card was read.
        """
        ...

    async def of_account(self, tenant_id: str, account_id: str) -> Sequence[Card]:
        """Every card of one account of the tenant, oldest first."""
        ...
