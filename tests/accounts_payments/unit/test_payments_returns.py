"""Returns of settled payments: a reversal journal, and Toqio hears of money coming back."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from accounts_payments.domain.payments.lifecycle import PaymentState
from shared_kernel.contracts import PaymentStatusChangedV1, TransactionBookedV1
from shared_kernel.domain.errors import RuleViolated
from shared_kernel.domain.money import Money
from tests.accounts_payments.payment_support import (
    BRITISH,
    EUR_ACCOUNT,
    EUR_ACCOUNT_2,
    GBP_ACCOUNT,
    GERMAN_IBAN,
    PaymentWorld,
    eur,
    payment_world,
)

pytestmark = pytest.mark.unit
S = ProviderPaymentStatus


@pytest.fixture
async def world() -> PaymentWorld:
    return await payment_world()


async def totals(world: PaymentWorld) -> dict[str, Money]:
    book = world.store.ledger.book
    return {account_id: balance.total for account_id, balance in book.accounts.items()}


async def settled_and_returned(world: PaymentWorld, **request_fields: object) -> str:
    payment_id = (await world.pay(**request_fields)).payment.payment_id
    await world.report(payment_id, S.SETTLED)
    await world.report(payment_id, S.RETURNED, "MD07")
    return payment_id


async def test_a_return_books_a_reversal_that_restores_the_balance(world: PaymentWorld) -> None:
    payment_id = await settled_and_returned(world)

    assert world.payment(payment_id).state is PaymentState.RETURNED
    assert await world.total(EUR_ACCOUNT) == await world.available(EUR_ACCOUNT) == eur("1000")
    journal = world.store.ledger.book.journals[f"{payment_id}:return"]
    assert journal.metadata["kind"] == "PAYMENT_RETURN"
    assert journal.metadata["paymentId"] == payment_id


async def test_a_return_is_new_money_in_for_toqio_not_a_new_status(world: PaymentWorld) -> None:
    payment_id = await settled_and_returned(world)

    assert world.sync_statuses(payment_id) == ["PENDING", "PENDING", "POSTED"]
    [saved] = world.webhooks("SAVE_TRANSACTION", f"{payment_id}:return")
    assert (saved["accountId"], saved["type"], saved["total"]) == (EUR_ACCOUNT, "INBOUND", 100.0)
    assert saved["balance"] == 1000.0
    assert saved["description"] == f"Return of payment {payment_id}"
    assert saved["sourceAccount"] == {"name": "Jane Doe", "iban": GERMAN_IBAN}
    assert saved["returnReason"] == "MD07: The beneficiary is deceased"
    returned = world.messages(TransactionBookedV1)[-1]
    assert (returned.transaction_id, returned.direction, returned.kind) == (
        f"{payment_id}:return",
        "CREDIT",
        "PAYMENT_RETURN",
    )
    assert (returned.account_id, returned.amount_minor) == (EUR_ACCOUNT, 10000)
    change = world.messages(PaymentStatusChangedV1)[-1]
    assert (change.previous_status, change.status, change.reason_code) == (
        "SETTLED",
        "RETURNED",
        "MD07",
    )


async def test_the_return_of_an_fx_payment_reverses_both_legs(world: PaymentWorld) -> None:
    before = await totals(world)

    payment_id = await settled_and_returned(
        world,
        beneficiary_account_id=BRITISH,
        amount=Decimal("10.01"),
        payer={"companyName": "Acme SL"},
    )

    journals = world.store.ledger.book.journals
    assert {f"{payment_id}:return", f"{payment_id}:return-fx"} <= set(journals)
    after = await totals(world)
    # Every account, the house's liquidity included, is back where it was: the accounts
    # opened for the payment hold nothing.
    assert {a: t for a, t in after.items() if a in before} == before
    assert all(t.is_zero() for a, t in after.items() if a not in before)


def booked_by_account(world: PaymentWorld) -> dict[str, int]:
    booked: dict[str, int] = defaultdict(int)
    for message in world.messages(TransactionBookedV1):
        sign = 1 if message.direction == "CREDIT" else -1
        booked[message.account_id] += sign * message.amount_minor
    return {account_id: net for account_id, net in booked.items() if net}


@pytest.mark.parametrize(
    "request_fields",
    [
        pytest.param({"beneficiary_account_id": EUR_ACCOUNT_2}, id="same-currency"),
        pytest.param({"beneficiary_account_id": GBP_ACCOUNT, "amount": Decimal("10.01")}, id="fx"),
    ],
)
async def test_an_internal_transfer_cannot_be_returned_and_its_report_changes_nothing(
    world: PaymentWorld, request_fields: dict[str, object]
) -> None:
    payment_id = (await world.pay(**request_fields)).payment.payment_id
    await world.report(payment_id, S.SETTLED)
    settled = await totals(world)

    # The money never left the bank, so nothing can come back.
    with pytest.raises(RuleViolated):
        await world.report(payment_id, S.RETURNED, "MD07")

    assert await totals(world) == settled
    assert world.payment(payment_id).state is PaymentState.SETTLED
