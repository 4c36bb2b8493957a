"""FX payments through SaveTransfer: which side is fixed, rounding, the payer, the two legs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from accounts_payments.domain.payments.schemes import PaymentScheme
from shared_kernel.contracts import TransactionBookedV1
from shared_kernel.domain.errors import InvalidInput
from tests.accounts_payments.payment_support import (
    AMERICAN,
    BRITISH,
    EUR_ACCOUNT,
    GBP_ACCOUNT,
    PaymentWorld,
    eur,
    gbp,
    liquidity,
    payment_world,
    settlement,
)

pytestmark = pytest.mark.unit
PAYER = {"companyName": "Acme SL"}


@pytest.fixture
async def world() -> PaymentWorld:
    return await payment_world()


def to_britain(amount: str = "10.01", currency: str = "EUR", **overrides: Any) -> dict[str, Any]:
    """Request fields of an EUR account's payment to the British GBP beneficiary."""
    fields = {"beneficiary_account_id": BRITISH, "amount": Decimal(amount), "currency": currency}
    return {**fields, "payer": PAYER, **overrides}


async def test_with_the_sender_fixed_the_payee_gets_the_conversion_rounded_down(
    world: PaymentWorld,
) -> None:
    view = await world.pay(**to_britain("10.01", fixed_side="SENDER"))  # 8.5085 GBP

    payment = view.payment
    assert (payment.amount, payment.credited) == (eur("10.01"), gbp("8.50"))
    assert payment.fx is not None
    assert (payment.fx.rate, payment.fx.fixed_side) == (Decimal("0.85"), "SENDER")
    assert payment.scheme is PaymentScheme.UK_FASTER_PAYMENTS
    assert await world.available(EUR_ACCOUNT) == eur("989.99")
    instruction = world.provider.instruction(payment.payment_id)
    assert (instruction.amount, instruction.credited) == (eur("10.01"), gbp("8.50"))
    assert instruction.fx_rate == Decimal("0.85")


async def test_with_the_beneficiary_fixed_the_sender_pays_the_conversion_rounded_up(
    world: PaymentWorld,
) -> None:
    view = await world.pay(**to_britain("8.51", "GBP"))  # 10.01176... EUR

    payment = view.payment
    assert (payment.amount, payment.credited) == (eur("10.02"), gbp("8.51"))
    assert payment.fx is not None
    assert payment.fx.fixed_side == "BENEFICIARY"
    assert await world.available(EUR_ACCOUNT) == eur("989.98")


@pytest.mark.parametrize(("currency", "fixed_side"), [("EUR", "BENEFICIARY"), ("GBP", "SENDER")])
async def test_a_fixed_side_contradicting_the_amounts_currency_is_refused(
    world: PaymentWorld, currency: str, fixed_side: str
) -> None:
    before = world.snapshot()

    with pytest.raises(InvalidInput) as raised:
        await world.pay(**to_britain("10.00", currency, fixed_side=fixed_side))

    assert raised.value.code == "FIXED_SIDE_MISMATCH"
    assert [p.field for p in raised.value.problems] == ["fixedSide"]
    assert world.snapshot() == before


@pytest.mark.parametrize(
    "payer", [{}, {"companyName": " "}, {"firstName": "", "lastName": ""}], ids=str
)
async def test_an_fx_payment_to_a_third_party_needs_the_payer(
    world: PaymentWorld, payer: dict[str, str]
) -> None:
    before = world.snapshot()

    with pytest.raises(InvalidInput) as raised:
        await world.pay(**to_britain(payer=payer))

    assert raised.value.code == "PAYER_REQUIRED"
    assert world.snapshot() == before


async def test_an_fx_payment_to_an_own_account_needs_no_payer(world: PaymentWorld) -> None:
    view = await world.pay(**to_britain(beneficiary_account_id=GBP_ACCOUNT, payer={}))

    assert view.payment.scheme is PaymentScheme.INTERNAL_TRANSFER
    assert view.payment.payer is None
    assert view.payment.credited == gbp("8.50")


async def test_the_payer_is_kept_on_the_payment_and_given_to_the_provider(
    world: PaymentWorld,
) -> None:
    payer = {"firstName": "Ana", "lastName": "García", "companyName": ""}

    view = await world.pay(**to_britain(payer=payer))

    kept = {"firstName": "Ana", "lastName": "García"}
    assert world.payment(view.payment.payment_id).payer == kept
    assert dict(world.provider.instruction(view.payment.payment_id).payer) == kept


async def test_toqio_files_an_fx_payment_under_payment_type_fx_with_its_rate(
    world: PaymentWorld,
) -> None:
    view = await world.pay(**to_britain())

    for body in world.webhooks("SYNC_TRANSACTION_STATUS", view.payment.payment_id):
        assert body["corePaymentType"] == "payment-type-fx"
        assert body["paymentProviderDetails"]["rate"] == 0.85
        assert body["baseTotal"] == 10.01


async def test_an_unsupported_currency_pair_is_refused(world: PaymentWorld) -> None:
    before = world.snapshot()

    with pytest.raises(InvalidInput) as raised:
        await world.pay(beneficiary_account_id=AMERICAN, payer=PAYER)

    assert raised.value.code == "FX_PAIR_NOT_SUPPORTED"
    assert world.snapshot() == before


async def test_an_amount_too_small_to_convert_is_refused(world: PaymentWorld) -> None:
    before = world.snapshot()

    with pytest.raises(InvalidInput) as raised:
        await world.pay(**to_britain("0.01"))  # 0.0085 GBP

    assert raised.value.code == "INVALID_AMOUNT"
    assert world.snapshot() == before


async def counters(world: PaymentWorld, account_id: str) -> tuple[int, int]:
    balance = await world.store.ledger.balance(account_id)
    return balance.posted_debits, balance.posted_credits


async def test_a_settled_fx_payment_moves_each_currency_through_its_liquidity_account(
    world: PaymentWorld,
) -> None:
    accounts = (EUR_ACCOUNT, liquidity("EUR"), liquidity("GBP"), settlement("GBP"))
    view = await world.pay(**to_britain("10.01"))
    before = [await counters(world, a) for a in accounts]

    await world.report(view.payment.payment_id, ProviderPaymentStatus.SETTLED)

    after = [await counters(world, a) for a in accounts]
    moved = [(a[0] - b[0], a[1] - b[1]) for a, b in zip(after, before, strict=True)]
    # (debited, credited) minor units: EUR leaves the source for liquidity, GBP leaves
    # liquidity for settlement; each currency's debits equal its credits.
    assert moved == [(1001, 0), (0, 1001), (850, 0), (0, 850)]
    assert await world.total(EUR_ACCOUNT) == eur("989.99")
    assert f"{view.payment.payment_id}:fx" in world.store.ledger.book.journals


async def test_a_settled_fx_payment_to_an_own_account_credits_it_in_its_currency(
    world: PaymentWorld,
) -> None:
    view = await world.pay(**to_britain(beneficiary_account_id=GBP_ACCOUNT, payer={}))
    payment_id = view.payment.payment_id

    await world.report(payment_id, ProviderPaymentStatus.SETTLED)

    assert await world.total(GBP_ACCOUNT) == gbp("508.50")
    assert await world.total(EUR_ACCOUNT) == eur("989.99")
    # The house's debit-normal positions: it took euros in and paid pounds out.
    assert await world.total(liquidity("EUR")) == eur("-10.01")
    assert await world.total(liquidity("GBP")) == gbp("8.50")
    [credit] = [m for m in world.messages(TransactionBookedV1) if m.direction == "CREDIT"]
    assert (credit.transaction_id, credit.account_id) == (f"{payment_id}:credit", GBP_ACCOUNT)
    assert (credit.amount_minor, credit.currency) == (850, "GBP")
    [saved] = world.webhooks("SAVE_TRANSACTION", f"{payment_id}:credit")
    assert (saved["total"], saved["currency"], saved["balance"]) == (8.5, "GBP", 508.5)
