"""A real customers app on PostgreSQL with Toqio JWTs, shared by the customer HTTP tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.crypto.aes_gcm_cipher import AesGcmSecretCipher
from accounts_payments.adapters.persistence.customer_repository import (
    customers_unit_of_work_factory,
)
from accounts_payments.adapters.persistence.customer_tables import customer_products, customers
from accounts_payments.entrypoints.http.customers import customer_route_handlers
from tests.accounts_payments.fakes import FakeBank
from tests.accounts_payments.integration.http_app import (
    HttpApi,
    fresh_database,
    http_client,
    jwt_app,
)

API_KEY = "toqio-api-key-plaintext-0123456789"
HMAC_KEY = "hmac-key-plaintext-abcdefghijkl"
PROVIDER_KEY = "provider-key-plaintext-mnopqrst"


@dataclass
class Env(HttpApi):
    provider: FakeBank
    cipher: AesGcmSecretCipher

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
    database = await fresh_database(postgres_url)
    cipher = AesGcmSecretCipher(os.urandom(32))
    provider = FakeBank()
    factory = customers_unit_of_work_factory(database.sessions, cipher)
    app = jwt_app(
        customer_route_handlers(),
        {"customers_uow_factory": factory, "provider": provider},
    )
    async with http_client(app) as client:
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
