"""Issue 4 point 8: a beneficiary paid end to end on PostgreSQL + RabbitMQ, a rejection, a retry.

The service runs as deployed (its own HTTP server, migrations, outbox relay, webhook
dispatcher, the sandbox bank's settlement worker); Toqio is played by HTTP calls with JWTs
and by a local webhook receiver; compliance by a RabbitMQ subscriber.
"""

from __future__ import annotations

import asyncio
import base64
import os
from typing import Any

import httpx
import pytest

from accounts_payments.config import Settings
from accounts_payments.container import build_service
from building_blocks.messaging import Binding, RabbitMqMessageBus
from building_blocks.runtime import serve_hosts
from building_blocks.settings import load_settings
from shared_kernel.contracts import Envelope, PaymentStatusChangedV1, TransactionBookedV1
from tests.support.jwt_issuer import ToqioJwtIssuer
from tests.support.webhook_receiver import WebhookReceiver
from tests.system.test_accounts_end_to_end import (
    account_body,
    free_port,
    prepare_schema,
    wait_ready,
)

pytestmark = pytest.mark.system

CUSTOMER = "cust-pay"
CLIENT = "client-1"
PAYEE_IBAN = "DE89370400440532013000"
STATUS_HOOK = "/SYNC_TRANSACTION_STATUS"


class Toqio:
    """The calls Toqio's Integration Hub makes, with its JWT."""

    def __init__(self, api: httpx.AsyncClient, issuer: ToqioJwtIssuer) -> None:
        self.api = api
        self.auth = {"Authorization": f"Bearer {issuer.issue(CUSTOMER)}"}

    async def post(self, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
        return await self.api.post(path, json=body, headers={**self.auth, **headers})

    async def get(self, path: str) -> httpx.Response:
        return await self.api.get(path, headers=self.auth)

    async def balances(self, account_id: str) -> list[float]:
        found = await self.get(f"/customers/{CUSTOMER}/accounts/{account_id}/dynamicBalances")
        return [b["amount"] for b in found.json()["data"]]

    async def status(self, transaction_id: str) -> str:
        found = await self.get(f"/customers/{CUSTOMER}/transactions/{transaction_id}/status")
        assert found.status_code == 200, found.text
        return str(found.json()["data"]["value"])

    async def wait_status(self, transaction_id: str, expected: str) -> None:
        for _ in range(200):
            if (status := await self.status(transaction_id)) == expected:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{transaction_id} stayed {status}, never {expected}")


async def open_funded_account(toqio: Toqio) -> str:
    registered = await toqio.post(
        "/customers",
        {
            "id": CUSTOMER,
            "apiKey": "toqio-customer-api-key-0123456789",
            "commercialName": "Acme Bank",
            "availableCurrencies": ["eur"],
        },
    )
    assert registered.status_code == 200, registered.text
    opened = await toqio.post(
        f"/customers/{CUSTOMER}/clients/{CLIENT}/accounts", account_body(CLIENT, "eur", "ES")
    )
    assert opened.status_code == 200, opened.text
    account_id = str(opened.json()["data"]["accountId"])
    funded = await toqio.api.post(
        "/sandbox/inbound-transfers",
        json={
            "accountId": account_id,
            "amount": "500.00",
            "currency": "EUR",
            "debtorName": "Globex GmbH",
            "debtorIban": PAYEE_IBAN,
            "reference": "Top-up",
        },
    )
    assert funded.status_code == 200, funded.text
    return account_id


async def create_and_verify_beneficiary(toqio: Toqio, account_id: str) -> str:
    base = f"/customers/{CUSTOMER}/clients/{CLIENT}/beneficiaries"
    created = await toqio.post(
        base,
        {
            "type": "COMPANY",
            "name": "Initech GmbH",
            "iban": PAYEE_IBAN,
            "bicSwift": "COBADEFFXXX",
            "assetType": "eur",
            "addressIsoCountry": "DE",
        },
    )
    assert created.status_code == 200, created.text
    beneficiary_id = str(created.json()["data"]["id"])
    verified = await toqio.post(
        f"{base}/verify",
        {
            "sourceAccountId": account_id,
            "paymentType": "PAYMENT_TYPE_EU_SEPA_INSTANT",
            "beneficiaryId": beneficiary_id,
        },
    )
    assert verified.status_code == 200, verified.text
    # An account at another bank cannot be checked by the sandbox: not applied, may proceed.
    assert verified.json()["data"]["allowProceedPayment"] is True
    return beneficiary_id


def transfer(account_id: str, beneficiary_id: str, amount: str, concept: str) -> dict[str, Any]:
    return {
        "sourceAccountId": account_id,
        "beneficiaryAccountId": beneficiary_id,
        "amount": float(amount),
        "currency": "eur",
        "concept": concept,
        "reference": "INV-2030-042",
        "bankPaymentScheme": "SEPA",
        "payType": "OUTBOUND_BANK_TRANSFER",
        "userId": "user-7",
    }


def statuses_of(receiver: WebhookReceiver, transaction_id: str) -> list[str]:
    return [
        r.json["status"]
        for r in receiver.requests
        if r.path.endswith(STATUS_HOOK) and r.json["id"] == transaction_id
    ]


async def wait_statuses(receiver: WebhookReceiver, transaction_id: str, count: int) -> list[str]:
    async with asyncio.timeout(20):
        while len(statuses_of(receiver, transaction_id)) < count:
            await receiver.wait_for_requests(len(receiver.requests) + 1, within=20)
    return statuses_of(receiver, transaction_id)


async def test_a_payment_is_reserved_settled_and_told_in_order_and_a_rejection_releases_it(
    postgres_url: str, rabbitmq_url: str, amqp_namespace: str
) -> None:
    issuer = ToqioJwtIssuer()
    await prepare_schema(postgres_url)
    compliance = RabbitMqMessageBus(rabbitmq_url, "compliance", namespace=amqp_namespace)
    heard: asyncio.Queue[Envelope] = asyncio.Queue()
    await compliance.start()
    await compliance.subscribe(
        "compliance.payments",
        [
            Binding("accounts_payments", "TransactionBooked.v1"),
            Binding("accounts_payments", "PaymentStatusChanged.v1"),
        ],
        heard.put,
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
                "SANDBOX_SETTLEMENT_DELAY_SECONDS": "1.0",
            },
        )
        stop = asyncio.Event()
        serving = asyncio.create_task(serve_hosts([build_service(settings)], stop))
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as api:
                await wait_ready(api)
                toqio = Toqio(api, issuer)
                account_id = await open_funded_account(toqio)
                beneficiary_id = await create_and_verify_beneficiary(toqio, account_id)
                payments = f"/customers/{CUSTOMER}/transactions"

                # A payment saved with a key: reserved at once, settled by the sandbox later.
                body = transfer(account_id, beneficiary_id, "120.25", "Invoice 42")
                saved = await toqio.post(payments, body, **{"Idempotency-Key": "pay-42"})
                assert saved.status_code == 200, saved.text
                paid = saved.json()["data"]
                assert (paid["status"], paid["corePaymentType"]) == (
                    "PENDING",
                    "payment-type-EU-SEPA-Step2",
                )
                assert paid["baseTotal"] == 120.25
                assert await toqio.balances(account_id) == [379.75, 500.0]

                # The same key and body: the stored answer, nothing new; another body: 422.
                again = await toqio.post(payments, body, **{"Idempotency-Key": "pay-42"})
                assert again.content == saved.content
                assert again.headers["idempotent-replayed"] == "true"
                other = {**body, "amount": 99.0}
                clash = await toqio.post(payments, other, **{"Idempotency-Key": "pay-42"})
                assert clash.status_code == 422
                assert clash.json()["code"] == "IDEMPOTENCY_KEY_REUSED"

                await toqio.wait_status(paid["id"], "POSTED")
                assert await toqio.balances(account_id) == [379.75, 379.75]
                button = await toqio.get(f"{payments}/{paid['id']}/dynamicButton")
                assert button.json()["data"] == {}

                # A payment the bank refuses: the hold is released and Toqio hears why.
                armed = await api.post(
                    "/sandbox/payments/outcomes",
                    json={"outcome": "REJECT", "reasonCode": "AC04", "creditorIban": PAYEE_IBAN},
                )
                assert armed.status_code == 200, armed.text
                refused = await toqio.post(
                    payments, transfer(account_id, beneficiary_id, "50.00", "Invoice 43")
                )
                assert refused.status_code == 200, refused.text
                refused_id = refused.json()["data"]["id"]
                assert await toqio.balances(account_id) == [329.75, 379.75]
                await toqio.wait_status(refused_id, "FAILED")
                assert await toqio.balances(account_id) == [379.75, 379.75]

            assert await wait_statuses(receiver, paid["id"], 4) == [
                "PENDING",
                "PENDING",
                "ACCEPTED",
                "POSTED",
            ]
            posted = next(
                r.json
                for r in receiver.requests
                if r.path.endswith(STATUS_HOOK) and r.json["status"] == "POSTED"
            )
            assert posted["balance"] == 379.75
            assert posted["paymentProviderDetails"]["internalReference"] == paid["id"]
            assert receiver.requests[0].headers["x-api-key"] == "webhook-key"
            assert await wait_statuses(receiver, refused_id, 3) == ["PENDING", "PENDING", "FAILED"]
            failed = [
                r.json
                for r in receiver.requests
                if r.path.endswith(STATUS_HOOK) and r.json["status"] == "FAILED"
            ]
            assert failed[0]["failureReason"].startswith("AC04")

            events: list[Any] = []
            async with asyncio.timeout(20):
                while not any(
                    isinstance(e, TransactionBookedV1) and e.transaction_id == paid["id"]
                    for e in events
                ):
                    events.append((await heard.get()).payload)
            [debit] = [
                e
                for e in events
                if isinstance(e, TransactionBookedV1) and e.transaction_id == paid["id"]
            ]
            assert (debit.direction, debit.amount_minor, debit.counterparty_iban) == (
                "DEBIT",
                12025,
                PAYEE_IBAN,
            )
            changes = [
                e.status
                for e in events
                if isinstance(e, PaymentStatusChangedV1) and e.transaction_id == paid["id"]
            ]
            assert changes == ["RESERVED", "SUBMITTED", "ACCEPTED", "SETTLED"]
        finally:
            stop.set()
            await asyncio.wait_for(serving, 30)
            await compliance.close()
