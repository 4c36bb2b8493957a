"""Guards of compliance's routes: the admin token, customers' API keys, reviewers' tokens."""

from __future__ import annotations

import hashlib
import hmac
import inspect
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from building_blocks.auth import AuthenticationFailed, Forbidden, api_key_guard
from building_blocks.auth.api_keys import PRINCIPAL_STATE_KEY
from building_blocks.auth.toqio_jwt import bearer_token
from building_blocks.settings import Secret
from compliance.application.access.api_keys import AuthenticateApiKey
from compliance.application.access.reviewers import AuthenticateReviewer
from compliance.domain.access import AccessDenied, ReviewerIdentity, ReviewerRole

API_KEY_HEADER = "X-Api-Key"
CUSTOMER_STATE_KEY = "customer_id"
REVIEWER_STATE_KEY = "reviewer"
ADMIN_DISABLED_MESSAGE = "COMPLIANCE_ADMIN_TOKEN is not configured: admin calls are refused"

Connection = ASGIConnection[Any, Any, Any, Any]


def _digest(text: str) -> bytes:
    # Comparing digests, not the texts, keeps even the configured token's length secret.
    return hashlib.sha256(text.encode()).digest()


def _state(connection: Connection) -> dict[str, Any]:
    state: dict[str, Any] = connection.scope.setdefault("state", {})
    return state


def unauthenticated(error: AccessDenied) -> AuthenticationFailed:
    """The web layer's 401 for an access use case's refusal, with the same code and message."""
    return AuthenticationFailed(error.message, code=error.code)


def admin_token_guard(admin_token: Secret | None) -> Guard:
    """Admit calls bearing ``Authorization: Bearer <COMPLIANCE_ADMIN_TOKEN>``.

    Without a configured token every call is refused: an unset setting never opens the door.
    """
    expected = _digest(admin_token.reveal()) if admin_token is not None else None

    def guard(connection: Connection, _: BaseRouteHandler) -> None:
        if expected is None:
            raise AuthenticationFailed(ADMIN_DISABLED_MESSAGE)
        if not hmac.compare_digest(_digest(bearer_token(connection)), expected):
            raise AuthenticationFailed("The admin token is not valid")

    return guard


def customer_api_key_guard(authenticate: AuthenticateApiKey, header: str = API_KEY_HEADER) -> Guard:
    """Admit calls whose ``X-Api-Key`` is an active key; the customer id goes in the state.

    Read it with :func:`current_customer_id` (or ``request.state.customer_id``).
    """

    async def lookup(presented: str) -> bool | str:
        return await authenticate(presented) or False

    check_key = api_key_guard(lookup, header)

    async def guard(connection: Connection, route_handler: BaseRouteHandler) -> None:
        checked = check_key(connection, route_handler)
        if inspect.isawaitable(checked):
            await checked
        state = _state(connection)
        state[CUSTOMER_STATE_KEY] = state.pop(PRINCIPAL_STATE_KEY)

    return guard


def reviewer_guard(authenticate: AuthenticateReviewer) -> Guard:
    """Admit reviewers bearing a valid token; their identity goes in the connection state.

    Read it with :func:`current_reviewer` (or ``request.state.reviewer``).
    """

    async def guard(connection: Connection, _: BaseRouteHandler) -> None:
        try:
            identity = await authenticate(bearer_token(connection))
        except AccessDenied as error:
            raise unauthenticated(error) from None
        _state(connection)[REVIEWER_STATE_KEY] = identity

    return guard


def role_guard(*roles: ReviewerRole) -> Guard:
    """Admit only reviewers with one of ``roles`` (403 otherwise); put after ``reviewer_guard``."""
    allowed = frozenset(roles)

    def guard(connection: Connection, _: BaseRouteHandler) -> None:
        if current_reviewer(connection).role not in allowed:
            names = ", ".join(sorted(role.value for role in allowed))
            raise Forbidden(f"Only a reviewer with the role {names} may do this")

    return guard


def current_reviewer(connection: Connection) -> ReviewerIdentity:
    """The reviewer :func:`reviewer_guard` authenticated for this connection."""
    identity = _state(connection).get(REVIEWER_STATE_KEY)
    if not isinstance(identity, ReviewerIdentity):
        raise AuthenticationFailed("No reviewer is authenticated on this route")
    return identity


def current_customer_id(connection: Connection) -> str:
    """The Toqio customer :func:`customer_api_key_guard` authenticated for this connection."""
    customer_id = _state(connection).get(CUSTOMER_STATE_KEY)
    if not isinstance(customer_id, str):
        raise AuthenticationFailed("No API key is authenticated on this route")
    return customer_id
