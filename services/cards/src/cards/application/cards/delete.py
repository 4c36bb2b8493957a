"""DeleteCard: Toqio's deleteCard closes the card (unless already final) and marks it deleted."""

from __future__ import annotations

from cards.application.cards.changes import change_status, toqio_context
from cards.application.cards.ports import CardsWorkFactory, Clock
from cards.application.cards.views import CardView
from cards.domain.card import Card
from cards.domain.lifecycle import ChangeContext


class DeleteCard:
    """Delete a card for Toqio: it stops working for good and disappears from Toqio's view.

    The row stays, for audit and for clearings of earlier authorizations; only Toqio's reads
    (``getCard``) stop finding it. Deleting twice answers the same card and changes nothing.
    """

    def __init__(self, units: CardsWorkFactory, clock: Clock) -> None:
        self._units = units
        self._clock = clock

    async def __call__(
        self, tenant_id: str, card_id: str, *, context: ChangeContext | None = None
    ) -> CardView:
        """The card once deleted (CLOSED, or CANCELLED if it was already).

        Raises:
            NotFound: ``CARD_NOT_FOUND``.
        """
        context = context or toqio_context("deleteCard", self._clock())
        return await change_status(self._units, tenant_id, card_id, Card.delete, context)
