"""The Litestar application of cards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from litestar import Litestar
from litestar.types import ControllerRouterHandler

from building_blocks.web import EnvelopeStyle, create_app
from cards.config import SERVICE


def create_http_app(
    *,
    readiness: Mapping[str, Callable[[], Awaitable[bool]]],
    dev_handlers: Sequence[ControllerRouterHandler] = (),
    route_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """Build the app with health, metrics, OpenAPI and the service's controllers.

    Args:
        readiness: Named checks behind ``/health/ready``.
        dev_handlers: The local webhook recorder's endpoint, when it is in use.
        route_handlers: The service's routes, each group carrying its own guards and
            dependencies (``card_route_handlers``, ``security_route_handlers``,
            ``processor_route_handlers``, ``card_sandbox_route_handlers``).
    """
    return create_app(
        service=SERVICE,
        route_handlers=[*dev_handlers, *route_handlers],
        readiness=readiness,
        envelope_style=EnvelopeStyle.CARD,
    )
