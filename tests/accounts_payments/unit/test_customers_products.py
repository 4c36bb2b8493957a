"""ApplyProductChanges: idempotent upserts and deletions by product id, all or nothing."""

from __future__ import annotations

import dataclasses

import pytest

from accounts_payments.application.customers.product_changes import (
    ApplyProductChanges,
    ListCustomerProducts,
)
from accounts_payments.domain.customers import Customer, SecretText
from accounts_payments.domain.products import CustomerProduct, Label
from shared_kernel.domain.errors import InvalidInput, NotFound
from tests.accounts_payments.fakes import FakeCustomerRepository, FakeCustomersUnitOfWork

pytestmark = pytest.mark.unit


def product(product_id: str = "prod-1", **overrides: object) -> CustomerProduct:
    values: dict[str, object] = {
        "product_id": product_id,
        "customer_id": "cust-1",
        "partner_product": "EUR",
        "banking_provider": "fakebank",
        "name": Label(en="Current account"),
        "ledger_type_id": "ledger-1",
        "visible": True,
    }
    values.update(overrides)
    return CustomerProduct(**values)  # type: ignore[arg-type]


@pytest.fixture
def store() -> FakeCustomerRepository:
    customers = {
        cid: Customer(customer_id=cid, api_key=SecretText("key")) for cid in ("cust-1", "cust-2")
    }
    return FakeCustomerRepository(customers)


@pytest.fixture
def apply(store: FakeCustomerRepository) -> ApplyProductChanges:
    return ApplyProductChanges(lambda: FakeCustomersUnitOfWork(store))


async def live(store: FakeCustomerRepository, customer_id: str = "cust-1") -> list[str]:
    products = await ListCustomerProducts(lambda: FakeCustomersUnitOfWork(store))(customer_id)
    return [p.product_id for p in products]


async def test_products_are_created_then_updated_by_id(
    apply: ApplyProductChanges, store: FakeCustomerRepository
) -> None:
    await apply("cust-1", [product("prod-1"), product("prod-2")], [])
    await apply("cust-1", [product("prod-1", visible=False)], [])

    assert await live(store) == ["prod-1", "prod-2"]
    assert store.product_rows[("cust-1", "prod-1")].visible is False


async def test_replaying_a_notification_leaves_the_same_state(
    apply: ApplyProductChanges, store: FakeCustomerRepository
) -> None:
    await apply("cust-1", [product("prod-1"), product("prod-2")], [])
    await apply("cust-1", [product("prod-3")], ["prod-1", "missing"])
    once = dict(store.product_rows)

    await apply("cust-1", [product("prod-3")], ["prod-1", "missing"])

    assert store.product_rows == once
    assert await live(store) == ["prod-2", "prod-3"]
    assert store.product_rows[("cust-1", "prod-1")].deleted


async def test_an_upsert_after_a_deletion_brings_the_product_back(
    apply: ApplyProductChanges, store: FakeCustomerRepository
) -> None:
    await apply("cust-1", [product("prod-1")], [])
    await apply("cust-1", [], ["prod-1"])
    await apply("cust-1", [product("prod-1")], [])

    assert await live(store) == ["prod-1"]


async def test_products_are_scoped_to_their_customer(
    apply: ApplyProductChanges, store: FakeCustomerRepository
) -> None:
    await apply("cust-1", [product("prod-1")], [])
    await apply("cust-2", [product("prod-1", customer_id="cust-2")], [])
    await apply("cust-2", [], ["prod-1"])

    assert await live(store, "cust-1") == ["prod-1"]
    assert await live(store, "cust-2") == []


@pytest.mark.parametrize(
    ("upserts", "deletions", "field"),
    [
        ([], [], "products"),
        ([product("ok"), product(customer_id="cust-2")], [], "products[1].customerId"),
        ([product("p"), product("p")], [], "products[1].id"),
        ([product(" ")], [], "products[0].id"),
        ([product("ok"), product(name=Label(en=" "))], [], "products[1].name"),
        ([product(partner_product="")], [], "products[0].partnerProduct"),
        ([product(ledger_type_id=" ")], [], "products[0].ledgerTypeId"),
        ([product("p")], ["p"], "deleteProductIds"),
        ([product("ok")], ["keep", ""], "deleteProductIds[1]"),
    ],
)
async def test_an_invalid_notification_changes_nothing(
    apply: ApplyProductChanges,
    store: FakeCustomerRepository,
    upserts: list[CustomerProduct],
    deletions: list[str],
    field: str,
) -> None:
    await apply("cust-1", [product("keep")], [])
    before = dict(store.product_rows)

    with pytest.raises(InvalidInput) as error:
        await apply("cust-1", upserts, deletions)

    assert error.value.code == "INVALID_REQUEST"
    assert field in {p.field for p in error.value.problems}
    assert store.product_rows == before


async def test_changes_for_an_unknown_customer_are_customer_not_found(
    apply: ApplyProductChanges, store: FakeCustomerRepository
) -> None:
    with pytest.raises(NotFound) as error:
        await apply("nobody", [product(customer_id="nobody")], [])

    assert error.value.code == "CUSTOMER_NOT_FOUND"
    assert store.product_rows == {}


async def test_listing_products_of_an_unknown_customer_is_customer_not_found(
    store: FakeCustomerRepository,
) -> None:
    with pytest.raises(NotFound):
        await ListCustomerProducts(lambda: FakeCustomersUnitOfWork(store))("nobody")


def test_a_label_with_any_translation_is_not_empty() -> None:
    assert Label().is_empty()
    assert not Label(zh="名字").is_empty()
    assert dataclasses.replace(product(), deleted=True).deleted
