"""A card payment across services on PostgreSQL and RabbitMQ: authorize, clear, reverse.

cards answers the processor over HTTP and reserves funds by request/reply with the real
accounts_payments responder; clearings and reversals reach accounts_payments' ledger through
cards' outbox relay. Wired by hand as the containers do, so it runs before they are.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import httpx
import pytest

from accounts_payments.adapters.crypto.aes_gcm_cipher import AesGcmSecretCipher
from accounts_payments.adapters.persistence import tables as ap_tables
from accounts_payments.adapters.persistence.card_authorization_repository import (
    SqlAlchemyCardFundsUnitOfWork,
)
from accounts_payments.application.accounts.common import settlement_account_id
from accounts_payments.application.accounts.open_account import open_ledger_accounts
from accounts_payments.application.cards.reserve import ReserveCardFunds
from accounts_payments.application.cards.settle import SettleCardFunds
from accounts_payments.application.ports.ledger import NormalSide, Posting
from accounts_payments.domain.accounts import Account, AccountStatus, BankDetails, PostalAddress
from accounts_payments.entrypoints.consumers.card_funds import (
    CardFundsTransaction,
    serve_card_funds,
)
from building_blocks.messaging import RabbitMqMessageBus
from building_blocks.outbox import Outbox, OutboxRelay
from building_blocks.persistence import Database
from building_blocks.settings import Secret
from building_blocks.web import EnvelopeStyle, create_app
from building_blocks.webhooks import WebhookQueue
from cards.adapters.crypto.audit_mac import HmacAuditMac
from cards.adapters.messaging.bus_funds import BusFundsReservation
from cards.adapters.persistence import tables as cards_tables
from cards.adapters.persistence.unit_of_work import SqlAlchemyCardsUnitOfWork
from cards.application.authorizations.authorize import Authorize
from cards.application.authorizations.settle import ClearAuthorization, ReverseAuthorization
from cards.application.ports.unit_of_work import CardsUnitOfWork
from cards.domain.lifecycle import CardStatus
from cards.entrypoints.http.processor import processor_route_handlers
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money
from tests.cards.card_builders import card_in
from tests.shared.messaging_contract import eventually

pytestmark = pytest.mark.system

CUSTOMER = "cust-1"
KEY = "processor-key-0123456789abcdef"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Ledger:
    """accounts_payments' card funds on its own schema, wired as its container does."""

    database: Database

    def unit(self) -> CardFundsTransaction:
        work: Any = SqlAlchemyCardFundsUnitOfWork(
            self.database.sessions,
            outbox=Outbox(ap_tables.messaging),
            webhooks=WebhookQueue(ap_tables.webhooks),
            cipher=AesGcmSecretCipher(os.urandom(32)),
        )
        return cast(CardFundsTransaction, work)

    async def open_account(self, balance_minor: int) -> str:
        account = Account(
            account_id=new_id(),
            customer_id=CUSTOMER,
            client_id="cl-1",
            currency="EUR",
            country_code="ES",
            partner_product="Banking-EU-1",
            holder_name="Acme Ltd",
            alias="Main",
            address=PostalAddress(),
            status=AccountStatus.ACTIVE,
        )
        account.attach_provider("m-1", BankDetails(provider_account_id=f"pa-{account.account_id}"))
        money = Money.of(balance_minor, "EUR")
        async with self.unit() as uow:
            await uow.accounts.add(account)
            await open_ledger_accounts(uow, account)
            await uow.ledger.record(
                f"top-up:{account.account_id}",
                [
                    Posting(settlement_account_id(CUSTOMER, "EUR"), NormalSide.DEBIT, money),
                    Posting(account.ledger_account_id, NormalSide.CREDIT, money),
                ],
                description="Top up",
            )
            await uow.commit()
        return account.account_id

    async def balance(self, account_id: str) -> tuple[int, int]:
        """(total, available) in minor units."""
        async with self.unit() as uow:
            balance = await uow.ledger.balance(account_id)
        return balance.total_minor, balance.available_minor


@dataclass
class Flow:
    processor: httpx.AsyncClient
    ledger: Ledger
    account_id: str

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.processor.post(path, json=body, headers={"X-Api-Key": KEY})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def authorize(self, processor_id: str, amount: str) -> dict[str, Any]:
        body = {
            "processorId": processor_id,
            "cardId": "card-1",
            "amount": amount,
            "currency": "EUR",
            "merchant": {"name": "Corner Shop", "mcc": "5411", "country": "ES"},
        }
        return await self.post("/processor/authorizations", body)

    async def balance_becomes(self, total: int, available: int) -> None:
        async def reached() -> bool:
            return await self.ledger.balance(self.account_id) == (total, available)

        await eventually(reached, within=10)


@pytest.fixture
async def flow(postgres_url: str, rabbitmq_url: str, amqp_namespace: str) -> AsyncIterator[Flow]:
    ap_database = Database(postgres_url, schema="accounts_payments")
    cards_database = Database(postgres_url, schema="cards")
    await ap_database.create_schema(ap_tables.metadata)
    await cards_database.create_schema(cards_tables.metadata)
    buses = {
        service: RabbitMqMessageBus(rabbitmq_url, service, namespace=amqp_namespace)
        for service in ("accounts_payments", "cards")
    }
    for bus in buses.values():
        await bus.start()
    ledger = Ledger(ap_database)
    await serve_card_funds(
        buses["accounts_payments"],
        reserve=ReserveCardFunds(ledger.unit, _utc_now),
        settle=SettleCardFunds(ledger.unit, _utc_now),
        units=ledger.unit,
        messaging=ap_tables.messaging,
    )
    account_id = await ledger.open_account(100_00)
    relay = OutboxRelay(cards_database, cards_tables.messaging, buses["cards"], poll_interval=0.05)

    def units() -> CardsUnitOfWork:
        work: Any = SqlAlchemyCardsUnitOfWork(
            cards_database.sessions,
            outbox=Outbox(cards_tables.messaging),
            webhooks=WebhookQueue(cards_tables.webhooks),
            audit_mac=HmacAuditMac(os.urandom(32)),
            wake_relay=relay.wake,
        )
        unit: CardsUnitOfWork = work
        return unit

    async with units() as uow:
        await uow.cards.add(card_in(CardStatus.ACTIVE, tenant_id=CUSTOMER, account_id=account_id))
        await uow.commit()
    # A generous deadline: the first request on a fresh broker declares its reply queue.
    authorize = Authorize(units, BusFundsReservation(buses["cards"]), deadline=5.0)
    app = create_app(
        service="cards",
        route_handlers=processor_route_handlers(
            api_key=Secret(KEY),
            authorize=authorize,
            clear_authorization=ClearAuthorization(units),
            reverse_authorization=ReverseAuthorization(units),
        ),
        readiness={},
        envelope_style=EnvelopeStyle.CARD,
    )
    relaying = asyncio.create_task(relay.run())
    transport = httpx.ASGITransport(app=cast(Any, app))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://cards") as client:
            yield Flow(client, ledger, account_id)
    finally:
        relay.stop()
        await relaying
        for bus in buses.values():
            await bus.close()
        for bus in buses.values():
            await bus.delete_topology()
        await cards_database.dispose()
        await ap_database.dispose()


async def test_an_approved_card_payment_holds_then_books_what_was_cleared(flow: Flow) -> None:
    approved = await flow.authorize("auth-1", "25.00")

    assert approved["decision"] == "APPROVED"
    assert await flow.ledger.balance(flow.account_id) == (100_00, 75_00)

    cleared = await flow.post(
        "/processor/clearings",
        {"processorId": "clr-1", "authorizationId": approved["authorizationId"], "amount": 20},
    )

    assert cleared["status"] == "CLEARED"
    # 20.00 booked, the other 5.00 of the hold released.
    await flow.balance_becomes(total=80_00, available=80_00)


async def test_a_reversed_card_payment_releases_its_hold(flow: Flow) -> None:
    approved = await flow.authorize("auth-1", "30.00")
    assert await flow.ledger.balance(flow.account_id) == (100_00, 70_00)

    reversed_ = await flow.post(
        "/processor/reversals",
        {"processorId": "rev-1", "authorizationId": approved["authorizationId"], "amount": "30"},
    )

    assert reversed_["status"] == "REVERSED"
    await flow.balance_becomes(total=100_00, available=100_00)


async def test_a_payment_above_the_balance_is_declined_and_holds_nothing(flow: Flow) -> None:
    declined = await flow.authorize("auth-1", "100.01")

    assert (declined["decision"], declined["reason"]) == ("DECLINED", "INSUFFICIENT_FUNDS")
    assert await flow.ledger.balance(flow.account_id) == (100_00, 100_00)
    again = await flow.authorize("auth-1", "100.01")
    assert again == declined
