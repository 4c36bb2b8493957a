"""Sending a committed card to the processor, and recording its answer.

A card is committed first, then requested from the processor: cards never asks for a card
it has not stored. An accepted request records the processor's id. A refused one closes the
card (channel PROCESSOR, the refusal as reason), records it, and tells Toqio: the status
webhook and ``CARD_FAILED`` {cardId}. A processor that cannot be reached leaves the card
``REQUESTED`` (logged) for an operator or a later retry.
"""

from __future__ import annotations

import dataclasses
import re

import structlog

from cards.application.cards.changes import CARD_FAILED, announce_transition
from cards.application.cards.ports import (
    CardIssuance,
    CardProcessor,
    CardsWorkFactory,
    Clock,
    ProcessorCardRequest,
    ProcessorRefused,
    ProcessorStatus,
)
from cards.domain.lifecycle import Actor, ChangeContext, Channel

MAX_REASON_LENGTH = 200
# A processor's free text might quote a card number: long digit runs never get through.
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){5,}")

_log = structlog.get_logger(__name__)


def clean_reason(reason: str) -> str:
    """The processor's reason, short, printable, and with no long run of digits."""
    text = _DIGIT_RUN.sub("[digits]", " ".join(str(reason).split()))
    text = "".join(c for c in text if c.isprintable())[:MAX_REASON_LENGTH]
    return text or "no reason given"


class CardRequestSender:
    """Asks the processor for committed cards and records each answer in its own transaction."""

    def __init__(self, units: CardsWorkFactory, processor: CardProcessor, clock: Clock) -> None:
        self._units = units
        self._processor = processor
        self._clock = clock

    async def __call__(self, request: ProcessorCardRequest) -> ProcessorStatus:
        """Send ``request``; where it stands afterwards."""
        try:
            processor_card_id = await self._processor.issue_card(request)
        except ProcessorRefused as refusal:
            await self._refused(request, clean_reason(refusal.reason))
            return ProcessorStatus.FAILED
        except Exception as error:  # any failure to reach it is the same to us
            _log.warning(
                "card.processor_unreachable",
                card_id=request.card_id,
                error_type=type(error).__name__,
            )
            return ProcessorStatus.REQUESTED
        await self._accepted(request, processor_card_id)
        return ProcessorStatus.ACCEPTED

    async def _accepted(self, request: ProcessorCardRequest, processor_card_id: str) -> None:
        async with self._units() as work:
            issuance = await work.cards.issuance(request.card_id) or CardIssuance()
            await work.cards.record_issuance(
                request.card_id,
                dataclasses.replace(
                    issuance,
                    processor_status=ProcessorStatus.ACCEPTED,
                    processor_card_id=processor_card_id,
                ),
            )
            await work.commit()
        _log.info("card.processor_accepted", card_id=request.card_id)

    async def _refused(self, request: ProcessorCardRequest, reason: str) -> None:
        context = ChangeContext(
            actor=Actor.processor(),
            channel=Channel.PROCESSOR,
            reason=f"the card processor refused the card: {reason}",
            at=self._clock(),
        )
        async with self._units() as work:
            card = await work.cards.get(request.tenant_id, request.card_id, for_update=True)
            if card is None:  # pragma: no cover - committed before the request was sent
                return
            # Toqio may have cancelled it meanwhile: a final card stays as it is.
            transition = None if card.status.is_terminal else card.close(context)
            if transition is not None:
                await work.cards.save(card)
                await announce_transition(work, transition)
            issuance = await work.cards.issuance(card.card_id) or CardIssuance()
            await work.cards.record_issuance(
                card.card_id,
                dataclasses.replace(
                    issuance, processor_status=ProcessorStatus.FAILED, processor_reason=reason
                ),
            )
            await work.notify_toqio(
                CARD_FAILED,
                {"cardId": card.card_id},
                customer_id=card.tenant_id,
                ordering_key=f"card:{card.card_id}",
                dedupe_key=f"card-failed:{card.card_id}",
            )
            await work.commit()
        _log.info("card.processor_refused", card_id=request.card_id, reason=reason)
