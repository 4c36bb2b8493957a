"""RegisterProviderOpenedAccount: an account the provider opened on its own joins the connector.

The provider already holds the account, so nothing here calls it: one transaction stores the
connector's ACTIVE account with the provider's details, opens its ledger account, queues
``LEDGER_CREATED`` to Toqio and writes ``AccountOpenedV1`` to the outbox - all of them, or none.
The provider account id is unique in the accounts table, so a repeated or concurrent
notification of the same opening registers it once and answers the same connector id.
"""

from __future__ import annotations

from typing import Any

from accounts_payments.application.accounts.common import (
    AccountView,
    require_customer,
    view_of,
    wire_amount,
)
from accounts_payments.application.accounts.open_account import open_ledger_accounts
from accounts_payments.application.accounts.ports import AccountsWork, UnitOfWorkFactory
from accounts_payments.application.ports.provider_accounts import ProviderOpenedAccount
from accounts_payments.domain.accounts import Account, AccountStatus, BankDetails, PostalAddress
from shared_kernel.contracts import AccountOpenedV1
from shared_kernel.domain.currency import Currency
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound
from shared_kernel.domain.ids import new_id

LEDGER_CREATED = "LEDGER_CREATED"


def ledger_created_body(view: AccountView, *, holder_bank: str) -> dict[str, Any]:
    """The ``LEDGER_CREATED`` webhook body.

    The Integration Hub spec names the webhook type but gives it no schema, so Toqio hears the
    new account exactly as ``GET …/accounts/{accountId}`` answers it (``AccountBaseResponse``,
    same field names and formats) plus ``clientId``, which that answer carries in its path.
    """
    account, bank = view.account, view.account.bank
    address = account.address
    bic = (bank.bic if bank else None) or ""
    return {
        "clientId": account.client_id,
        "accountId": account.account_id,
        "ukAccountNumber": (bank.uk_account_number if bank else None) or "",
        "ukSortCode": (bank.uk_sort_code if bank else None) or "",
        "iban": (bank.iban if bank else None) or "",
        "bicSwiftForSEPA": bic,
        "bicSwiftForSWIFT": bic,
        "assetType": account.currency.lower(),
        "createdAt": account.created_at,
        "status": account.status.value,
        "totalBalance": wire_amount(view.total),
        "availableBalance": wire_amount(view.available),
        "countryCode": account.country_code,
        "holderName": account.holder_name,
        "holderAddress": ", ".join(
            p for p in (address.address, address.address2, address.city, address.postal_code) if p
        ),
        "holderAddressObj": {
            "address": address.address,
            "address2": address.address2,
            "city": address.city,
            "postalCode": address.postal_code,
            "country": account.country_code,
        },
        "alias": account.alias,
        "correspondentBank": "",
        "correspondentBankAddress": "",
        "correspondentBankSWIFT": "",
        "holderBank": holder_bank,
        "holderBankAddress": "",
        "internationalEnabled": False,
        "partnerProduct": account.partner_product,
        "accountCanIssueCards": not account.read_only,
    }


def _currency_code(code: str) -> str:
    try:
        return Currency.of(code).code
    except InvalidInput:
        raise InvalidInput(
            f"'{code}' is not a currency we can hold", code="CURRENCY_NOT_SUPPORTED"
        ) from None


class RegisterProviderOpenedAccount:
    """The ProviderAccountOpenedSink: register a provider-opened account exactly once."""

    def __init__(self, uow: UnitOfWorkFactory, *, holder_bank: str) -> None:
        """Args: holder_bank: the provider's name, as account answers show it."""
        self._uow = uow
        self._holder_bank = holder_bank

    async def __call__(self, opened: ProviderOpenedAccount) -> str:
        """Register ``opened``; return the connector's account id (the same on a repeat).

        Raises:
            NotFound: ``CUSTOMER_NOT_FOUND``, or ``ERROR_CLIENT_NOT_FOUND`` when the connector
                has not onboarded this merchant for the client.
            InvalidInput: ``CURRENCY_NOT_SUPPORTED`` for a code that is not a currency.
        """
        currency = _currency_code(opened.currency)
        async with self._uow() as uow:
            earlier = await uow.accounts.find_by_provider_account(opened.provider_account_id)
            if earlier is not None:
                _same_owner(earlier, opened)
                return earlier.account_id
            await require_customer(uow, opened.customer_id)
            await _require_merchant(uow, opened)
            account = await self._account_for(uow, opened, currency)
            if not await uow.accounts.add_if_new_provider_account(account):
                # A concurrent notification of the same opening registered it first.
                return await _registered_id(self._uow, opened.provider_account_id)
            await open_ledger_accounts(uow, account)
            view = await view_of(uow, account)
            await uow.notify_toqio(
                LEDGER_CREATED,
                ledger_created_body(view, holder_bank=self._holder_bank),
                customer_id=account.customer_id,
                dedupe_key=f"ledger-created:{account.account_id}",
                ordering_key=f"account:{account.account_id}",
            )
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
            await uow.commit()
            return account.account_id

    async def _account_for(
        self, uow: AccountsWork, opened: ProviderOpenedAccount, currency: str
    ) -> Account:
        # The holder's address is the one Toqio gave for the client's latest account, if any.
        siblings = await uow.accounts.list_for_client(opened.customer_id, opened.client_id)
        country = opened.country_code.upper()
        address = siblings[-1].address if siblings else PostalAddress(country=country)
        account = Account(
            account_id=new_id(),
            customer_id=opened.customer_id,
            client_id=opened.client_id,
            currency=currency,
            country_code=country,
            partner_product=opened.product_code,
            holder_name=opened.holder_name,
            alias=opened.holder_name,
            address=address,
            status=AccountStatus.ACTIVE,
        )
        account.attach_provider(
            opened.provider_merchant_id,
            BankDetails(
                provider_account_id=opened.provider_account_id,
                iban=opened.iban,
                bic=opened.bic,
                uk_account_number=opened.uk_account_number,
                uk_sort_code=opened.uk_sort_code,
            ),
        )
        return account


async def _require_merchant(uow: AccountsWork, opened: ProviderOpenedAccount) -> None:
    merchant = await uow.accounts.find_merchant(opened.customer_id, opened.client_id)
    if merchant is None or merchant.provider_merchant_id != opened.provider_merchant_id:
        raise NotFound(
            f"Client {opened.client_id} of customer {opened.customer_id} is not onboarded "
            f"at the provider as merchant {opened.provider_merchant_id}",
            code="ERROR_CLIENT_NOT_FOUND",
        )


def _same_owner(account: Account, opened: ProviderOpenedAccount) -> None:
    if (account.customer_id, account.client_id) != (opened.customer_id, opened.client_id):
        raise Conflict(
            f"Provider account {opened.provider_account_id} belongs to another client",
            code="PROVIDER_ACCOUNT_CONFLICT",
        )


async def _registered_id(uow_factory: UnitOfWorkFactory, provider_account_id: str) -> str:
    async with uow_factory() as uow:
        earlier = await uow.accounts.find_by_provider_account(provider_account_id)
        if earlier is None:
            raise NotFound("The provider's account was not registered", code="ACCOUNT_NOT_FOUND")
        return earlier.account_id
