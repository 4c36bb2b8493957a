"""Card Details endpoints: a card's settings and the URLs of card images.

Needs these app dependencies: ``get_card_settings`` (GetCardSettings), ``get_card_image_url``
(GetCardImageUrl) and ``get_card_image_url_by_template`` (GetCardImageUrlByTemplate).
PAN and PIN reveal (also "Card Details" in Toqio's spec) live with the security endpoints.
"""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from building_blocks.web import CardOk, card_ok
from cards.application.cards.queries import (
    GetCardImageUrl,
    GetCardImageUrlByTemplate,
    GetCardSettings,
)
from cards.entrypoints.http.card_limit_schemas import CardSettingsResponse

DETAILS = "Card Details"


class CardDetailsController(Controller):
    """``/customers/{customerId}/cards/…/settings`` and the image URLs."""

    path = "/customers/{customerId:str}/cards"
    tags = [DETAILS]

    @get("/{cardId:str}/settings", operation_id="getCardSettings")
    async def settings(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        get_card_settings: NamedDependency[GetCardSettings],
    ) -> Response[CardOk[CardSettingsResponse]]:
        """How the card may be used: read-only flag, cash, merchant categories, countries."""
        card = await get_card_settings(customerId, cardId)
        return card_ok(CardSettingsResponse.of(card))

    @get("/{cardId:str}/image/url", operation_id="getCardImageUrl")
    async def image(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        get_card_image_url: NamedDependency[GetCardImageUrl],
    ) -> Response[CardOk[str]]:
        """The URL of the card's design image (no card data in it)."""
        return card_ok(await get_card_image_url(customerId, cardId))

    @get("/image/url", operation_id="getCardImageUrlByTemplate")
    async def template_image(
        self,
        customerId: FromPath[str],  # noqa: N803
        get_card_image_url_by_template: NamedDependency[GetCardImageUrlByTemplate],
    ) -> Response[CardOk[str]]:
        """The URL of the default design's image, shown before a card is issued."""
        return card_ok(await get_card_image_url_by_template(customerId))
