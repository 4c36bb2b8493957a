"""UpdateAccount and CloseAccount: presentation fields, provider status changes, SYNC webhooks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts_payments.application.accounts.book_inbound_transfer import BookInboundTransfer
from accounts_payments.application.accounts.change_account import (
    CloseAccount,
    UpdateAccount,
    UpdateAccountCommand,
)
from accounts_payments.application.accounts.common import AccountView
from accounts_payments.application.accounts.open_account import OpenAccount
from accounts_payments.application.ports.banking_provider import ProviderAccountStatus
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.domain.accounts import AccountStatus, PostalAddress
from shared_kernel.domain.errors import NotFound, RuleViolated
from shared_kernel.domain.money import Money
from tests.accounts_payments.fakes import (
    FakeAccountsUnitOfWork,
    FakeBank,
    FakeStore,
    customer,
)
from tests.accounts_payments.unit.test_accounts_open import command

pytestmark = pytest.mark.unit

ADDRESS = PostalAddress(address="2 New St", city="Sevilla", postal_code="41001")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore(customers={"cust-1": customer()})


@pytest.fixture
def bank() -> FakeBank:
    return FakeBank()


@pytest.fixture
async def account(store: FakeStore, bank: FakeBank) -> AccountView:
    view = await OpenAccount(lambda: FakeAccountsUnitOfWork(store), bank)(command())
    store.webhooks.clear()
    return view


def update(store: FakeStore, bank: FakeBank, **changes: object) -> UpdateAccountCommand:
    del store, bank
    values: dict[str, object] = {
        "customer_id": "cust-1",
        "client_id": "cl-1",
        "address": ADDRESS,
    }
    values.update(changes)
    return UpdateAccountCommand(**values)  # type: ignore[arg-type]


async def test_alias_and_address_change_without_a_webhook(
    store: FakeStore, bank: FakeBank, account: AccountView
) -> None:
    use_case = UpdateAccount(lambda: FakeAccountsUnitOfWork(store), bank)

    view = await use_case(
        update(store, bank, account_id=account.account.account_id, alias="Savings")
    )

    assert view.account.alias == "Savings"
    assert view.account.address == ADDRESS
    assert store.accounts[account.account.account_id].address.city == "Sevilla"
    assert store.webhooks == []


async def test_a_status_change_goes_to_the_provider_and_to_toqio(
    store: FakeStore, bank: FakeBank, account: AccountView
) -> None:
    use_case = UpdateAccount(lambda: FakeAccountsUnitOfWork(store), bank)
    account_id = account.account.account_id

    view = await use_case(
        update(store, bank, account_id=account_id, status=AccountStatus.SUSPENDED)
    )

    assert view.account.status is AccountStatus.SUSPENDED
    assert account.account.bank is not None
    assert bank.accounts[account.account.bank.provider_account_id].status is (
        ProviderAccountStatus.BLOCKED
    )
    [(kind, body, _)] = store.webhooks
    assert (kind, body["status"], body["id"]) == ("SYNC_ACCOUNT_STATUS", "SUSPENDED", account_id)


async def test_a_forbidden_transition_changes_nothing(
    store: FakeStore, bank: FakeBank, account: AccountView
) -> None:
    use_case = UpdateAccount(lambda: FakeAccountsUnitOfWork(store), bank)
    with pytest.raises(RuleViolated) as raised:
        await use_case(
            update(store, bank, account_id=account.account.account_id, status=AccountStatus.PENDING)
        )
    assert raised.value.code == "INVALID_ACCOUNT_STATUS_TRANSITION"
    assert store.webhooks == []


async def test_updating_an_unknown_account_is_account_not_found_for_client(
    store: FakeStore, bank: FakeBank
) -> None:
    with pytest.raises(NotFound) as raised:
        await UpdateAccount(lambda: FakeAccountsUnitOfWork(store), bank)(
            update(store, bank, account_id="nope")
        )
    assert raised.value.code == "ACCOUNT_NOT_FOUND_FOR_CLIENT"


async def test_closing_an_empty_account_closes_it_at_the_provider_and_tells_toqio_once(
    store: FakeStore, bank: FakeBank, account: AccountView
) -> None:
    close = CloseAccount(lambda: FakeAccountsUnitOfWork(store), bank)
    account_id = account.account.account_id

    await close("cust-1", "cl-1", account_id)
    await close("cust-1", "cl-1", account_id)

    assert store.accounts[account_id].status is AccountStatus.CLOSED
    assert [body["status"] for _, body, _ in store.webhooks] == ["CLOSED"]


async def test_an_account_holding_money_cannot_be_closed(
    store: FakeStore, bank: FakeBank, account: AccountView
) -> None:
    assert account.account.bank is not None
    await BookInboundTransfer(lambda: FakeAccountsUnitOfWork(store))(
        InboundTransfer(
            "ptx-1",
            account.account.bank.provider_account_id,
            Money.of(100, "EUR"),
            "Bob",
            "DE89370400440532013000",
            "ref",
            datetime.now(UTC),
        )
    )
    with pytest.raises(RuleViolated) as raised:
        await CloseAccount(lambda: FakeAccountsUnitOfWork(store), bank)(
            "cust-1", "cl-1", account.account.account_id
        )
    assert raised.value.code == "ERROR_CLOSING_ACCOUNT"
    assert store.accounts[account.account.account_id].status is AccountStatus.ACTIVE


async def test_closing_another_clients_account_is_account_client_not_found(
    store: FakeStore, bank: FakeBank, account: AccountView
) -> None:
    with pytest.raises(NotFound) as raised:
        await CloseAccount(lambda: FakeAccountsUnitOfWork(store), bank)(
            "cust-1", "cl-2", account.account.account_id
        )
    assert raised.value.code == "ACCOUNT_CLIENT_NOT_FOUND"


def test_closed_and_failed_accounts_refuse_operations(account: AccountView) -> None:
    closed = account.account
    closed.change_status(AccountStatus.CLOSED)
    with pytest.raises(RuleViolated):
        closed.ensure_open()
    assert closed.pull_events()
    assert closed.pull_events() == []
