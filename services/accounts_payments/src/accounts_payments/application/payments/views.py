"""A payment as Toqio reads it: the aggregate with its source account's balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accounts_payments.application.payments.ports import PaymentsWork
from accounts_payments.domain.payments.payment import Payment
from shared_kernel.domain.errors import NotFound
from shared_kernel.domain.money import Money

TRANSACTION_NOT_FOUND = "TRANSACTION_NOT_FOUND"


@dataclass(frozen=True, slots=True)
class PaymentView:
    """The payment, the source account's booked balance now, and when it last moved."""

    payment: Payment
    balance: Money

    @property
    def at(self) -> datetime:
        """When the payment last changed."""
        return self.payment.updated_at or self.payment.created_at


async def require_payment(
    uow: PaymentsWork, customer_id: str, payment_id: str, *, lock: bool = False
) -> Payment:
    """The customer's payment, or ``TRANSACTION_NOT_FOUND``."""
    payment = await uow.payments.get(customer_id, payment_id, lock=lock)
    if payment is None:
        raise NotFound(f"Transaction {payment_id} was not found", code=TRANSACTION_NOT_FOUND)
    return payment


async def view_of_payment(uow: PaymentsWork, customer_id: str, payment_id: str) -> PaymentView:
    """The payment with its source account's balance."""
    payment = await require_payment(uow, customer_id, payment_id)
    balance = await uow.ledger.balance(payment.source_account_id)
    return PaymentView(payment, balance.total)
