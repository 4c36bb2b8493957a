"""RegisterCustomer and GetCustomer through fakes: validation, upserts, opaque secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts_payments.application.customers.get_customer import GetCustomer
from accounts_payments.application.customers.register_customer import (
    CustomerRegistration,
    PaymentProviderDetails,
    RegisterCustomer,
)
from accounts_payments.domain.customers import Customer, SecretText
from shared_kernel.domain.errors import InvalidInput, NotFound
from tests.accounts_payments.fakes import FakeCustomerRepository, FakeCustomersUnitOfWork

pytestmark = pytest.mark.unit

API_KEY = "toqio-api-key-0123456789abcdef"
T0 = datetime(2024, 8, 1, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store() -> FakeCustomerRepository:
    return FakeCustomerRepository()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def register(store: FakeCustomerRepository, clock: Clock) -> RegisterCustomer:
    return RegisterCustomer(
        lambda: FakeCustomersUnitOfWork(store), default_provider="fakebank", clock=clock
    )


def registration(**overrides: object) -> CustomerRegistration:
    values: dict[str, object] = {
        "customer_id": "cust-1",
        "api_key": API_KEY,
        "commercial_name": " Acme Bank ",
        "available_currencies": ["eur", "GBP", "EUR"],
    }
    values.update(overrides)
    return CustomerRegistration(**values)  # type: ignore[arg-type]


async def test_a_registered_customer_is_stored_with_iso_currencies(
    register: RegisterCustomer, store: FakeCustomerRepository
) -> None:
    customer = await register(registration())

    assert store.customers["cust-1"] == customer
    assert customer.available_currencies == ("EUR", "GBP")
    assert customer.commercial_name == "Acme Bank"
    assert customer.provider == "fakebank"
    assert customer.registered_at == T0


async def test_re_registering_the_same_id_replaces_it_and_keeps_the_registration_time(
    register: RegisterCustomer, store: FakeCustomerRepository, clock: Clock
) -> None:
    await register(registration())
    clock.now = T0 + timedelta(hours=1)

    await register(registration(commercial_name="Acme 2", provider="railsr", api_key="k" * 20))

    stored = store.customers["cust-1"]
    assert len(store.customers) == 1
    assert (stored.commercial_name, stored.provider) == ("Acme 2", "railsr")
    assert stored.api_key.reveal() == "k" * 20
    assert stored.registered_at == T0
    assert stored.updated_at == T0 + timedelta(hours=1)


async def test_registering_twice_with_one_request_leaves_one_identical_record(
    register: RegisterCustomer, store: FakeCustomerRepository
) -> None:
    first = await register(registration())
    await register(registration())

    assert store.customers == {"cust-1": first}


@pytest.mark.parametrize("currency", ["XYZ", "gold", "points", "XAU", "", "E1R"])
async def test_a_currency_outside_iso_4217_is_refused_and_nothing_is_stored(
    register: RegisterCustomer, store: FakeCustomerRepository, currency: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        await register(registration(available_currencies=["EUR", currency]))

    assert error.value.code == "INVALID_CURRENCY"
    assert error.value.problems[0].field == "availableCurrencies[1]"
    assert store.customers == {}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"api_key": "   "}, "apiKey"),
        ({"customer_id": "has space"}, "id"),
        ({"customer_id": "a/b"}, "id"),
        ({"customer_id": ""}, "id"),
        ({"customer_id": "x" * 129}, "id"),
    ],
)
async def test_malformed_registrations_are_refused(
    register: RegisterCustomer,
    store: FakeCustomerRepository,
    overrides: dict[str, object],
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as error:
        await register(registration(**overrides))

    assert error.value.code == "INVALID_REQUEST"
    assert error.value.problems[0].field == field
    assert store.customers == {}


async def test_payment_provider_keys_are_kept_as_opaque_secrets(
    register: RegisterCustomer,
) -> None:
    details = PaymentProviderDetails(
        customer_id="pp-1", payment_provider_type="X", login_id="me", key="short", hmac_key=None
    )

    customer = await register(registration(payment_provider=details))

    payment = customer.payment_provider
    assert payment is not None
    assert payment.key is not None
    assert payment.key.reveal() == "short"
    assert payment.hmac_key is None
    assert "short" not in repr(customer)
    assert API_KEY not in repr(customer)


def test_secrets_are_masked_showing_at_most_their_last_four_characters() -> None:
    assert SecretText(API_KEY).masked() == "****cdef"
    assert SecretText("short-secret").masked() == "****"
    assert str(SecretText(API_KEY)) == "****"
    with pytest.raises(InvalidInput):
        SecretText("")


def test_a_customer_without_currencies_offers_every_currency() -> None:
    open_customer = Customer(customer_id="c", api_key=SecretText("k"))
    euro_customer = Customer(
        customer_id="c", api_key=SecretText("k"), available_currencies=("eur",)
    )

    assert open_customer.offers("usd")
    assert euro_customer.offers("eur")
    assert not euro_customer.offers("USD")


async def test_getting_a_registered_customer_returns_it(
    register: RegisterCustomer, store: FakeCustomerRepository
) -> None:
    registered = await register(registration())

    found = await GetCustomer(lambda: FakeCustomersUnitOfWork(store))("cust-1")

    assert found == registered


async def test_getting_an_unknown_customer_is_customer_not_found(
    store: FakeCustomerRepository,
) -> None:
    with pytest.raises(NotFound) as error:
        await GetCustomer(lambda: FakeCustomersUnitOfWork(store))("nobody")

    assert error.value.code == "CUSTOMER_NOT_FOUND"
