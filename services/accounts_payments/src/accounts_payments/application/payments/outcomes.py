"""ApplyProviderPaymentUpdate: the provider's news about a payment, applied exactly once.

The provider may report an outcome twice, late or out of order. The payment row is locked,
news of a state already passed changes nothing, and the ledger effect of a move (post, void
or reverse) commits together with the move, its webhook and its events, or not at all.
"""

from __future__ import annotations

import structlog

from accounts_payments.application.payments import ledger_moves
from accounts_payments.application.payments.announcements import announce
from accounts_payments.application.payments.ports import PaymentsUnitOfWorkFactory, PaymentsWork
from accounts_payments.application.payments.views import TRANSACTION_NOT_FOUND
from accounts_payments.application.ports.payment_provider import (
    ProviderPaymentStatus,
    ProviderPaymentUpdate,
)
from accounts_payments.domain.payments.lifecycle import PaymentState
from accounts_payments.domain.payments.payment import Payment
from accounts_payments.domain.payments.reasons import ReasonCode
from shared_kernel.domain.errors import NotFound

log = structlog.get_logger(__name__)

_TARGET = {
    ProviderPaymentStatus.SUBMITTED: PaymentState.SUBMITTED,
    ProviderPaymentStatus.ACCEPTED: PaymentState.ACCEPTED,
    ProviderPaymentStatus.SETTLED: PaymentState.SETTLED,
    ProviderPaymentStatus.REJECTED: PaymentState.REJECTED,
    ProviderPaymentStatus.CANCELLED: PaymentState.CANCELLED,
    ProviderPaymentStatus.RETURNED: PaymentState.RETURNED,
}
_WITH_REASON = frozenset({PaymentState.REJECTED, PaymentState.CANCELLED, PaymentState.RETURNED})


async def _apply_ledger(uow: PaymentsWork, payment: Payment, target: PaymentState) -> None:
    if target is PaymentState.SETTLED:
        await ledger_moves.settle(uow.ledger, payment)
    elif target in (PaymentState.REJECTED, PaymentState.CANCELLED):
        await ledger_moves.release(uow.ledger, payment)
    elif target is PaymentState.RETURNED:
        await ledger_moves.reverse(uow.ledger, payment)


class ApplyProviderPaymentUpdate:
    """The PaymentUpdateSink: move the payment, book the money, tell Toqio."""

    def __init__(self, uow: PaymentsUnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, update: ProviderPaymentUpdate) -> None:
        """Apply ``update``; a repeat or stale one changes nothing.

        Raises:
            NotFound: ``TRANSACTION_NOT_FOUND`` when no payment has the update's reference.
            RuleViolated: ``INVALID_PAYMENT_TRANSITION`` for an impossible report (a rejected
                payment said to be settled): nothing is changed and it is logged.
        """
        target = _TARGET[update.status]
        async with self._uow() as uow:
            payment = await uow.payments.find(update.reference, lock=True)
            if payment is None:
                raise NotFound(
                    f"No payment has reference {update.reference}", code=TRANSACTION_NOT_FOUND
                )
            if payment.provider_payment_id is None:
                payment.provider_payment_id = update.provider_payment_id
            reason = None
            if target in _WITH_REASON:
                reason = ReasonCode.of(update.reason_code, update.reason)
            try:
                moved = payment.move_to(target, at=update.occurred_at, reason=reason)
            except Exception:
                log.error(
                    "payment.impossible_update",
                    payment_id=payment.payment_id,
                    state=payment.state.value,
                    reported=update.status.value,
                )
                raise
            if moved:
                await _apply_ledger(uow, payment, target)
            moves = list(payment.new_transitions)
            await uow.payments.save(payment)
            await announce(uow, payment, moves)
            await uow.commit()
