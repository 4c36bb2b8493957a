"""Where money the provider received enters the connector: the inbound-transfer ports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared_kernel.domain.money import Money


@dataclass(frozen=True, slots=True)
class InboundTransfer:
    """A transfer the provider has credited to one of its accounts.

    ``provider_transaction_id`` is the provider's own id and is unique per provider: a real
    bank may notify the same transfer more than once, so the sink dedupes on it.
    ``debtor_iban`` is the payer's compact IBAN (or the provider's identifier of the payer's
    account when the scheme has no IBAN). ``amount`` is always positive.
    """

    provider_transaction_id: str
    provider_account_id: str
    amount: Money
    debtor_name: str
    debtor_iban: str
    reference: str
    received_at: datetime


class InboundTransferSink(Protocol):
    """Books an inbound transfer in the connector (ledger, ``SAVE_TRANSACTION``, events).

    Implementations resolve ``transfer.provider_account_id`` to the connector's account, book
    the transfer in one transaction and return the connector's transaction id. Called again
    with a ``provider_transaction_id`` it has already booked, it books nothing and returns the
    same id. An unknown provider account raises ``NotFound`` (code ``ACCOUNT_NOT_FOUND``).
    """

    async def __call__(self, transfer: InboundTransfer, /) -> str: ...


class ProviderAccountResolver(Protocol):
    """Maps the connector's account id (the one Toqio knows) to the provider's account id.

    Returns ``None`` when the connector has no such account. Only the sandbox endpoint needs
    it: a tester names the account as Toqio does, while real banks notify by their own ids.
    """

    async def __call__(self, account_id: str, /) -> str | None: ...
