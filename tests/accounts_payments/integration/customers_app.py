"""A real customers app on PostgreSQL with Toqio JWTs, shared by the customer HTTP tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from litestar.di import Provide

from accounts_payments.adapters.crypto.aes_gcm_cipher import AesGcmSecretCipher
from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.customer_repository import (
    customers_unit_of_work_factory,
)
from accounts_payments.adapters.persistence.customer_tables import customer_products, customers
from accounts_payments.entrypoints.http.customers import customer_route_handlers
from building_blocks.auth import ToqioJwtVerifier, toqio_jwt_guard
from building_blocks.persistence import Database
from building_blocks.web import create_app
from tests.accounts_payments.fakes_customers import FakeBankingProvider
from tests.support.jwt_issuer import ToqioJwtIssuer

API_KEY = "toqio-api-key-plaintext-0123456789"
HMAC_KEY = "hmac-key-plaintext-abcdefghijkl"
PROVIDER_KEY = "provider-key-plaintext-mnopqrst"
ISSUER = ToqioJwtIssuer()


@dataclass
class Env:
    client: httpx.AsyncClient
    database: Database
    provider: FakeBankingProvider
    cipher: AesGcmSecretCipher

    def auth(self, customer_id: str | None = "cust-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {ISSUER.issue(customer_id)}"}

    async def rows(self) -> dict[str, list[Any]]:
        async with self.database.engine.connect() as connection:
            return {
                table.name: list(
                    await connection.execute(sa.select(table).order_by(*table.primary_key.columns))
                )
                for table in (customers, customer_products)
            }


@pytest.fixture
async def env(postgres_url: str) -> AsyncIterator[Env]:
    database = Database(postgres_url, schema="accounts_payments")
    await database.create_schema(tables.metadata)
    cipher = AesGcmSecretCipher(os.urandom(32))
    provider = FakeBankingProvider()
    factory = customers_unit_of_work_factory(database.sessions, cipher)
    app = create_app(
        service="accounts_payments",
        route_handlers=customer_route_handlers(),
        readiness={},
        guards=[toqio_jwt_guard(ToqioJwtVerifier(ISSUER.public_key_pem))],
        dependencies={
            "customers_uow_factory": Provide(lambda: factory, sync_to_thread=False),
            "provider": Provide(lambda: provider, sync_to_thread=False),
        },
    )
    # In the test's own event loop: the asyncpg pool cannot be shared with another loop, which
    # is where Litestar's AsyncTestClient would run the app.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Env(client, database, provider, cipher)
    await database.dispose()


def registration(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "cust-1",
        "apiKey": API_KEY,
        "provider": "fakebank",
        "commercialName": "Acme",
        "availableCurrencies": ["EUR", "gbp"],
        "paymentProvider": {"paymentProviderType": "X", "key": PROVIDER_KEY, "hmacKey": HMAC_KEY},
        "someFutureField": {"ignored": True},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


async def register(env: Env, **overrides: Any) -> dict[str, Any]:
    response = await env.client.post(
        "/customers", json=registration(**overrides), headers=env.auth()
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def product(product_id: str, **overrides: Any) -> dict[str, Any]:
    item = {
        "id": product_id,
        "partnerProduct": "EUR",
        "bankingProvider": "fakebank",
        "name": {"en": "Current account", "es": "Cuenta corriente"},
        "customerId": "cust-1",
        "ledgerTypeId": "ledger-1",
        "visible": True,
        "isCore": True,
        "marketplaceKey": None,
    }
    item.update(overrides)
    return item
