"""What Toqio and the other services hear about card funds: webhooks and the booking event.

Toqio matches a card reserve with its final transaction by ``orderId`` (the authorization id):

- a reservation is a ``SAVE_TRANSACTION`` of ``corePaymentType`` card-reserve, PENDING
  (Toqio's "Initiated": funds held, the final amount may still change);
- a clearing is a second ``SAVE_TRANSACTION``, of ``corePaymentType`` card, ACCEPTED, for the
  amount cleared, plus ``SYNC_TRANSACTION_STATUS`` moving the reserve to ACCEPTED - the status
  Toqio itself gives a reserve once its final arrives - and ``TransactionBookedV1``;
- a reversal is ``SYNC_TRANSACTION_STATUS`` moving the reserve to CANCELLED ("Rejected").

One authorization's webhooks share an ordering key, so Toqio sees the reserve first. Everything
is written in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts_payments.application.accounts.book_inbound_transfer import (
    SAVE_TRANSACTION,
    toqio_timestamp,
)
from accounts_payments.application.accounts.common import wire_amount
from accounts_payments.application.cards.authorizations import CardAuthorization
from accounts_payments.application.cards.ports import CardFundsWork
from accounts_payments.application.payments.announcements import (
    SYNC_TRANSACTION_STATUS,
    ordering_key,
)
from accounts_payments.domain.accounts import Account
from accounts_payments.domain.transactions import TransactionStatus
from shared_kernel.contracts import TransactionBookedV1
from shared_kernel.domain.money import Money

CARD = "CARD"
CARD_RESERVE_PAYMENT_TYPE = "payment-type-card-reserve"
CARD_PAYMENT_TYPE = "payment-type-card"
CARD_TRANSACTION_TYPE = {"PURCHASE": "Purchase", "ATM_WITHDRAWAL": "Withdrawal"}


def clearing_id(authorization_id: str) -> str:
    """Toqio's id of the final card transaction (the reserve keeps the authorization id)."""
    return f"{authorization_id}:clearing"


def card_transaction_type(record: CardAuthorization) -> str:
    """Toqio's ``cardTransactionType`` of the authorization."""
    return CARD_TRANSACTION_TYPE.get(record.transaction_type, "Purchase")


def save_card_transaction_body(
    account: Account,
    record: CardAuthorization,
    *,
    transaction_id: str,
    core_payment_type: str,
    status: TransactionStatus,
    amount: Money,
    balance: Money,
    at: datetime,
) -> dict[str, Any]:
    """The ``SAVE_TRANSACTION`` body of a card reserve or final transaction."""
    wire = wire_amount(amount)
    return {
        "id": transaction_id,
        "orderId": record.authorization_id,
        "company": account.client_id,
        "customer": account.customer_id,
        "accountId": account.account_id,
        "type": "OUTBOUND",
        "payType": CARD,
        "corePaymentType": core_payment_type,
        "cardTransactionType": card_transaction_type(record),
        "status": status.value,
        "description": record.merchant_name,
        "reference": "",
        "merchant": record.merchant_name,
        "mcc": record.merchant_mcc,
        "cardId": record.card_id,
        "currency": amount.currency.code,
        "baseCurrency": amount.currency.code,
        "total": wire,
        "baseTotal": wire,
        "date": toqio_timestamp(at),
        "balance": wire_amount(balance),
        "sourceAccount": {
            "id": account.account_id,
            "name": account.holder_name,
            "iban": account.iban or "",
        },
        "destinationAccount": {
            "name": record.merchant_name,
            "country": record.merchant_country,
        },
    }


def sync_card_status_body(
    record: CardAuthorization,
    *,
    status: TransactionStatus,
    amount: Money,
    balance: Money,
    at: datetime,
) -> dict[str, Any]:
    """The ``SYNC_TRANSACTION_STATUS`` body moving the card reserve to ``status``."""
    return {
        "id": record.authorization_id,
        "status": status.value,
        "corePaymentType": CARD_RESERVE_PAYMENT_TYPE,
        "cardTransactionType": card_transaction_type(record),
        "balance": wire_amount(balance),
        "date": toqio_timestamp(at),
        "baseTotal": wire_amount(amount),
    }


async def announce_reserved(
    uow: CardFundsWork, account: Account, record: CardAuthorization
) -> None:
    """Queue the reserve's ``SAVE_TRANSACTION`` (PENDING, the amount held)."""
    balance = (await uow.ledger.balance(account.ledger_account_id)).total
    body = save_card_transaction_body(
        account,
        record,
        transaction_id=record.authorization_id,
        core_payment_type=CARD_RESERVE_PAYMENT_TYPE,
        status=TransactionStatus.PENDING,
        amount=record.amount,
        balance=balance,
        at=record.requested_at or record.created_at,
    )
    await uow.notify_toqio(
        SAVE_TRANSACTION,
        body,
        customer_id=record.customer_id,
        ordering_key=ordering_key(record.authorization_id),
        dedupe_key=f"save-transaction:{record.authorization_id}",
    )


async def announce_posted(uow: CardFundsWork, account: Account, record: CardAuthorization) -> None:
    """Queue the final ``SAVE_TRANSACTION`` and the reserve's ACCEPTED; publish the booking."""
    balance = (await uow.ledger.balance(account.ledger_account_id)).total
    final_id = clearing_id(record.authorization_id)
    at = record.updated_at
    key = ordering_key(record.authorization_id)
    final = save_card_transaction_body(
        account,
        record,
        transaction_id=final_id,
        core_payment_type=CARD_PAYMENT_TYPE,
        status=TransactionStatus.ACCEPTED,
        amount=record.posted,
        balance=balance,
        at=at,
    )
    await uow.notify_toqio(
        SAVE_TRANSACTION,
        final,
        customer_id=record.customer_id,
        ordering_key=key,
        dedupe_key=f"save-transaction:{final_id}",
    )
    status = TransactionStatus.ACCEPTED
    await uow.notify_toqio(
        SYNC_TRANSACTION_STATUS,
        sync_card_status_body(record, status=status, amount=record.posted, balance=balance, at=at),
        customer_id=record.customer_id,
        ordering_key=key,
        dedupe_key=f"sync-transaction-status:{record.authorization_id}:{status.value}",
    )
    uow.publish(
        TransactionBookedV1(
            customer_id=record.customer_id,
            client_id=account.client_id,
            account_id=account.account_id,
            transaction_id=record.authorization_id,
            direction="DEBIT",
            amount_minor=record.posted_minor,
            currency=record.currency,
            kind=CARD,
            booked_at=at,
            counterparty_name=record.merchant_name or None,
            counterparty_country=record.merchant_country or None,
        ),
        correlation_id=record.authorization_id,
    )


async def announce_voided(uow: CardFundsWork, account: Account, record: CardAuthorization) -> None:
    """Queue the reserve's CANCELLED (Toqio shows it as "Rejected")."""
    balance = (await uow.ledger.balance(account.ledger_account_id)).total
    status = TransactionStatus.CANCELLED
    await uow.notify_toqio(
        SYNC_TRANSACTION_STATUS,
        sync_card_status_body(
            record, status=status, amount=record.amount, balance=balance, at=record.updated_at
        ),
        customer_id=record.customer_id,
        ordering_key=ordering_key(record.authorization_id),
        dedupe_key=f"sync-transaction-status:{record.authorization_id}:{status.value}",
    )
