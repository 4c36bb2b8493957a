"""BookInboundTransfer, balances, payment options and transaction status, through fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from accounts_payments.application.accounts.book_inbound_transfer import (
    BookInboundTransfer,
    ResolveProviderAccount,
    toqio_timestamp,
)
from accounts_payments.application.accounts.common import AccountView, settlement_account_id
from accounts_payments.application.accounts.open_account import OpenAccount
from accounts_payments.application.accounts.queries import (
    BeneficiarySelectionMode,
    GetDynamicBalances,
    GetPaymentOptions,
    GetTransactionStatus,
)
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.domain.transactions import TransactionStatus
from shared_kernel.contracts import TransactionBookedV1
from shared_kernel.domain.errors import InvalidInput, NotFound
from shared_kernel.domain.money import Money
from tests.accounts_payments.fakes import (
    FakeAccountsUnitOfWork,
    FakeBank,
    FakeStore,
    customer,
)
from tests.accounts_payments.unit.test_accounts_open import command

pytestmark = pytest.mark.unit


def transfer(view: AccountView, amount: str = "10.50", tx: str = "ptx-1") -> InboundTransfer:
    assert view.account.bank is not None
    return InboundTransfer(
        provider_transaction_id=tx,
        provider_account_id=view.account.bank.provider_account_id,
        amount=Money.from_decimal(amount, "EUR"),
        debtor_name="Bob Payer",
        debtor_iban="DE89370400440532013000",
        reference="invoice 7",
        received_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


@pytest.fixture
def store() -> FakeStore:
    return FakeStore(customers={"cust-1": customer()})


@pytest.fixture
async def account(store: FakeStore) -> AccountView:
    view = await OpenAccount(lambda: FakeAccountsUnitOfWork(store), FakeBank())(command())
    store.webhooks.clear()
    store.messages.clear()
    return view


def book(store: FakeStore) -> BookInboundTransfer:
    return BookInboundTransfer(lambda: FakeAccountsUnitOfWork(store))


async def test_an_inbound_transfer_credits_the_account_from_the_settlement_account(
    store: FakeStore, account: AccountView
) -> None:
    await book(store)(transfer(account))

    balance = await store.ledger.balance(account.account.account_id)
    assert balance.total == Money.of(1050, "EUR")
    settlement = await store.ledger.balance(settlement_account_id("cust-1", "EUR"))
    assert settlement.total == Money.of(1050, "EUR")


async def test_an_inbound_transfer_sends_save_transaction_and_transaction_booked(
    store: FakeStore, account: AccountView
) -> None:
    transaction_id = await book(store)(transfer(account))

    [(kind, body, ordering_key)] = store.webhooks
    assert kind == "SAVE_TRANSACTION"
    assert body["payType"] == "INBOUND_BANK_TRANSFER"
    assert body["total"] == 10.5
    assert body["baseTotal"] == 10.5
    assert body["id"] == transaction_id
    assert body["accountId"] == account.account.account_id
    assert body["balance"] == 10.5
    assert body["currency"] == "EUR"
    assert body["sourceAccount"] == {"name": "Bob Payer", "iban": "DE89370400440532013000"}
    assert ordering_key == f"transaction:{transaction_id}"
    [message] = store.messages
    assert isinstance(message, TransactionBookedV1)
    assert (message.transaction_id, message.amount_minor, message.direction) == (
        transaction_id,
        1050,
        "CREDIT",
    )
    assert message.counterparty_country == "DE"


async def test_the_same_provider_transaction_is_booked_once(
    store: FakeStore, account: AccountView
) -> None:
    first = await book(store)(transfer(account))
    second = await book(store)(transfer(account))

    assert first == second
    balance = await store.ledger.balance(account.account.account_id)
    assert balance.total == Money.of(1050, "EUR")
    assert len(store.webhooks) == 1
    assert len(store.messages) == 1


async def test_a_transfer_to_an_unknown_account_is_refused(store: FakeStore) -> None:
    stray = InboundTransfer("ptx-9", "pa-404", Money.of(1, "EUR"), "x", "y", "z", datetime.now(UTC))
    with pytest.raises(NotFound) as raised:
        await book(store)(stray)
    assert raised.value.code == "ACCOUNT_NOT_FOUND"


async def test_a_transfer_in_another_currency_or_not_positive_is_refused(
    store: FakeStore, account: AccountView
) -> None:
    with pytest.raises(InvalidInput):
        await book(store)(replace(transfer(account), amount=Money.of(5, "GBP")))
    with pytest.raises(InvalidInput):
        await book(store)(transfer(account, amount="0"))
    assert store.webhooks == []


async def test_dynamic_balances_come_from_the_ledger(
    store: FakeStore, account: AccountView
) -> None:
    await book(store)(transfer(account, "7.25"))

    balances = await GetDynamicBalances(lambda: FakeAccountsUnitOfWork(store))(
        "cust-1", account.account.account_id
    )

    assert [(b.key, b.amount) for b in balances] == [
        ("available", Money.of(725, "EUR")),
        ("total", Money.of(725, "EUR")),
    ]


async def test_the_transaction_status_of_a_booked_transfer_is_accepted(
    store: FakeStore, account: AccountView
) -> None:
    transaction_id = await book(store)(transfer(account))
    status = GetTransactionStatus(lambda: FakeAccountsUnitOfWork(store))

    assert await status("cust-1", transaction_id) is TransactionStatus.ACCEPTED
    with pytest.raises(NotFound) as raised:
        await status("cust-1", "nope")
    assert raised.value.code == "TRANSACTION_NOT_FOUND"


async def test_payment_options_depend_on_read_only(store: FakeStore, account: AccountView) -> None:
    options = GetPaymentOptions(lambda: FakeAccountsUnitOfWork(store))
    account_id = account.account.account_id

    assert (
        await options("cust-1", account_id) is BeneficiarySelectionMode.ANY_BENEFICIARY_ANY_PROVIDER
    )
    store.accounts[account_id].read_only = True
    assert (
        await options("cust-1", account_id)
        is BeneficiarySelectionMode.MERCHANT_ACCOUNTS_SAME_PROVIDER
    )


async def test_the_provider_account_resolver_maps_connector_ids(
    store: FakeStore, account: AccountView
) -> None:
    resolve = ResolveProviderAccount(lambda: FakeAccountsUnitOfWork(store))

    assert account.account.bank is not None
    assert await resolve(account.account.account_id) == account.account.bank.provider_account_id
    assert await resolve("unknown") is None


def test_toqio_timestamps_have_milliseconds_and_z() -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, 678900, tzinfo=UTC)
    assert toqio_timestamp(moment) == "2030-01-02T03:04:05.678Z"
