"""The card funds consumers: the reservation responder and the handler of release events.

cards asks for a reservation by request/reply (``FundsReservationRequestedV1``) and sends
clearings and reversals as events from its outbox (``FundsReleaseRequestedV1``). A release is
applied exactly once: its inbox row commits in the same transaction as its ledger effect, and
a redelivered message finds the row and is acknowledged untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from accounts_payments.application.cards.ports import CardFundsWork
from accounts_payments.application.cards.reserve import ReserveCardFunds
from accounts_payments.application.cards.settle import SettleCardFunds
from building_blocks.messaging import Binding, Handler, MessageBus, Responder
from building_blocks.outbox import Inbox, MessagingTables
from shared_kernel.contracts import (
    Envelope,
    FundsReleaseRequestedV1,
    FundsReservationRequestedV1,
    IntegrationMessage,
)

log = structlog.get_logger(__name__)

CONSUMER = "accounts_payments.card_funds"
RELEASE_QUEUE = "card-funds-releases"
RELEASE_BINDINGS = (Binding("cards", FundsReleaseRequestedV1.routing_key()),)


class UnexpectedRequest(Exception):
    """A request accounts_payments does not answer; the requester falls back at its deadline."""


class CardFundsTransaction(CardFundsWork, Protocol):
    """A card funds unit of work whose session the inbox row is written in."""

    @property
    def session(self) -> AsyncSession: ...


def card_funds_responder(reserve: ReserveCardFunds) -> Responder:
    """The bus responder of accounts_payments: it answers funds reservations.

    Any other request raises, so it gets no answer (the bus logs it).
    """

    async def answer(envelope: Envelope) -> IntegrationMessage:
        request = envelope.payload
        if not isinstance(request, FundsReservationRequestedV1):
            raise UnexpectedRequest(f"accounts_payments answers no {envelope.routing_key} request")
        return await reserve(request)

    return answer


def release_handler(
    units: Callable[[], CardFundsTransaction],
    messaging: MessagingTables,
    settle: SettleCardFunds,
) -> Handler:
    """A bus handler applying each release once (inbox row and ledger effect together).

    Other message types are acknowledged untouched, without opening a transaction. A release
    that cannot be applied raises, so the broker redelivers it up to the queue's delivery
    limit and then dead-letters it for an operator.
    """
    inbox = Inbox(messaging)

    async def handle(envelope: Envelope) -> None:
        release = envelope.payload
        if not isinstance(release, FundsReleaseRequestedV1):
            return
        async with units() as uow:
            if not await inbox.record(uow.session, CONSUMER, envelope.message_id):
                log.info("duplicate card funds release skipped", message_id=envelope.message_id)
                return
            await settle.apply(uow, release)
            await uow.commit()

    return handle


async def serve_card_funds(
    bus: MessageBus,
    *,
    reserve: ReserveCardFunds,
    settle: SettleCardFunds,
    units: Callable[[], CardFundsTransaction],
    messaging: MessagingTables,
) -> None:
    """Answer reservation requests and consume release events on ``bus`` (a startup hook)."""
    await bus.serve(card_funds_responder(reserve))
    await bus.subscribe(RELEASE_QUEUE, RELEASE_BINDINGS, release_handler(units, messaging, settle))
