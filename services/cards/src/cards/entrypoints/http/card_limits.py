"""Card Limits endpoints: update a card's limits, the limit types offered, their bounds.

Needs these app dependencies: ``update_card`` (UpdateCard), ``get_available_card_limits``
(GetAvailableCardLimits), ``get_card_limits_min_max`` (GetCardLimitsMinMax) and
``card_provider``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Response, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from building_blocks.web import CardOk, card_ok
from cards.application.cards.queries import GetAvailableCardLimits, GetCardLimitsMinMax
from cards.application.cards.update_limits import UpdateCard
from cards.entrypoints.http.card_limit_schemas import (
    AvailableCardLimitsResponse,
    CardLimitsMinMaxResponse,
)
from cards.entrypoints.http.card_schemas import CardResponse, UpdateCardRequest

LIMITS = "Card Limits"
CardTypeName = Literal["DEBIT", "CREDIT", "PREPAID"]
ClientTypeName = Literal["BUSINESS", "CONSUMER"]


class CardLimitsController(Controller):
    """``/customers/{customerId}/…limits…``."""

    path = "/customers/{customerId:str}"
    tags = [LIMITS]

    @put("/cards/{cardId:str}/update", operation_id="updateCard", tags=["Card Lifecycle"])
    async def update(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        data: JSONBody[UpdateCardRequest],
        update_card: NamedDependency[UpdateCard],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """Change the limits named (``null`` removes one); out of bounds is 400 per field."""
        view = await update_card(data.command(customerId, cardId))
        return card_ok(CardResponse.of(view, card_provider), message="Card updated successfully")

    @get("/availableCardLimits", operation_id="getAvailableCardLimits")
    async def available(
        self,
        customerId: FromPath[str],  # noqa: N803
        get_available_card_limits: NamedDependency[GetAvailableCardLimits],
    ) -> Response[CardOk[AvailableCardLimitsResponse]]:
        """The limit types this connector enforces (all optional and editable)."""
        offers = await get_available_card_limits(customerId)
        return card_ok(AvailableCardLimitsResponse.of(offers))

    @get(
        "/cards/type/{cardType:str}/clientType/{clientType:str}/limits/{currency:str}",
        operation_id="getCardLimitsMinMax",
    )
    async def min_max(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardType: FromPath[CardTypeName],  # noqa: N803
        clientType: FromPath[ClientTypeName],  # noqa: N803
        currency: FromPath[str],
        get_card_limits_min_max: NamedDependency[GetCardLimitsMinMax],
        merchant: Annotated[str | None, QueryParameter()] = None,
    ) -> Response[CardOk[CardLimitsMinMaxResponse]]:
        """The min and max of each limit of a programme; CREDIT and PREPAID answer 501.

        ``merchant`` is accepted and ignored: bounds do not depend on the merchant here.
        """
        view = await get_card_limits_min_max(customerId, cardType, clientType, currency)
        return card_ok(CardLimitsMinMaxResponse.of(view))
