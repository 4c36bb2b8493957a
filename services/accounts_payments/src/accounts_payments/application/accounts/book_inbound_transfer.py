"""BookInboundTransfer: money the provider received lands on the ledger and is told to Toqio.

One transaction posts the journal (debit the tenant's settlement account, which has no floor;
credit the merchant account), records the transaction under its unique provider id, queues
SAVE_TRANSACTION and writes TransactionBookedV1 to the outbox - so all of them happen, or none.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accounts_payments.application.accounts.common import settlement_account_id, wire_amount
from accounts_payments.application.accounts.ports import AccountsWork, UnitOfWorkFactory
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.application.ports.ledger import NormalSide, Posting
from accounts_payments.domain.accounts import Account
from accounts_payments.domain.transactions import BookedTransaction, TransactionStatus
from shared_kernel.contracts import TransactionBookedV1
from shared_kernel.domain.errors import InvalidInput, NotFound
from shared_kernel.domain.ids import new_id

SAVE_TRANSACTION = "SAVE_TRANSACTION"
INBOUND_BANK_TRANSFER = "INBOUND_BANK_TRANSFER"


def toqio_timestamp(moment: datetime) -> str:
    """Toqio's webhook date format, ``yyyy-MM-dd'T'HH:mm:ss.SSS'Z'``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def save_transaction_body(
    account: Account, booked: BookedTransaction, transfer: InboundTransfer, balance: float
) -> dict[str, Any]:
    """The SAVE_TRANSACTION body of an inbound bank transfer (a positive amount)."""
    amount = wire_amount(transfer.amount)
    return {
        "id": booked.transaction_id,
        "orderId": booked.transaction_id,
        "company": account.client_id,
        "customer": account.customer_id,
        "accountId": account.account_id,
        "type": "INBOUND",
        "payType": INBOUND_BANK_TRANSFER,
        "status": TransactionStatus.ACCEPTED.value,
        "description": transfer.reference,
        "reference": transfer.reference,
        "currency": account.currency,
        "baseCurrency": account.currency,
        "total": amount,
        "baseTotal": amount,
        "transactionNumber": booked.provider_transaction_id,
        "date": toqio_timestamp(booked.booked_at),
        "balance": balance,
        "sourceAccount": {"name": transfer.debtor_name, "iban": transfer.debtor_iban},
        "destinationAccount": {
            "id": account.account_id,
            "name": account.holder_name,
            "iban": account.iban or "",
        },
    }


class BookInboundTransfer:
    """The InboundTransferSink: book a provider's inbound transfer exactly once."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, transfer: InboundTransfer) -> str:
        """Book ``transfer``; return the connector's transaction id (the same on a repeat)."""
        if not transfer.amount.is_positive():
            raise InvalidInput(
                "An inbound transfer must have a positive amount", code="INVALID_AMOUNT"
            )
        async with self._uow() as uow:
            earlier = await uow.accounts.find_transaction_by_provider_id(
                transfer.provider_transaction_id
            )
            if earlier is not None:
                return earlier.transaction_id
            account = await uow.accounts.find_by_provider_account(transfer.provider_account_id)
            if account is None:
                raise NotFound("The account of this transfer is unknown", code="ACCOUNT_NOT_FOUND")
            if transfer.amount.currency.code != account.currency:
                raise InvalidInput(
                    f"The account holds {account.currency}, not {transfer.amount.currency.code}",
                    code="CURRENCY_MISMATCH",
                )
            booked = BookedTransaction(
                transaction_id=new_id(),
                provider_transaction_id=transfer.provider_transaction_id,
                customer_id=account.customer_id,
                client_id=account.client_id,
                account_id=account.account_id,
                amount_minor=transfer.amount.minor,
                currency=account.currency,
                status=TransactionStatus.ACCEPTED,
                booked_at=datetime.now(UTC),
                debtor_name=transfer.debtor_name,
                debtor_iban=transfer.debtor_iban,
                reference=transfer.reference,
            )
            if not await uow.accounts.add_transaction(booked):
                # A concurrent delivery of the same transfer won the unique key first.
                return await _booked_id(self._uow, transfer.provider_transaction_id)
            await self._post(uow, account, booked, transfer)
            await uow.commit()
            return booked.transaction_id

    async def _post(
        self,
        uow: AccountsWork,
        account: Account,
        booked: BookedTransaction,
        transfer: InboundTransfer,
    ) -> None:
        await uow.ledger.record(
            booked.transaction_id,
            [
                Posting(
                    settlement_account_id(account.customer_id, account.currency),
                    NormalSide.DEBIT,
                    transfer.amount,
                ),
                Posting(account.ledger_account_id, NormalSide.CREDIT, transfer.amount),
            ],
            description=f"Inbound transfer from {transfer.debtor_name}".strip(),
            metadata={
                "kind": INBOUND_BANK_TRANSFER,
                "transactionId": booked.transaction_id,
                "providerTransactionId": booked.provider_transaction_id,
                "reference": transfer.reference,
            },
        )
        balance = await uow.ledger.balance(account.ledger_account_id)
        await uow.notify_toqio(
            SAVE_TRANSACTION,
            save_transaction_body(account, booked, transfer, wire_amount(balance.total)),
            customer_id=account.customer_id,
            dedupe_key=f"save-transaction:{booked.transaction_id}",
            ordering_key=f"transaction:{booked.transaction_id}",
        )
        uow.publish(
            TransactionBookedV1(
                customer_id=account.customer_id,
                client_id=account.client_id,
                account_id=account.account_id,
                transaction_id=booked.transaction_id,
                direction="CREDIT",
                amount_minor=transfer.amount.minor,
                currency=account.currency,
                kind=INBOUND_BANK_TRANSFER,
                booked_at=booked.booked_at,
                counterparty_name=transfer.debtor_name or None,
                counterparty_iban=transfer.debtor_iban or None,
                counterparty_country=transfer.debtor_iban[:2].upper() or None,
            ),
            correlation_id=booked.transaction_id,
        )


async def _booked_id(uow_factory: UnitOfWorkFactory, provider_transaction_id: str) -> str:
    async with uow_factory() as uow:
        earlier = await uow.accounts.find_transaction_by_provider_id(provider_transaction_id)
        if earlier is None:
            raise NotFound("The transfer was not booked", code="TRANSACTION_NOT_FOUND")
        return earlier.transaction_id


class ResolveProviderAccount:
    """The ProviderAccountResolver: the provider's id of a connector account."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, account_id: str) -> str | None:
        """The provider account id, or ``None`` for an unknown or not yet opened account."""
        async with self._uow() as uow:
            account = await uow.accounts.find_by_id(account_id)
            return account.bank.provider_account_id if account and account.bank else None
