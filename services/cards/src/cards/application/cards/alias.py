"""UpdateCardAlias: Toqio's updateCardAlias, the card's friendly name (at most 25 characters)."""

from __future__ import annotations

from cards.application.cards.changes import load_card
from cards.application.cards.ports import CardsWorkFactory


class UpdateCardAlias:
    """Rename a card; a blank alias clears it."""

    def __init__(self, units: CardsWorkFactory) -> None:
        self._units = units

    async def __call__(self, tenant_id: str, card_id: str, alias: str | None) -> None:
        """Set the card's alias; the same alias again changes nothing.

        Raises:
            NotFound: ``CARD_NOT_FOUND``.
            InvalidInput: ``INVALID_CARD`` naming ``alias`` (too long, not printable).
            Conflict: ``CARD_TERMINAL_STATE`` or ``CARD_DELETED``.
        """
        async with self._units() as work:
            card, _ = await load_card(work, tenant_id, card_id, for_update=True)
            if card.rename(alias):
                await work.cards.save(card)
                await work.commit()
