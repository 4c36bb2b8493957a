"""Authorize: the processor's real-time authorization (or advice), backed by a ledger hold.

Stored before it is decided. The first transaction locks the card, records the request with
its local decision (card state, controls, limits) and commits; funds are then asked of
accounts_payments outside any transaction, for at most the deadline; a second transaction
records the answer. No answer in time is a recorded FUNDS_TIMEOUT decline, and a VOID goes
out through the outbox so a hold placed late is released (or never placed).

The processor's id is the idempotency key: the same request again gets the stored decision,
another request under that id a ``Conflict`` and no change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from cards.application.authorizations.funds_messages import reservation_request
from cards.application.authorizations.funds_outcome import apply_funds_answer
from cards.application.ports.funds import FundsAnswer, FundsReservation
from cards.application.ports.unit_of_work import CardsUnitOfWork, CardsUnitOfWorkFactory
from cards.domain import errors
from cards.domain.authorization import Authorization
from cards.domain.authorization_decision import (
    AuthorizationRequest,
    DeclineReason,
    LocalDecision,
    decide_locally,
)
from cards.domain.authorization_values import AuthorizationStatus, ProcessorDecision
from cards.domain.card import Card
from cards.domain.spend import SpendUsage
from shared_kernel.domain.errors import Conflict
from shared_kernel.domain.ids import new_id

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]

DEFAULT_DEADLINE_SECONDS = 0.3
# A request still waiting for funds this long after it arrived was abandoned (its process
# died between the two transactions): a replay finishes it with the fallback decline.
DEFAULT_ABANDONED_AFTER_SECONDS = 5.0
# Slack beyond the deadline for an adapter that overruns it; the bus honours it itself.
_OVERRUN_SECONDS = 0.05
AUTHORIZATION_IN_PROGRESS = "AUTHORIZATION_IN_PROGRESS"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def authorization_in_progress(processor_id: str) -> Conflict:
    """The same request arrived while the first one is still waiting for funds."""
    return Conflict(
        f"authorization {processor_id} is still being decided; send it again shortly",
        code=AUTHORIZATION_IN_PROGRESS,
    )


@dataclass(frozen=True, slots=True)
class AuthorizationAnswer:
    """What the processor is answered; ``reason`` is ``None`` for an approval."""

    authorization_id: str
    decision: ProcessorDecision
    reason: DeclineReason | None
    replayed: bool = False

    @classmethod
    def of(cls, authorization: Authorization, *, replayed: bool = False) -> AuthorizationAnswer:
        """The answer an authorization that has been decided gives."""
        decision = authorization.decision
        if decision is None:
            raise authorization_in_progress(authorization.processor_id)
        return cls(
            authorization_id=authorization.authorization_id,
            decision=decision,
            reason=authorization.decline_reason,
            replayed=replayed,
        )


@dataclass(frozen=True, slots=True)
class _Opened:
    authorization: Authorization
    card: Card | None
    decision: LocalDecision


class Authorize:
    """Decide one authorization or advice from the card processor."""

    def __init__(
        self,
        units: CardsUnitOfWorkFactory,
        funds: FundsReservation,
        *,
        clock: Clock = _utc_now,
        deadline: float = DEFAULT_DEADLINE_SECONDS,
        abandoned_after: float = DEFAULT_ABANDONED_AFTER_SECONDS,
    ) -> None:
        """Wire the use case.

        Args:
            units: A new unit of work per transaction.
            funds: Where holds are asked for.
            clock: The time of decisions and the UTC day limits are counted in.
            deadline: Seconds to wait for accounts_payments' answer
                (``CARDS_AUTHORIZATION_DEADLINE_SECONDS``).
            abandoned_after: Seconds after which a request still waiting for funds is
                finished with the fallback by a replay of it (or by the sweep).
        """
        self._units = units
        self._funds = funds
        self._clock = clock
        self._deadline = deadline
        self._abandoned_after = timedelta(seconds=abandoned_after)

    async def __call__(self, request: AuthorizationRequest) -> AuthorizationAnswer:
        """The decision on ``request``: stored before, or made now.

        Raises:
            Conflict: ``AUTHORIZATION_MISMATCH`` when the processor id was used for another
                request (nothing changes); ``AUTHORIZATION_IN_PROGRESS`` when it is the same
                request and the first is still waiting for funds.
        """
        started = time.perf_counter()
        opened = await self._open(request)
        if isinstance(opened, AuthorizationAnswer):
            return opened
        authorization = opened.authorization
        if authorization.status is AuthorizationStatus.PENDING_FUNDS:
            assert opened.card is not None  # only a known card reserves funds
            answer = await self._reserve(authorization, opened.card)
            authorization = await self._record(authorization.authorization_id, answer)
        _log_decision(authorization, opened, started)
        return AuthorizationAnswer.of(authorization)

    # First transaction: store the request with its local decision -----------------------

    async def _open(self, request: AuthorizationRequest) -> _Opened | AuthorizationAnswer:
        async with self._units() as uow:
            # Locking the card first queues this card's authorizations (and lifecycle changes)
            # behind each other, so each one's usage includes the one before.
            card = await uow.cards.find(request.card_id, for_update=True)
            stored = await uow.authorizations.by_processor_id(request.processor_id, for_update=True)
            if stored is not None:
                return await self._replay(uow, stored, request)
            opened = await self._decide(uow, card, request)
            if not await uow.authorizations.add(opened.authorization):
                # The same processor id committed meanwhile (another card was locked).
                stored = await uow.authorizations.by_processor_id(
                    request.processor_id, for_update=True
                )
                if stored is None:  # pragma: no cover - add() refuses only a stored id
                    raise authorization_in_progress(request.processor_id)
                return await self._replay(uow, stored, request)
            await uow.commit()
        return opened

    async def _decide(
        self, uow: CardsUnitOfWork, card: Card | None, request: AuthorizationRequest
    ) -> _Opened:
        now = self._clock()
        if card is None:
            decision = LocalDecision(request.spend_kind, DeclineReason.CARD_NOT_FOUND)
            authorization = Authorization.open(
                authorization_id=new_id(), request=request, decision=decision, at=now
            )
            return _Opened(authorization, None, decision)
        today = now.date()
        # Without a limit nothing reads the usage: spare the hot path its query.
        usage = (
            await uow.authorizations.usage(card.card_id, card.currency, today)
            if card.limits.configured()
            else SpendUsage.zero(card.currency)
        )
        decision = decide_locally(card, usage, request, today)
        authorization = Authorization.open(
            authorization_id=new_id(),
            request=request,
            decision=decision,
            at=now,
            tenant_id=card.tenant_id,
            account_id=card.profile.account_id,
        )
        return _Opened(authorization, card, decision)

    async def _replay(
        self, uow: CardsUnitOfWork, stored: Authorization, request: AuthorizationRequest
    ) -> AuthorizationAnswer:
        stored.check_replay(request)
        if stored.status is AuthorizationStatus.PENDING_FUNDS:
            now = self._clock()
            if now - stored.created_at < self._abandoned_after:
                raise authorization_in_progress(request.processor_id)
            log.warning(
                "authorization.abandoned",
                authorization_id=stored.authorization_id,
                card_id=stored.card_id,
            )
            apply_funds_answer(uow, stored, None, now)
            await uow.authorizations.save(stored)
            await uow.commit()
        log.info(
            "authorization.replayed",
            authorization_id=stored.authorization_id,
            processor_id=stored.processor_id,
            card_id=stored.card_id,
            decision=stored.status.value,
        )
        return AuthorizationAnswer.of(stored, replayed=True)

    # Funds: asked outside any transaction, recorded in a second one ----------------------

    async def _reserve(self, authorization: Authorization, card: Card) -> FundsAnswer | None:
        request = reservation_request(authorization, card.profile.last4, self._clock())
        try:
            async with asyncio.timeout(self._deadline + _OVERRUN_SECONDS):
                return await self._funds.reserve(request, timeout=self._deadline)
        except TimeoutError:
            log.warning("authorization.funds_timeout", authorization_id=request.authorization_id)
        except Exception as error:
            # Whatever broke, the processor still needs an answer now: the fallback.
            log.warning(
                "authorization.funds_failed",
                authorization_id=request.authorization_id,
                error_type=type(error).__name__,
            )
        return None

    async def _record(self, authorization_id: str, answer: FundsAnswer | None) -> Authorization:
        async with self._units() as uow:
            authorization = await uow.authorizations.get(authorization_id, for_update=True)
            if authorization is None:  # pragma: no cover - stored by the first transaction
                raise errors.authorization_not_found(authorization_id)
            if authorization.status is not AuthorizationStatus.PENDING_FUNDS:
                # A replay (or the sweep) found it abandoned and finished it: that answer stands.
                return authorization
            apply_funds_answer(uow, authorization, answer, self._clock())
            await uow.authorizations.save(authorization)
            await uow.commit()
        return authorization


def _log_decision(authorization: Authorization, opened: _Opened, started: float) -> None:
    card = opened.card
    log.info(
        "authorization.decided",
        authorization_id=authorization.authorization_id,
        processor_id=authorization.processor_id,
        card_id=authorization.card_id,
        card_last4=card.profile.last4 if card is not None else None,
        kind=authorization.request.kind.value,
        decision=authorization.status.value,
        reason=authorization.decline_reason.value if authorization.decline_reason else None,
        advisory_reason=(
            opened.decision.advisory_reason.value if opened.decision.advisory_reason else None
        ),
        amount_minor=authorization.amount.minor,
        currency=authorization.amount.currency.code,
        mcc=authorization.request.merchant.mcc,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
    )
