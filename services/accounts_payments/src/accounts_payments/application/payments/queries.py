"""Read-side use cases of payments: a transaction's status and its dynamic button."""

from __future__ import annotations

from accounts_payments.application.accounts.common import require_customer
from accounts_payments.application.payments.ports import PaymentsUnitOfWorkFactory, PaymentsWork
from accounts_payments.application.payments.views import TRANSACTION_NOT_FOUND
from accounts_payments.domain.payments.lifecycle import PaymentState
from accounts_payments.domain.transactions import TransactionStatus
from shared_kernel.domain.errors import NotFound

# Transactions a payment books besides itself: the credit of an internal transfer and the
# money of a return (see announcements.py), named after the payment.
_DERIVED = {
    ":credit": frozenset({PaymentState.SETTLED, PaymentState.RETURNED}),
    ":return": frozenset({PaymentState.RETURNED}),
}


async def _status(uow: PaymentsWork, customer_id: str, transaction_id: str) -> TransactionStatus:
    await require_customer(uow, customer_id)
    payment = await uow.payments.get(customer_id, transaction_id)
    if payment is not None:
        return payment.toqio_status
    booked = await uow.accounts.find_transaction(customer_id, transaction_id)
    if booked is not None:
        return booked.status
    for suffix, states in _DERIVED.items():
        if transaction_id.endswith(suffix):
            base = await uow.payments.get(customer_id, transaction_id.removesuffix(suffix))
            internal = base is not None and base.counterparty.account_id is not None
            if base is not None and base.state in states and (suffix != ":credit" or internal):
                return TransactionStatus.ACCEPTED
    raise NotFound(f"Transaction {transaction_id} was not found", code=TRANSACTION_NOT_FOUND)


class GetTransactionStatus:
    """The Toqio status of a payment, an inbound transfer, or a transaction a payment booked."""

    def __init__(self, uow: PaymentsUnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, customer_id: str, transaction_id: str) -> TransactionStatus:
        """The status, or ``TRANSACTION_NOT_FOUND``."""
        async with self._uow() as uow:
            return await _status(uow, customer_id, transaction_id)


class GetDynamicButton:
    """The button Toqio may show next to a transaction; the connector configures none."""

    def __init__(self, uow: PaymentsUnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, customer_id: str, transaction_id: str) -> None:
        """``None`` (no button) for a known transaction; ``TRANSACTION_NOT_FOUND`` otherwise.

        Dynamic buttons link a transaction to a marketplace app; no provider or app of this
        connector offers one, so the answer is always "no button" - but only for
        transactions that exist, so Toqio cannot mistake a wrong id for a plain transaction.
        """
        async with self._uow() as uow:
            await _status(uow, customer_id, transaction_id)
