"""UpdateAccount and CloseAccount: presentation fields here, status changes at the provider."""

from __future__ import annotations

from dataclasses import dataclass

from accounts_payments.application.accounts.common import (
    AccountView,
    announce_status,
    require_account,
    view_of,
)
from accounts_payments.application.accounts.ports import UnitOfWorkFactory
from accounts_payments.application.ports.banking_provider import (
    BankingProvider,
    ProviderAccountStatus,
)
from accounts_payments.domain.accounts import AccountStatus, PostalAddress, can_change
from shared_kernel.domain.errors import NotImplementedByProvider, RuleViolated

# What we ask the provider for each Toqio status; HIDE is a Toqio-side presentation status.
PROVIDER_STATUS_FOR: dict[AccountStatus, ProviderAccountStatus | None] = {
    AccountStatus.ACTIVE: ProviderAccountStatus.ACTIVE,
    AccountStatus.SUSPENDED: ProviderAccountStatus.BLOCKED,
    AccountStatus.QUARANTINE: ProviderAccountStatus.BLOCKED,
    AccountStatus.CLOSED: ProviderAccountStatus.CLOSED,
    AccountStatus.HIDE: None,
}


@dataclass(frozen=True, slots=True)
class UpdateAccountCommand:
    """Toqio's ``UpdateAccountBaseRequest``."""

    customer_id: str
    client_id: str
    account_id: str
    address: PostalAddress
    alias: str | None = None
    status: AccountStatus | None = None


class UpdateAccount:
    """Change alias and address; a status change goes to the provider first."""

    def __init__(self, uow: UnitOfWorkFactory, provider: BankingProvider) -> None:
        self._uow = uow
        self._provider = provider

    async def __call__(self, command: UpdateAccountCommand) -> AccountView:
        """Apply the update and return the account."""
        code = "ACCOUNT_NOT_FOUND_FOR_CLIENT"
        async with self._uow() as uow:
            account = await require_account(
                uow, command.customer_id, command.account_id, client_id=command.client_id, code=code
            )
        if command.status is not None and command.status is not account.status:
            await change_at_provider(self._provider, account.bank, account.status, command.status)
        async with self._uow() as uow:
            account = await require_account(
                uow,
                command.customer_id,
                command.account_id,
                client_id=command.client_id,
                code=code,
                lock=True,
            )
            if command.alias is not None:
                account.alias = command.alias
            account.address = command.address
            if command.status is not None and account.change_status(command.status):
                await announce_status(uow, account)
            await uow.accounts.save(account)
            view = await view_of(uow, account)
            await uow.commit()
            return view


async def change_at_provider(
    provider: BankingProvider,
    bank: object,
    current: AccountStatus,
    target: AccountStatus,
) -> None:
    """Ask the provider for the status change (after checking the move is allowed)."""
    if not can_change(current, target):
        raise RuleViolated(
            f"An account in status {current} cannot become {target}",
            code="INVALID_ACCOUNT_STATUS_TRANSITION",
        )
    wanted = PROVIDER_STATUS_FOR.get(target)
    provider_account_id = getattr(bank, "provider_account_id", None)
    if wanted is None or provider_account_id is None:
        if target is AccountStatus.HIDE:
            return
        raise NotImplementedByProvider(
            f"The provider cannot set an account to {target}", code="FUNCTION_NOT_IMPLEMENTED_YET"
        )
    await provider.set_account_status(provider_account_id, wanted)


class CloseAccount:
    """Close an account at the provider, then here; Toqio hears SYNC_ACCOUNT_STATUS."""

    def __init__(self, uow: UnitOfWorkFactory, provider: BankingProvider) -> None:
        self._uow = uow
        self._provider = provider

    async def __call__(self, customer_id: str, client_id: str, account_id: str) -> None:
        """Close the account; closing a closed account changes nothing."""
        code = "ACCOUNT_CLIENT_NOT_FOUND"
        async with self._uow() as uow:
            account = await require_account(
                uow, customer_id, account_id, client_id=client_id, code=code
            )
            if account.status is AccountStatus.CLOSED:
                return
            balance = (await view_of(uow, account)).total
        if not balance.is_zero():
            raise RuleViolated(
                "An account holding money cannot be closed; move the balance first",
                code="ERROR_CLOSING_ACCOUNT",
            )
        await change_at_provider(self._provider, account.bank, account.status, AccountStatus.CLOSED)
        async with self._uow() as uow:
            account = await require_account(
                uow, customer_id, account_id, client_id=client_id, code=code, lock=True
            )
            if account.change_status(AccountStatus.CLOSED):
                await announce_status(uow, account)
                await uow.accounts.save(account)
            await uow.commit()
