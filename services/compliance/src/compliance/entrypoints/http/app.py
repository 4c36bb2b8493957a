"""The Litestar application of compliance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from litestar import Litestar
from litestar.types import ControllerRouterHandler

from building_blocks.web import EnvelopeStyle, create_app
from compliance.config import SERVICE


def create_http_app(
    *,
    readiness: Mapping[str, Callable[[], Awaitable[bool]]],
    dev_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """Build the app with health, metrics, OpenAPI and the service's controllers."""
    return create_app(
        service=SERVICE,
        route_handlers=[*dev_handlers],
        readiness=readiness,
        envelope_style=EnvelopeStyle.INTEGRATION_HUB,
    )
