"""ApplyProviderPaymentUpdate: settlement, rejection, cancellation, returns, repeats, nonsense."""

from __future__ import annotations

import pytest

from accounts_payments.application.ports.ledger import HoldStatus
from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from accounts_payments.domain.payments.lifecycle import PaymentState
from shared_kernel.contracts import PaymentStatusChangedV1, TransactionBookedV1
from shared_kernel.domain.errors import NotFound, RuleViolated
from tests.accounts_payments.payment_support import (
    EUR_ACCOUNT,
    EUR_ACCOUNT_2,
    PaymentWorld,
    eur,
    payment_world,
    settlement,
)

pytestmark = pytest.mark.unit
S = ProviderPaymentStatus


@pytest.fixture
async def world() -> PaymentWorld:
    return await payment_world()


@pytest.fixture
async def payment_id(world: PaymentWorld) -> str:
    """A submitted payment of 100.00 EUR to the German beneficiary."""
    return (await world.pay()).payment.payment_id


async def test_settlement_posts_the_hold_and_tells_toqio_the_balance_after(
    world: PaymentWorld, payment_id: str
) -> None:
    house = await world.total(settlement("EUR"))
    await world.report(payment_id, S.ACCEPTED)
    await world.report(payment_id, S.SETTLED)

    assert world.payment(payment_id).state is PaymentState.SETTLED
    assert world.store.ledger.book.holds[payment_id].status is HoldStatus.POSTED
    assert await world.total(EUR_ACCOUNT) == await world.available(EUR_ACCOUNT) == eur("900")
    assert await world.total(settlement("EUR")) == house - eur("100")  # the money left
    posted = world.webhooks("SYNC_TRANSACTION_STATUS", payment_id)[-1]
    assert (posted["status"], posted["balance"]) == ("POSTED", 900.0)
    assert posted["date"] == "2030-01-01T12:00:00.000Z"
    [booked] = world.messages(TransactionBookedV1)
    assert (booked.transaction_id, booked.account_id, booked.direction) == (
        payment_id,
        EUR_ACCOUNT,
        "DEBIT",
    )
    assert (booked.amount_minor, booked.currency, booked.kind) == (
        10000,
        "EUR",
        "OUTBOUND_BANK_TRANSFER",
    )
    assert booked.counterparty_iban == "DE89370400440532013000"


async def test_a_settled_internal_transfer_is_money_in_for_the_payee_account(
    world: PaymentWorld,
) -> None:
    payment_id = (await world.pay(beneficiary_account_id=EUR_ACCOUNT_2)).payment.payment_id

    await world.report(payment_id, S.SETTLED)

    assert await world.total(EUR_ACCOUNT_2) == eur("100")
    assert await world.total(EUR_ACCOUNT) == eur("900")
    credit_id = f"{payment_id}:credit"
    [saved] = world.webhooks("SAVE_TRANSACTION", credit_id)
    assert (saved["accountId"], saved["total"], saved["balance"]) == (EUR_ACCOUNT_2, 100.0, 100.0)
    assert (saved["type"], saved["payType"]) == ("INBOUND", "INBOUND_BANK_TRANSFER")
    assert saved["sourceAccount"]["id"] == EUR_ACCOUNT
    booked = {m.direction: m for m in world.messages(TransactionBookedV1)}
    assert (booked["DEBIT"].account_id, booked["DEBIT"].transaction_id) == (EUR_ACCOUNT, payment_id)
    assert (booked["CREDIT"].account_id, booked["CREDIT"].transaction_id) == (
        EUR_ACCOUNT_2,
        credit_id,
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [("AC04", "AC04: The beneficiary's account is closed"),
     ("AM04", "AM04: Insufficient funds at the bank")],
)  # fmt: skip
@pytest.mark.parametrize("after", [S.SUBMITTED, S.ACCEPTED])
async def test_a_rejection_releases_the_funds_and_tells_toqio_why(
    world: PaymentWorld, payment_id: str, code: str, reason: str, after: ProviderPaymentStatus
) -> None:
    await world.report(payment_id, after)

    await world.report(payment_id, S.REJECTED, code)

    payment = world.payment(payment_id)
    assert payment.state is PaymentState.REJECTED
    assert payment.reason is not None
    assert payment.reason.code == code
    assert world.store.ledger.book.holds[payment_id].status is HoldStatus.VOIDED
    assert await world.available(EUR_ACCOUNT) == await world.total(EUR_ACCOUNT) == eur("1000")
    failed = world.webhooks("SYNC_TRANSACTION_STATUS", payment_id)[-1]
    assert (failed["status"], failed["failureReason"]) == ("FAILED", reason)
    assert world.messages(PaymentStatusChangedV1)[-1].reason_code == code
    assert world.messages(TransactionBookedV1) == []


async def test_a_cancellation_releases_the_funds(world: PaymentWorld, payment_id: str) -> None:
    await world.report(payment_id, S.CANCELLED)

    assert world.payment(payment_id).state is PaymentState.CANCELLED
    assert world.store.ledger.book.holds[payment_id].status is HoldStatus.VOIDED
    assert await world.available(EUR_ACCOUNT) == eur("1000")
    cancelled = world.webhooks("SYNC_TRANSACTION_STATUS", payment_id)[-1]
    assert cancelled["status"] == "CANCELLED"
    assert "failureReason" not in cancelled


@pytest.mark.parametrize(
    "reports",
    [
        pytest.param([S.SETTLED, S.SETTLED], id="settled-twice"),
        pytest.param([S.SETTLED, S.ACCEPTED], id="accepted-after-settled"),
        pytest.param([S.ACCEPTED, S.SUBMITTED], id="submitted-after-accepted"),
        pytest.param([S.SUBMITTED], id="submitted-again"),
        pytest.param([S.REJECTED, S.REJECTED], id="rejected-twice"),
        pytest.param([S.REJECTED, S.ACCEPTED], id="accepted-after-rejected"),
        pytest.param([S.SETTLED, S.RETURNED, S.RETURNED], id="returned-twice"),
    ],
)
async def test_a_repeated_or_stale_update_changes_nothing(
    world: PaymentWorld, payment_id: str, reports: list[ProviderPaymentStatus]
) -> None:
    for status in reports[:-1]:
        await world.report(payment_id, status, "AC04")
    state, before = world.payment(payment_id).state, world.snapshot()

    await world.report(payment_id, reports[-1], "AC04")

    assert world.payment(payment_id).state is state
    assert world.snapshot() == before


@pytest.mark.parametrize(
    "reports",
    [
        pytest.param([S.REJECTED, S.SETTLED], id="settled-after-rejected"),
        pytest.param([S.SETTLED, S.REJECTED], id="rejected-after-settled"),
        pytest.param([S.CANCELLED, S.RETURNED], id="returned-after-cancelled"),
        pytest.param([S.RETURNED], id="returned-before-settled"),
    ],
)
async def test_an_impossible_update_is_refused_and_changes_nothing(
    world: PaymentWorld, payment_id: str, reports: list[ProviderPaymentStatus]
) -> None:
    for status in reports[:-1]:
        await world.report(payment_id, status, "AC04")
    state, before = world.payment(payment_id).state, world.snapshot()

    with pytest.raises(RuleViolated) as raised:
        await world.report(payment_id, reports[-1])

    assert raised.value.code == "INVALID_PAYMENT_TRANSITION"
    assert world.payment(payment_id).state is state
    assert world.snapshot() == before


async def test_an_update_for_an_unknown_reference_is_not_found(world: PaymentWorld) -> None:
    with pytest.raises(NotFound) as raised:
        await world.report("pay-404", S.SETTLED)

    assert raised.value.code == "TRANSACTION_NOT_FOUND"


async def test_a_happy_path_is_told_to_toqio_in_order_on_one_ordering_key(
    world: PaymentWorld, payment_id: str
) -> None:
    await world.report(payment_id, S.ACCEPTED)
    await world.report(payment_id, S.SETTLED)

    assert world.sync_statuses(payment_id) == ["PENDING", "PENDING", "ACCEPTED", "POSTED"]
    sent = [
        (ordering_key, dedupe_key)
        for (kind, _, ordering_key), dedupe_key in zip(
            world.store.webhooks, world.store.dedupe_keys, strict=True
        )
        if kind == "SYNC_TRANSACTION_STATUS"
    ]
    assert {ordering_key for ordering_key, _ in sent} == {f"transaction:{payment_id}"}
    sequences = [int(str(dedupe_key).rsplit(":", 1)[1]) for _, dedupe_key in sent]
    assert sequences == sorted(set(sequences))
    assert len({dedupe_key for _, dedupe_key in sent}) == 4
