"""RegisterProviderOpenedAccount: accounts the provider opened on its own, through fakes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from accounts_payments.application.accounts.common import settlement_account_id
from accounts_payments.application.accounts.open_account import OpenAccount
from accounts_payments.application.accounts.queries import ListAccounts
from accounts_payments.application.accounts.register_provider_account import (
    LEDGER_CREATED,
    RegisterProviderOpenedAccount,
)
from accounts_payments.application.ports.provider_accounts import ProviderOpenedAccount
from accounts_payments.domain.accounts import AccountStatus
from accounts_payments.domain.clients import Merchant
from shared_kernel.contracts import AccountOpenedV1
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound
from shared_kernel.domain.iban import generate_iban
from shared_kernel.domain.money import Money
from tests.accounts_payments.fakes import (
    FakeAccountsUnitOfWork,
    FakeBank,
    FakeStore,
    customer,
)
from tests.accounts_payments.unit.test_accounts_open import command

pytestmark = pytest.mark.unit

IBAN = generate_iban("ES", "9000", "0000000042", "0001").value


def opened(**overrides: object) -> ProviderOpenedAccount:
    values: dict[str, object] = {
        "provider_account_id": "pa-own-1",
        "provider_merchant_id": "m-1",
        "customer_id": "cust-1",
        "client_id": "cl-1",
        "currency": "eur",
        "country_code": "es",
        "product_code": "Banking-EU-1",
        "holder_name": "Acme Ltd",
        "iban": IBAN,
        "bic": "TQSBESM0",
    }
    values.update(overrides)
    return ProviderOpenedAccount(**values)  # type: ignore[arg-type]


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore(customers={"cust-1": customer()})
    store.merchants[("cust-1", "cl-1")] = Merchant("cust-1", "cl-1", "m-1", "Acme Ltd")
    return store


def register(store: FakeStore) -> RegisterProviderOpenedAccount:
    return RegisterProviderOpenedAccount(
        lambda: FakeAccountsUnitOfWork(store), holder_bank="fakebank"
    )


async def test_it_registers_an_active_account_with_its_ledger_account(store: FakeStore) -> None:
    account_id = await register(store)(opened())

    account = store.accounts[account_id]
    assert account.status is AccountStatus.ACTIVE
    assert (account.customer_id, account.client_id, account.currency) == ("cust-1", "cl-1", "EUR")
    assert (account.country_code, account.partner_product) == ("ES", "Banking-EU-1")
    assert account.provider_merchant_id == "m-1"
    assert account.bank is not None
    assert (account.bank.provider_account_id, account.iban) == ("pa-own-1", IBAN)
    assert (await store.ledger.balance(account_id)).total == Money.zero("EUR")
    await store.ledger.balance(settlement_account_id("cust-1", "EUR"))
    [listed] = await ListAccounts(lambda: FakeAccountsUnitOfWork(store))("cust-1", "cl-1")
    assert listed.account.account_id == account_id


async def test_it_sends_ledger_created_and_account_opened_together(store: FakeStore) -> None:
    account_id = await register(store)(opened())

    [(webhook_type, body, ordering_key)] = store.webhooks
    assert webhook_type == LEDGER_CREATED
    assert ordering_key == f"account:{account_id}"
    assert body["clientId"] == "cl-1"
    assert body["accountId"] == account_id
    assert (body["status"], body["assetType"], body["iban"]) == ("ACTIVE", "eur", IBAN)
    assert (body["bicSwiftForSEPA"], body["holderBank"]) == ("TQSBESM0", "fakebank")
    assert (body["totalBalance"], body["availableBalance"]) == (0.0, 0.0)
    assert body["partnerProduct"] == "Banking-EU-1"
    assert store.messages == [
        AccountOpenedV1(
            customer_id="cust-1",
            client_id="cl-1",
            account_id=account_id,
            currency="EUR",
            iban=IBAN,
        )
    ]


async def test_it_is_idempotent_on_the_provider_account_id(store: FakeStore) -> None:
    first = await register(store)(opened())
    again = await register(store)(opened())

    assert again == first
    assert list(store.accounts) == [first]
    assert len(store.webhooks) == 1
    assert len(store.messages) == 1


async def test_a_second_provider_account_is_a_second_connector_account(store: FakeStore) -> None:
    first = await register(store)(opened())
    second = await register(store)(opened(provider_account_id="pa-own-2"))

    assert second != first
    assert [w[0] for w in store.webhooks] == [LEDGER_CREATED, LEDGER_CREATED]


async def test_it_takes_the_holder_address_of_the_clients_earlier_account(
    store: FakeStore,
) -> None:
    bank = FakeBank()
    bank.merchants[("cust-1", "cl-1")] = "m-1"
    earlier = await OpenAccount(lambda: FakeAccountsUnitOfWork(store), bank)(command())

    account_id = await register(store)(opened(provider_account_id="pa-own-9"))

    assert store.accounts[account_id].address == earlier.account.address
    assert store.webhooks[-1][1]["holderAddressObj"]["city"] == "Madrid"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"client_id": "cl-unknown"}, "ERROR_CLIENT_NOT_FOUND"),
        ({"provider_merchant_id": "m-someone-else"}, "ERROR_CLIENT_NOT_FOUND"),
        ({"customer_id": "cust-unknown"}, "CUSTOMER_NOT_FOUND"),
    ],
)
async def test_an_unknown_merchant_or_customer_is_not_found_and_nothing_is_written(
    store: FakeStore, overrides: dict[str, object], code: str
) -> None:
    with pytest.raises(NotFound) as raised:
        await register(store)(opened(**overrides))

    assert raised.value.code == code
    assert store.accounts == {}
    assert store.webhooks == []
    assert store.messages == []


async def test_a_code_that_is_no_currency_is_refused(store: FakeStore) -> None:
    with pytest.raises(InvalidInput) as raised:
        await register(store)(opened(currency="zzz"))

    assert raised.value.code == "CURRENCY_NOT_SUPPORTED"
    assert store.accounts == {}


async def test_a_provider_account_of_another_client_is_a_conflict(store: FakeStore) -> None:
    store.merchants[("cust-1", "cl-2")] = Merchant("cust-1", "cl-2", "m-1")
    await register(store)(opened())

    with pytest.raises(Conflict):
        await register(store)(replace(opened(), client_id="cl-2"))

    assert len(store.accounts) == 1
    assert len(store.webhooks) == 1


async def test_a_failed_commit_writes_nothing_and_a_retry_registers_once(
    store: FakeStore,
) -> None:
    store.fail_next_commit = True

    with pytest.raises(RuntimeError):
        await register(store)(opened())

    assert store.accounts == {}
    assert store.webhooks == []
    assert store.messages == []
    account_id = await register(store)(opened())
    assert list(store.accounts) == [account_id]
    assert [w[0] for w in store.webhooks] == [LEDGER_CREATED]
    assert len(store.messages) == 1
