"""Money booked on a merchant account from outside (inbound transfers), with Toqio's status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TransactionStatus(StrEnum):
    """Toqio's transaction statuses (``PairStringToqioTransactionStatus``)."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    AUTHORIZED = "AUTHORIZED"
    POSTED = "POSTED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    DECLINED = "DECLINED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class BookedTransaction:
    """An inbound transfer posted on the ledger; ``provider_transaction_id`` is unique."""

    transaction_id: str
    provider_transaction_id: str
    customer_id: str
    client_id: str
    account_id: str
    amount_minor: int
    currency: str
    status: TransactionStatus
    booked_at: datetime
    debtor_name: str = ""
    debtor_iban: str = ""
    reference: str = ""
