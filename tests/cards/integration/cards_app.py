"""The Card Management routes of cards on a real database, behind Toqio JWTs, for HTTP tests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import httpx
import sqlalchemy as sa

from building_blocks.auth import ToqioJwtVerifier, toqio_jwt_guard
from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from building_blocks.webhooks import WebhookQueue
from cards.adapters.crypto.aes_gcm import AesGcmCipher
from cards.adapters.crypto.audit_mac import HmacAuditMac
from cards.adapters.crypto.cvv import HmacCvvCalculator
from cards.adapters.crypto.fingerprint import HmacFingerprinter
from cards.adapters.crypto.key_providers import StaticKeyProvider
from cards.adapters.crypto.security_code_hasher import HmacSecurityCodeHasher
from cards.adapters.persistence import tables
from cards.adapters.persistence.card_repository import SqlAlchemyCardRepository
from cards.adapters.persistence.unit_of_work import SqlAlchemyCardsUnitOfWork
from cards.adapters.persistence.vault_repository import (
    SqlAlchemyCardSecretRepository,
    SqlAlchemyDataKeyRepository,
)
from cards.adapters.processor.sandbox_processor import SandboxCardProcessor
from cards.application.cards.alias import UpdateCardAlias
from cards.application.cards.cancel import CancelCard
from cards.application.cards.delete import DeleteCard
from cards.application.cards.get import GetCard
from cards.application.cards.issue import IssueCard
from cards.application.cards.options import CardImages, IssuingPolicy
from cards.application.cards.ports import CardsWork
from cards.application.cards.queries import (
    GetAvailableCardLimits,
    GetCardImageUrl,
    GetCardImageUrlByTemplate,
    GetCardLimitsMinMax,
    GetCardSettings,
)
from cards.application.cards.read_only import UpdateCardReadOnly
from cards.application.cards.replace import ReplaceCard
from cards.application.cards.suspend import SuspendCard
from cards.application.cards.update_limits import UpdateCard
from cards.application.vault.vault import CardVault
from cards.domain.card import Card
from cards.domain.pan import BinRange, Pan, luhn_valid
from cards.domain.secrets import SecretField
from cards.entrypoints.http.app import create_http_app
from cards.entrypoints.http.card_routes import card_route_handlers, card_sandbox_route_handlers
from tests.support.jwt_issuer import ToqioJwtIssuer

ISSUER = ToqioJwtIssuer()
KEK = bytes(range(32))
FINGERPRINT_KEY = b"f" * 32
AUDIT_KEY = b"a" * 32
PROVIDER = "SANDBOX"
IMAGES = CardImages("https://cdn.example.com/cards/{design}.png", "standard")
BIN_PREFIX = "999990"
# Whole runs only: MACs and hashes are hex, and the audit chain's genesis MAC is 64 zeros,
# so any 13-digit window of them would pass for a card number.
_DIGIT_RUN = re.compile(r"(?<!\d)\d{13,19}(?!\d)")


def auth(customer_id: str | None = "cust-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER.issue(customer_id)}"}


def card_numbers_in(text: str) -> list[str]:
    """Runs of 13 to 19 digits in ``text`` that are Luhn-valid card numbers of our BIN range.

    A hex digest has a whole run of 13+ digits about once in twenty, and one in ten of those
    passes Luhn: the BIN keeps such noise out, and the tests also look for the exact PANs.
    """
    return [
        run for run in _DIGIT_RUN.findall(text) if luhn_valid(run) and run.startswith(BIN_PREFIX)
    ]


@dataclass
class CardsApi:
    """An HTTP client on the card routes, and what is behind them."""

    client: httpx.AsyncClient
    database: Database
    vault: CardVault
    processor: SandboxCardProcessor
    hasher: HmacSecurityCodeHasher

    def path(self, card_id: str = "", customer_id: str = "cust-1") -> str:
        base = f"/customers/{customer_id}/cards"
        return f"{base}/{card_id}" if card_id else base

    async def issue(self, customer_id: str = "cust-1", **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "accountId": "acc-1",
            "companyId": "client-1",
            "userId": "user-1",
            "currency": "EUR",
            "nameOnCard": "ADA LOVELACE",
            "somethingNew": "tolerated",
        }
        body.update(overrides)
        response = await self.client.post(
            self.path(customer_id=customer_id),
            json={k: v for k, v in body.items() if v is not None},
            headers=auth(customer_id),
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    async def card(self, card_id: str) -> Card | None:
        async with self.database.sessions() as session:
            return await SqlAlchemyCardRepository(session).find(card_id)

    async def pan(self, card_id: str) -> Pan | None:
        async with self.database.sessions() as session:
            sealed = await SqlAlchemyCardSecretRepository(session).get(card_id, SecretField.PAN)
        return None if sealed is None else await self.vault.open_pan(sealed)

    async def webhooks(self) -> list[tuple[str, str]]:
        deliveries = tables.webhooks.deliveries
        async with self.database.engine.connect() as connection:
            query = sa.select(deliveries.c.webhook_type, deliveries.c.body).order_by(
                deliveries.c.created_at, deliveries.c.id
            )
            return [(row.webhook_type, row.body) for row in await connection.execute(query)]

    async def rows_outside_the_vault(self) -> str:
        """Every row of every cards table but ``card_secrets``, as text."""
        texts = []
        async with self.database.engine.connect() as connection:
            for table in tables.metadata.sorted_tables:
                if table.name == "card_secrets":
                    continue
                for row in await connection.execute(sa.select(table)):
                    texts.append(repr(tuple(row)))
        return "\n".join(texts)


async def fresh_database(url: str) -> Database:
    database = Database(url, schema="cards")
    await database.create_schema(tables.metadata)
    return database


@asynccontextmanager
async def cards_api(url: str, *, sandbox: bool = True) -> AsyncIterator[CardsApi]:
    """The card routes (and the sandbox's) on a fresh schema at ``url``."""
    database = await fresh_database(url)
    outbox, webhooks = Outbox(tables.messaging), WebhookQueue(tables.webhooks)
    audit_mac = HmacAuditMac(AUDIT_KEY)

    def units() -> CardsWork:
        return SqlAlchemyCardsUnitOfWork(
            database.sessions, outbox=outbox, webhooks=webhooks, audit_mac=audit_mac
        )

    vault = CardVault(
        StaticKeyProvider({1: KEK}),
        SqlAlchemyDataKeyRepository(database),
        AesGcmCipher(),
        HmacFingerprinter(FINGERPRINT_KEY),
        HmacCvvCalculator(b"c" * 32),
    )
    hasher = HmacSecurityCodeHasher(FINGERPRINT_KEY)
    processor = SandboxCardProcessor()
    policy = IssuingPolicy(bin_range=BinRange(BIN_PREFIX), provider=PROVIDER)

    def clock() -> datetime:
        return datetime.now(UTC)

    handlers = card_route_handlers(
        toqio_guards=[toqio_jwt_guard(ToqioJwtVerifier(ISSUER.public_key_pem))],
        card_provider=PROVIDER,
        issue_card=IssueCard(units, vault, hasher, processor, policy, clock),
        get_card=GetCard(units, clock),
        delete_card=DeleteCard(units, clock),
        suspend_card=SuspendCard(units, clock),
        cancel_card=CancelCard(units, clock),
        update_card=UpdateCard(units, policy, clock),
        update_card_alias=UpdateCardAlias(units),
        update_card_read_only=UpdateCardReadOnly(units),
        get_available_card_limits=GetAvailableCardLimits(),
        get_card_limits_min_max=GetCardLimitsMinMax(policy),
        get_card_settings=GetCardSettings(units),
        get_card_image_url=GetCardImageUrl(units, IMAGES),
        get_card_image_url_by_template=GetCardImageUrlByTemplate(IMAGES),
    )
    handlers += card_sandbox_route_handlers(
        enabled=sandbox,
        sandbox_card_processor=processor,
        replace_card=ReplaceCard(units, vault, hasher, processor, policy, clock),
        card_provider=PROVIDER,
    )
    app = create_http_app(readiness={}, route_handlers=handlers)
    transport = httpx.ASGITransport(app=cast(Any, app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield CardsApi(client, database, vault, processor, hasher)
    await database.dispose()
