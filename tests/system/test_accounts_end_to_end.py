"""Issue 3 point 9: a customer, two accounts, money in - balance, statement, webhook, event."""

from __future__ import annotations

import asyncio
import base64
import os
import socket

import httpx
import pytest

from accounts_payments.adapters.persistence import tables
from accounts_payments.config import Settings
from accounts_payments.container import MIGRATIONS_DIR, build_service
from building_blocks.messaging import Binding, RabbitMqMessageBus
from building_blocks.persistence import Database
from building_blocks.persistence.migrations import upgrade_to_head
from building_blocks.runtime import serve_hosts
from building_blocks.settings import load_settings
from shared_kernel.contracts import Envelope, TransactionBookedV1
from tests.support.jwt_issuer import ToqioJwtIssuer
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.system

CUSTOMER = "cust-e2e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def account_body(client_id: str, asset_type: str, country: str) -> dict[str, object]:
    return {
        "name": "Acme Trading SL",
        "clientId": client_id,
        "address": "Calle Mayor 1",
        "city": "Madrid",
        "postalCode": "28013",
        "assetType": asset_type,
        "countryCode": country,
        "alias": f"{asset_type} account",
        "partnerProduct": "Banking-EU-1",
        "readOnly": False,
        "signUpRequest": {"name": "Acme Trading SL"},
    }


async def prepare_schema(postgres_url: str) -> None:
    # The service migrates on start; tables that no migration creates yet are added from the
    # metadata so this flow is testable either way (test_migrations guards the migrations).
    database = Database(postgres_url, schema="accounts_payments")
    try:
        await upgrade_to_head(database, MIGRATIONS_DIR)
        await database.create_schema(tables.metadata)
    finally:
        await database.dispose()


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(150):
        try:
            if (await client.get("/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("accounts_payments did not become ready")


async def test_money_in_reaches_ledger_statement_toqio_and_compliance(
    postgres_url: str, rabbitmq_url: str, amqp_namespace: str
) -> None:
    issuer = ToqioJwtIssuer()
    auth = {"Authorization": f"Bearer {issuer.issue(CUSTOMER)}"}
    await prepare_schema(postgres_url)
    compliance = RabbitMqMessageBus(rabbitmq_url, "compliance", namespace=amqp_namespace)
    booked: asyncio.Queue[Envelope] = asyncio.Queue()
    await compliance.start()
    await compliance.subscribe(
        "compliance.activity",
        [Binding("accounts_payments", "TransactionBooked.v1")],
        booked.put,
    )
    port = free_port()
    async with WebhookReceiver() as receiver:
        settings = load_settings(
            Settings,
            {
                "PORT": str(port),
                "DATABASE_URL": postgres_url,
                "RABBITMQ_URL": rabbitmq_url,
                "AMQP_NAMESPACE": amqp_namespace,
                "TOQIO_WEBHOOK_BASE_URL": receiver.base_url,
                "TOQIO_INTEGRATION_ID": "integration-e2e",
                "TOQIO_WEBHOOK_API_KEY": "webhook-key",
                "TOQIO_JWT_PUBLIC_KEY": issuer.public_key_pem,
                "TENANT_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode(),
                "SANDBOX_ENABLED": "true",
            },
        )
        stop = asyncio.Event()
        serving = asyncio.create_task(serve_hosts([build_service(settings)], stop))
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as api:
                await wait_ready(api)
                registered = await api.post(
                    "/customers",
                    json={
                        "id": CUSTOMER,
                        "apiKey": "toqio-customer-api-key-0123456789",
                        "commercialName": "Acme Bank",
                        "availableCurrencies": ["eur", "gbp"],
                    },
                    headers=auth,
                )
                assert registered.status_code == 200, registered.text

                accounts_path = f"/customers/{CUSTOMER}/clients/client-1/accounts"
                eur = await api.post(
                    accounts_path, json=account_body("client-1", "eur", "ES"), headers=auth
                )
                gbp = await api.post(
                    accounts_path, json=account_body("client-1", "GBP", "GB"), headers=auth
                )
                assert eur.status_code == 200, eur.text
                assert gbp.status_code == 200, gbp.text
                eur_account = eur.json()["data"]
                assert eur_account["status"] == "ACTIVE"
                assert eur_account["iban"].startswith("ES")
                assert gbp.json()["data"]["assetType"] == "gbp"
                listed = await api.get(accounts_path, headers=auth)
                assert len(listed.json()["data"]) == 2

                transfer = await api.post(
                    "/sandbox/inbound-transfers",
                    json={
                        "accountId": eur_account["accountId"],
                        "amount": "125.40",
                        "currency": "EUR",
                        "debtorName": "Globex GmbH",
                        "debtorIban": "DE89370400440532013000",
                        "reference": "Invoice 2030-17",
                    },
                )
                assert transfer.status_code == 200, transfer.text
                transaction_id = transfer.json()["data"]["transactionId"]

                balances = await api.get(
                    f"/customers/{CUSTOMER}/accounts/{eur_account['accountId']}/dynamicBalances",
                    headers=auth,
                )
                assert [b["amount"] for b in balances.json()["data"]] == [125.4, 125.4]

                statement = await api.post(
                    f"{accounts_path}/{eur_account['accountId']}/bankStatement",
                    json={"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"},
                    headers=auth,
                )
                assert statement.status_code == 200, statement.text
                assert statement.json()["data"] == [
                    {
                        "balance": 125.4,
                        "date": statement.json()["data"][0]["date"],
                        "transactionNumber": transaction_id,
                    }
                ]
                status = await api.get(
                    f"/customers/{CUSTOMER}/transactions/{transaction_id}/status", headers=auth
                )
                assert status.json()["data"]["value"] == "ACCEPTED"

            async with asyncio.timeout(20):
                while not any("SAVE_TRANSACTION" in r.path for r in receiver.requests):
                    await receiver.wait_for_requests(len(receiver.requests) + 1, within=20)
            [save] = [r for r in receiver.requests if r.path.endswith("/SAVE_TRANSACTION")]
            assert save.path == "/webhooks/integration/integration-e2e/webhookType/SAVE_TRANSACTION"
            assert save.headers["x-api-key"] == "webhook-key"
            assert save.json["payType"] == "INBOUND_BANK_TRANSFER"
            assert save.json["total"] == 125.4
            assert save.json["id"] == transaction_id
            synced = [r.json for r in receiver.requests if r.path.endswith("/SYNC_ACCOUNT_STATUS")]
            assert {body["status"] for body in synced} <= {"ACTIVE"}

            envelope = await asyncio.wait_for(booked.get(), 20)
            assert isinstance(envelope.payload, TransactionBookedV1)
            assert envelope.payload.transaction_id == transaction_id
            assert envelope.payload.amount_minor == 12540
            assert envelope.payload.account_id == eur_account["accountId"]
        finally:
            stop.set()
            await asyncio.wait_for(serving, 30)
            await compliance.close()
