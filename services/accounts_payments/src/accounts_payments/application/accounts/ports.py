"""What the account use cases need beyond the shared ports: their repository and renderers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, runtime_checkable

from accounts_payments.application.ports.unit_of_work import AccountsUnitOfWork
from accounts_payments.domain.accounts import Account
from accounts_payments.domain.clients import Merchant
from accounts_payments.domain.otp import OtpChallenge
from accounts_payments.domain.transactions import BookedTransaction


class AccountRepository(Protocol):
    """Merchants, accounts, booked transactions and OTP challenges, in the unit's transaction."""

    async def find_merchant(self, customer_id: str, client_id: str) -> Merchant | None: ...

    async def add_merchant(self, merchant: Merchant) -> None: ...

    async def add(self, account: Account) -> None: ...

    async def add_if_new_provider_account(self, account: Account) -> bool:
        """Store an account that has its provider details already.

        ``False`` (and nothing stored) when an account with the same provider account id
        exists, including one a concurrent transaction has just committed.
        """
        ...

    async def save(self, account: Account) -> None:
        """Write back a changed account (status, provider details, presentation fields)."""
        ...

    async def get(self, customer_id: str, account_id: str, *, lock: bool = False) -> Account | None:
        """The account of this customer, locked ``FOR UPDATE`` when ``lock``."""
        ...

    async def find_by_id(self, account_id: str) -> Account | None:
        """Any customer's account by the connector id (for provider-side look-ups only)."""
        ...

    async def list_for_client(self, customer_id: str, client_id: str) -> list[Account]: ...

    async def find_by_iban(self, customer_id: str, iban: str) -> Account | None:
        """The customer's account with this compact IBAN (any of its clients), if any."""
        ...

    async def find_by_provider_account(self, provider_account_id: str) -> Account | None: ...

    async def add_transaction(self, transaction: BookedTransaction) -> bool:
        """Store it; ``False`` when its provider transaction id was booked before."""
        ...

    async def find_transaction(
        self, customer_id: str, transaction_id: str
    ) -> BookedTransaction | None: ...

    async def find_transaction_by_provider_id(
        self, provider_transaction_id: str
    ) -> BookedTransaction | None: ...

    async def add_otp(self, challenge: OtpChallenge) -> None: ...

    async def get_otp(self, customer_id: str, operation_id: str) -> OtpChallenge | None: ...

    async def save_otp(self, challenge: OtpChallenge) -> None: ...


class AccountsWork(AccountsUnitOfWork, Protocol):
    """The shared unit of work plus the account repository."""

    accounts: AccountRepository


UnitOfWorkFactory = Callable[[], AccountsWork]
Clock = Callable[[], datetime]


class OtpSender(Protocol):
    """Delivers a one-time code to the merchant's user (the provider does it in production)."""

    async def send(self, customer_id: str, operation_id: str, code: str) -> None: ...


@runtime_checkable
class OtpCodeReader(Protocol):
    """The sandbox's view of the codes it "sent" (never available with a real provider)."""

    def code_for(self, operation_id: str) -> str | None: ...


class CertificateRenderer(Protocol):
    """Renders the account ownership certificate as PDF bytes."""

    def render(self, account: Account, *, issued_at: datetime) -> bytes: ...
