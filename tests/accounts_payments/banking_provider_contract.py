"""One behavioural suite every ``BankingProvider`` adapter must pass (subclassed per adapter).

An adapter's test module subclasses ``BankingProviderContract`` and provides two fixtures:
``provider`` (a ready adapter, pointed at the bank's own sandbox for a real bank) and
``product`` (a country, currency and product code the bank offers).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts_payments.application.ports.banking_provider import (
    BankingProvider,
    MerchantProfile,
    ProviderAccount,
    ProviderAccountStatus,
    ProviderCapabilities,
    ProviderError,
    ProviderRejected,
)
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.ids import new_id

CUSTOMER = "contract-customer"


@dataclass(frozen=True)
class AccountProduct:
    """Where and in what a bank opens accounts."""

    country_code: str
    currency: str
    product_code: str


def merchant(client_id: str | None = None) -> MerchantProfile:
    """A merchant with a fresh client id, so runs against a real sandbox never collide."""
    return MerchantProfile(
        client_id=client_id or f"client-{new_id()}",
        legal_name="Contract Testing Ltd",
        country_code="ES",
        address="Calle Mayor 1",
        city="Madrid",
        postal_code="28013",
    )


async def open_account(
    provider: BankingProvider, product: AccountProduct, merchant_id: str
) -> ProviderAccount:
    """Open one account of ``product`` for the merchant."""
    return await provider.open_account(
        CUSTOMER,
        merchant_id,
        currency=product.currency,
        country_code=product.country_code,
        product_code=product.product_code,
        holder_name="Contract Testing Ltd",
    )


class BankingProviderContract:
    """What the connector relies on from any bank."""

    async def test_a_merchant_not_onboarded_is_not_found(self, provider: BankingProvider) -> None:
        assert await provider.find_merchant(CUSTOMER, f"client-{new_id()}") is None

    async def test_onboarding_a_merchant_twice_returns_the_same_id(
        self, provider: BankingProvider
    ) -> None:
        profile = merchant()

        first = await provider.create_merchant(CUSTOMER, profile)
        second = await provider.create_merchant(CUSTOMER, profile)

        assert first == second
        assert await provider.find_merchant(CUSTOMER, profile.client_id) == first

    async def test_an_opened_account_is_active_with_a_valid_iban(
        self, provider: BankingProvider, product: AccountProduct
    ) -> None:
        merchant_id = await provider.create_merchant(CUSTOMER, merchant())

        account = await open_account(provider, product, merchant_id)

        assert account.status is ProviderAccountStatus.ACTIVE
        assert account.provider_merchant_id == merchant_id
        assert account.currency.upper() == product.currency.upper()
        assert account.holder_name == "Contract Testing Ltd"
        assert account.iban is not None
        assert Iban(account.iban).country_code == product.country_code
        assert await provider.get_account(account.provider_account_id) == account

    async def test_every_account_gets_its_own_iban(
        self, provider: BankingProvider, product: AccountProduct
    ) -> None:
        merchant_id = await provider.create_merchant(CUSTOMER, merchant())

        accounts = [await open_account(provider, product, merchant_id) for _ in range(3)]

        assert len({a.iban for a in accounts}) == 3
        assert len({a.provider_account_id for a in accounts}) == 3

    async def test_a_blocked_account_can_be_unblocked_and_closed(
        self, provider: BankingProvider, product: AccountProduct
    ) -> None:
        merchant_id = await provider.create_merchant(CUSTOMER, merchant())
        account_id = (await open_account(provider, product, merchant_id)).provider_account_id

        blocked = await provider.set_account_status(account_id, ProviderAccountStatus.BLOCKED)
        active = await provider.set_account_status(account_id, ProviderAccountStatus.ACTIVE)
        closed = await provider.set_account_status(account_id, ProviderAccountStatus.CLOSED)

        assert [blocked.status, active.status, closed.status] == ["BLOCKED", "ACTIVE", "CLOSED"]
        assert (await provider.get_account(account_id)).status is ProviderAccountStatus.CLOSED

    async def test_setting_the_current_status_again_changes_nothing(
        self, provider: BankingProvider, product: AccountProduct
    ) -> None:
        merchant_id = await provider.create_merchant(CUSTOMER, merchant())
        account = await open_account(provider, product, merchant_id)

        again = await provider.set_account_status(
            account.provider_account_id, ProviderAccountStatus.ACTIVE
        )

        assert again == account

    async def test_a_closed_account_cannot_be_reopened(
        self, provider: BankingProvider, product: AccountProduct
    ) -> None:
        merchant_id = await provider.create_merchant(CUSTOMER, merchant())
        account_id = (await open_account(provider, product, merchant_id)).provider_account_id
        await provider.set_account_status(account_id, ProviderAccountStatus.CLOSED)

        with pytest.raises(ProviderRejected):
            await provider.set_account_status(account_id, ProviderAccountStatus.ACTIVE)

    async def test_an_unsupported_country_is_rejected_with_the_contract_code(
        self, provider: BankingProvider, product: AccountProduct
    ) -> None:
        merchant_id = await provider.create_merchant(CUSTOMER, merchant())
        unsupported = AccountProduct("AQ", product.currency, product.product_code)

        with pytest.raises(ProviderRejected) as raised:
            await open_account(provider, unsupported, merchant_id)

        assert raised.value.code == "INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY"
        assert raised.value.message

    async def test_an_unknown_account_is_a_provider_error(self, provider: BankingProvider) -> None:
        with pytest.raises(ProviderError):
            await provider.get_account(new_id())

    async def test_the_bank_answers_a_ping(self, provider: BankingProvider) -> None:
        assert await provider.ping() is True

    async def test_the_bank_names_itself_and_its_capabilities(
        self, provider: BankingProvider
    ) -> None:
        assert provider.name
        assert isinstance(provider.capabilities, ProviderCapabilities)
