"""SaveTransfer's refusals: SEPA's text rules and bad requests, each changing nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from accounts_payments.application.accounts.book_inbound_transfer import BookInboundTransfer
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.domain.payments.schemes import PaymentScheme
from shared_kernel.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    RuleViolated,
)
from tests.accounts_payments.payment_support import (
    BRITISH,
    CLOSED_ACCOUNT,
    DELETED,
    EUR_ACCOUNT,
    EUR_ACCOUNT_2,
    GBP_ACCOUNT,
    GERMAN_IBAN,
    NON_EPC_NAME,
    OTHER_CLIENT_ACCOUNT,
    OURS_BY_IBAN,
    READ_ONLY_ACCOUNT,
    SUSPENDED_ACCOUNT,
    PaymentWorld,
    eur,
    payment_world,
)

pytestmark = pytest.mark.unit
NOT_EPC = "Facture n° 7"  # the degree sign is outside SEPA's basic Latin set


@pytest.fixture
async def world() -> PaymentWorld:
    return await payment_world()


async def refused(world: PaymentWorld, **request_fields: Any) -> DomainError:
    """The error SaveTransfer raises for the request, checked to have changed nothing."""
    before = world.snapshot()
    with pytest.raises(DomainError) as raised:
        await world.pay(**request_fields)
    assert world.snapshot() == before
    assert await world.available(EUR_ACCOUNT) == eur("1000.00")
    return raised.value


@pytest.mark.parametrize(
    ("request_fields", "field_name"),
    [
        pytest.param({"beneficiary_account_id": NON_EPC_NAME}, "beneficiary.name", id="name"),
        pytest.param({"concept": NOT_EPC}, "concept", id="concept"),
        pytest.param({"reference": "INV_42"}, "reference", id="reference-charset"),
        pytest.param({"reference": "R" * 36}, "reference", id="reference-length"),
        pytest.param({"reference": "/INV/42"}, "reference", id="reference-slash"),
    ],
)
async def test_a_sepa_text_outside_the_epc_rules_is_refused_and_changes_nothing(
    world: PaymentWorld, request_fields: dict[str, Any], field_name: str
) -> None:
    error = await refused(world, **request_fields)

    assert isinstance(error, InvalidInput)
    assert error.code == "INVALID_SEPA_TEXT"
    assert [p.field for p in error.problems] == [field_name]
    assert world.store.webhooks == []
    assert world.store.messages == []
    assert world.store.payments == {}
    assert world.provider.instructions == []


async def test_sepa_text_rules_do_not_apply_to_other_schemes(world: PaymentWorld) -> None:
    view = await world.pay(
        source_account_id=GBP_ACCOUNT,
        beneficiary_account_id=BRITISH,
        currency="GBP",
        concept=NOT_EPC,
    )

    assert view.payment.scheme is PaymentScheme.UK_FASTER_PAYMENTS
    assert view.payment.concept == NOT_EPC


BAD_REQUESTS = [
    pytest.param({"customer_id": "cust-404"}, NotFound, "CUSTOMER_NOT_FOUND", id="customer"),
    pytest.param(
        {"source_account_id": "acc-404"}, NotFound, "ERROR_ACCOUNT_NOT_FOUND", id="source"
    ),
    pytest.param(
        {"beneficiary_account_id": "ben-404"}, NotFound, "BENEFICIARY_NOT_FOUND", id="beneficiary"
    ),
    pytest.param(
        {"beneficiary_account_id": DELETED}, NotFound, "BENEFICIARY_NOT_FOUND", id="deleted"
    ),
    pytest.param({"currency": "GBP"}, InvalidInput, "CURRENCY_MISMATCH", id="currency"),
    pytest.param({"asset_type": "usd"}, InvalidInput, "CURRENCY_MISMATCH", id="asset-type"),
    pytest.param({"currency": "XYZ"}, InvalidInput, "INVALID_CURRENCY", id="not-a-currency"),
    pytest.param({"amount": Decimal(0)}, InvalidInput, "INVALID_AMOUNT", id="zero"),
    pytest.param({"amount": Decimal("-5.00")}, InvalidInput, "INVALID_AMOUNT", id="negative"),
    pytest.param({"amount": Decimal("10.001")}, InvalidInput, "INVALID_AMOUNT", id="decimals"),
    pytest.param(
        {"amount": Decimal("1000.01")}, RuleViolated, "INSUFFICIENT_FUNDS", id="insufficient"
    ),
    pytest.param(
        {"source_account_id": CLOSED_ACCOUNT}, RuleViolated, "ACCOUNT_CLOSED", id="closed"
    ),
    pytest.param(
        {"source_account_id": SUSPENDED_ACCOUNT},
        RuleViolated,
        "ACCOUNT_NOT_ACTIVE",
        id="suspended",
    ),
    pytest.param(
        {"source_account_id": READ_ONLY_ACCOUNT},
        RuleViolated,
        "READ_ONLY_ACCOUNT",
        id="read-only-to-a-third-party",
    ),
    pytest.param(
        {"beneficiary_account_id": EUR_ACCOUNT}, InvalidInput, "SAME_ACCOUNT", id="to-itself"
    ),
    pytest.param(
        {"beneficiary_account_id": SUSPENDED_ACCOUNT},
        RuleViolated,
        "BENEFICIARY_ACCOUNT_NOT_ACTIVE",
        id="to-a-suspended-account",
    ),
    pytest.param({"concept": "a" * 141}, InvalidInput, "INVALID_REQUEST", id="long-concept"),
]


@pytest.mark.parametrize(("request_fields", "error_type", "code"), BAD_REQUESTS)
async def test_a_bad_request_is_refused_and_changes_nothing(
    world: PaymentWorld, request_fields: dict[str, Any], error_type: type[DomainError], code: str
) -> None:
    error = await refused(world, **request_fields)

    assert type(error) is error_type
    assert error.code == code


async def test_insufficient_funds_is_a_rule_violation_measured_on_the_available_balance(
    world: PaymentWorld,
) -> None:
    await world.pay(amount=Decimal("600.00"))

    before = world.snapshot()
    with pytest.raises(RuleViolated) as raised:
        await world.pay(amount=Decimal("400.01"))

    assert raised.value.code == "INSUFFICIENT_FUNDS"
    assert world.snapshot() == before
    assert await world.available(EUR_ACCOUNT) == eur("400.00")


async def test_a_concept_over_140_characters_names_the_field(world: PaymentWorld) -> None:
    error = await refused(
        world, source_account_id=GBP_ACCOUNT, beneficiary_account_id=BRITISH, currency="GBP",
        concept="a" * 141,
    )  # fmt: skip

    assert [p.field for p in error.problems] == ["concept"]


async def test_a_read_only_account_may_pay_the_merchants_own_accounts(
    world: PaymentWorld,
) -> None:
    view = await world.pay(source_account_id=READ_ONLY_ACCOUNT, beneficiary_account_id=EUR_ACCOUNT)

    assert view.payment.scheme is PaymentScheme.INTERNAL_TRANSFER
    assert await world.available(READ_ONLY_ACCOUNT) == eur("100.00")


@pytest.mark.parametrize("source", [EUR_ACCOUNT, READ_ONLY_ACCOUNT])
async def test_an_account_of_another_client_is_not_the_merchants_own_account(
    world: PaymentWorld, source: str
) -> None:
    error = await refused(
        world, source_account_id=source, beneficiary_account_id=OTHER_CLIENT_ACCOUNT
    )

    assert isinstance(error, NotFound)
    assert error.code == "BENEFICIARY_NOT_FOUND"


async def test_a_beneficiary_with_the_paying_accounts_own_iban_is_a_payment_to_itself(
    world: PaymentWorld,
) -> None:
    error = await refused(
        world, source_account_id=EUR_ACCOUNT_2, beneficiary_account_id=OURS_BY_IBAN
    )

    assert isinstance(error, InvalidInput)
    assert error.code == "SAME_ACCOUNT"


async def test_the_id_of_an_inbound_transfer_cannot_become_a_payment_id(
    world: PaymentWorld,
) -> None:
    transfer = InboundTransfer(
        provider_transaction_id="ptx-1", provider_account_id="pa-acc-eur",
        amount=eur("10.00"), debtor_name="Bob Payer", debtor_iban=GERMAN_IBAN,
        reference="invoice 7", received_at=datetime(2030, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    inbound_id = await BookInboundTransfer(world.uow)(transfer)
    before = world.snapshot()

    with pytest.raises(Conflict) as raised:
        await world.pay(transaction_id=inbound_id)

    assert raised.value.code == "TRANSACTION_ALREADY_EXISTS"
    assert world.snapshot() == before


@pytest.mark.parametrize("suffix", [":return", ":credit", ":fx", ":return-fx"])
async def test_a_transaction_id_naming_what_another_payment_books_is_refused(
    world: PaymentWorld, suffix: str
) -> None:
    await world.pay(transaction_id="tx-a")
    before = world.snapshot()

    with pytest.raises(DomainError):
        await world.pay(transaction_id=f"tx-a{suffix}", amount=Decimal("1.00"))

    assert world.snapshot() == before
