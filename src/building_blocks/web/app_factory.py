"""The Litestar app factory every service builds its HTTP entrypoint with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler, Guard, Middleware

from building_blocks.web.envelopes import EnvelopeStyle
from building_blocks.web.exception_handlers import ToqioExceptionHandlers
from building_blocks.web.health import READINESS_STATE_KEY, HealthController
from building_blocks.web.metrics import METRICS_STATE_KEY, HttpMetrics, MetricsController
from building_blocks.web.request_id import add_request_id_header, request_id_middleware
from shared_kernel.domain.errors import DomainError

LifespanHook = Callable[[], Awaitable[None]]


def _configure_routes(
    route_handlers: Sequence[ControllerRouterHandler], guards: Sequence[Guard]
) -> list[ControllerRouterHandler]:
    # The service's routes sit in their own router so its guards never cover health,
    # metrics or the OpenAPI document.
    api = Router(path="/", route_handlers=list(route_handlers), guards=list(guards))
    return [HealthController, MetricsController, api]


def _configure_openapi(service: str, version: str) -> OpenAPIConfig:
    return OpenAPIConfig(title=service, version=version, path="/schema")


def _configure_state(
    readiness: Mapping[str, Callable[[], Awaitable[bool]]], metrics: HttpMetrics
) -> State:
    return State({READINESS_STATE_KEY: dict(readiness), METRICS_STATE_KEY: metrics})


def _configure_observability(metrics: HttpMetrics) -> dict[str, Any]:
    # The request-id middleware runs for routed requests; the before_send hooks also see
    # 404/405 answers, which never reach a route's middleware.
    middleware: list[Middleware] = [request_id_middleware]
    return {"middleware": middleware, "before_send": [add_request_id_header, metrics.before_send]}


def create_app(
    *,
    service: str,
    route_handlers: Sequence[ControllerRouterHandler],
    readiness: Mapping[str, Callable[[], Awaitable[bool]]],
    on_startup: Sequence[LifespanHook] = (),
    on_shutdown: Sequence[LifespanHook] = (),
    envelope_style: EnvelopeStyle = EnvelopeStyle.INTEGRATION_HUB,
    version: str = "0.1.0",
    dependencies: Mapping[str, Provide] | None = None,
    guards: Sequence[Guard] = (),
    error_statuses: Mapping[type[DomainError], int] | None = None,
    template_config: TemplateConfig[Any] | None = None,
) -> Litestar:
    """Build a service's Litestar app with envelopes, request ids, health, metrics and OpenAPI.

    Args:
        service: Service name: OpenAPI title and ``errorOrigin`` of error envelopes.
        route_handlers: The service's controllers and routers.
        readiness: Named async checks; ``/health/ready`` is 200 only when all pass within 1 s.
        on_startup: Coroutines run at startup, in order.
        on_shutdown: Coroutines run at shutdown, in order.
        envelope_style: Integration Hub (ISO dates) or Card Management (epoch-ms dates).
        version: The OpenAPI document's version.
        dependencies: App-wide dependency providers.
        guards: Guards for ``route_handlers`` only (health, metrics and schema stay open).
        error_statuses: HTTP statuses of the service's own ``DomainError`` subclasses.
        template_config: The template engine of server-rendered pages, if the service has any.

    Returns:
        The configured app, with Litestar's own logging config disabled: logging is
        configured once by the entrypoint (see ``configure_logging``).
    """
    metrics = HttpMetrics()
    handlers = ToqioExceptionHandlers(
        service=service, style=envelope_style, error_statuses=error_statuses
    )
    return Litestar(
        route_handlers=_configure_routes(route_handlers, guards),
        openapi_config=_configure_openapi(service, version),
        state=_configure_state(readiness, metrics),
        exception_handlers=handlers.mapping(),
        dependencies=dict(dependencies or {}),
        on_startup=list(on_startup),
        on_shutdown=list(on_shutdown),
        logging_config=None,
        debug=False,
        template_config=template_config,
        **_configure_observability(metrics),
    )
