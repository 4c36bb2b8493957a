"""Reviewer sign-in: a username and password exchanged for a short-lived bearer token.

``auth_route_handlers()`` needs this app dependency (Litestar name):
``issue_reviewer_token`` (IssueReviewerToken).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from building_blocks.web import CamelStruct, Ok, ok
from compliance.application.access.reviewers import IssueReviewerToken
from compliance.domain.access import AccessDenied
from compliance.entrypoints.http.guards import unauthenticated

TAGS = ["Auth"]
# The token is a credential: no browser or proxy may keep the answer.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenRequest(CamelStruct, frozen=True, kw_only=True):
    """``POST /auth/token``."""

    username: Annotated[str, Meta(max_length=256)]
    password: Annotated[str, Meta(max_length=1024)]


class TokenResponse(CamelStruct, frozen=True, kw_only=True):
    """A bearer token for ``Authorization: Bearer <token>`` until ``expiresAt``."""

    token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a scheme name)
    expires_at: datetime


class AuthController(Controller):
    """``/auth/token``: open to anyone, answers only to a reviewer's valid password."""

    path = "/auth"
    tags = TAGS

    @post("/token", operation_id="issueReviewerToken", status_code=200)
    async def token(
        self,
        data: JSONBody[TokenRequest],
        issue_reviewer_token: NamedDependency[IssueReviewerToken],
    ) -> Response[Ok[TokenResponse]]:
        """A token for a reviewer; 401 ``INVALID_CREDENTIALS`` alike for any wrong pair."""
        try:
            issued = await issue_reviewer_token(data.username, data.password)
        except AccessDenied as error:
            raise unauthenticated(error) from None
        response = ok(TokenResponse(token=issued.token, expires_at=issued.expires_at))
        response.headers.update(NO_STORE)
        return response


def auth_route_handlers() -> list[ControllerRouterHandler]:
    """The sign-in controller (no guard: it is how reviewers get one)."""
    return [AuthController]
