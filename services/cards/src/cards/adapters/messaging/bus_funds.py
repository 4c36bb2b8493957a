"""BusFundsReservation: funds for an authorization asked of accounts_payments by request/reply."""

from __future__ import annotations

import structlog

from building_blocks.messaging import MessageBus, PublishFailed, RequestTimedOut
from cards.application.ports.funds import FundsAnswer
from shared_kernel.contracts import (
    Envelope,
    FundsReservationAnsweredV1,
    FundsReservationRequestedV1,
)

log = structlog.get_logger(__name__)

FUNDS_SERVICE = "accounts_payments"


class BusFundsReservation:
    """``FundsReservation`` over the message bus; any failure to get an answer is ``None``.

    ``None`` covers a reply that did not come in time (``RequestTimedOut``), nothing serving
    accounts_payments (``NoResponder``, a ``RequestTimedOut``), a request the broker did not
    take (``PublishFailed``) and a reply that does not answer this request: the caller then
    declines with its recorded fallback and voids any hold placed late.
    """

    def __init__(self, bus: MessageBus, *, target_service: str = FUNDS_SERVICE) -> None:
        self._bus = bus
        self._target = target_service

    async def reserve(
        self,
        request: FundsReservationRequestedV1,
        *,
        timeout: float,  # noqa: ASYNC109
    ) -> FundsAnswer | None:
        """accounts_payments' answer to ``request``, or ``None`` after ``timeout`` seconds."""
        envelope = Envelope.wrap(request, correlation_id=request.authorization_id)
        try:
            reply = await self._bus.request(self._target, envelope, timeout=timeout)
        except (RequestTimedOut, PublishFailed) as error:
            log.warning(
                "funds.no_answer",
                authorization_id=request.authorization_id,
                error_type=type(error).__name__,
            )
            return None
        answer = reply.payload
        if (
            not isinstance(answer, FundsReservationAnsweredV1)
            or answer.authorization_id != request.authorization_id
        ):
            log.error(
                "funds.unexpected_reply",
                authorization_id=request.authorization_id,
                reply_type=reply.type,
            )
            return None
        return FundsAnswer(approved=answer.approved, hold_id=answer.hold_id, reason=answer.reason)
