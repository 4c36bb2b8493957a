"""The sandbox bank on PostgreSQL: the provider contract, and concurrency that SQLite hides."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from accounts_payments.adapters.providers import SandboxBank
from accounts_payments.application.ports.banking_provider import (
    MerchantProfile,
    ProviderAccountStatus,
    ProviderRejected,
)
from building_blocks.persistence import Database
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.money import Money
from tests.accounts_payments.banking_provider_contract import (
    AccountProduct,
    BankingProviderContract,
)
from tests.accounts_payments.sandbox_support import onboarded, sandbox_database

pytestmark = pytest.mark.integration


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    async with sandbox_database(postgres_url) as database:
        yield database


class TestSandboxBankContractOnPostgres(BankingProviderContract):
    @pytest.fixture
    def provider(self, database: Database) -> SandboxBank:
        return SandboxBank(database)

    @pytest.fixture(params=[("LT", "EUR"), ("GB", "GBP")])
    def product(self, request: pytest.FixtureRequest) -> AccountProduct:
        country, currency = request.param
        return AccountProduct(country, currency, "BUSINESS_CURRENT")


async def test_concurrent_openings_get_unique_sequential_account_numbers(
    database: Database,
) -> None:
    bank = SandboxBank(database, max_accounts_per_merchant=100)
    merchants = [await onboarded(bank, f"client-{n}") for n in range(5)]

    async def open_one(n: int) -> str | None:
        account = await bank.open_account(
            "cust-1",
            merchants[n % 5],
            currency="EUR",
            country_code="DE",
            product_code="P",
            holder_name=f"Holder {n}",
        )
        return account.iban

    ibans = await asyncio.gather(*(open_one(n) for n in range(40)))

    numbers = sorted(int(Iban(iban or "").bban[-10:]) for iban in ibans)
    assert numbers == list(range(1, 41))


async def test_concurrent_onboardings_of_one_client_create_one_merchant(
    database: Database,
) -> None:
    bank = SandboxBank(database)
    profile = MerchantProfile(client_id="client-x", legal_name="Acme Ltd", country_code="DE")

    ids = await asyncio.gather(*(bank.create_merchant("cust-1", profile) for _ in range(10)))

    assert len(set(ids)) == 1
    assert await bank.find_merchant("cust-1", "client-x") == ids[0]


async def test_a_funded_account_cannot_be_closed_and_an_inbound_transfer_is_kept(
    database: Database,
) -> None:
    bank = SandboxBank(database)
    account = await bank.open_account(
        "cust-1",
        await onboarded(bank),
        currency="EUR",
        country_code="IT",
        product_code="P",
        holder_name="Acme Ltd",
    )
    received = await bank.receive_inbound_transfer(
        account.provider_account_id,
        Money.of(5000, "EUR"),
        debtor_name="Payer",
        debtor_iban=Iban("DE89370400440532013000"),
        reference="r",
    )

    with pytest.raises(ProviderRejected) as raised:
        await bank.set_account_status(account.provider_account_id, ProviderAccountStatus.CLOSED)
    [waiting] = await bank.transfers.unconfirmed()
    await bank.confirm_inbound_transfer(received.provider_transaction_id, "txn-1")

    assert raised.value.code == "ERROR_CLOSING_ACCOUNT"
    assert waiting == received
    assert await bank.transfers.unconfirmed() == []
