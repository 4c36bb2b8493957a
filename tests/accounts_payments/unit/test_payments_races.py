"""Races around a payment: news overtaking the provider's answer, concurrent requests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts_payments.adapters.persistence.in_memory_ledger import InMemoryLedger
from accounts_payments.application.payments.save_transfer import SaveTransfer
from accounts_payments.application.ports.ledger import HoldStatus, NormalSide
from accounts_payments.application.ports.payment_provider import (
    PaymentInstruction,
    ProviderPaymentReceipt,
    ProviderPaymentStatus,
)
from accounts_payments.domain.payments.lifecycle import PaymentState
from shared_kernel.domain.errors import Conflict
from shared_kernel.domain.money import Currency
from tests.accounts_payments.fakes import FakePaymentProvider, FixedFxRates
from tests.accounts_payments.payment_support import (
    BRITISH,
    EUR_ACCOUNT,
    RATES,
    PaymentWorld,
    eur,
    liquidity,
    payment_world,
    transfer,
)

pytestmark = pytest.mark.unit
S = ProviderPaymentStatus


@pytest.fixture
async def world() -> PaymentWorld:
    return await payment_world()


class OvertakingProvider(FakePaymentProvider):
    """A provider whose report of the outcome reaches the connector before its answer does."""

    def __init__(self, world: PaymentWorld, outcome: ProviderPaymentStatus) -> None:
        super().__init__()
        self.world, self.outcome = world, outcome

    async def submit_payment(self, instruction: PaymentInstruction) -> ProviderPaymentReceipt:
        try:
            return await super().submit_payment(instruction)
        finally:
            await self.world.report(instruction.reference, self.outcome, "AC04")


@pytest.mark.parametrize("outcome", [S.SETTLED, S.REJECTED])
async def test_an_answer_overtaken_by_the_outcome_does_not_undo_it(
    world: PaymentWorld, outcome: ProviderPaymentStatus
) -> None:
    world.use_provider(OvertakingProvider(world, outcome))

    view = await world.pay()

    assert view.payment.state is PaymentState(outcome.value)
    moves = [m.state for m in world.store.payment_history[view.payment.payment_id]]
    assert moves == [PaymentState.RESERVED, PaymentState(outcome.value)]


async def test_a_refusal_already_reported_releases_the_funds_once(world: PaymentWorld) -> None:
    provider = OvertakingProvider(world, S.REJECTED)
    provider.reject_next(code="AC04")
    world.use_provider(provider)

    view = await world.pay()

    payment_id = view.payment.payment_id
    assert view.payment.state is PaymentState.REJECTED
    assert world.store.ledger.book.holds[payment_id].status is HoldStatus.VOIDED
    assert await world.available(EUR_ACCOUNT) == eur("1000")
    assert world.sync_statuses(payment_id) == ["PENDING", "FAILED"]


class RatesDuringARace(FixedFxRates):
    """Rates that let a concurrent request with the same idempotency key commit first."""

    def __init__(self, world: PaymentWorld) -> None:
        super().__init__(RATES)
        self.world, self.raced = world, False

    async def rate(self, sell: Currency, buy: Currency) -> Decimal | None:
        if not self.raced:
            self.raced = True
            await self.world.pay(**FX_TO_BRITAIN)
        return await super().rate(sell, buy)


FX_TO_BRITAIN = {
    "beneficiary_account_id": BRITISH,
    "payer": {"companyName": "Acme SL"},
    "idempotency_key": "key-1",
}


async def test_a_concurrent_request_with_the_same_idempotency_key_pays_once(
    world: PaymentWorld,
) -> None:
    racing = SaveTransfer(world.uow, RatesDuringARace(world), world.submit, world.clock)

    with pytest.raises(Conflict) as raised:
        await racing(transfer(**FX_TO_BRITAIN))

    assert raised.value.code == "TRANSACTION_ALREADY_EXISTS"
    [payment] = world.store.payments.values()
    assert payment.state is PaymentState.SUBMITTED
    assert [i.reference for i in world.provider.instructions] == [payment.payment_id]
    # The loser's hold stays in the fake ledger, which has no transactions; a database
    # rolls it back with the rest of the losing unit of work.


class LedgerOpenedConcurrently(InMemoryLedger):
    """A ledger in which another payment opens each account just before this one does."""

    async def open_account(
        self,
        account_id: str,
        currency: str,
        *,
        normal_side: NormalSide = NormalSide.CREDIT,
        floor_minor: int | None = 0,
        name: str = "",
    ) -> None:
        await super().open_account(
            account_id, currency, normal_side=normal_side, floor_minor=floor_minor, name=name
        )
        raise Conflict(f"ledger account {account_id} already exists", code="DUPLICATE_LEDGER")


async def test_a_house_account_opened_by_a_concurrent_payment_does_not_fail_this_one(
    world: PaymentWorld,
) -> None:
    world.store.ledger = LedgerOpenedConcurrently(world.store.ledger.book)

    view = await world.pay()

    assert view.payment.state is PaymentState.SUBMITTED
    assert (await world.total(liquidity("EUR"))).is_zero()
