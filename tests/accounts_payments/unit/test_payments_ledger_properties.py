"""Properties of the ledger under random payments and random provider news.

Whatever mix of payments (EUR or GBP, converting or not, to third parties or own accounts) and
outcomes (settled, rejected, cancelled, returned, repeated, impossible) happens, every journal
balances per currency, the ledger as a whole stays zero-sum, no merchant account goes below
zero available, each payment's hold matches its state and resolves once, and a refused request
or a repeated update changes nothing.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from accounts_payments.application.ports.ledger import HoldStatus, NormalSide
from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from accounts_payments.domain.payments.lifecycle import HOLD_OPEN, PaymentState
from shared_kernel.domain.errors import DomainError
from tests.accounts_payments.payment_support import (
    BRITISH,
    EUR_ACCOUNT,
    EUR_ACCOUNT_2,
    GBP_ACCOUNT,
    GERMAN,
    PaymentWorld,
    payment_world,
)

pytestmark = pytest.mark.unit
S = ProviderPaymentStatus
PAYEES = {  # same currency, FX to a third party, own account, own account with FX
    EUR_ACCOUNT: (GERMAN, BRITISH, EUR_ACCOUNT_2, GBP_ACCOUNT),
    GBP_ACCOUNT: (BRITISH, GERMAN, EUR_ACCOUNT_2, EUR_ACCOUNT),
}
CURRENCY = {EUR_ACCOUNT: "EUR", GBP_ACCOUNT: "GBP"}
HOLD_OF_STATE = {
    PaymentState.SETTLED: HoldStatus.POSTED,
    PaymentState.RETURNED: HoldStatus.POSTED,
    PaymentState.REJECTED: HoldStatus.VOIDED,
    PaymentState.CANCELLED: HoldStatus.VOIDED,
}

# The provider's news about one payment: the usual stories, and single (maybe impossible) news.
NEWS = [
    (),
    (S.ACCEPTED, S.SETTLED),
    (S.SETTLED, S.RETURNED),
    (S.ACCEPTED, S.SETTLED, S.RETURNED),
    (S.ACCEPTED, S.REJECTED),
    (S.REJECTED,),
    (S.CANCELLED,),
    (S.RETURNED,),
]
# One step: a payment (source, payee, minor units, provider down?), then news about the
# payment made ``back`` payments ago, then maybe a round of resubmissions.
steps = st.lists(
    st.tuples(
        st.sampled_from(sorted(PAYEES)),
        st.integers(min_value=0, max_value=3),
        st.integers(min_value=1, max_value=60_000),
        st.booleans(),
        st.integers(min_value=0, max_value=3),
        st.sampled_from(NEWS),
        st.booleans(),
    ),
    min_size=1,
    max_size=6,
)


def check_journals_balance(world: PaymentWorld) -> None:
    sums: dict[tuple[str, str], dict[NormalSide, int]] = defaultdict(lambda: defaultdict(int))
    for entry in world.store.ledger.book.entries:
        sums[(entry.journal_id, entry.amount.currency.code)][entry.side] += entry.amount.minor
    for key, sides in sums.items():
        assert sides[NormalSide.DEBIT] == sides[NormalSide.CREDIT], key


def check_zero_sum(world: PaymentWorld) -> None:
    posted: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    for balance in world.store.ledger.book.accounts.values():
        posted[balance.currency] += balance.posted_credits - balance.posted_debits
        pending[balance.currency] += balance.pending_debits - balance.pending_credits
    assert set(posted.values()) <= {0}
    assert set(pending.values()) <= {0}


def check_merchant_accounts(world: PaymentWorld) -> None:
    for account in world.store.accounts.values():
        balance = world.store.ledger.book.accounts[account.ledger_account_id]
        assert balance.available_minor >= 0, account.account_id


def check_holds(world: PaymentWorld) -> None:
    book = world.store.ledger.book
    assert set(book.holds) == set(world.store.payments)
    posted_journals: dict[str, int] = defaultdict(int)
    for entry in book.entries:
        posted_journals[entry.journal_id] += 1
    for payment in world.store.payments.values():
        hold = book.holds[payment.payment_id]
        if payment.state in HOLD_OPEN:
            assert hold.status is HoldStatus.PENDING
        else:
            assert hold.status is HOLD_OF_STATE[payment.state], payment.state
        # Posting a hold records one two-legged journal under its id; releasing records none.
        expected_entries = 2 if hold.status is HoldStatus.POSTED else 0
        assert posted_journals[hold.id] == expected_entries


def check_all(world: PaymentWorld) -> None:
    check_journals_balance(world)
    check_zero_sum(world)
    check_merchant_accounts(world)
    check_holds(world)


async def pay(world: PaymentWorld, source: str, payee: int, minor: int, down: bool) -> None:
    if down:
        world.provider.fail_next()
    before = world.snapshot()
    try:
        await world.pay(
            source_account_id=source,
            beneficiary_account_id=PAYEES[source][payee],
            amount=Decimal(minor) / 100,
            currency=CURRENCY[source],
            payer={"companyName": "Acme SL"},
        )
    except DomainError as error:
        event(f"payment refused: {error.code}")
        assert world.snapshot() == before  # refused: no trace


async def report(world: PaymentWorld, payment_id: str, status: ProviderPaymentStatus) -> None:
    update = world.provider.update(payment_id, status, "AC04")
    before = world.snapshot()
    try:
        await world.apply_update(update)
    except DomainError as error:
        event(f"update refused: {error.code}")
        assert world.snapshot() == before  # impossible news, or a return the payee cannot fund
        return
    event(f"update applied: {status.value}")
    after = world.snapshot()
    await world.apply_update(update)  # the same news again changes nothing
    assert world.snapshot() == after


async def run(steps: list[tuple[Any, ...]]) -> None:
    world = await payment_world(EUR_ACCOUNT, EUR_ACCOUNT_2, GBP_ACCOUNT, GERMAN, BRITISH)
    check_all(world)
    for source, payee, minor, down, back, news, resubmit in steps:
        await pay(world, source, payee, minor, down)
        check_all(world)
        made = sorted(world.store.payments.values(), key=lambda p: p.created_at)
        for status in news if made else ():
            await report(world, made[max(len(made) - 1 - back, 0)].payment_id, status)
            check_all(world)
        if resubmit:
            world.clock.advance(60)
            await world.submit_reserved()
            check_all(world)
        world.clock.advance(1)


@settings(max_examples=40, deadline=None)
@given(steps)
def test_payments_keep_the_ledger_balanced_and_zero_sum(steps: list[tuple[Any, ...]]) -> None:
    with capture_logs():  # rendering the warnings of a provider that is down is slow
        asyncio.run(run(steps))
