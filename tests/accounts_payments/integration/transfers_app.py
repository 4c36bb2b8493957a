"""The whole accounts_payments service on PostgreSQL with a funded account and a beneficiary."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa

from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.ledger_tables import ledger_holds, ledger_journals
from accounts_payments.adapters.persistence.payment_tables import payments
from tests.accounts_payments.integration.http_app import HttpApi, sandbox_service
from tests.accounts_payments.integration.test_accounts_http import BASE, account_body

PAYMENTS = "/customers/cust-1/transactions"
BENEFICIARIES = "/customers/cust-1/clients/cl-1/beneficiaries"
PAYEE_IBAN = "DE89370400440532013000"


class TransfersApi(HttpApi):
    """The service, its database, and the ids of what the fixture set up."""

    account_id: str = ""
    beneficiary_id: str = ""

    async def save(self, body: dict[str, Any], key: str | None = None) -> Any:
        headers = {**self.auth(), **({"Idempotency-Key": key} if key else {})}
        return await self.client.post(PAYMENTS, json=body, headers=headers)

    def transfer(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "sourceAccountId": self.account_id,
            "beneficiaryAccountId": self.beneficiary_id,
            "amount": 100.5,
            "currency": "eur",
            "concept": "Invoice 42",
            "reference": "INV-42",
            "bankPaymentScheme": "SEPA",
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    async def balances(self) -> list[float]:
        path = f"/customers/cust-1/accounts/{self.account_id}/dynamicBalances"
        found = await self.client.get(path, headers=self.auth())
        return [b["amount"] for b in found.json()["data"]]

    async def state(self) -> tuple[int, ...]:
        """Row counts of everything a payment writes."""
        return (
            await self.count(payments),
            await self.count(ledger_holds),
            await self.count(ledger_journals),
            await self.count(tables.webhooks.deliveries),
            await self.count(tables.messaging.outbox),
        )

    async def status_webhooks(self, payment_id: str) -> list[dict[str, Any]]:
        d = tables.webhooks.deliveries.c
        query = (
            sa.select(d.body)
            .where(d.webhook_type == "SYNC_TRANSACTION_STATUS")
            .order_by(d.created_at, d.id)
        )
        async with self.database.engine.connect() as connection:
            bodies = [json.loads(row[0]) for row in await connection.execute(query)]
        return [body for body in bodies if body["id"] == payment_id]


@asynccontextmanager
async def transfers_service(postgres_url: str) -> AsyncIterator[TransfersApi]:
    """A customer with a EUR account holding 1,000.00 and a German beneficiary."""
    async with sandbox_service(postgres_url) as service:
        api = TransfersApi(service.client, service.database)
        client, auth = api.client, api.auth()
        registered = await client.post(
            "/customers", json={"id": "cust-1", "apiKey": "api-key-0123456789abcdef"}, headers=auth
        )
        assert registered.status_code == 200, registered.text
        opened = await client.post(BASE, json=account_body(), headers=auth)
        assert opened.status_code == 200, opened.text
        api.account_id = opened.json()["data"]["accountId"]
        funded = await client.post(
            "/sandbox/inbound-transfers",
            json={"accountId": api.account_id, "amount": "1000.00", "currency": "EUR",
                  "debtorName": "Globex GmbH", "debtorIban": PAYEE_IBAN},
        )  # fmt: skip
        assert funded.status_code == 200, funded.text
        created = await client.post(
            BENEFICIARIES,
            json={"type": "COMPANY", "name": "Initech GmbH", "iban": PAYEE_IBAN,
                  "assetType": "eur", "bicSwift": "COBADEFFXXX"},
            headers=auth,
        )  # fmt: skip
        assert created.status_code == 200, created.text
        api.beneficiary_id = created.json()["data"]["id"]
        yield api
