"""The sandbox bank on SQLite: the provider contract, IBANs per country, merchants, statuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from schwifty import IBAN

from accounts_payments.adapters.providers import DEFAULT_BRANCHES, SandboxBank
from accounts_payments.application.ports.banking_provider import (
    ProviderAccount,
    ProviderAccountStatus,
    ProviderCapabilities,
    ProviderRejected,
)
from building_blocks.persistence import Database
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.iban import Bic, Iban
from shared_kernel.domain.money import Money
from tests.accounts_payments.banking_provider_contract import (
    AccountProduct,
    BankingProviderContract,
)
from tests.accounts_payments.sandbox_support import onboarded, sandbox_database

pytestmark = pytest.mark.unit

CURRENCY_BY_COUNTRY = {country: branch.currency for country, branch in DEFAULT_BRANCHES.items()}


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with sandbox_database(f"sqlite:///{tmp_path / 'sandbox.db'}") as database:
        yield database


@pytest.fixture
def bank(database: Database) -> SandboxBank:
    return SandboxBank(database, max_accounts_per_merchant=3)


async def open_in(
    bank: SandboxBank, merchant_id: str, country: str, currency: str = ""
) -> ProviderAccount:
    return await bank.open_account(
        "cust-1",
        merchant_id,
        currency=currency or CURRENCY_BY_COUNTRY[country],
        country_code=country,
        product_code="BUSINESS_CURRENT",
        holder_name="Acme Ltd",
    )


class TestSandboxBankContract(BankingProviderContract):
    @pytest.fixture
    def provider(self, database: Database) -> SandboxBank:
        return SandboxBank(database)

    @pytest.fixture(params=["ES", "GB"])
    def product(self, request: pytest.FixtureRequest) -> AccountProduct:
        country = str(request.param)
        return AccountProduct(country, CURRENCY_BY_COUNTRY[country].lower(), "BUSINESS_CURRENT")


@pytest.mark.parametrize("country", sorted(DEFAULT_BRANCHES))
async def test_accounts_in_each_country_get_valid_ibans_and_the_country_bic(
    database: Database, country: str
) -> None:
    bank = SandboxBank(database)
    merchant_id = await onboarded(bank)

    accounts = [await open_in(bank, merchant_id, country) for _ in range(2)]

    ibans = [Iban(account.iban or "") for account in accounts]
    assert {iban.country_code for iban in ibans} == {country}
    assert ibans[0] != ibans[1]
    for account, iban in zip(accounts, ibans, strict=True):
        assert account.bic == DEFAULT_BRANCHES[country].bic
        assert Bic(account.bic or "").country_code == country
        assert iban.bank_code == DEFAULT_BRANCHES[country].bank_code
        assert IBAN(iban.value).bank_name is None  # fictitious: no real bank has these codes


async def test_account_numbers_are_sequential_per_country(bank: SandboxBank) -> None:
    merchant_id = await onboarded(bank)
    other_id = await onboarded(bank, "client-2")

    first = await open_in(bank, merchant_id, "DE")
    await open_in(bank, other_id, "FR")
    second = await open_in(bank, other_id, "DE")

    assert str(first.iban).endswith("0000000001")
    assert str(second.iban).endswith("0000000002")


async def test_a_uk_account_has_a_sort_code_and_an_eight_digit_account_number(
    bank: SandboxBank,
) -> None:
    merchant_id = await onboarded(bank)

    account = await open_in(bank, merchant_id, "GB")

    assert account.currency == "GBP"
    assert account.uk_sort_code == "990099"
    assert account.uk_account_number == "00000001"
    assert Iban(account.iban or "").branch_code == "990099"
    assert str(account.iban).endswith("99009900000001")


async def test_a_sepa_account_has_no_uk_details(bank: SandboxBank) -> None:
    account = await open_in(bank, await onboarded(bank), "IE")

    assert account.uk_sort_code is None
    assert account.uk_account_number is None


@pytest.mark.parametrize(("country", "currency"), [("GB", "EUR"), ("DE", "GBP"), ("US", "USD")])
async def test_a_currency_or_country_the_bank_does_not_offer_is_rejected(
    bank: SandboxBank, country: str, currency: str
) -> None:
    merchant_id = await onboarded(bank)

    with pytest.raises(ProviderRejected) as raised:
        await open_in(bank, merchant_id, country, currency)

    assert raised.value.code == "INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY"


async def test_opening_for_an_unknown_merchant_is_rejected(bank: SandboxBank) -> None:
    with pytest.raises(ProviderRejected) as raised:
        await open_in(bank, "no-such-merchant", "ES")

    assert raised.value.code == "ERROR_CLIENT_NOT_FOUND"


async def test_another_customers_merchant_is_unknown(bank: SandboxBank) -> None:
    merchant_id = await onboarded(bank)

    with pytest.raises(ProviderRejected):
        await bank.open_account(
            "cust-2",
            merchant_id,
            currency="EUR",
            country_code="ES",
            product_code="P",
            holder_name="Acme Ltd",
        )


async def test_the_bank_refuses_accounts_beyond_its_limit_per_merchant(bank: SandboxBank) -> None:
    merchant_id = await onboarded(bank)
    accounts = [await open_in(bank, merchant_id, "ES") for _ in range(3)]

    with pytest.raises(ProviderRejected) as raised:
        await open_in(bank, merchant_id, "ES")
    await bank.set_account_status(accounts[0].provider_account_id, ProviderAccountStatus.CLOSED)
    await open_in(bank, merchant_id, "ES")

    assert raised.value.code == "ACCOUNT_LIMIT_REACHED"


async def test_merchants_are_scoped_by_customer(bank: SandboxBank) -> None:
    merchant_id = await onboarded(bank)

    assert await bank.find_merchant("cust-1", "client-1") == merchant_id
    assert await bank.find_merchant("cust-2", "client-1") is None


async def test_an_account_holding_funds_cannot_be_closed(bank: SandboxBank) -> None:
    account = await open_in(bank, await onboarded(bank), "ES")
    account_id = account.provider_account_id
    await bank.receive_inbound_transfer(
        account_id,
        Money.of(100, "EUR"),
        debtor_name="Payer",
        debtor_iban=Iban("DE89370400440532013000"),
        reference="inv 1",
    )

    with pytest.raises(ProviderRejected) as raised:
        await bank.set_account_status(account_id, ProviderAccountStatus.CLOSED)

    assert raised.value.code == "ERROR_CLOSING_ACCOUNT"
    assert (await bank.get_account(account_id)).status is ProviderAccountStatus.ACTIVE


async def test_an_account_cannot_go_back_to_pending(bank: SandboxBank) -> None:
    account = await open_in(bank, await onboarded(bank), "ES")

    with pytest.raises(ProviderRejected) as raised:
        await bank.set_account_status(account.provider_account_id, ProviderAccountStatus.PENDING)

    assert raised.value.code == "INVALID_ACCOUNT_STATUS_CHANGE"


async def test_an_unknown_account_is_rejected_as_an_invalid_remote_account(
    bank: SandboxBank,
) -> None:
    with pytest.raises(ProviderRejected) as raised:
        await bank.set_account_status("nope", ProviderAccountStatus.BLOCKED)

    assert raised.value.code == "INVALID_REMOTE_ACCOUNT_CONFIGURATION"


def test_the_capabilities_tell_what_the_sandbox_offers(bank: SandboxBank) -> None:
    assert bank.name == "sandbox"
    assert bank.capabilities == ProviderCapabilities(
        multi_currency=True,
        uk_accounts=True,
        sepa_accounts=True,
        statements=True,
        ownership_certificate=True,
        confirmation_of_payee=True,
        fx=True,
        requires_otp_for_statements=False,
    )
    assert {b.currency for b in DEFAULT_BRANCHES.values()} == {"EUR", "GBP"}
    assert "GB" in DEFAULT_BRANCHES


async def test_the_bank_refuses_to_credit_a_non_positive_amount(bank: SandboxBank) -> None:
    account = await open_in(bank, await onboarded(bank), "ES")

    with pytest.raises(InvalidInput) as raised:
        await bank.receive_inbound_transfer(
            account.provider_account_id,
            Money.of(0, "EUR"),
            debtor_name="Payer",
            debtor_iban=Iban("DE89370400440532013000"),
            reference="",
        )

    assert raised.value.code == "INVALID_AMOUNT"
