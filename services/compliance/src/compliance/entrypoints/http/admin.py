"""Admin endpoints: Toqio customers' API keys and reviewer accounts, behind the admin token.

``admin_route_handlers(admin_token)`` needs these app dependencies (Litestar names):
``create_api_key`` (CreateApiKey), ``revoke_api_key`` (RevokeApiKey),
``create_reviewer`` (CreateReviewer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, Router, delete, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from building_blocks.settings import Secret
from building_blocks.web import CamelStruct, Ok, ok
from compliance.application.access.api_keys import CreateApiKey, RevokeApiKey
from compliance.application.access.reviewers import CreateReviewer
from compliance.domain.access import ApiKey, Reviewer, ReviewerRole
from compliance.entrypoints.http.guards import admin_token_guard

TAGS = ["Admin"]
# Responses carrying a secret must not be kept by a browser or a proxy.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class CreateApiKeyRequest(CamelStruct, frozen=True, kw_only=True):
    """``POST /admin/api-keys``: the Toqio customer the key is for."""

    customer_id: Annotated[str, Meta(min_length=1, max_length=128)]


class CreatedApiKeyResponse(CamelStruct, frozen=True, kw_only=True):
    """A new key: ``apiKey`` is shown here once and never again."""

    key_id: str
    customer_id: str
    api_key: str
    created_at: datetime


class ApiKeyResponse(CamelStruct, frozen=True, kw_only=True):
    """A key's record, without the key."""

    key_id: str
    customer_id: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyResponse:
        return cls(
            key_id=key.key_id,
            customer_id=key.customer_id,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


class CreateReviewerRequest(CamelStruct, frozen=True, kw_only=True):
    """``POST /admin/reviewers``; the password policy is checked by the use case."""

    username: Annotated[str, Meta(max_length=256)]
    password: Annotated[str, Meta(max_length=1024)]
    role: ReviewerRole


class ReviewerResponse(CamelStruct, frozen=True, kw_only=True):
    """A reviewer, without credentials."""

    reviewer_id: str
    username: str
    role: ReviewerRole

    @classmethod
    def of(cls, reviewer: Reviewer) -> ReviewerResponse:
        return cls(reviewer_id=reviewer.reviewer_id, username=reviewer.username, role=reviewer.role)


class AdminController(Controller):
    """``/admin/api-keys`` and ``/admin/reviewers``."""

    path = "/admin"
    tags = TAGS

    @post("/api-keys", operation_id="createApiKey", status_code=201)
    async def create_key(
        self,
        data: JSONBody[CreateApiKeyRequest],
        create_api_key: NamedDependency[CreateApiKey],
    ) -> Response[Ok[CreatedApiKeyResponse]]:
        """Give a Toqio customer a new API key; the answer is the only time it is shown."""
        created = await create_api_key(data.customer_id)
        record = created.record
        body = CreatedApiKeyResponse(
            key_id=record.key_id,
            customer_id=record.customer_id,
            api_key=created.plaintext,
            created_at=record.created_at,
        )
        response = ok(body, 201)
        response.headers.update(NO_STORE)
        return response

    @delete("/api-keys/{keyId:str}", operation_id="revokeApiKey", status_code=200)
    async def revoke_key(
        self,
        keyId: FromPath[str],  # noqa: N803
        revoke_api_key: NamedDependency[RevokeApiKey],
    ) -> Response[Ok[ApiKeyResponse]]:
        """Revoke a key at once; 404 ``API_KEY_NOT_FOUND`` when unknown, 200 when already."""
        return ok(ApiKeyResponse.of(await revoke_api_key(keyId)))

    @post("/reviewers", operation_id="createReviewer", status_code=201)
    async def add_reviewer(
        self,
        data: JSONBody[CreateReviewerRequest],
        create_reviewer: NamedDependency[CreateReviewer],
    ) -> Response[Ok[ReviewerResponse]]:
        """Create a reviewer; 400 with field problems for a weak password, 409 when taken."""
        reviewer = await create_reviewer(
            username=data.username, password=data.password, role=data.role
        )
        return ok(ReviewerResponse.of(reviewer), 201)


def admin_route_handlers(admin_token: Secret | None) -> list[ControllerRouterHandler]:
    """The admin controller behind ``Authorization: Bearer <admin_token>``.

    Args:
        admin_token: ``COMPLIANCE_ADMIN_TOKEN``; when ``None`` every admin call gets a 401.
    """
    return [
        Router(path="/", route_handlers=[AdminController], guards=[admin_token_guard(admin_token)])
    ]
