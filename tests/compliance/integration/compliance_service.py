"""The whole compliance service on PostgreSQL, started as it runs, with an HTTP client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from building_blocks.messaging import InMemoryBroker
from building_blocks.persistence import Database
from building_blocks.runtime import ServiceHost
from building_blocks.settings import load_settings
from compliance.adapters.persistence import tables
from compliance.config import Settings
from compliance.container import build_service

ADMIN_TOKEN = "compliance-admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class ComplianceApi:
    """An HTTP client on the service, its database, its broker and a customer's API key."""

    client: httpx.AsyncClient
    database: Database
    broker: InMemoryBroker
    host: ServiceHost
    api_key: str = ""

    async def validate(self, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        headers = {"X-Api-Key": key if key is not None else self.api_key}
        return await self.client.post("/transaction/validate", json=body, headers=headers)

    async def count(self, table: str) -> int:
        async with self.database.engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(
                tables.metadata.tables[f"compliance.{table}"]
            )
            return int((await connection.execute(query)).scalar_one())


def transaction(transaction_id: str = "tx-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "transactionId": transaction_id,
        "customerId": "cust-1",
        "clientId": "client-1",
        "userId": "user-1",
        "sourceAccountId": "acc-1",
        "beneficiaryAccountId": "ben-1",
        "amount": 120.5,
        "currency": "EUR",
        "beneficiary": {
            "type": "COMPANY",
            "name": "Initech GmbH",
            "iban": "DE89370400440532013000",
            "bankCountry": "DE",
            "country": "DE",
        },
        "bankPaymentScheme": "SEPA",
        "concept": "Invoice 42",
        "isFxTransaction": False,
        "areOwnAccounts": False,
        "somethingToqioAddedLater": {"tolerated": True},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@asynccontextmanager
async def compliance_service(postgres_url: str, **environ: str) -> AsyncIterator[ComplianceApi]:
    """The service with its start-up run (migrations, bus, screening), a key for ``cust-1``."""
    settings = load_settings(
        Settings,
        {
            "PORT": "1",
            "DATABASE_URL": postgres_url,
            "COMPLIANCE_ADMIN_TOKEN": ADMIN_TOKEN,
            "REVIEWER_TOKEN_KEY": "reviewer-token-key-for-tests-0123456789",
            # Generous: a loaded test machine must not turn decisions into deadline holds.
            "MONITORING_DEADLINE_SECONDS": "5",
            **environ,
        },
    )
    broker = InMemoryBroker()
    host = build_service(settings, broker=broker)
    for hook in host.startup:
        await hook()
    database = Database(postgres_url, schema="compliance")
    transport = httpx.ASGITransport(app=host.app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            api = ComplianceApi(client, database, broker, host)
            created = await client.post(
                "/admin/api-keys", json={"customerId": "cust-1"}, headers=ADMIN
            )
            assert created.status_code == 201, created.text
            api.api_key = created.json()["data"]["apiKey"]
            yield api
    finally:
        for hook in reversed(host.shutdown):
            await hook()
        await database.dispose()
