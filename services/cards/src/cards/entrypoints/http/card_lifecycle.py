"""Card Lifecycle endpoints: issue, get, delete, suspend, cancel, alias and read-only.

Needs these app dependencies (Litestar names): ``issue_card`` (IssueCard), ``get_card``
(GetCard), ``delete_card`` (DeleteCard), ``suspend_card`` (SuspendCard), ``cancel_card``
(CancelCard), ``update_card_alias`` (UpdateCardAlias), ``update_card_read_only``
(UpdateCardReadOnly) and ``card_provider`` (the provider name Toqio is shown).
"""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from building_blocks.web import CardOk, Ok, card_ok, ok
from cards.application.cards.alias import UpdateCardAlias
from cards.application.cards.cancel import CancelCard
from cards.application.cards.delete import DeleteCard
from cards.application.cards.get import GetCard
from cards.application.cards.issue import IssueCard
from cards.application.cards.read_only import UpdateCardReadOnly
from cards.application.cards.suspend import SuspendCard
from cards.entrypoints.http.card_schemas import (
    CardResponse,
    IssueCardRequest,
    UpdateCardAliasRequest,
    UpdateCardReadOnlyRequest,
)

LIFECYCLE = "Card Lifecycle"


class CardLifecycleController(Controller):
    """``/customers/{customerId}/cards…``: the card's life from issue to deletion."""

    path = "/customers/{customerId:str}/cards"
    tags = [LIFECYCLE]

    @post("", operation_id="issueCard", status_code=200)
    async def issue(
        self,
        customerId: FromPath[str],  # noqa: N803
        data: JSONBody[IssueCardRequest],
        issue_card: NamedDependency[IssueCard],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """Issue a virtual (ACTIVE) or physical (PENDING) debit card on an account."""
        view = await issue_card(data.command(customerId))
        return card_ok(CardResponse.of(view, card_provider), message="Card issued successfully")

    @get("/{cardId:str}", operation_id="getCard")
    async def get_one(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        get_card: NamedDependency[GetCard],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """One card, with exactly the limits configured on it; 404 ``CARD_NOT_FOUND``."""
        view = await get_card(customerId, cardId)
        return card_ok(CardResponse.of(view, card_provider))

    @delete("/{cardId:str}", operation_id="deleteCard", status_code=200)
    async def remove(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        delete_card: NamedDependency[DeleteCard],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """Close the card for good and remove it from Toqio's view (kept for audit)."""
        view = await delete_card(customerId, cardId)
        return card_ok(CardResponse.of(view, card_provider), message="Card deleted")

    @put("/{cardId:str}/suspend", operation_id="suspendCard", tags=["Security"])
    async def suspend(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        suspend_card: NamedDependency[SuspendCard],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """Freeze an active card; ``activateCard`` unfreezes it."""
        view = await suspend_card(customerId, cardId)
        return card_ok(CardResponse.of(view, card_provider), message="Card suspended")

    @put("/{cardId:str}/cancel", operation_id="cancelCard")
    async def cancel(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        cancel_card: NamedDependency[CancelCard],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """Cancel the card for good; a cancelled card is never reactivated."""
        view = await cancel_card(customerId, cardId)
        return card_ok(CardResponse.of(view, card_provider), message="Card cancelled")

    @put("/{cardId:str}/alias", operation_id="updateCardAlias")
    async def alias(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        data: JSONBody[UpdateCardAliasRequest],
        update_card_alias: NamedDependency[UpdateCardAlias],
    ) -> Response[Ok[dict[str, str]]]:
        """Rename the card (at most 25 characters; blank clears the alias)."""
        await update_card_alias(customerId, cardId, data.alias)
        return ok({})

    @put("/{cardId:str}/updateReadOnly", operation_id="updateCardReadOnly")
    async def read_only(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        data: JSONBody[UpdateCardReadOnlyRequest],
        update_card_read_only: NamedDependency[UpdateCardReadOnly],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """Make the card read-only (it declines every spend) or spendable again."""
        view = await update_card_read_only(customerId, cardId, data.read_only)
        return card_ok(CardResponse.of(view, card_provider))
