"""UpdateCardReadOnly: Toqio's updateCardReadOnly; a read-only card declines every spend."""

from __future__ import annotations

from cards.application.cards.changes import load_card
from cards.application.cards.ports import CardsWorkFactory
from cards.application.cards.views import CardView


class UpdateCardReadOnly:
    """Make a card read-only (direct-debit cards) or spendable again."""

    def __init__(self, units: CardsWorkFactory) -> None:
        self._units = units

    async def __call__(self, tenant_id: str, card_id: str, read_only: bool) -> CardView:
        """The card with its new flag; the same flag again changes nothing.

        Raises:
            NotFound: ``CARD_NOT_FOUND``.
            Conflict: ``CARD_TERMINAL_STATE`` or ``CARD_DELETED``.
        """
        async with self._units() as work:
            card, issuance = await load_card(work, tenant_id, card_id, for_update=True)
            if card.set_read_only(read_only):
                await work.cards.save(card)
                await work.commit()
        return CardView(card=card, issuance=issuance)
