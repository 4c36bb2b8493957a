"""BusFundsReservation on the in-memory bus: answers, and every way of getting none."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from building_blocks.messaging import InMemoryBroker, InMemoryMessageBus
from cards.adapters.messaging.bus_funds import BusFundsReservation
from cards.application.ports.funds import FundsAnswer
from shared_kernel.contracts import (
    AccountOpenedV1,
    Envelope,
    FundsReservationAnsweredV1,
    FundsReservationRequestedV1,
    IntegrationMessage,
)

pytestmark = pytest.mark.unit


def request(authorization_id: str = "auth-1") -> FundsReservationRequestedV1:
    return FundsReservationRequestedV1(
        customer_id="cust-1",
        account_id="acc-1",
        card_id="card-1",
        card_last4="4242",
        authorization_id=authorization_id,
        amount_minor=1250,
        currency="EUR",
        merchant_name="Corner Shop",
    )


class Buses:
    def __init__(self) -> None:
        broker = InMemoryBroker()
        self.cards = InMemoryMessageBus(broker, "cards")
        self.ledger = InMemoryMessageBus(broker, "accounts_payments")
        self.seen: list[Envelope] = []

    async def serve(self, answer: IntegrationMessage, *, late: float = 0.0) -> None:
        async def respond(envelope: Envelope) -> IntegrationMessage:
            self.seen.append(envelope)
            await asyncio.sleep(late)
            return answer

        await self.ledger.serve(respond)


@pytest.fixture
async def buses() -> AsyncIterator[Buses]:
    made = Buses()
    for bus in (made.cards, made.ledger):
        await bus.start()
    yield made
    for bus in (made.cards, made.ledger):
        await bus.close()


async def test_an_answer_is_returned_as_the_port_says(buses: Buses) -> None:
    await buses.serve(
        FundsReservationAnsweredV1(authorization_id="auth-1", approved=True, hold_id="auth-1")
    )

    answer = await BusFundsReservation(buses.cards).reserve(request(), timeout=1.0)

    assert answer == FundsAnswer(approved=True, hold_id="auth-1")
    [asked] = buses.seen
    assert asked.correlation_id == "auth-1"
    assert asked.payload == request()


async def test_a_refusal_carries_its_reason(buses: Buses) -> None:
    await buses.serve(
        FundsReservationAnsweredV1(
            authorization_id="auth-1", approved=False, reason="INSUFFICIENT_FUNDS"
        )
    )

    answer = await BusFundsReservation(buses.cards).reserve(request(), timeout=1.0)

    assert answer == FundsAnswer(approved=False, reason="INSUFFICIENT_FUNDS")


async def test_no_reply_in_time_is_no_answer(buses: Buses) -> None:
    await buses.serve(
        FundsReservationAnsweredV1(authorization_id="auth-1", approved=True), late=0.5
    )

    assert await BusFundsReservation(buses.cards).reserve(request(), timeout=0.05) is None


async def test_nothing_serving_accounts_payments_is_no_answer(buses: Buses) -> None:
    assert await BusFundsReservation(buses.cards).reserve(request(), timeout=1.0) is None


async def test_a_stopped_bus_is_no_answer(buses: Buses) -> None:
    await buses.cards.close()

    assert await BusFundsReservation(buses.cards).reserve(request(), timeout=1.0) is None


@pytest.mark.parametrize(
    "reply",
    [
        FundsReservationAnsweredV1(authorization_id="auth-2", approved=True),
        AccountOpenedV1(customer_id="c", client_id="c", account_id="a", currency="EUR"),
    ],
    ids=["another-authorization", "another-message"],
)
async def test_a_reply_that_does_not_answer_the_request_is_no_answer(
    buses: Buses, reply: IntegrationMessage
) -> None:
    await buses.serve(reply)

    assert await BusFundsReservation(buses.cards).reserve(request(), timeout=1.0) is None
