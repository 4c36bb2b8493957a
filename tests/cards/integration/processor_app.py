"""What every processor HTTP test builds: the endpoints on a fresh database, a bus, a ledger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import sqlalchemy as sa

from building_blocks.messaging import InMemoryBroker, InMemoryMessageBus
from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from building_blocks.settings import Secret
from building_blocks.web import EnvelopeStyle, create_app
from building_blocks.webhooks import WebhookQueue
from cards.adapters.crypto.audit_mac import HmacAuditMac
from cards.adapters.messaging.bus_funds import BusFundsReservation
from cards.adapters.persistence import tables
from cards.adapters.persistence.unit_of_work import SqlAlchemyCardsUnitOfWork
from cards.application.authorizations.authorize import Authorize
from cards.application.authorizations.settle import ClearAuthorization, ReverseAuthorization
from cards.application.ports.unit_of_work import CardsUnitOfWork
from cards.domain.card import Card
from cards.domain.lifecycle import CardStatus
from cards.entrypoints.http.processor import processor_route_handlers
from shared_kernel.contracts import (
    Envelope,
    FundsReleaseRequestedV1,
    FundsReservationAnsweredV1,
    FundsReservationRequestedV1,
    IntegrationMessage,
    decode_envelope,
)
from tests.cards.card_builders import card_in

KEY = "processor-key-0123456789abcdef"
HEADERS = {"X-Api-Key": KEY}
DEADLINE = 0.25


@dataclass
class LedgerResponder:
    """accounts_payments as the card sees it: one balance, holds by authorization id."""

    available: int = 100_000
    holds: dict[str, int] = field(default_factory=dict)
    asked: list[FundsReservationRequestedV1] = field(default_factory=list)
    late_by: float = 0.0

    async def answer(self, envelope: Envelope) -> IntegrationMessage:
        request = envelope.payload
        assert isinstance(request, FundsReservationRequestedV1)
        self.asked.append(request)
        if self.late_by:
            await asyncio.sleep(self.late_by)
        approved = request.authorization_id in self.holds or request.amount_minor <= self.available
        if approved and request.authorization_id not in self.holds:
            self.holds[request.authorization_id] = request.amount_minor
            self.available -= request.amount_minor
        return FundsReservationAnsweredV1(
            authorization_id=request.authorization_id,
            approved=approved,
            hold_id=request.authorization_id if approved else None,
            reason=None if approved else "INSUFFICIENT_FUNDS",
        )


@dataclass
class Api:
    client: httpx.AsyncClient
    database: Database
    ledger: LedgerResponder

    async def authorize(self, amount: Any = "12.50", **changes: Any) -> httpx.Response:
        body = {
            "processorId": "proc-1",
            "cardId": "card-1",
            "amount": amount,
            "currency": "EUR",
            "merchant": {"name": "Corner Shop", "mcc": "5411", "country": "ES"},
            "somethingNew": True,  # tolerant reader
        }
        body.update(changes)
        return await self.client.post("/processor/authorizations", json=body, headers=HEADERS)

    async def count(self, table: sa.Table) -> int:
        async with self.database.engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(table)
            return int((await connection.execute(query)).scalar_one())

    async def releases(self) -> list[FundsReleaseRequestedV1]:
        async with self.database.engine.connect() as connection:
            bodies = (await connection.execute(sa.select(tables.messaging.outbox.c.body))).scalars()
            payloads = [decode_envelope(body).payload for body in bodies]
        return [p for p in payloads if isinstance(p, FundsReleaseRequestedV1)]


def sql_unit(database: Database) -> CardsUnitOfWork:
    work: Any = SqlAlchemyCardsUnitOfWork(
        database.sessions,
        outbox=Outbox(tables.messaging),
        webhooks=WebhookQueue(tables.webhooks),
        audit_mac=HmacAuditMac(bytes(range(32))),
    )
    # The SQL unit declares its repositories' concrete types; Protocol attributes are
    # invariant, so mypy cannot see that it is the port (the container passes it untyped).
    unit: CardsUnitOfWork = work
    return unit


async def seed(database: Database, cards: Sequence[Card]) -> None:
    async with sql_unit(database) as uow:
        for card in cards:
            await uow.cards.add(card)
        await uow.commit()


async def processor_api(
    database_url: str, *, api_key: str | None = KEY, sandbox: bool = False
) -> AsyncIterator[Api]:
    database = Database(database_url, schema="cards")
    await database.create_schema(tables.metadata)
    await seed(
        database,
        [
            card_in(CardStatus.ACTIVE),
            card_in(CardStatus.SUSPENDED, card_id="card-frozen", last4="1111"),
        ],
    )
    broker, ledger = InMemoryBroker(), LedgerResponder()
    cards_bus = InMemoryMessageBus(broker, "cards")
    ledger_bus = InMemoryMessageBus(broker, "accounts_payments")
    for bus in (cards_bus, ledger_bus):
        await bus.start()
    await ledger_bus.serve(ledger.answer)

    def units() -> CardsUnitOfWork:
        return sql_unit(database)

    app = create_app(
        service="cards",
        route_handlers=processor_route_handlers(
            api_key=Secret(api_key) if api_key is not None else None,
            authorize=Authorize(units, BusFundsReservation(cards_bus), deadline=DEADLINE),
            clear_authorization=ClearAuthorization(units),
            reverse_authorization=ReverseAuthorization(units),
            sandbox_enabled=sandbox,
        ),
        readiness={},
        envelope_style=EnvelopeStyle.CARD,
    )
    transport = httpx.ASGITransport(app=cast(Any, app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client, database, ledger)
    for bus in (cards_bus, ledger_bus):
        await bus.close()
    await database.dispose()
