"""``POST /processor/authorizations`` with its RabbitMQ hold, next to the same request without.

Both sides are cards' processor endpoint served by uvicorn in this process on PostgreSQL:
one reserves funds by request/reply over RabbitMQ with accounts_payments' real responder
(which places a ledger hold on PostgreSQL), the other approves once the local decision
passes (a funds port that answers at once). Same requests, same run, so the difference is what
the hold round trip costs. PostgreSQL comes from ``DATABASE_URL`` (a server URL; a scratch
database is created and dropped), else ``postgresql://postgres@127.0.0.1:5432``; RabbitMQ from
``RABBITMQ_URL``, else ``amqp://guest:guest@127.0.0.1:5672/`` (a namespace of its own).
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import asyncpg
import httpx
from litestar import Litestar

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
from bench.load import LoadResult, free_port, run_load
from building_blocks.messaging import RabbitMqMessageBus
from building_blocks.observability import configure_logging
from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from building_blocks.runtime import ServiceHost, serve_hosts
from building_blocks.settings import Secret
from building_blocks.web import EnvelopeStyle, create_app
from building_blocks.webhooks import WebhookQueue
from cards.adapters.crypto.audit_mac import HmacAuditMac
from cards.adapters.messaging.bus_funds import BusFundsReservation
from cards.adapters.persistence import tables as cards_tables
from cards.adapters.persistence.unit_of_work import SqlAlchemyCardsUnitOfWork
from cards.application.authorizations.authorize import Authorize
from cards.application.authorizations.settle import ClearAuthorization, ReverseAuthorization
from cards.application.ports.funds import FundsAnswer, FundsReservation
from cards.application.ports.unit_of_work import CardsUnitOfWork
from cards.domain.card import Card
from cards.domain.card_profile import CardProfile
from cards.domain.card_types import CardForm
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import Actor, ChangeContext, Channel
from cards.domain.limits import CardLimits, LimitKind
from cards.entrypoints.http.processor import processor_route_handlers
from shared_kernel.contracts import FundsReservationRequestedV1
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Currency, Money

KEY = "bench-processor-key-0123456789abcdef"
CUSTOMER = "cust-bench"
ACCOUNTS, CARDS_PER_ACCOUNT = 8, 4
DEADLINE_SECONDS = 0.3  # CARDS_AUTHORIZATION_DEADLINE_SECONDS' default


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _NoHold:
    """A funds port that approves at once: what is left is the local decision and storage."""

    async def reserve(
        self,
        request: FundsReservationRequestedV1,
        *,
        timeout: float,  # noqa: ASYNC109
    ) -> FundsAnswer | None:
        return FundsAnswer(approved=True, hold_id=request.authorization_id)


async def _scratch_database(server: str) -> tuple[str, str]:
    name = f"bench_authorize_{os.getpid()}"
    connection = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name, server.rsplit("/", 1)[0] + f"/{name}"


async def _drop(server: str, name: str) -> None:
    connection = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def _ledger_units(database: Database) -> Callable[[], CardFundsTransaction]:
    cipher = AesGcmSecretCipher(os.urandom(32))

    def unit() -> CardFundsTransaction:
        work: Any = SqlAlchemyCardFundsUnitOfWork(
            database.sessions,
            outbox=Outbox(ap_tables.messaging),
            webhooks=WebhookQueue(ap_tables.webhooks),
            cipher=cipher,
        )
        return cast(CardFundsTransaction, work)

    return unit


async def _open_account(units: Callable[[], CardFundsTransaction]) -> str:
    """An active EUR account with more money than the run can spend."""
    account = Account(
        account_id=new_id(),
        customer_id=CUSTOMER,
        client_id="client-bench",
        currency="EUR",
        country_code="ES",
        partner_product="Banking-EU-1",
        holder_name="Bench Ltd",
        alias="Main",
        address=PostalAddress(),
        status=AccountStatus.ACTIVE,
    )
    account.attach_provider("m-bench", BankDetails(provider_account_id=f"pa-{account.account_id}"))
    money = Money.of(10**12, "EUR")
    async with units() as uow:
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


def _card(number: int, account_id: str) -> Card:
    profile = CardProfile(
        card_id=f"card-{number}",
        tenant_id=CUSTOMER,
        account_id=account_id,
        company_id="client-bench",
        form=CardForm.VIRTUAL,
        currency=Currency.of("EUR"),
        last4=f"{number % 10_000:04d}",
        expiry=Expiry(month=12, year=_utc_now().year + 3),
        pan_ref=f"vault:card-{number}:PAN",
    )
    context = ChangeContext(
        actor=Actor.system("bench"), channel=Channel.SYSTEM, reason="bench", at=_utc_now()
    )
    # Limits make every authorization read the card's spend, as a real programme's would.
    generous = Money.of(10**11, "EUR")
    limits = CardLimits.of(
        "EUR",
        {LimitKind.DAILY: generous, LimitKind.MONTHLY: generous, LimitKind.LIFETIME: generous},
    )
    return Card.issue(profile, context, limits=limits)


def _app(units: Callable[[], CardsUnitOfWork], funds: FundsReservation) -> Litestar:
    return create_app(
        service="cards",
        route_handlers=processor_route_handlers(
            api_key=Secret(KEY),
            authorize=Authorize(units, funds, deadline=DEADLINE_SECONDS),
            clear_authorization=ClearAuthorization(units),
            reverse_authorization=ReverseAuthorization(units),
        ),
        readiness={},
        envelope_style=EnvelopeStyle.CARD,
    )


def _ratio(measured: LoadResult, baseline: LoadResult) -> str:
    return (
        f"  hold round trip: p50 +{measured.p50_ms - baseline.p50_ms:.2f} ms, "
        f"p99 +{measured.p99_ms - baseline.p99_ms:.2f} ms "
        f"(x{measured.p50_ms / baseline.p50_ms:.1f} / x{measured.p99_ms / baseline.p99_ms:.1f})"
    )


async def authorize_under_load(seconds: float = 5.0, clients: int = 8) -> list[str]:
    """Run both sides, one client (latency) then ``clients``; return the report."""
    # Every decision is logged at INFO; printing them would be most of what is measured.
    configure_logging("cards", "WARNING")
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    amqp = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    name, url = await _scratch_database(server)
    namespace = f"bench-{os.getpid()}"
    ap_database = Database(url, schema="accounts_payments")
    cards_database = Database(url, schema="cards")
    buses = [
        RabbitMqMessageBus(amqp, service, namespace=namespace)
        for service in ("accounts_payments", "cards")
    ]
    ap_bus, cards_bus = buses
    report: list[str] = []
    stop = asyncio.Event()
    serving: asyncio.Task[None] | None = None
    try:
        await ap_database.create_schema(ap_tables.metadata)
        await cards_database.create_schema(cards_tables.metadata)
        for bus in buses:
            await bus.start()
        ledger = _ledger_units(ap_database)
        await serve_card_funds(
            ap_bus,
            reserve=ReserveCardFunds(ledger, _utc_now),
            settle=SettleCardFunds(ledger, _utc_now),
            units=ledger,
            messaging=ap_tables.messaging,
        )
        mac = HmacAuditMac(os.urandom(32))

        def units() -> CardsUnitOfWork:
            work: Any = SqlAlchemyCardsUnitOfWork(
                cards_database.sessions,
                outbox=Outbox(cards_tables.messaging),
                webhooks=WebhookQueue(cards_tables.webhooks),
                audit_mac=mac,
            )
            return cast(CardsUnitOfWork, work)

        async with units() as uow:
            for account in range(ACCOUNTS):
                account_id = await _open_account(ledger)
                for n in range(CARDS_PER_ACCOUNT):
                    await uow.cards.add(_card(account * CARDS_PER_ACCOUNT + n, account_id))
            await uow.commit()
        held_port, local_port = free_port(), free_port()
        hosts = [
            ServiceHost(
                name="cards", app=_app(units, BusFundsReservation(cards_bus)), port=held_port
            ),
            ServiceHost(name="cards-local", app=_app(units, _NoHold()), port=local_port),
        ]
        serving = asyncio.create_task(serve_hosts(hosts, stop))
        for port in (held_port, local_port):
            await _wait_until_serving(port)
        declines: Counter[str] = Counter()

        def authorize(side: str) -> Any:
            async def request(client: httpx.AsyncClient, n: int) -> httpx.Response:
                response = await client.post(
                    "/processor/authorizations",
                    json={
                        "processorId": f"bench-{os.getpid()}-{side}-{n}",
                        "cardId": f"card-{n % (ACCOUNTS * CARDS_PER_ACCOUNT)}",
                        "amount": "12.50",
                        "currency": "EUR",
                        "merchant": {"name": "Bench Shop", "mcc": "5411", "country": "ES"},
                    },
                    headers={"X-Api-Key": KEY},
                )
                if response.status_code == 200 and response.json()["decision"] != "APPROVED":
                    declines[side] += 1
                return response

            return request

        for concurrency in (1, clients):
            tag = f"{concurrency}c"
            baseline = await run_load(
                "local decision only (no hold)",
                f"http://127.0.0.1:{local_port}",
                authorize(f"local-{tag}"),
                clients=concurrency,
                seconds=seconds,
            )
            measured = await run_load(
                "with the RabbitMQ hold round trip",
                f"http://127.0.0.1:{held_port}",
                authorize(f"held-{tag}"),
                clients=concurrency,
                seconds=seconds,
            )
            report += [
                f"POST /processor/authorizations on PostgreSQL + RabbitMQ, {concurrency} "
                f"concurrent client(s), {seconds:.0f} s each side, deadline "
                f"{DEADLINE_SECONDS * 1000:.0f} ms:",
                baseline.line(),
                measured.line(),
                _ratio(measured, baseline),
            ]
        report.append(f"  declines (fallbacks past the deadline included): {dict(declines)}")
    finally:
        stop.set()
        if serving is not None:
            await serving
        for bus in buses:
            await bus.close()
        for bus in buses:
            await bus.delete_topology()
        await ap_database.dispose()
        await cards_database.dispose()
        await _drop(server, name)
    return report


async def _wait_until_serving(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
        for _ in range(200):
            try:
                await client.get("/health/live")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError(f"nothing serves port {port}")
