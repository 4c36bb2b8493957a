"""The merchant Account aggregate: Toqio's account statuses, their transitions and events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from shared_kernel.domain.errors import RuleViolated
from shared_kernel.domain.events import DomainEvent, EventRecorder


class AccountStatus(StrEnum):
    """Toqio's account statuses (``AccountBaseResponse.status``)."""

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    QUARANTINE = "QUARANTINE"
    HIDE = "HIDE"
    FAILED = "FAILED"
    CLOSED = "CLOSED"


_ALLOWED: dict[AccountStatus, frozenset[AccountStatus]] = {
    AccountStatus.PENDING: frozenset(
        {AccountStatus.ACTIVE, AccountStatus.FAILED, AccountStatus.QUARANTINE}
    ),
    AccountStatus.ACTIVE: frozenset(
        {
            AccountStatus.SUSPENDED,
            AccountStatus.QUARANTINE,
            AccountStatus.HIDE,
            AccountStatus.CLOSED,
        }
    ),
    AccountStatus.SUSPENDED: frozenset(
        {AccountStatus.ACTIVE, AccountStatus.QUARANTINE, AccountStatus.CLOSED}
    ),
    AccountStatus.QUARANTINE: frozenset(
        {AccountStatus.ACTIVE, AccountStatus.SUSPENDED, AccountStatus.CLOSED}
    ),
    AccountStatus.HIDE: frozenset({AccountStatus.ACTIVE, AccountStatus.CLOSED}),
    # FAILED and CLOSED are final: money may still arrive, but Toqio must never reopen them.
    AccountStatus.FAILED: frozenset(),
    AccountStatus.CLOSED: frozenset(),
}


def can_change(current: AccountStatus, target: AccountStatus) -> bool:
    """Whether an account in ``current`` may move to ``target``."""
    return target in _ALLOWED[current]


@dataclass(frozen=True, kw_only=True)
class AccountStatusChanged(DomainEvent):
    """An account moved from one status to another (Toqio hears it as SYNC_ACCOUNT_STATUS)."""

    account_id: str
    previous: AccountStatus
    current: AccountStatus


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """The holder's address as Toqio sends it."""

    address: str = ""
    address2: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class BankDetails:
    """How the outside world pays into the account (filled in once the provider opened it)."""

    provider_account_id: str
    iban: str | None = None
    bic: str | None = None
    uk_account_number: str | None = None
    uk_sort_code: str | None = None


@dataclass(eq=False)
class Account(EventRecorder):
    """A merchant account: its identity, provider details, presentation fields and status.

    ``account_id`` is the connector's UUIDv7 and also the account's ledger id, so balances
    always come from the ledger and are never stored here.
    """

    account_id: str
    customer_id: str
    client_id: str
    currency: str
    country_code: str
    partner_product: str
    holder_name: str
    alias: str
    address: PostalAddress
    read_only: bool = False
    status: AccountStatus = AccountStatus.PENDING
    provider_merchant_id: str | None = None
    bank: BankDetails | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ledger_account_id(self) -> str:
        """The ledger account holding this account's money."""
        return self.account_id

    @property
    def iban(self) -> str | None:
        """The account's IBAN, once the provider assigned one."""
        return self.bank.iban if self.bank else None

    def attach_provider(self, merchant_id: str, bank: BankDetails) -> None:
        """Record what the provider opened for this account."""
        self.provider_merchant_id = merchant_id
        self.bank = bank

    def change_status(self, target: AccountStatus) -> bool:
        """Move to ``target`` and record the change; returns whether anything changed.

        Raises:
            RuleViolated: ``INVALID_ACCOUNT_STATUS_TRANSITION`` when the move is not allowed.
        """
        if target is self.status:
            return False
        if not can_change(self.status, target):
            raise RuleViolated(
                f"An account in status {self.status} cannot become {target}",
                code="INVALID_ACCOUNT_STATUS_TRANSITION",
            )
        previous, self.status = self.status, target
        self.record(
            AccountStatusChanged(account_id=self.account_id, previous=previous, current=target)
        )
        return True

    def pull_events(self) -> list[DomainEvent]:
        """Hand over the events recorded since the last pull."""
        events, self._pending_events = list(self._events()), []
        return events

    def ensure_open(self) -> None:
        """Refuse operations on a closed or failed account.

        Raises:
            RuleViolated: ``ACCOUNT_CLOSED`` for a closed or failed account.
        """
        if self.status in (AccountStatus.CLOSED, AccountStatus.FAILED):
            raise RuleViolated(f"The account is {self.status}", code="ACCOUNT_CLOSED")
