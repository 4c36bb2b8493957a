"""What every accounts_payments HTTP test builds: a schema on PostgreSQL, an app behind Toqio JWTs
and an HTTP client on it, either for a few route handlers or for the whole service."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa
from litestar import Litestar
from litestar.di import Provide

from accounts_payments.adapters.persistence import tables
from accounts_payments.config import Settings
from accounts_payments.container import build_service
from building_blocks.auth import ToqioJwtVerifier, toqio_jwt_guard
from building_blocks.persistence import Database
from building_blocks.settings import load_settings
from building_blocks.web import create_app
from tests.support.jwt_issuer import ToqioJwtIssuer

ISSUER = ToqioJwtIssuer()


def auth(customer_id: str | None = "cust-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER.issue(customer_id)}"}


@dataclass
class HttpApi:
    """An HTTP client on the app and the database behind it."""

    client: httpx.AsyncClient
    database: Database

    def auth(self, customer_id: str | None = "cust-1") -> dict[str, str]:
        return auth(customer_id)

    async def count(self, table: sa.Table) -> int:
        async with self.database.engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(table)
            return int((await connection.execute(query)).scalar_one())


async def fresh_database(postgres_url: str) -> Database:
    database = Database(postgres_url, schema="accounts_payments")
    await database.create_schema(tables.metadata)
    return database


def constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, sync_to_thread=False)


def jwt_app(route_handlers: Sequence[Any], dependencies: Mapping[str, object]) -> Litestar:
    """Just these route handlers behind Toqio's JWT guard, each dependency injected as is."""
    return create_app(
        service="accounts_payments",
        route_handlers=route_handlers,
        readiness={},
        guards=[toqio_jwt_guard(ToqioJwtVerifier(ISSUER.public_key_pem))],
        dependencies={name: constant(value) for name, value in dependencies.items()},
    )


@asynccontextmanager
async def http_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    # In the test's own event loop: the asyncpg pool cannot be shared with another loop, which
    # is where Litestar's AsyncTestClient would run the app.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@asynccontextmanager
async def sandbox_service(postgres_url: str) -> AsyncIterator[HttpApi]:
    """The whole service on the sandbox bank, as ``build_service`` wires it; shut down after."""
    settings = load_settings(
        Settings,
        {
            "PORT": "1",
            "DATABASE_URL": postgres_url,
            "TOQIO_JWT_PUBLIC_KEY": ISSUER.public_key_pem,
            "TENANT_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode(),
            "SANDBOX_ENABLED": "true",
        },
    )
    database = await fresh_database(postgres_url)
    host = build_service(settings)
    async with http_client(host.app) as client:
        yield HttpApi(client, database)
    for hook in reversed(host.shutdown):
        await hook()
    await database.dispose()
