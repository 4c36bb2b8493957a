"""The Litestar application of compliance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler

from building_blocks.settings import Secret
from building_blocks.web import EnvelopeStyle, create_app
from compliance.application.access.api_keys import AuthenticateApiKey
from compliance.config import SERVICE
from compliance.entrypoints.http.admin import admin_route_handlers
from compliance.entrypoints.http.auth import auth_route_handlers
from compliance.entrypoints.http.guards import admin_token_guard, customer_api_key_guard
from compliance.entrypoints.http.rule_sets import RuleSetController
from compliance.entrypoints.http.validate import ValidateController


def create_http_app(
    *,
    readiness: Mapping[str, Callable[[], Awaitable[bool]]],
    dev_handlers: Sequence[ControllerRouterHandler] = (),
    admin_token: Secret | None = None,
    authenticate_api_key: AuthenticateApiKey | None = None,
    dependencies: Mapping[str, Provide] | None = None,
    console_handlers: Sequence[ControllerRouterHandler] = (),
    template_config: TemplateConfig[Any] | None = None,
    review_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """Build the app: Toqio's monitoring call behind its API key, the admin API behind the
    admin token, reviewers' sign-in, plus health, metrics and OpenAPI.
    """
    handlers: list[ControllerRouterHandler] = [
        *dev_handlers,
        *admin_route_handlers(admin_token),
        Router(
            path="/", route_handlers=[RuleSetController], guards=[admin_token_guard(admin_token)]
        ),
        *auth_route_handlers(),
        # The review console's pages, rendered with ``template_config``.
        *console_handlers,
        # The review queue API, behind reviewers' bearer tokens.
        *review_handlers,
    ]
    if authenticate_api_key is not None:
        handlers.append(
            Router(
                path="/",
                route_handlers=[ValidateController],
                guards=[customer_api_key_guard(authenticate_api_key)],
            )
        )
    return create_app(
        service=SERVICE,
        route_handlers=handlers,
        readiness=readiness,
        envelope_style=EnvelopeStyle.INTEGRATION_HUB,
        dependencies=dependencies,
        template_config=template_config,
    )
