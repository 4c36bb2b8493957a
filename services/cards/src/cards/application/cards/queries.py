"""Read-only card queries: available limit types, limit bounds, card settings, card images."""

from __future__ import annotations

from dataclasses import dataclass

from cards.application.cards.changes import load_card
from cards.application.cards.issue import client_type_of, funding_of
from cards.application.cards.options import CardImages, IssuingPolicy
from cards.application.cards.ports import CardsWorkFactory
from cards.domain import errors
from cards.domain.card import Card
from cards.domain.card_types import SUPPORTED_FUNDING
from cards.domain.limit_bounds import LimitBounds
from cards.domain.limits import LimitKind
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency


@dataclass(frozen=True, slots=True)
class LimitOffer:
    """One limit type Toqio may set on cards: whether it may edit it, whether it may omit it."""

    kind: LimitKind
    can_edit: bool = True
    optional: bool = True


class GetAvailableCardLimits:
    """Toqio's getAvailableCardLimits: the limit types this connector enforces.

    Every limit is optional (an unset limit is no limit) and editable; a deployment can
    offer fewer kinds.
    """

    def __init__(self, offered: frozenset[LimitKind] = frozenset(LimitKind)) -> None:
        self._offers = [LimitOffer(kind) for kind in LimitKind if kind in offered]

    async def __call__(self, tenant_id: str) -> list[LimitOffer]:
        """The offered limit types, in a stable order."""
        return list(self._offers)


@dataclass(frozen=True, slots=True)
class LimitBoundsView:
    """The bounds of one card programme, and who provides the cards."""

    provider: str
    bounds: LimitBounds


class GetCardLimitsMinMax:
    """Toqio's getCardLimitsMinMax: the min and max of each limit for a card programme."""

    def __init__(self, policy: IssuingPolicy) -> None:
        self._policy = policy

    async def __call__(
        self, tenant_id: str, card_type: str, client_type: str, currency: str
    ) -> LimitBoundsView:
        """The bounds of ``card_type`` cards of ``client_type`` clients in ``currency``.

        Raises:
            NotImplementedByProvider: ``FUNCTION_NOT_IMPLEMENTED_YET`` for CREDIT or PREPAID.
            InvalidInput: ``INVALID_CARD`` naming ``clientType`` or ``currency``.
        """
        funding = funding_of(card_type)
        if funding not in SUPPORTED_FUNDING:
            raise errors.funding_not_supported(funding.value)
        client = client_type_of(client_type, self._policy.client_type)
        try:
            money = Currency.of(currency)
        except InvalidInput as error:
            raise errors.invalid_card_field("currency", error.message) from None
        bounds = self._policy.bounds.for_programme(funding, client, money)
        return LimitBoundsView(provider=self._policy.provider, bounds=bounds)


class GetCardSettings:
    """Toqio's getCardSettings: how a card may be used (its controls and flags)."""

    def __init__(self, units: CardsWorkFactory) -> None:
        self._units = units

    async def __call__(self, tenant_id: str, card_id: str) -> Card:
        """The card whose settings are shown.

        Raises:
            NotFound: ``CARD_NOT_FOUND`` (also for a deleted card).
        """
        async with self._units() as work:
            card, _ = await load_card(work, tenant_id, card_id)
        if card.is_deleted:
            raise errors.card_not_found(card_id)
        return card


class GetCardImageUrl:
    """Toqio's getCardImageUrl: the image of the card's design."""

    def __init__(self, units: CardsWorkFactory, images: CardImages) -> None:
        self._units = units
        self._images = images

    async def __call__(self, tenant_id: str, card_id: str) -> str:
        """The URL of the card's design image (the default design if it has none).

        Raises:
            NotFound: ``CARD_NOT_FOUND`` (also for a deleted card).
        """
        async with self._units() as work:
            card, issuance = await load_card(work, tenant_id, card_id)
        if card.is_deleted:
            raise errors.card_not_found(card_id)
        return self._images.url(issuance.design)


class GetCardImageUrlByTemplate:
    """Toqio's getCardImageUrlByTemplate: the default design, before any card is issued."""

    def __init__(self, images: CardImages) -> None:
        self._images = images

    async def __call__(self, tenant_id: str) -> str:
        """The URL of the default design's image."""
        return self._images.url()
