"""OpenAccount: onboard the merchant at the provider if needed, open the account, then the ledger.

The provider is called outside any database transaction (a slow bank must not hold locks), so
the use case runs in three short transactions and can be resumed after any failure:

1. *reserve* - validate, and store the account as PENDING without provider details;
2. the provider: ``find_merchant`` or ``create_merchant`` (idempotent because we look first),
   then ``open_account``; the provider ids are written at once in a tiny transaction;
3. *complete* - open the ledger account, activate, write AccountOpenedV1 and
   SYNC_ACCOUNT_STATUS together.

If step 3 fails after the provider succeeded, the account stays PENDING *with* its provider
ids; the next request for the same client, currency and product resumes that account instead
of opening a second one at the provider. A PENDING account without provider ids (the
provider failed, or we crashed while it answered) is retried at the provider under the same
connector id. The remaining window - a crash between the provider's answer and step 2's
write - needs a provider-side reference to reconcile; the port does not offer one yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts_payments.application.accounts.common import (
    AccountView,
    announce_status,
    require_customer,
    settlement_account_id,
    view_of,
)
from accounts_payments.application.accounts.ports import AccountsWork, UnitOfWorkFactory
from accounts_payments.application.ports.banking_provider import (
    BankingProvider,
    MerchantProfile,
    ProviderAccount,
    ProviderAccountStatus,
)
from accounts_payments.application.ports.ledger import NormalSide
from accounts_payments.domain.accounts import Account, AccountStatus, BankDetails, PostalAddress
from accounts_payments.domain.clients import Merchant
from shared_kernel.contracts import AccountOpenedV1
from shared_kernel.domain.currency import Currency
from shared_kernel.domain.errors import InvalidInput, NotFound
from shared_kernel.domain.ids import new_id

STATUS_FROM_PROVIDER = {
    ProviderAccountStatus.PENDING: AccountStatus.PENDING,
    ProviderAccountStatus.ACTIVE: AccountStatus.ACTIVE,
    ProviderAccountStatus.BLOCKED: AccountStatus.SUSPENDED,
    ProviderAccountStatus.CLOSED: AccountStatus.CLOSED,
}


@dataclass(frozen=True, slots=True)
class OpenAccountCommand:
    """Toqio's ``IssueLedgerBaseRequest`` for one client."""

    customer_id: str
    client_id: str
    name: str
    asset_type: str
    country_code: str
    partner_product: str
    alias: str
    address: PostalAddress
    read_only: bool = False
    legal_name: str = ""


def _currency_of(command: OpenAccountCommand, available: tuple[str, ...]) -> str:
    try:
        code = Currency.of(command.asset_type).code
    except InvalidInput:
        raise InvalidInput(
            f"assetType '{command.asset_type}' is not a currency we can hold",
            code="CURRENCY_NOT_SUPPORTED",
        ) from None
    if available and code not in {c.upper() for c in available}:
        raise InvalidInput(
            f"assetType '{command.asset_type}' is not enabled for this customer",
            code="CURRENCY_NOT_SUPPORTED",
        )
    return code


class OpenAccount:
    """Open a merchant account at the provider and on the ledger."""

    def __init__(self, uow: UnitOfWorkFactory, provider: BankingProvider) -> None:
        self._uow = uow
        self._provider = provider

    async def __call__(self, command: OpenAccountCommand) -> AccountView:
        """Open (or resume opening) the account and return it with its balances."""
        account, merchant = await self._reserve(command)
        if account.bank is None:
            merchant_id = merchant.provider_merchant_id if merchant else None
            merchant_id = merchant_id or await self._onboard(command)
            opened = await self._provider.open_account(
                command.customer_id,
                merchant_id,
                currency=account.currency,
                country_code=account.country_code,
                product_code=account.partner_product,
                holder_name=account.holder_name,
            )
            await self._attach(account, merchant_id, opened, command)
            provider_status = opened.status
        else:
            known = await self._provider.get_account(account.bank.provider_account_id)
            provider_status = known.status
        return await self._complete(
            account.customer_id, account.account_id, STATUS_FROM_PROVIDER[provider_status]
        )

    async def _reserve(self, command: OpenAccountCommand) -> tuple[Account, Merchant | None]:
        async with self._uow() as uow:
            customer = await require_customer(uow, command.customer_id)
            currency = _currency_of(command, customer.available_currencies)
            merchant = await uow.accounts.find_merchant(command.customer_id, command.client_id)
            for existing in await uow.accounts.list_for_client(
                command.customer_id, command.client_id
            ):
                if (
                    existing.status is AccountStatus.PENDING
                    and existing.currency == currency
                    and existing.partner_product == command.partner_product
                ):
                    return existing, merchant
            account = Account(
                account_id=new_id(),
                customer_id=command.customer_id,
                client_id=command.client_id,
                currency=currency,
                country_code=command.country_code.upper(),
                partner_product=command.partner_product,
                holder_name=command.name,
                alias=command.alias,
                address=command.address,
                read_only=command.read_only,
            )
            await uow.accounts.add(account)
            await uow.commit()
            return account, merchant

    async def _onboard(self, command: OpenAccountCommand) -> str:
        found = await self._provider.find_merchant(command.customer_id, command.client_id)
        if found is not None:
            return found
        profile = MerchantProfile(
            client_id=command.client_id,
            legal_name=command.legal_name or command.name,
            country_code=command.country_code.upper(),
            address=command.address.address,
            city=command.address.city,
            postal_code=command.address.postal_code,
        )
        return await self._provider.create_merchant(command.customer_id, profile)

    async def _attach(
        self,
        account: Account,
        merchant_id: str,
        opened: ProviderAccount,
        command: OpenAccountCommand,
    ) -> None:
        async with self._uow() as uow:
            stored = await uow.accounts.get(account.customer_id, account.account_id, lock=True)
            assert stored is not None  # reserved by this use case
            if await uow.accounts.find_merchant(command.customer_id, command.client_id) is None:
                await uow.accounts.add_merchant(
                    Merchant(
                        customer_id=command.customer_id,
                        client_id=command.client_id,
                        provider_merchant_id=merchant_id,
                        legal_name=command.legal_name or command.name,
                    )
                )
            stored.attach_provider(merchant_id, bank_details(opened))
            await uow.accounts.save(stored)
            await uow.commit()

    async def _complete(
        self, customer_id: str, account_id: str, status: AccountStatus
    ) -> AccountView:
        async with self._uow() as uow:
            account = await uow.accounts.get(customer_id, account_id, lock=True)
            if account is None or account.bank is None:
                raise NotFound(f"Account {account_id} was not found", code="ACCOUNT_NOT_FOUND")
            if account.status is AccountStatus.PENDING:
                await open_ledger_accounts(uow, account)
            # A provider that opens accounts asynchronously leaves them PENDING; they are
            # announced when it reports them active.
            if account.status is AccountStatus.PENDING and status is not AccountStatus.PENDING:
                account.change_status(status)
                await uow.accounts.save(account)
                uow.publish(
                    AccountOpenedV1(
                        customer_id=account.customer_id,
                        client_id=account.client_id,
                        account_id=account.account_id,
                        currency=account.currency,
                        iban=account.iban,
                    ),
                    correlation_id=account.account_id,
                )
                if account.pull_events():
                    await announce_status(uow, account)
            view = await view_of(uow, account)
            await uow.commit()
            return view


def bank_details(opened: ProviderAccount) -> BankDetails:
    """The provider's account details as the aggregate keeps them."""
    return BankDetails(
        provider_account_id=opened.provider_account_id,
        iban=opened.iban,
        bic=opened.bic,
        uk_account_number=opened.uk_account_number,
        uk_sort_code=opened.uk_sort_code,
    )


async def open_ledger_accounts(uow: AccountsWork, account: Account) -> None:
    """Open the account's ledger account, and its currency's settlement account if new."""
    settlement = settlement_account_id(account.customer_id, account.currency)
    try:
        await uow.ledger.balance(settlement)
    except NotFound:
        await uow.ledger.open_account(
            settlement,
            account.currency,
            normal_side=NormalSide.DEBIT,
            floor_minor=None,
            name=f"settlement {account.customer_id} {account.currency}",
        )
    try:
        await uow.ledger.balance(account.ledger_account_id)
    except NotFound:
        await uow.ledger.open_account(
            account.ledger_account_id, account.currency, name=account.holder_name
        )
