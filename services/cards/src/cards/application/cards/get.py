"""GetCard: Toqio's getCard, one card with exactly the limits configured on it."""

from __future__ import annotations

from cards.application.cards.changes import load_card
from cards.application.cards.ports import CardsWorkFactory, Clock
from cards.application.cards.views import CardView
from cards.domain import errors


class GetCard:
    """Read one of the tenant's cards, with what it spent this month."""

    def __init__(self, units: CardsWorkFactory, clock: Clock) -> None:
        self._units = units
        self._clock = clock

    async def __call__(self, tenant_id: str, card_id: str) -> CardView:
        """The card; a deleted card is gone for Toqio.

        Raises:
            NotFound: ``CARD_NOT_FOUND`` for an unknown, deleted or other tenant's card.
        """
        async with self._units() as work:
            card, issuance = await load_card(work, tenant_id, card_id)
            if card.is_deleted:
                raise errors.card_not_found(card_id)
            usage = await work.authorizations.usage(
                card.card_id, card.currency, self._clock().date()
            )
        spend = usage.purchases_this_month + usage.atm_this_month
        return CardView(card=card, issuance=issuance, spend=spend)
