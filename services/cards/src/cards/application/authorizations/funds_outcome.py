"""What accounts_payments' answer (or its absence) does to an authorization waiting for funds."""

from __future__ import annotations

from datetime import datetime

import structlog

from cards.application.authorizations.funds_messages import release_request
from cards.application.ports.funds import FundsAnswer
from cards.application.ports.unit_of_work import CardsUnitOfWork
from cards.domain.authorization import Authorization
from cards.domain.authorization_decision import AuthorizationKind, DeclineReason
from cards.domain.authorization_values import HoldAction

log = structlog.get_logger(__name__)


def apply_funds_answer(
    uow: CardsUnitOfWork,
    authorization: Authorization,
    answer: FundsAnswer | None,
    now: datetime,
) -> None:
    """Approve or decline ``authorization`` for ``answer``; ``None`` means none came in time.

    An authorization is approved when the hold is placed and declined otherwise; without an
    answer it is declined FUNDS_TIMEOUT and a VOID is published in ``uow``, so a hold placed
    late is released (or refused when it arrives after the VOID). An advice is approved
    whatever the answer: the processor approved it in stand-in and the money will clear
    whatever we say. A refused or missing hold for an advice is logged for an operator, and
    no VOID is sent, so a hold placed late is what its clearing posts.
    """
    if authorization.request.kind is AuthorizationKind.ADVICE:
        if answer is None or not answer.approved:
            log.error(
                "authorization.advice_without_hold",
                authorization_id=authorization.authorization_id,
                card_id=authorization.card_id,
                funds_reason=answer.reason if answer is not None else "NO_ANSWER",
            )
        authorization.approve(now)
        return
    if answer is not None and answer.approved:
        authorization.approve(now)
        return
    reason = (
        DeclineReason.FUNDS_TIMEOUT
        if answer is None
        else DeclineReason.from_funds_refusal(answer.reason or "")
    )
    instruction = authorization.decline(reason, now)
    if instruction.action is HoldAction.VOID:
        release = release_request(authorization, "VOID", authorization.amount, now)
        uow.publish(release, correlation_id=authorization.authorization_id)
