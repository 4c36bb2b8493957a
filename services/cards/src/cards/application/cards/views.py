"""What the card use cases answer with: a card, its issuing record, and what it spent."""

from __future__ import annotations

from dataclasses import dataclass

from cards.application.cards.ports import CardIssuance
from cards.domain.card import Card
from shared_kernel.domain.money import Money


@dataclass(frozen=True, slots=True, kw_only=True)
class CardView:
    """One card as Toqio is shown it.

    ``spend`` is what the card spent this month (approved, not reversed), when asked for.
    """

    card: Card
    issuance: CardIssuance
    spend: Money | None = None
