"""Card funds on PostgreSQL and RabbitMQ: reservations answered, releases once, no overdraft."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.crypto.aes_gcm_cipher import AesGcmSecretCipher
from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.card_authorization_repository import (
    SqlAlchemyCardFundsUnitOfWork,
)
from accounts_payments.adapters.persistence.ledger_tables import ledger_holds, ledger_journals
from accounts_payments.application.accounts.common import settlement_account_id
from accounts_payments.application.accounts.open_account import open_ledger_accounts
from accounts_payments.application.cards.authorizations import CardFundsStatus
from accounts_payments.application.cards.reserve import ReserveCardFunds
from accounts_payments.application.cards.settle import SettleCardFunds
from accounts_payments.application.ports.ledger import HoldStatus, NormalSide, Posting
from accounts_payments.domain.accounts import Account, AccountStatus, BankDetails, PostalAddress
from accounts_payments.entrypoints.consumers.card_funds import (
    CONSUMER,
    RELEASE_BINDINGS,
    RELEASE_QUEUE,
    CardFundsTransaction,
    card_funds_responder,
    release_handler,
    serve_card_funds,
)
from building_blocks.messaging import RabbitMqMessageBus
from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from building_blocks.webhooks import WebhookQueue
from shared_kernel.contracts import (
    Envelope,
    FundsReleaseRequestedV1,
    FundsReservationAnsweredV1,
)
from shared_kernel.domain.errors import NotFound
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Money
from tests.accounts_payments.card_fakes import CUSTOMER, release_request, reservation_request
from tests.shared.messaging_contract import eventually

pytestmark = pytest.mark.integration


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CardFunds:
    """accounts_payments' card funds pieces on one database, wired by hand as the container does."""

    database: Database
    outbox: Outbox = field(default_factory=lambda: Outbox(tables.messaging))
    webhooks: WebhookQueue = field(default_factory=lambda: WebhookQueue(tables.webhooks))
    cipher: AesGcmSecretCipher = field(default_factory=lambda: AesGcmSecretCipher(os.urandom(32)))

    def unit(self) -> CardFundsTransaction:
        work = SqlAlchemyCardFundsUnitOfWork(
            self.database.sessions, outbox=self.outbox, webhooks=self.webhooks, cipher=self.cipher
        )
        # The SQL units declare their repositories' concrete types, and a Protocol's attributes
        # are invariant, so mypy cannot see that the unit is the port; the container, untyped,
        # passes it the same way.
        return cast(CardFundsTransaction, work)

    @property
    def reserve(self) -> ReserveCardFunds:
        return ReserveCardFunds(self.unit, _utc_now)

    @property
    def settle(self) -> SettleCardFunds:
        return SettleCardFunds(self.unit, _utc_now)

    async def open_account(self, balance_minor: int) -> str:
        """An active EUR account holding ``balance_minor``, as if topped up from outside."""
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

    async def available(self, account_id: str) -> int:
        async with self.unit() as uow:
            return (await uow.ledger.balance(account_id)).available_minor

    async def total(self, account_id: str) -> int:
        async with self.unit() as uow:
            return (await uow.ledger.balance(account_id)).total_minor

    async def count(self, statement: sa.Select[Any]) -> int:
        async with self.database.sessions() as session:
            return int((await session.execute(statement)).scalar_one())

    async def webhook_bodies(self, webhook_type: str) -> list[str]:
        table = tables.webhooks.deliveries
        query = sa.select(table.c.body).where(table.c.webhook_type == webhook_type)
        async with self.database.sessions() as session:
            return list((await session.execute(query.order_by(table.c.created_at))).scalars())


async def _card_funds(url: str) -> AsyncIterator[CardFunds]:
    database = Database(url, schema="accounts_payments")
    await database.create_schema(tables.metadata)
    yield CardFunds(database)
    await database.dispose()


@pytest.fixture
async def funds(postgres_url: str) -> AsyncIterator[CardFunds]:
    async for card_funds in _card_funds(postgres_url):
        yield card_funds


@pytest.fixture
async def buses(rabbitmq_url: str, amqp_namespace: str) -> AsyncIterator[list[RabbitMqMessageBus]]:
    """accounts_payments' bus and cards' bus, on a namespace of this test's own."""
    started = []
    for service in ("accounts_payments", "cards"):
        bus = RabbitMqMessageBus(rabbitmq_url, service, namespace=amqp_namespace, delivery_limit=2)
        await bus.start()
        started.append(bus)
    yield started
    for bus in started:
        await bus.close()
    for bus in started:
        await bus.delete_topology()


def reservation(account_id: str, authorization_id: str, amount_minor: int) -> Envelope:
    request = reservation_request(
        account_id, authorization_id=authorization_id, amount_minor=amount_minor
    )
    return Envelope.wrap(request)


def release(authorization_id: str, action: str, amount_minor: int) -> FundsReleaseRequestedV1:
    return release_request(action, amount_minor, authorization_id=authorization_id)


def answer_of(reply: Envelope) -> FundsReservationAnsweredV1:
    assert isinstance(reply.payload, FundsReservationAnsweredV1)
    return reply.payload


async def test_a_reservation_asked_over_rabbitmq_is_answered_with_the_hold_placed(
    funds: CardFunds, buses: list[RabbitMqMessageBus]
) -> None:
    server, cards = buses
    account_id = await funds.open_account(10_000)
    await serve_card_funds(
        server,
        reserve=funds.reserve,
        settle=funds.settle,
        units=funds.unit,
        messaging=tables.messaging,
    )

    reply = await cards.request(
        "accounts_payments", reservation(account_id, "auth-1", 2500), timeout=5.0
    )

    assert answer_of(reply) == FundsReservationAnsweredV1(
        authorization_id="auth-1", approved=True, hold_id="auth-1"
    )
    assert await funds.available(account_id) == 7500
    async with funds.unit() as uow:
        assert (await uow.ledger.hold("auth-1")).status is HoldStatus.PENDING
        record = await uow.card_authorizations.get("auth-1")
    assert record is not None
    assert record.status is CardFundsStatus.RESERVED
    [saved] = await funds.webhook_bodies("SAVE_TRANSACTION")
    assert '"orderId":"auth-1"' in saved
    assert "4242" not in saved

    # The same question again: the same answer, still one hold.
    again = await cards.request(
        "accounts_payments", reservation(account_id, "auth-1", 2500), timeout=5.0
    )
    assert answer_of(again) == answer_of(reply)
    assert await funds.available(account_id) == 7500

    # A clearing published by cards reaches the subscribed handler and posts the hold.
    await cards.publish(Envelope.wrap(release("auth-1", "POST", 2000)))
    await eventually(lambda: _status_is(funds, "auth-1", CardFundsStatus.POSTED))
    assert await funds.total(account_id) == 8000
    assert await funds.available(account_id) == 8000


async def _status_is(funds: CardFunds, authorization_id: str, status: CardFundsStatus) -> bool:
    async with funds.unit() as uow:
        record = await uow.card_authorizations.get(authorization_id)
    return record is not None and record.status is status


async def test_a_redelivered_release_event_has_one_effect(
    funds: CardFunds, buses: list[RabbitMqMessageBus]
) -> None:
    server, cards = buses
    account_id = await funds.open_account(10_000)
    await server.serve(card_funds_responder(funds.reserve))
    handled: list[str] = []
    handler = release_handler(funds.unit, tables.messaging, funds.settle)

    async def counting(envelope: Envelope) -> None:
        await handler(envelope)
        handled.append(envelope.message_id)

    await server.subscribe(RELEASE_QUEUE, RELEASE_BINDINGS, counting)
    reply = await cards.request(
        "accounts_payments", reservation(account_id, "auth-1", 2500), timeout=5.0
    )
    assert answer_of(reply).approved

    # The outbox relay re-publishes a message whose confirm it lost: same message id.
    clearing = Envelope.wrap(release("auth-1", "POST", 2500))
    for _ in range(3):
        await cards.publish(clearing)
    await eventually(lambda: len(handled) == 3)

    assert await funds.total(account_id) == 7500
    journal = ledger_journals.c.id == "auth-1"
    assert await funds.count(sa.select(sa.func.count()).where(journal)) == 1
    inbox = tables.messaging.inbox
    assert await funds.count(sa.select(sa.func.count()).where(inbox.c.consumer == CONSUMER)) == 1
    assert len(await funds.webhook_bodies("SYNC_TRANSACTION_STATUS")) == 1
    outbox = tables.messaging.outbox
    booked = outbox.c.routing_key == "TransactionBooked.v1"
    assert await funds.count(sa.select(sa.func.count()).where(booked)) == 1


async def test_concurrent_reservations_against_a_small_balance_never_overdraw(
    funds: CardFunds, buses: list[RabbitMqMessageBus]
) -> None:
    server, cards = buses
    account_id = await funds.open_account(10_000)
    await server.serve(card_funds_responder(funds.reserve))

    replies = await asyncio.gather(
        *(
            cards.request(
                "accounts_payments", reservation(account_id, f"auth-{n}", 1500), timeout=10.0
            )
            for n in range(20)
        )
    )

    answers = [answer_of(reply) for reply in replies]
    assert sum(answer.approved for answer in answers) == 6
    assert {a.reason for a in answers if not a.approved} == {"INSUFFICIENT_FUNDS"}
    assert await funds.available(account_id) == 1000
    assert await funds.total(account_id) == 10_000
    pending = ledger_holds.c.status == HoldStatus.PENDING.value
    held = sa.select(sa.func.coalesce(sa.func.sum(ledger_holds.c.amount_minor), 0)).where(pending)
    assert await funds.count(held) == 9000


async def test_a_void_racing_its_reservation_never_leaves_funds_held(funds: CardFunds) -> None:
    account_id = await funds.open_account(10_000)
    answers: list[FundsReservationAnsweredV1] = []

    async def reserve(authorization_id: str) -> None:
        request = reservation_request(account_id, authorization_id=authorization_id)
        answers.append(await funds.reserve(request))

    async def void(authorization_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        await funds.settle(release(authorization_id, "VOID", 2500))

    # One race per authorization; the release starts a little later each time, so that it
    # lands before, during and after its reservation's transaction.
    for n in range(16):
        await asyncio.gather(reserve(f"auth-{n}"), void(f"auth-{n}", n * 0.001))

    assert await funds.available(account_id) == 10_000
    async with funds.unit() as uow:
        for answer in answers:
            record = await uow.card_authorizations.get(answer.authorization_id)
            assert record is not None
            if answer.approved:
                assert record.status is CardFundsStatus.VOIDED
                assert (await uow.ledger.hold(answer.authorization_id)).status is HoldStatus.VOIDED
            else:
                assert answer.reason == "ALREADY_RELEASED"
                assert record.status is CardFundsStatus.VOIDED_BEFORE_HOLD
                with pytest.raises(NotFound):
                    await uow.ledger.hold(answer.authorization_id)


async def test_reserve_clear_and_tombstone_work_on_sqlite_too(tmp_path: Path) -> None:
    async for funds in _card_funds(f"sqlite:///{tmp_path / 'card_funds.db'}"):
        account_id = await funds.open_account(10_000)
        first = reservation_request(account_id, authorization_id="auth-1")
        late = reservation_request(account_id, authorization_id="auth-2")

        assert (await funds.reserve(first)).approved
        assert await funds.reserve(first) == await funds.reserve(first)
        await funds.settle(release("auth-1", "POST", 1000))
        await funds.settle(release("auth-1", "POST", 1000))
        await funds.settle(release("auth-2", "VOID", 2500))

        assert (await funds.reserve(late)).reason == "ALREADY_RELEASED"
        assert await funds.total(account_id) == 9000
        assert await funds.available(account_id) == 9000
