"""GetTransactionStatus and GetDynamicButton over payments, transfers and what payments book."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from accounts_payments.application.accounts.book_inbound_transfer import BookInboundTransfer
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from accounts_payments.domain.transactions import TransactionStatus
from shared_kernel.domain.errors import NotFound
from tests.accounts_payments.fakes import customer
from tests.accounts_payments.payment_support import (
    CUSTOMER,
    EUR_ACCOUNT_2,
    GERMAN_IBAN,
    PaymentWorld,
    eur,
    payment_world,
)

pytestmark = pytest.mark.unit
S = ProviderPaymentStatus
T = TransactionStatus


@pytest.fixture
async def world() -> PaymentWorld:
    return await payment_world()


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    """Keep the warnings of a provider that is down from being rendered (slowly)."""
    with capture_logs():
        yield


async def status_of(world: PaymentWorld, transaction_id: str) -> TransactionStatus:
    return await world.transaction_status(CUSTOMER, transaction_id)


@pytest.mark.parametrize(
    ("reports", "status"),
    [
        pytest.param([], T.PENDING, id="submitted"),
        pytest.param([S.ACCEPTED], T.ACCEPTED, id="accepted"),
        pytest.param([S.SETTLED], T.POSTED, id="settled"),
        pytest.param([S.REJECTED], T.FAILED, id="rejected"),
        pytest.param([S.CANCELLED], T.CANCELLED, id="cancelled"),
        pytest.param([S.SETTLED, S.RETURNED], T.POSTED, id="returned"),
    ],
)
async def test_the_status_of_a_payment_follows_its_state(
    world: PaymentWorld, reports: list[ProviderPaymentStatus], status: TransactionStatus
) -> None:
    payment_id = (await world.pay()).payment.payment_id
    for report in reports:
        await world.report(payment_id, report)

    assert await status_of(world, payment_id) is status


async def test_a_reserved_payment_is_pending(world: PaymentWorld) -> None:
    world.provider.fail_next()
    payment_id = (await world.pay()).payment.payment_id

    assert await status_of(world, payment_id) is T.PENDING


async def test_the_status_of_an_inbound_transfer_is_its_booked_status(
    world: PaymentWorld,
) -> None:
    transfer = InboundTransfer(
        provider_transaction_id="ptx-1",
        provider_account_id="pa-acc-eur",
        amount=eur("10.50"),
        debtor_name="Bob Payer",
        debtor_iban=GERMAN_IBAN,
        reference="invoice 7",
        received_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    transaction_id = await BookInboundTransfer(world.uow)(transfer)

    assert await status_of(world, transaction_id) is T.ACCEPTED


async def test_the_credit_of_an_internal_transfer_exists_once_it_settled(
    world: PaymentWorld,
) -> None:
    payment_id = (await world.pay(beneficiary_account_id=EUR_ACCOUNT_2)).payment.payment_id
    with pytest.raises(NotFound):
        await status_of(world, f"{payment_id}:credit")

    await world.report(payment_id, S.SETTLED)
    assert await status_of(world, f"{payment_id}:credit") is T.ACCEPTED


async def test_the_return_of_a_payment_exists_once_it_was_returned(world: PaymentWorld) -> None:
    payment_id = (await world.pay()).payment.payment_id
    await world.report(payment_id, S.SETTLED)
    with pytest.raises(NotFound):
        await status_of(world, f"{payment_id}:return")

    await world.report(payment_id, S.RETURNED, "MD07")

    assert await status_of(world, f"{payment_id}:return") is T.ACCEPTED


@pytest.mark.parametrize("transaction_id", ["nope", "nope:credit", "nope:return", ":return"])
async def test_an_unknown_transaction_is_not_found(
    world: PaymentWorld, transaction_id: str
) -> None:
    with pytest.raises(NotFound) as raised:
        await status_of(world, transaction_id)

    assert raised.value.code == "TRANSACTION_NOT_FOUND"


async def test_another_customers_payment_is_not_found(world: PaymentWorld) -> None:
    world.store.customers["cust-2"] = customer("cust-2")
    payment_id = (await world.pay()).payment.payment_id

    with pytest.raises(NotFound) as raised:
        await world.transaction_status("cust-2", payment_id)

    assert raised.value.code == "TRANSACTION_NOT_FOUND"


async def test_the_status_for_an_unknown_customer_is_not_found(world: PaymentWorld) -> None:
    payment_id = (await world.pay()).payment.payment_id

    with pytest.raises(NotFound) as raised:
        await world.transaction_status("cust-404", payment_id)

    assert raised.value.code == "CUSTOMER_NOT_FOUND"


async def test_a_known_transaction_has_no_dynamic_button(world: PaymentWorld) -> None:
    payment_id = (await world.pay()).payment.payment_id

    button = await world.dynamic_button(CUSTOMER, payment_id)  # type: ignore[func-returns-value]

    assert button is None


async def test_the_dynamic_button_of_an_unknown_transaction_is_not_found(
    world: PaymentWorld,
) -> None:
    with pytest.raises(NotFound) as raised:
        await world.dynamic_button(CUSTOMER, "nope")

    assert raised.value.code == "TRANSACTION_NOT_FOUND"


async def test_the_dynamic_button_for_an_unknown_customer_is_not_found(
    world: PaymentWorld,
) -> None:
    payment_id = (await world.pay()).payment.payment_id

    with pytest.raises(NotFound) as raised:
        await world.dynamic_button("cust-404", payment_id)

    assert raised.value.code == "CUSTOMER_NOT_FOUND"


async def test_a_payment_to_a_third_party_books_no_credit_transaction(
    world: PaymentWorld,
) -> None:
    payment_id = (await world.pay()).payment.payment_id
    await world.report(payment_id, S.SETTLED)

    with pytest.raises(NotFound) as raised:
        await status_of(world, f"{payment_id}:credit")

    assert raised.value.code == "TRANSACTION_NOT_FOUND"
