"""The card routes as the app mounts them: Toqio's behind its guards, the sandbox's open."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.types import ControllerRouterHandler, Guard

from cards.application.cards.alias import UpdateCardAlias
from cards.application.cards.cancel import CancelCard
from cards.application.cards.delete import DeleteCard
from cards.application.cards.get import GetCard
from cards.application.cards.issue import IssueCard
from cards.application.cards.queries import (
    GetAvailableCardLimits,
    GetCardImageUrl,
    GetCardImageUrlByTemplate,
    GetCardLimitsMinMax,
    GetCardSettings,
)
from cards.application.cards.read_only import UpdateCardReadOnly
from cards.application.cards.replace import ReplaceCard
from cards.application.cards.suspend import SuspendCard
from cards.application.cards.update_limits import UpdateCard
from cards.entrypoints.http.card_details import CardDetailsController
from cards.entrypoints.http.card_lifecycle import CardLifecycleController
from cards.entrypoints.http.card_limits import CardLimitsController
from cards.entrypoints.http.card_sandbox import SandboxCardController, SandboxCardProcessorControls
from cards.entrypoints.http.credit_cards import CreditCardController


def _constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, use_cache=True, sync_to_thread=False)


def card_route_handlers(
    *,
    toqio_guards: list[Guard],
    card_provider: str,
    issue_card: IssueCard,
    get_card: GetCard,
    delete_card: DeleteCard,
    suspend_card: SuspendCard,
    cancel_card: CancelCard,
    update_card: UpdateCard,
    update_card_alias: UpdateCardAlias,
    update_card_read_only: UpdateCardReadOnly,
    get_available_card_limits: GetAvailableCardLimits,
    get_card_limits_min_max: GetCardLimitsMinMax,
    get_card_settings: GetCardSettings,
    get_card_image_url: GetCardImageUrl,
    get_card_image_url_by_template: GetCardImageUrlByTemplate,
) -> list[ControllerRouterHandler]:
    """Every Card Management route of this module behind ``toqio_guards`` (the Toqio JWT).

    Activation, PAN/PIN reveal and the TOTP secret are ``security_route_handlers``'. Register
    the list as it is: the router carries its own guards and dependencies.
    """
    dependencies = {
        "card_provider": _constant(card_provider),
        "issue_card": _constant(issue_card),
        "get_card": _constant(get_card),
        "delete_card": _constant(delete_card),
        "suspend_card": _constant(suspend_card),
        "cancel_card": _constant(cancel_card),
        "update_card": _constant(update_card),
        "update_card_alias": _constant(update_card_alias),
        "update_card_read_only": _constant(update_card_read_only),
        "get_available_card_limits": _constant(get_available_card_limits),
        "get_card_limits_min_max": _constant(get_card_limits_min_max),
        "get_card_settings": _constant(get_card_settings),
        "get_card_image_url": _constant(get_card_image_url),
        "get_card_image_url_by_template": _constant(get_card_image_url_by_template),
    }
    return [
        Router(
            path="/",
            route_handlers=[
                CardLifecycleController,
                CardLimitsController,
                CardDetailsController,
                CreditCardController,
            ],
            guards=list(toqio_guards),
            dependencies=dependencies,
        )
    ]


def card_sandbox_route_handlers(
    *,
    enabled: bool,
    sandbox_card_processor: SandboxCardProcessorControls,
    replace_card: ReplaceCard,
    card_provider: str,
) -> list[ControllerRouterHandler]:
    """The sandbox card routes (open, no token) when ``enabled``, else none."""
    if not enabled:
        return []
    dependencies = {
        "sandbox_card_processor": _constant(sandbox_card_processor),
        "replace_card": _constant(replace_card),
        "card_provider": _constant(card_provider),
    }
    return [Router(path="/", route_handlers=[SandboxCardController], dependencies=dependencies)]
