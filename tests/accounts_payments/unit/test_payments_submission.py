"""Submitting to a provider that does not answer: the payment waits, reserved, and goes once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs

from accounts_payments.application.ports.ledger import HoldStatus
from accounts_payments.application.ports.payment_provider import (
    ProviderPaymentStatus,
)
from accounts_payments.domain.payments.lifecycle import PaymentState
from shared_kernel.domain.errors import NotFound
from tests.accounts_payments.payment_support import (
    EUR_ACCOUNT,
    PaymentWorld,
    eur,
    payment_world,
)

pytestmark = pytest.mark.unit
S = ProviderPaymentStatus


@pytest.fixture
async def world() -> PaymentWorld:
    return await payment_world()


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    """Keep the warnings of a provider that is down from being rendered (slowly)."""
    with capture_logs():
        yield


async def test_a_payment_the_provider_did_not_answer_for_stays_reserved_with_its_funds_held(
    world: PaymentWorld,
) -> None:
    world.provider.fail_next()

    view = await world.pay()

    assert view.payment.state is PaymentState.RESERVED
    assert world.store.ledger.book.holds[view.payment.payment_id].status is HoldStatus.PENDING
    assert await world.available(EUR_ACCOUNT) == eur("900.00")
    assert world.sync_statuses(view.payment.payment_id) == ["PENDING"]
    assert world.provider.instructions == []


async def test_reserved_payments_are_submitted_again_once_the_grace_period_passed(
    world: PaymentWorld,
) -> None:
    world.provider.fail_next()
    payment_id = (await world.pay()).payment.payment_id

    assert await world.submit_reserved() == 0  # still within the grace period
    world.clock.advance(60)
    assert await world.submit_reserved() == 1
    assert await world.submit_reserved() == 0

    payment = world.payment(payment_id)
    assert payment.state is PaymentState.SUBMITTED
    assert [i.reference for i in world.provider.instructions] == [payment_id]
    assert world.sync_statuses(payment_id) == ["PENDING", "PENDING"]
    assert await world.available(EUR_ACCOUNT) == eur("900.00")


async def test_a_submission_whose_answer_was_lost_is_found_not_executed_twice(
    world: PaymentWorld,
) -> None:
    world.provider.fail_next(after_effect=True)
    payment_id = (await world.pay()).payment.payment_id
    assert world.payment(payment_id).state is PaymentState.RESERVED

    world.clock.advance(60)
    await world.submit_reserved()

    payment = world.payment(payment_id)
    assert (payment.state, payment.provider_payment_id) == (PaymentState.SUBMITTED, "pp-1")
    assert [i.reference for i in world.provider.instructions] == [payment_id]
    moves = [m.state for m in world.store.payment_history[payment_id]]
    assert moves == [PaymentState.RESERVED, PaymentState.SUBMITTED]


async def test_a_provider_still_down_leaves_the_payment_reserved_for_the_next_round(
    world: PaymentWorld,
) -> None:
    world.provider.fail_next(times=2)
    payment_id = (await world.pay()).payment.payment_id
    world.clock.advance(60)

    await world.submit_reserved()

    assert world.payment(payment_id).state is PaymentState.RESERVED
    world.clock.advance(60)
    await world.submit_reserved()
    assert world.payment(payment_id).state is PaymentState.SUBMITTED


async def test_a_retried_request_with_its_idempotency_key_submits_the_reserved_payment(
    world: PaymentWorld,
) -> None:
    world.provider.fail_next()
    first = await world.pay(idempotency_key="key-1")

    again = await world.pay(idempotency_key="key-1")

    assert again.payment.payment_id == first.payment.payment_id
    assert again.payment.state is PaymentState.SUBMITTED
    assert len(world.store.ledger.book.holds) == 1
    assert await world.available(EUR_ACCOUNT) == eur("900.00")


async def test_an_outcome_reported_while_the_answer_was_lost_is_applied_and_not_resubmitted(
    world: PaymentWorld,
) -> None:
    world.provider.fail_next(after_effect=True)
    payment_id = (await world.pay()).payment.payment_id

    await world.report(payment_id, S.SETTLED)
    world.clock.advance(60)

    assert await world.submit_reserved() == 0
    payment = world.payment(payment_id)
    assert (payment.state, payment.provider_payment_id) == (PaymentState.SETTLED, "pp-1")
    assert await world.total(EUR_ACCOUNT) == eur("900.00")


async def test_submitting_an_unknown_payment_is_not_found(world: PaymentWorld) -> None:
    with pytest.raises(NotFound) as raised:
        await world.submit("cust-1", "pay-404")

    assert raised.value.code == "TRANSACTION_NOT_FOUND"
