"""CancelCard: cancel a card for good (Toqio's cancelCard); it is kept for audit and clearing."""

from __future__ import annotations

from cards.application.cards.changes import change_status, toqio_context
from cards.application.cards.ports import CardsWorkFactory, Clock
from cards.application.cards.views import CardView
from cards.domain.card import Card
from cards.domain.lifecycle import ChangeContext


class CancelCard:
    """Cancel a card for good (Toqio's cancelCard); it is kept for audit and clearing."""

    def __init__(self, units: CardsWorkFactory, clock: Clock) -> None:
        self._units = units
        self._clock = clock

    async def __call__(
        self, tenant_id: str, card_id: str, *, context: ChangeContext | None = None
    ) -> CardView:
        """The card once cancelled; asking again changes nothing.

        Args:
            tenant_id: The Toqio customer.
            card_id: The card.
            context: Who asks, through what and why; Toqio's request when left out.

        Raises:
            NotFound: ``CARD_NOT_FOUND``.
            Conflict: ``CARD_TERMINAL_STATE`` or ``CARD_TRANSITION_NOT_ALLOWED``.
        """
        context = context or toqio_context("cancelCard", self._clock())
        return await change_status(self._units, tenant_id, card_id, Card.cancel, context)
