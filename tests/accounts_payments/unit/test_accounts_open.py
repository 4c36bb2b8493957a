"""OpenAccount: onboarding, provider, ledger, events and webhooks, and resuming after failures."""

from __future__ import annotations

import pytest

from accounts_payments.application.accounts.common import settlement_account_id
from accounts_payments.application.accounts.open_account import OpenAccount, OpenAccountCommand
from accounts_payments.application.accounts.queries import GetAccount, ListAccounts
from accounts_payments.application.ports.banking_provider import (
    ProviderAccountStatus,
    ProviderUnavailable,
)
from accounts_payments.domain.accounts import AccountStatus, PostalAddress
from shared_kernel.contracts import AccountOpenedV1
from shared_kernel.domain.errors import InvalidInput, NotFound
from tests.accounts_payments.fakes import (
    FakeAccountsUnitOfWork,
    FakeBank,
    FakeStore,
    customer,
)

pytestmark = pytest.mark.unit


def command(
    client_id: str = "cl-1", asset_type: str = "eur", **overrides: object
) -> OpenAccountCommand:
    values: dict[str, object] = {
        "customer_id": "cust-1",
        "client_id": client_id,
        "name": "Acme Ltd",
        "asset_type": asset_type,
        "country_code": "es",
        "partner_product": "Banking-EU-1",
        "alias": "Main",
        "address": PostalAddress(address="1 Main St", city="Madrid", postal_code="28001"),
    }
    values.update(overrides)
    return OpenAccountCommand(**values)  # type: ignore[arg-type]


@pytest.fixture
def store() -> FakeStore:
    return FakeStore(customers={"cust-1": customer(currencies=("EUR", "GBP"))})


@pytest.fixture
def bank() -> FakeBank:
    return FakeBank()


def open_account(store: FakeStore, bank: FakeBank) -> OpenAccount:
    return OpenAccount(lambda: FakeAccountsUnitOfWork(store), bank)


async def test_the_first_account_onboards_the_merchant_then_opens_an_active_account(
    store: FakeStore, bank: FakeBank
) -> None:
    view = await open_account(store, bank)(command())

    assert bank.merchants == {("cust-1", "cl-1"): "m-1"}
    account = store.accounts[view.account.account_id]
    assert account.status is AccountStatus.ACTIVE
    assert account.provider_merchant_id == "m-1"
    assert account.iban
    assert account.iban.startswith("ES")
    assert account.currency == "EUR"
    assert account.country_code == "ES"
    assert view.total.is_zero()
    assert ("cust-1", "cl-1") in store.merchants
    balance = await store.ledger.balance(account.account_id)
    assert balance.total.is_zero()
    await store.ledger.balance(settlement_account_id("cust-1", "EUR"))


async def test_opening_announces_account_opened_and_sync_account_status_together(
    store: FakeStore, bank: FakeBank
) -> None:
    view = await open_account(store, bank)(command())

    assert store.messages == [
        AccountOpenedV1(
            customer_id="cust-1",
            client_id="cl-1",
            account_id=view.account.account_id,
            currency="EUR",
            iban=view.account.iban,
        )
    ]
    [(kind, body, ordering_key)] = store.webhooks
    assert kind == "SYNC_ACCOUNT_STATUS"
    assert body == {
        "clientId": "cl-1",
        "id": view.account.account_id,
        "status": "ACTIVE",
        "oldId": "",
        "balance": 0.0,
        "assetType": "eur",
        "iban": view.account.iban,
    }
    assert ordering_key == f"account:{view.account.account_id}"


async def test_a_second_account_reuses_the_merchant(store: FakeStore, bank: FakeBank) -> None:
    first = await open_account(store, bank)(command())
    second = await open_account(store, bank)(command(asset_type="GBP"))

    assert len(bank.merchants) == 1
    assert first.account.account_id != second.account.account_id
    assert second.account.currency == "GBP"
    listed = await ListAccounts(lambda: FakeAccountsUnitOfWork(store))("cust-1", "cl-1")
    assert [v.account.account_id for v in listed] == [
        first.account.account_id,
        second.account.account_id,
    ]


async def test_a_merchant_already_at_the_provider_is_not_created_again(
    store: FakeStore, bank: FakeBank
) -> None:
    bank.merchants[("cust-1", "cl-1")] = "m-existing"

    view = await open_account(store, bank)(command())

    assert view.account.provider_merchant_id == "m-existing"
    assert len(bank.merchants) == 1


async def test_an_unknown_customer_is_refused_and_nothing_is_opened(bank: FakeBank) -> None:
    store = FakeStore()
    with pytest.raises(NotFound) as raised:
        await open_account(store, bank)(command())
    assert raised.value.code == "CUSTOMER_NOT_FOUND"
    assert bank.accounts == {}
    assert store.accounts == {}


@pytest.mark.parametrize("asset_type", ["usd", "xyz", "gold"])
async def test_an_unsupported_currency_is_refused(
    store: FakeStore, bank: FakeBank, asset_type: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await open_account(store, bank)(command(asset_type=asset_type))
    assert raised.value.code == "CURRENCY_NOT_SUPPORTED"
    assert store.accounts == {}
    assert bank.accounts == {}


async def test_a_provider_failure_leaves_a_pending_account_that_the_retry_completes(
    store: FakeStore, bank: FakeBank
) -> None:
    bank.fail_open = True
    with pytest.raises(ProviderUnavailable):
        await open_account(store, bank)(command())
    [pending] = store.accounts.values()
    assert pending.status is AccountStatus.PENDING
    assert pending.bank is None
    assert store.webhooks == []
    assert store.messages == []

    bank.fail_open = False
    view = await open_account(store, bank)(command())

    assert view.account.account_id == pending.account_id
    assert len(store.accounts) == 1
    assert len(bank.accounts) == 1
    assert view.account.status is AccountStatus.ACTIVE


async def test_a_database_failure_after_the_provider_opened_resumes_without_a_second_account(
    store: FakeStore, bank: FakeBank
) -> None:
    opener = open_account(store, bank)
    original_complete = opener._complete

    async def failing_complete(*args: object) -> object:
        store.fail_next_commit = True
        return await original_complete(*args)  # type: ignore[arg-type]

    opener._complete = failing_complete  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await opener(command())
    [stuck] = store.accounts.values()
    assert stuck.status is AccountStatus.PENDING
    assert stuck.bank is not None

    view = await open_account(store, bank)(command())

    assert view.account.account_id == stuck.account_id
    assert len(bank.accounts) == 1
    assert view.account.status is AccountStatus.ACTIVE
    assert len(store.messages) == 1


async def test_a_provider_that_opens_asynchronously_leaves_the_account_pending_unannounced(
    store: FakeStore, bank: FakeBank
) -> None:
    bank.opened_status = ProviderAccountStatus.PENDING

    view = await open_account(store, bank)(command())

    assert view.account.status is AccountStatus.PENDING
    assert store.messages == []
    assert store.webhooks == []


async def test_get_account_checks_customer_client_and_account(
    store: FakeStore, bank: FakeBank
) -> None:
    view = await open_account(store, bank)(command())
    get = GetAccount(lambda: FakeAccountsUnitOfWork(store))

    found = await get("cust-1", "cl-1", view.account.account_id)

    assert found.account.account_id == view.account.account_id
    with pytest.raises(NotFound) as raised:
        await get("cust-1", "other-client", view.account.account_id)
    assert raised.value.code == "ACCOUNT_NOT_FOUND"
    with pytest.raises(NotFound) as raised:
        await get("cust-2", "cl-1", view.account.account_id)
    assert raised.value.code == "CUSTOMER_NOT_FOUND"


async def test_listing_an_unknown_client_is_client_not_found(store: FakeStore) -> None:
    with pytest.raises(NotFound) as raised:
        await ListAccounts(lambda: FakeAccountsUnitOfWork(store))("cust-1", "nobody")
    assert raised.value.code == "ERROR_CLIENT_NOT_FOUND"
