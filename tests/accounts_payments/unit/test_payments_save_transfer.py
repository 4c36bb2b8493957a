"""SaveTransfer through fakes: reserve and submit, what Toqio hears, idempotency, schemes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accounts_payments.application.ports.ledger import HoldStatus
from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from accounts_payments.domain.payments.lifecycle import PaymentState
from accounts_payments.domain.payments.payment import CounterpartyKind
from accounts_payments.domain.payments.schemes import PaymentScheme
from shared_kernel.contracts import PaymentStatusChangedV1
from shared_kernel.domain.errors import Conflict, InvalidInput
from tests.accounts_payments.payment_support import (
    BRITISH,
    EUR_ACCOUNT,
    EUR_ACCOUNT_2,
    GBP_ACCOUNT,
    GERMAN,
    GERMAN_IBAN,
    OURS_BY_IBAN,
    T0,
    PaymentWorld,
    eur,
    payment_world,
    settlement,
)

pytestmark = pytest.mark.unit


@pytest.fixture
async def world() -> PaymentWorld:
    return await payment_world()


async def test_a_sepa_payment_is_reserved_and_submitted(world: PaymentWorld) -> None:
    view = await world.pay()

    payment = world.payment(view.payment.payment_id)
    assert payment.state is PaymentState.SUBMITTED
    assert payment.provider_payment_id == "pp-1"
    assert await world.available(EUR_ACCOUNT) == eur("900.00")
    assert await world.total(EUR_ACCOUNT) == eur("1000.00")
    [hold] = world.store.ledger.book.holds.values()
    assert (hold.id, hold.status) == (payment.payment_id, HoldStatus.PENDING)
    assert hold.amount == eur("100")
    assert (hold.debit_account, hold.credit_account) == (EUR_ACCOUNT, settlement("EUR"))


async def test_toqio_hears_pending_for_the_reservation_and_for_the_submission(
    world: PaymentWorld,
) -> None:
    payment_id = (await world.pay()).payment.payment_id

    reserved, submitted = world.webhooks("SYNC_TRANSACTION_STATUS", payment_id)
    assert (reserved["status"], submitted["status"]) == ("PENDING", "PENDING")
    assert "paymentProviderDetails" not in reserved
    assert submitted["paymentProviderDetails"] == {
        "paymentId": "pp-1",
        "internalReference": payment_id,
    }
    assert submitted["corePaymentType"] == "payment-type-EU-SEPA-Step2"
    assert (submitted["baseTotal"], submitted["balance"]) == (100.0, 1000.0)
    assert submitted["date"] == "2030-01-01T09:00:00.000Z"


async def test_every_move_is_published_as_payment_status_changed(world: PaymentWorld) -> None:
    payment_id = (await world.pay()).payment.payment_id

    changes = world.messages(PaymentStatusChangedV1)
    assert [(m.previous_status, m.status) for m in changes] == [
        ("CREATED", "RESERVED"),
        ("RESERVED", "SUBMITTED"),
    ]
    assert {(m.transaction_id, m.account_id, m.client_id) for m in changes} == {
        (payment_id, EUR_ACCOUNT, "cl-1")
    }


async def test_the_instruction_is_referenced_by_the_payment_id(world: PaymentWorld) -> None:
    payment_id = (await world.pay(reference="INV-42")).payment.payment_id

    instruction = world.provider.instruction(payment_id)
    assert instruction.provider_account_id == "pa-acc-eur"
    assert (instruction.amount, instruction.credited) == (eur("100"), eur("100"))
    assert (instruction.scheme, instruction.creditor_iban) == ("SEPA", GERMAN_IBAN)
    assert (instruction.creditor_name, instruction.creditor_country) == ("Jane Doe", "DE")
    assert (instruction.remittance, instruction.end_to_end_reference) == ("Invoice 42", "INV-42")
    assert instruction.creditor_provider_account_id is None


async def test_the_answer_is_the_payment_with_the_booked_balance(world: PaymentWorld) -> None:
    view = await world.pay()

    assert view.payment.state is PaymentState.SUBMITTED
    assert view.payment.counterparty.reference_id == GERMAN
    assert view.payment.core_payment_type == "payment-type-EU-SEPA-Step2"
    assert view.balance == eur("1000.00")
    assert view.at == T0


async def test_the_requested_transaction_id_becomes_the_payment_id(world: PaymentWorld) -> None:
    view = await world.pay(transaction_id="tx-1")

    assert view.payment.payment_id == "tx-1"
    assert world.store.ledger.book.holds["tx-1"].status is HoldStatus.PENDING


async def test_reusing_a_transaction_id_is_a_conflict_that_changes_nothing(
    world: PaymentWorld,
) -> None:
    await world.pay(transaction_id="tx-1")
    before = world.snapshot()

    with pytest.raises(Conflict) as raised:
        await world.pay(transaction_id="tx-1", amount=Decimal("5.00"))

    assert raised.value.code == "TRANSACTION_ALREADY_EXISTS"
    assert world.snapshot() == before


async def test_the_same_idempotency_key_finds_the_payment_without_paying_twice(
    world: PaymentWorld,
) -> None:
    first = await world.pay(idempotency_key="key-1")
    before = world.snapshot()

    again = await world.pay(idempotency_key="key-1")

    assert again.payment.payment_id == first.payment.payment_id
    assert again.payment.state is PaymentState.SUBMITTED
    assert world.snapshot() == before
    assert await world.available(EUR_ACCOUNT) == eur("900.00")
    assert len(world.provider.instructions) == 1


async def test_an_accepted_receipt_moves_the_payment_to_accepted(world: PaymentWorld) -> None:
    world.provider.answer = ProviderPaymentStatus.ACCEPTED

    view = await world.pay()

    assert view.payment.state is PaymentState.ACCEPTED
    assert world.store.ledger.book.holds[view.payment.payment_id].status is HoldStatus.PENDING
    changes = world.messages(PaymentStatusChangedV1)
    assert [m.status for m in changes] == ["RESERVED", "SUBMITTED", "ACCEPTED"]


async def test_each_move_of_an_accepted_receipt_is_told_with_its_own_status(
    world: PaymentWorld,
) -> None:
    world.provider.answer = ProviderPaymentStatus.ACCEPTED

    view = await world.pay()

    assert world.sync_statuses(view.payment.payment_id) == ["PENDING", "PENDING", "ACCEPTED"]


async def test_a_payment_the_provider_refuses_is_rejected_and_its_funds_released(
    world: PaymentWorld,
) -> None:
    world.provider.reject_next(code="AC06")

    view = await world.pay()

    payment = world.payment(view.payment.payment_id)
    assert payment.state is PaymentState.REJECTED
    assert payment.reason is not None
    assert payment.reason.code == "AC06"
    assert await world.available(EUR_ACCOUNT) == eur("1000.00")
    assert world.store.ledger.book.holds[payment.payment_id].status is HoldStatus.VOIDED
    failed = world.webhooks("SYNC_TRANSACTION_STATUS", payment.payment_id)[-1]
    assert failed["status"] == "FAILED"
    assert failed["failureReason"] == "AC06: The account is blocked"
    assert world.messages(PaymentStatusChangedV1)[-1].reason_code == "AC06"


SCHEMES = [
    pytest.param({}, PaymentScheme.SEPA, id="sepa-by-default"),
    pytest.param({"bank_payment_scheme": "sepa_instant"}, PaymentScheme.SEPA_INSTANT, id="instant"),
    pytest.param(
        {"source_account_id": GBP_ACCOUNT, "beneficiary_account_id": BRITISH, "currency": "GBP"},
        PaymentScheme.UK_FASTER_PAYMENTS,
        id="uk-faster-payments",
    ),
    pytest.param(
        {"beneficiary_account_id": EUR_ACCOUNT_2}, PaymentScheme.INTERNAL_TRANSFER, id="own"
    ),
    pytest.param(
        {"beneficiary_account_id": OURS_BY_IBAN},
        PaymentScheme.INTERNAL_TRANSFER,
        id="beneficiary-with-our-iban",
    ),
]


@pytest.mark.parametrize(("request_fields", "scheme"), SCHEMES)
async def test_the_scheme_is_the_cheapest_one_that_reaches_the_payee_unless_one_is_requested(
    world: PaymentWorld, request_fields: dict[str, Any], scheme: PaymentScheme
) -> None:
    view = await world.pay(**request_fields)

    assert view.payment.scheme is scheme
    assert world.provider.instruction(view.payment.payment_id).scheme == scheme.value


async def test_an_internal_transfer_names_the_payee_account_at_the_provider(
    world: PaymentWorld,
) -> None:
    own = await world.pay(beneficiary_account_id=EUR_ACCOUNT_2)
    registered = await world.pay(beneficiary_account_id=OURS_BY_IBAN)

    assert own.payment.counterparty.kind is CounterpartyKind.OWN_ACCOUNT
    assert registered.payment.counterparty.kind is CounterpartyKind.BENEFICIARY
    for view in (own, registered):
        assert view.payment.counterparty.account_id == EUR_ACCOUNT_2
        assert view.payment.core_payment_type == "INTERNAL-TRANSFER"
        instruction = world.provider.instruction(view.payment.payment_id)
        assert instruction.creditor_provider_account_id == "pa-acc-eur-2"
        hold = world.store.ledger.book.holds[view.payment.payment_id]
        assert hold.credit_account == EUR_ACCOUNT_2


@pytest.mark.parametrize(
    "request_fields",
    [
        pytest.param({"bank_payment_scheme": "UK_FASTER_PAYMENTS"}, id="fps-to-a-german-iban"),
        pytest.param(
            {"bank_payment_scheme": "SEPA", "beneficiary_account_id": EUR_ACCOUNT_2},
            id="sepa-to-our-own-account",
        ),
        pytest.param({"bank_payment_scheme": "CARRIER_PIGEON"}, id="no-such-scheme"),
    ],
)
async def test_a_scheme_that_cannot_reach_the_payee_is_refused_and_changes_nothing(
    world: PaymentWorld, request_fields: dict[str, Any]
) -> None:
    before = world.snapshot()

    with pytest.raises(InvalidInput) as raised:
        await world.pay(**request_fields)

    assert raised.value.code == "BANK_PAYMENT_SCHEME_NOT_AVAILABLE"
    assert [p.field for p in raised.value.problems] == ["bankPaymentScheme"]
    assert world.snapshot() == before
