"""Each service runs alone on PostgreSQL and RabbitMQ: migrated, ready, and stopping cleanly."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

import accounts_payments.config
import cards.config
import compliance.config
from accounts_payments.container import build_service as build_accounts_payments
from building_blocks.runtime import ServiceHost, serve_hosts
from building_blocks.settings import load_settings
from cards.container import build_service as build_cards
from compliance.container import build_service as build_compliance
from tests.support.cards_keys import cards_key_settings
from tests.support.jwt_issuer import ToqioJwtIssuer

pytestmark = pytest.mark.system

SERVICES: dict[str, tuple[type[Any], Callable[..., ServiceHost]]] = {
    "accounts_payments": (accounts_payments.config.Settings, build_accounts_payments),
    "compliance": (compliance.config.Settings, build_compliance),
    "cards": (cards.config.Settings, build_cards),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_service_runs_alone_on_postgres_and_rabbitmq(
    service: str, postgres_url: str, rabbitmq_url: str, amqp_namespace: str
) -> None:
    settings_type, build = SERVICES[service]
    port = free_port()
    settings = load_settings(
        settings_type,
        {
            "PORT": str(port),
            "DATABASE_URL": postgres_url,
            "RABBITMQ_URL": rabbitmq_url,
            "AMQP_NAMESPACE": amqp_namespace,
            "TOQIO_WEBHOOK_BASE_URL": "http://127.0.0.1:9/unused",
            # accounts_payments refuses to start on PostgreSQL without these two.
            "TOQIO_JWT_PUBLIC_KEY": ToqioJwtIssuer().public_key_pem,
            "TENANT_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode(),
            # cards refuses to start on PostgreSQL without its keys.
            **cards_key_settings(),
        },
    )
    host = build(settings)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_hosts([host], stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(150):
                try:
                    ready = await client.get("/health/ready")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            assert ready.status_code == 200
            assert (await client.get("/dev/webhooks")).status_code == 404, (
                "the recorder is only served when webhooks are not sent to Toqio"
            )
    finally:
        stop.set()
        await asyncio.wait_for(serving, 30)

    connection = await asyncpg.connect(postgres_url)
    try:
        tables = {
            row["table_name"]
            for row in await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", service
            )
        }
    finally:
        await connection.close()
    assert {"alembic_version", "outbox", "inbox", "webhook_deliveries"} <= tables
