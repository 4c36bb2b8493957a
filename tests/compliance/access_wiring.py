"""The access use cases wired on a database as the composition root wires them, plus a test app.

``AccessContainer`` mirrors the providers compliance's container declares for access, so the
HTTP and CLI tests exercise that wiring; ``access_app`` serves the admin and auth controllers
and two tiny routes behind the API key and reviewer guards; ``Api`` is a client on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from dependency_injector import containers, providers
from litestar import Litestar, Request, Response, get
from litestar.di import Provide

from building_blocks.persistence import Database
from building_blocks.settings import Secret
from building_blocks.web import Ok, create_app, ok
from compliance.adapters.crypto.api_key_hasher import TqApiKeyHasher
from compliance.adapters.crypto.hmac_token_signer import HmacTokenSigner
from compliance.adapters.crypto.scrypt_password_hasher import ScryptParameters, ScryptPasswordHasher
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.access_repository import (
    SqlAlchemyApiKeyRepository,
    SqlAlchemyReviewerRepository,
)
from compliance.application.access.api_keys import AuthenticateApiKey, CreateApiKey, RevokeApiKey
from compliance.application.access.reviewers import (
    AuthenticateReviewer,
    CreateReviewer,
    IssueReviewerToken,
)
from compliance.entrypoints.http.admin import admin_route_handlers
from compliance.entrypoints.http.auth import auth_route_handlers
from compliance.entrypoints.http.guards import (
    current_customer_id,
    current_reviewer,
    customer_api_key_guard,
    reviewer_guard,
)

ADMIN_TOKEN = "admin-token-for-tests-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PASSWORD = "a long and secret passphrase"
TOKEN_KEY = "reviewer-token-key-for-tests-0123456789"
# Cheap scrypt for speed; the production parameters are tested in the hasher's unit tests.
FAST_SCRYPT = ScryptParameters(n=2**10, r=8, p=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


class AccessContainer(containers.DeclarativeContainer):
    """What compliance's container provides for access, as the report proposes it."""

    database = providers.Dependency(instance_of=Database)
    reviewer_token_key = providers.Dependency(instance_of=Secret)
    reviewer_token_ttl_seconds = providers.Object(900)
    scrypt_parameters = providers.Object(FAST_SCRYPT)
    clock = providers.Object(utc_now)

    api_key_hasher = providers.Singleton(TqApiKeyHasher)
    password_hasher = providers.Singleton(ScryptPasswordHasher, scrypt_parameters)
    token_signer = providers.Singleton(
        lambda key, ttl: HmacTokenSigner.from_secret(
            key.reveal() if key else None, ttl=timedelta(seconds=ttl)
        ),
        reviewer_token_key,
        reviewer_token_ttl_seconds,
    )
    api_keys = providers.Singleton(SqlAlchemyApiKeyRepository, database)
    reviewers = providers.Singleton(SqlAlchemyReviewerRepository, database)

    create_api_key = providers.Singleton(CreateApiKey, api_keys, api_key_hasher, clock)
    revoke_api_key = providers.Singleton(RevokeApiKey, api_keys, clock)
    authenticate_api_key = providers.Singleton(AuthenticateApiKey, api_keys, api_key_hasher)
    create_reviewer = providers.Singleton(CreateReviewer, reviewers, password_hasher, clock)
    issue_reviewer_token = providers.Singleton(
        IssueReviewerToken, reviewers, password_hasher, token_signer, clock
    )
    authenticate_reviewer = providers.Singleton(
        AuthenticateReviewer, reviewers, token_signer, clock
    )


def access_container(database: Database) -> AccessContainer:
    return AccessContainer(database=database, reviewer_token_key=Secret(TOKEN_KEY))


async def fresh_database(url: str) -> Database:
    database = Database(url, schema="compliance")
    await database.create_schema(tables.metadata)
    return database


def _constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, sync_to_thread=False)


def _guarded_test_routes(container: AccessContainer) -> list[Any]:
    @get(
        "/test/customer",
        operation_id="testCustomer",
        sync_to_thread=False,
        guards=[customer_api_key_guard(container.authenticate_api_key())],
    )
    def customer(request: Request[Any, Any, Any]) -> Response[Ok[str]]:
        return ok(current_customer_id(request))

    @get(
        "/test/reviewer",
        operation_id="testReviewer",
        sync_to_thread=False,
        guards=[reviewer_guard(container.authenticate_reviewer())],
    )
    def reviewer(request: Request[Any, Any, Any]) -> Response[Ok[dict[str, str]]]:
        identity = current_reviewer(request)
        return ok({"reviewerId": identity.reviewer_id, "role": identity.role.value})

    return [customer, reviewer]


def access_app(container: AccessContainer, admin_token: Secret | None) -> Litestar:
    """The admin and auth controllers, and the two guarded test routes, on ``container``."""
    names = ("create_api_key", "revoke_api_key", "create_reviewer", "issue_reviewer_token")
    return create_app(
        service="compliance",
        route_handlers=[
            *admin_route_handlers(admin_token),
            *auth_route_handlers(),
            *_guarded_test_routes(container),
        ],
        readiness={},
        dependencies={name: _constant(getattr(container, name)()) for name in names},
    )


@asynccontextmanager
async def http_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    # In the test's own event loop: the asyncpg pool cannot be shared with another loop.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@dataclass
class Api:
    """An HTTP client on ``access_app``, its database and its container."""

    client: httpx.AsyncClient
    database: Database
    container: AccessContainer

    async def rows(self, table: sa.Table) -> list[dict[str, Any]]:
        async with self.database.engine.connect() as connection:
            result = await connection.execute(sa.select(table))
            return [dict(row) for row in result.mappings()]

    async def new_key(self, customer_id: str = "cust-1") -> dict[str, Any]:
        response = await self.client.post(
            "/admin/api-keys", json={"customerId": customer_id}, headers=ADMIN
        )
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    async def new_reviewer(self, username: str = "alice", role: str = "REVIEWER") -> str:
        body = {"username": username, "password": PASSWORD, "role": role}
        response = await self.client.post("/admin/reviewers", json=body, headers=ADMIN)
        assert response.status_code == 201, response.text
        return str(response.json()["data"]["reviewerId"])

    async def sign_in(self, username: str, password: str) -> httpx.Response:
        return await self.client.post(
            "/auth/token", json={"username": username, "password": password}
        )


@asynccontextmanager
async def open_api(database: Database, admin_token: Secret | None) -> AsyncIterator[Api]:
    """An ``Api`` on a fresh container over ``database``."""
    container = access_container(database)
    async with http_client(access_app(container, admin_token)) as client:
        yield Api(client, database, container)
