"""Issue 6 point 7: a whole card journey, then proof that no PAN left the cards service.

accounts_payments and cards run as deployed (own HTTP servers, migrations, outbox relays,
webhook dispatchers) on PostgreSQL and RabbitMQ; Toqio is played by HTTP calls with JWTs and
by a local webhook receiver, the card processor by calls to ``/processor/*``. After issue,
activation, reveal, two authorizations, a clearing and a reversal, every message published
on either service's exchange, every log event, every webhook body and every row of every
table outside the ``cards`` schema is scanned for the revealed PAN and for any Luhn-valid run
of 13 to 19 digits. None may be found.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import structlog

import accounts_payments.config
import cards.config
from accounts_payments.container import build_service as build_accounts_payments
from building_blocks.messaging import Binding, RabbitMqMessageBus
from building_blocks.persistence import Database
from building_blocks.runtime import serve_hosts
from building_blocks.settings import load_settings
from cards.adapters.crypto.security_code_rsa import encrypt_security_code
from cards.container import build_service as build_cards
from cards.domain.pan import luhn_valid
from shared_kernel.contracts import Envelope, encode
from tests.support.cards_keys import cards_key_settings, random_key
from tests.support.jwt_issuer import ToqioJwtIssuer
from tests.support.webhook_receiver import WebhookReceiver
from tests.system.test_accounts_end_to_end import free_port, prepare_schema, wait_ready
from tests.system.test_payments_end_to_end import CLIENT, CUSTOMER, Toqio, open_funded_account

pytestmark = pytest.mark.system

PROCESSOR_KEY = "processor-key-0123456789abcdef0123"
DIGIT_RUNS = re.compile(r"(?<!\d)\d{13,19}(?!\d)")
MERCHANT = {"name": "Corner Shop", "mcc": "5411", "country": "ES"}


def pans_in(text: str) -> list[str]:
    """Every Luhn-valid run of 13 to 19 digits in ``text``: what a PAN scanner looks for."""
    return [run for run in DIGIT_RUNS.findall(text) if luhn_valid(run)]


def common_settings(postgres_url: str, rabbitmq_url: str, namespace: str) -> dict[str, str]:
    return {
        "DATABASE_URL": postgres_url,
        "RABBITMQ_URL": rabbitmq_url,
        "AMQP_NAMESPACE": namespace,
        "TOQIO_INTEGRATION_ID": "integration-cards",
        "TOQIO_WEBHOOK_API_KEY": "webhook-key",
        "SANDBOX_ENABLED": "true",
        "LOG_LEVEL": "DEBUG",
    }


async def rows_outside_cards(postgres_url: str) -> list[str]:
    """Every row of every table in every schema but ``cards``, as text."""
    database = Database(postgres_url, schema="public")
    found: list[str] = []
    try:
        async with database.engine.connect() as connection:
            tables = (
                await connection.execute(
                    sa.text(
                        "SELECT table_schema, table_name FROM information_schema.tables"
                        " WHERE table_type = 'BASE TABLE' AND table_schema NOT IN"
                        " ('cards', 'pg_catalog', 'information_schema')"
                    )
                )
            ).all()
            assert {schema for schema, _ in tables} >= {"accounts_payments"}
            for schema, table in tables:
                rows = await connection.execute(sa.text(f'SELECT * FROM "{schema}"."{table}"'))
                found += [f"{schema}.{table}: {' | '.join(map(_text, row))}" for row in rows]
    finally:
        await database.dispose()
    return found


def _text(value: object) -> str:
    # Bytes (message bodies, ciphertexts) as the text they hold, not as hex digits.
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def scan(where: str, texts: Iterable[str], pan: str) -> list[str]:
    return [f"{where}: {text[:200]}" for text in texts if pan in text or pans_in(text)]


async def test_a_full_card_journey_leaves_no_pan_outside_the_cards_service(
    postgres_url: str,
    rabbitmq_url: str,
    amqp_namespace: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    issuer = ToqioJwtIssuer()
    await prepare_schema(postgres_url)
    published: list[bytes] = []
    observer = RabbitMqMessageBus(rabbitmq_url, "pci_observer", namespace=amqp_namespace)
    await observer.start()

    async def heard(envelope: Envelope) -> None:
        published.append(encode(envelope))

    await observer.subscribe(
        "pci_observer.everything",
        [Binding("cards", "#"), Binding("accounts_payments", "#")],
        heard,
    )
    ap_port, cards_port = free_port(), free_port()
    with structlog.testing.capture_logs() as events:
        async with WebhookReceiver() as receiver:
            common = common_settings(postgres_url, rabbitmq_url, amqp_namespace)
            common["TOQIO_WEBHOOK_BASE_URL"] = receiver.base_url
            common["TOQIO_JWT_PUBLIC_KEY"] = issuer.public_key_pem
            ap_settings = load_settings(
                accounts_payments.config.Settings,
                {**common, "PORT": str(ap_port), "TENANT_SECRETS_KEY": random_key()},
            )
            cards_settings = load_settings(
                cards.config.Settings,
                {
                    **common,
                    "PORT": str(cards_port),
                    **cards_key_settings(),
                    "CARDS_PROCESSOR_API_KEY": PROCESSOR_KEY,
                    # Generous: a loaded test machine must not turn approvals into timeouts.
                    "CARDS_AUTHORIZATION_DEADLINE_SECONDS": "5",
                },
            )
            stop = asyncio.Event()
            hosts = [build_accounts_payments(ap_settings), build_cards(cards_settings)]
            serving = asyncio.create_task(serve_hosts(hosts, stop))
            try:
                pan = await journey(
                    issuer, f"http://127.0.0.1:{ap_port}", f"http://127.0.0.1:{cards_port}"
                )
                await until_told(receiver, "SYNC_TRANSACTION_STATUS", "CANCELLED")
                await until_told(receiver, "SYNC_TRANSACTION_STATUS", "ACCEPTED")
                await asyncio.sleep(1.0)  # let the relays publish what is left
            finally:
                stop.set()
                await serving
                await observer.close()
            webhook_bodies = [json.dumps(r.json) for r in receiver.requests]

    found = [
        *scan("message", (body.decode() for body in published), pan),
        *scan("structlog event", (repr(event) for event in events), pan),
        *scan("log record", (record.getMessage() for record in caplog.records), pan),
        *scan("webhook", webhook_bodies, pan),
        *scan("table", await rows_outside_cards(postgres_url), pan),
    ]
    assert pans_in(f"revealed {pan}.") == [pan]  # the scanner does see a PAN where there is one
    assert found == [], "card data outside the cards service:\n" + "\n".join(found)
    # The scan saw the journey: card transactions reached Toqio and the bus.
    assert any("SAVE_TRANSACTION" in r.path for r in receiver.requests)
    assert any(b"TransactionBooked" in body for body in published)
    assert any(b"FundsReleaseRequested" in body for body in published)


async def until_told(receiver: WebhookReceiver, webhook_type: str, status: str) -> None:
    """Wait until Toqio was sent a ``webhook_type`` webhook with ``status``."""

    def told() -> bool:
        return any(
            r.path.endswith(f"/{webhook_type}") and r.json.get("status") == status
            for r in receiver.requests
        )

    for _ in range(300):
        if told():
            return
        await asyncio.sleep(0.1)
    sent = [(r.path.rsplit("/", 1)[-1], r.json.get("status")) for r in receiver.requests]
    raise AssertionError(f"no {webhook_type} {status} among {sent}")


async def journey(issuer: ToqioJwtIssuer, ap_url: str, cards_url: str) -> str:
    """Issue, activate, reveal, authorize twice, clear one, reverse the other; the PAN."""
    async with (
        httpx.AsyncClient(base_url=ap_url, timeout=10) as ap_api,
        httpx.AsyncClient(base_url=cards_url, timeout=10) as cards_api,
    ):
        await wait_ready(ap_api)
        await wait_ready(cards_api)
        account_id = await open_funded_account(Toqio(ap_api, issuer))
        auth = {"Authorization": f"Bearer {issuer.issue(CUSTOMER)}"}
        base = f"/customers/{CUSTOMER}/cards"

        issued = await cards_api.post(
            base,
            json={
                "accountId": account_id,
                "companyId": CLIENT,
                "currency": "EUR",
                "physical": True,
                "nameOnCard": "JANE DOE",
                "cardLimitDaily": 400,
            },
            headers=auth,
        )
        assert issued.status_code == 200, issued.text
        card_id = issued.json()["data"]["id"]
        assert issued.json()["data"]["status"] == "PENDING"

        code = (await cards_api.get(f"/sandbox/cards/{card_id}/security-code")).json()["data"]
        public_key = (await cards_api.get("/security/public-key")).text

        def encrypted() -> dict[str, Any]:
            sealed = encrypt_security_code(public_key, str(code["securityCode"]))
            return {
                "encryptedSecurityCode": sealed.encrypted_security_code,
                "iv": sealed.iv,
                "tag": sealed.tag,
            }

        activated = await cards_api.put(
            f"{base}/{card_id}/activate", json={"securityCode": encrypted()}, headers=auth
        )
        assert activated.status_code == 200, activated.text
        assert activated.json()["data"]["status"] == "ACTIVE"

        revealed = await cards_api.post(f"{base}/{card_id}/pan", json=encrypted(), headers=auth)
        assert revealed.status_code == 200, revealed.text
        pan = str(revealed.json()["data"]["pan"])
        assert luhn_valid(pan)
        assert pan.endswith(issued.json()["data"]["truncatedPan"])

        processor = {"X-Api-Key": PROCESSOR_KEY}

        async def authorize(processor_id: str, amount: str) -> str:
            answer = await cards_api.post(
                "/processor/authorizations",
                json={
                    "processorId": processor_id,
                    "cardId": card_id,
                    "amount": amount,
                    "currency": "EUR",
                    "merchant": MERCHANT,
                },
                headers=processor,
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["decision"] == "APPROVED", answer.text
            return str(answer.json()["authorizationId"])

        bought = await authorize("proc-auth-1", "42.10")
        cleared = await cards_api.post(
            "/processor/clearings",
            json={"processorId": "proc-clear-1", "authorizationId": bought, "amount": "42.10"},
            headers=processor,
        )
        assert cleared.status_code == 200, cleared.text
        cancelled = await authorize("proc-auth-2", "9.99")
        reversed_ = await cards_api.post(
            "/processor/reversals",
            json={"processorId": "proc-rev-2", "authorizationId": cancelled, "amount": "9.99"},
            headers=processor,
        )
        assert reversed_.status_code == 200, reversed_.text
        return pan
