"""ClearAuthorization and ReverseAuthorization: the processor settles an approved authorization.

A clearing posts the hold (for the amount cleared; accounts_payments releases the rest and
books the card transaction); a reversal of everything still open voids it; a partial reversal
only shrinks what a later clearing may post. The hold instruction leaves through the outbox
in the transaction that records the operation. Neither looks at the card: a card closed since
the authorization still clears. Each is idempotent on the processor's id of the operation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import structlog

from cards.application.authorizations.funds_messages import release_request
from cards.application.ports.unit_of_work import CardsUnitOfWorkFactory
from cards.domain import errors
from cards.domain.authorization import Authorization
from cards.domain.authorization_values import (
    AuthorizationStatus,
    HoldAction,
    OperationKind,
    OperationOutcome,
)
from shared_kernel.domain.errors import FieldProblem, InvalidInput
from shared_kernel.domain.money import Money

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settlement:
    """A clearing or reversal as the processor sends it; ``amount`` is in the card currency."""

    processor_id: str
    authorization_id: str
    amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementAnswer:
    """The authorization after the operation: what it applied and what is left open."""

    authorization_id: str
    processor_id: str
    kind: OperationKind
    amount: Money
    status: AuthorizationStatus
    open_amount: Money
    replayed: bool = False


class _Settle:
    """Apply one kind of operation to a stored authorization and send its hold instruction."""

    _kind: OperationKind

    def __init__(self, units: CardsUnitOfWorkFactory, *, clock: Clock = _utc_now) -> None:
        self._units = units
        self._clock = clock

    async def __call__(self, settlement: Settlement) -> SettlementAnswer:
        """Apply ``settlement``, or answer as before if it was applied already.

        Raises:
            NotFound: ``AUTHORIZATION_NOT_FOUND``.
            InvalidInput: an amount that is not positive or has too many decimals.
            Conflict: the authorization is not approved (``AUTHORIZATION_STATE_CONFLICT``) or
                the processor id was used for another operation (``OPERATION_MISMATCH``).
            RuleViolated: more than is still open (``*_EXCEEDS_AUTHORIZATION``).
        """
        async with self._units() as uow:
            authorization = await uow.authorizations.get(
                settlement.authorization_id, for_update=True
            )
            if authorization is None:
                raise errors.authorization_not_found(settlement.authorization_id)
            amount = _money(settlement.amount, authorization)
            now = self._clock()
            outcome = self._apply(authorization, settlement.processor_id, amount, now)
            if not outcome.replayed:
                await uow.authorizations.save(authorization)
                instruction = outcome.instruction
                if instruction.action is HoldAction.POST:
                    assert instruction.amount is not None  # a POST names its amount
                    release = release_request(authorization, "POST", instruction.amount, now)
                    uow.publish(release, correlation_id=authorization.authorization_id)
                elif instruction.action is HoldAction.VOID:
                    release = release_request(authorization, "VOID", amount, now)
                    uow.publish(release, correlation_id=authorization.authorization_id)
                await uow.commit()
        log.info(
            "authorization.settled",
            authorization_id=authorization.authorization_id,
            card_id=authorization.card_id,
            operation=self._kind.value,
            processor_id=outcome.operation.processor_id,
            amount_minor=amount.minor,
            status=authorization.status.value,
            replayed=outcome.replayed,
        )
        return SettlementAnswer(
            authorization_id=authorization.authorization_id,
            processor_id=outcome.operation.processor_id,
            kind=self._kind,
            amount=outcome.operation.amount,
            status=authorization.status,
            open_amount=authorization.open_amount,
            replayed=outcome.replayed,
        )

    def _apply(
        self, authorization: Authorization, processor_id: str, amount: Money, at: datetime
    ) -> OperationOutcome:
        raise NotImplementedError


class ClearAuthorization(_Settle):
    """The processor's clearing: post (at most) the open amount of the hold."""

    _kind = OperationKind.CLEARING

    def _apply(
        self, authorization: Authorization, processor_id: str, amount: Money, at: datetime
    ) -> OperationOutcome:
        return authorization.clear(processor_id, amount, at)


class ReverseAuthorization(_Settle):
    """The processor's reversal: void the hold when all that is open is reversed."""

    _kind = OperationKind.REVERSAL

    def _apply(
        self, authorization: Authorization, processor_id: str, amount: Money, at: datetime
    ) -> OperationOutcome:
        return authorization.reverse(processor_id, amount, at)


def _money(amount: Decimal, authorization: Authorization) -> Money:
    """``amount`` in the authorization's currency, refused (never rounded) if it does not fit."""
    try:
        return Money.from_decimal(amount, authorization.amount.currency)
    except InvalidInput as error:
        raise InvalidInput(
            error.message,
            code=error.code,
            problems=(FieldProblem("amount", error.code, error.message),),
        ) from None
