"""What Toqio and the other services hear when a payment moves: webhooks and events.

Every transition queues ``SYNC_TRANSACTION_STATUS`` (ordered per payment, deduplicated per
transition) and publishes ``PaymentStatusChangedV1``; settlement and returns also publish
``TransactionBookedV1`` for the money that really moved. A return is Toqio's news as a new
transaction (``SAVE_TRANSACTION``), because Toqio has no "returned" status: the payment itself
stays posted. Everything is written in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts_payments.application.accounts.book_inbound_transfer import (
    SAVE_TRANSACTION,
    toqio_timestamp,
)
from accounts_payments.application.accounts.common import wire_amount
from accounts_payments.application.payments.ports import PaymentsWork
from accounts_payments.domain.accounts import Account
from accounts_payments.domain.payments.lifecycle import TOQIO_STATUS, PaymentState
from accounts_payments.domain.payments.payment import Payment, PaymentTransition
from accounts_payments.domain.transactions import TransactionStatus
from shared_kernel.contracts import PaymentStatusChangedV1, TransactionBookedV1
from shared_kernel.domain.money import Money

SYNC_TRANSACTION_STATUS = "SYNC_TRANSACTION_STATUS"
OUTBOUND_BANK_TRANSFER = "OUTBOUND_BANK_TRANSFER"
INBOUND_BANK_TRANSFER = "INBOUND_BANK_TRANSFER"
PAYMENT_RETURN = "PAYMENT_RETURN"


def ordering_key(payment_id: str) -> str:
    """One payment's webhooks reach Toqio one at a time, in the order they were queued."""
    return f"transaction:{payment_id}"


def sync_status_body(
    payment: Payment, balance: Money, at: datetime, state: PaymentState | None = None
) -> dict[str, Any]:
    """The ``SYNC_TRANSACTION_STATUS`` body (also the save-transfer answer's shape)."""
    status = TOQIO_STATUS[state or payment.state]
    body: dict[str, Any] = {
        "id": payment.payment_id,
        "status": status.value,
        "corePaymentType": payment.core_payment_type,
        "balance": wire_amount(balance),
        "date": toqio_timestamp(at),
        "baseTotal": wire_amount(payment.amount),
    }
    if status is TransactionStatus.FAILED and payment.reason is not None:
        body["failureReason"] = f"{payment.reason.code}: {payment.reason.description}"
    details: dict[str, Any] = {}
    if payment.provider_payment_id:
        details["paymentId"] = payment.provider_payment_id
        details["internalReference"] = payment.payment_id
    if payment.fx is not None:
        details["rate"] = float(payment.fx.rate)
    if details:
        body["paymentProviderDetails"] = details
    return body


async def announce(uow: PaymentsWork, payment: Payment, moves: list[PaymentTransition]) -> None:
    """Queue the webhooks and events of ``moves`` (already applied to ``payment``)."""
    for move in moves:
        balance = (await uow.ledger.balance(payment.source_account_id)).total
        if move.state is not PaymentState.RETURNED:
            await uow.notify_toqio(
                SYNC_TRANSACTION_STATUS,
                sync_status_body(payment, balance, move.at, move.state),
                customer_id=payment.customer_id,
                ordering_key=ordering_key(payment.payment_id),
                dedupe_key=f"sync-transaction-status:{payment.payment_id}:{move.sequence}",
            )
        uow.publish(
            PaymentStatusChangedV1(
                customer_id=payment.customer_id,
                client_id=payment.client_id,
                account_id=payment.source_account_id,
                transaction_id=payment.payment_id,
                status=move.state.value,
                previous_status=move.previous.value if move.previous else None,
                reason_code=move.reason.code if move.reason else None,
            ),
            correlation_id=payment.payment_id,
        )
        if move.state is PaymentState.SETTLED:
            await _announce_settlement(uow, payment, move.at)
        elif move.state is PaymentState.RETURNED:
            await _announce_return(uow, payment, move.at, balance)


def _booked(
    payment: Payment,
    account: Account,
    transaction_id: str,
    *,
    credit: bool,
    amount: Money,
    kind: str,
    at: datetime,
) -> TransactionBookedV1:
    party = payment.counterparty
    return TransactionBookedV1(
        customer_id=payment.customer_id,
        client_id=account.client_id,
        account_id=account.account_id,
        transaction_id=transaction_id,
        direction="CREDIT" if credit else "DEBIT",
        amount_minor=amount.minor,
        currency=amount.currency.code,
        kind=kind,
        booked_at=at,
        counterparty_name=party.name,
        counterparty_iban=party.iban,
        counterparty_country=party.country or None,
    )


async def _announce_settlement(uow: PaymentsWork, payment: Payment, at: datetime) -> None:
    source = await uow.accounts.get(payment.customer_id, payment.source_account_id)
    if source is None:  # pragma: no cover - accounts are never deleted
        return
    uow.publish(
        _booked(
            payment,
            source,
            payment.payment_id,
            credit=False,
            amount=payment.amount,
            kind=OUTBOUND_BANK_TRANSFER,
            at=at,
        ),
        correlation_id=payment.payment_id,
    )
    payee_id = payment.counterparty.account_id
    payee = await uow.accounts.get(payment.customer_id, payee_id) if payee_id else None
    if payee is None:
        return
    # An internal transfer is money in for the payee's account: Toqio must book it there.
    credit_id = f"{payment.payment_id}:credit"
    credited = _booked(
        payment,
        payee,
        credit_id,
        credit=True,
        amount=payment.credited,
        kind=INBOUND_BANK_TRANSFER,
        at=at,
    )
    uow.publish(credited, correlation_id=credit_id)
    balance = (await uow.ledger.balance(payee.ledger_account_id)).total
    await uow.notify_toqio(
        SAVE_TRANSACTION,
        _money_in_body(payee, credit_id, payment.credited, balance, at, source=source),
        customer_id=payment.customer_id,
        ordering_key=ordering_key(credit_id),
        dedupe_key=f"save-transaction:{credit_id}",
    )


async def _announce_return(
    uow: PaymentsWork, payment: Payment, at: datetime, balance: Money
) -> None:
    source = await uow.accounts.get(payment.customer_id, payment.source_account_id)
    if source is None:  # pragma: no cover - accounts are never deleted
        return
    return_id = f"{payment.payment_id}:return"
    returned = _booked(
        payment, source, return_id, credit=True, amount=payment.amount, kind=PAYMENT_RETURN, at=at
    )
    uow.publish(returned, correlation_id=return_id)
    body = _money_in_body(source, return_id, payment.amount, balance, at, source=None)
    body["description"] = body["reference"] = f"Return of payment {payment.payment_id}"
    body["sourceAccount"] = {"name": payment.counterparty.name, "iban": payment.counterparty.iban}
    if payment.reason is not None:
        body["returnReason"] = f"{payment.reason.code}: {payment.reason.description}"
    await uow.notify_toqio(
        SAVE_TRANSACTION,
        body,
        customer_id=payment.customer_id,
        ordering_key=ordering_key(return_id),
        dedupe_key=f"save-transaction:{return_id}",
    )


def _money_in_body(
    account: Account,
    transaction_id: str,
    amount: Money,
    balance: Money,
    at: datetime,
    *,
    source: Account | None,
) -> dict[str, Any]:
    wire = wire_amount(amount)
    return {
        "id": transaction_id,
        "orderId": transaction_id,
        "company": account.client_id,
        "customer": account.customer_id,
        "accountId": account.account_id,
        "type": "INBOUND",
        "payType": INBOUND_BANK_TRANSFER,
        "status": TransactionStatus.ACCEPTED.value,
        "description": "",
        "reference": "",
        "currency": amount.currency.code,
        "baseCurrency": amount.currency.code,
        "total": wire,
        "baseTotal": wire,
        "date": toqio_timestamp(at),
        "balance": wire_amount(balance),
        "sourceAccount": (
            {"id": source.account_id, "name": source.holder_name, "iban": source.iban or ""}
            if source
            else {}
        ),
        "destinationAccount": {
            "id": account.account_id,
            "name": account.holder_name,
            "iban": account.iban or "",
        },
    }
