"""Capabilities, connection status and partner-product queries tell the truth about the provider."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from accounts_payments.application.customers.capabilities import (
    CheckConnection,
    ConnectionStatus,
    GetCapabilities,
)
from accounts_payments.application.customers.catalog import CapabilityCatalog, catalog_of
from accounts_payments.application.customers.partner_products import PartnerProductQueries
from accounts_payments.domain.customers import Customer, SecretText
from accounts_payments.domain.products import Label, PartnerProduct, select_partner_products
from shared_kernel.domain.errors import InvalidInput, NotFound
from tests.accounts_payments.fakes import (
    ALL_CAPABILITIES,
    CatalogBankingProvider,
    FakeBank,
    FakeCustomerRepository,
    FakeCustomersUnitOfWork,
)

pytestmark = pytest.mark.unit

EURO_ONLY = dataclasses.replace(
    ALL_CAPABILITIES, uk_accounts=False, statements=False, requires_otp_for_statements=False
)


def store_with(*currencies: str) -> FakeCustomerRepository:
    customer = Customer(
        customer_id="cust-1", api_key=SecretText("key"), available_currencies=currencies
    )
    return FakeCustomerRepository({"cust-1": customer})


def uow(store: FakeCustomerRepository) -> object:
    return lambda: FakeCustomersUnitOfWork(store)


async def test_capability_flags_follow_the_provider() -> None:
    store = store_with()
    rich = await GetCapabilities(uow(store), FakeBank())("cust-1")  # type: ignore[arg-type]
    poor = await GetCapabilities(
        uow(store),  # type: ignore[arg-type]
        FakeBank(capabilities=EURO_ONLY),
    )("cust-1")

    assert rich.has_own_otp
    assert rich.can_resend_otp
    assert rich.allow_six_months_statements
    assert not poor.has_own_otp
    assert not poor.allow_six_months_statements
    assert poor.can_cancel_accounts
    assert not poor.can_remove_accounts
    assert not rich.can_retrieve_pan
    assert not rich.allow_virtual_cards


async def test_capabilities_of_an_unknown_customer_are_customer_not_found() -> None:
    with pytest.raises(NotFound) as error:
        await GetCapabilities(uow(store_with()), FakeBank())("nobody")  # type: ignore[arg-type]

    assert error.value.code == "CUSTOMER_NOT_FOUND"


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        (True, ConnectionStatus.CONNECTED),
        (False, ConnectionStatus.FAILED),
        (ConnectionError("down"), ConnectionStatus.FAILED),
    ],
)
async def test_the_connection_status_is_whether_the_provider_answers(
    answers: bool | Exception, status: ConnectionStatus
) -> None:
    provider = FakeBank(answers=answers)

    assert await CheckConnection(uow(store_with()), provider)("cust-1") is status  # type: ignore[arg-type]


async def test_a_provider_that_hangs_is_a_failed_connection() -> None:
    class Hanging(FakeBank):
        async def ping(self) -> bool:
            await asyncio.sleep(10)
            return True

    check = CheckConnection(uow(store_with()), Hanging(), timeout_seconds=0.01)  # type: ignore[arg-type]

    assert await check("cust-1") is ConnectionStatus.FAILED


async def test_the_connection_of_an_unknown_customer_is_customer_not_found() -> None:
    with pytest.raises(NotFound):
        await CheckConnection(uow(store_with()), FakeBank())("nobody")  # type: ignore[arg-type]


async def test_the_derived_catalog_offers_what_the_provider_can_open() -> None:
    both = await CapabilityCatalog(FakeBank()).partner_products()
    euro = await CapabilityCatalog(FakeBank(capabilities=EURO_ONLY)).partner_products()

    assert [p.code for p in both] == ["EUR", "GBP"]
    assert [p.code for p in euro] == ["EUR"]
    assert both[0].holder_bank == "fakebank"
    assert "SEPA" in both[0].schemes
    assert both[1].country_codes == ("GB",)


def test_a_provider_with_its_own_catalog_is_used_as_is() -> None:
    provider = CatalogBankingProvider([])

    assert catalog_of(provider) is provider  # type: ignore[arg-type]
    assert isinstance(catalog_of(FakeBank()), CapabilityCatalog)  # type: ignore[arg-type]


def queries(store: FakeCustomerRepository, provider: FakeBank) -> PartnerProductQueries:
    return PartnerProductQueries(uow(store), catalog_of(provider))  # type: ignore[arg-type]


async def test_a_customer_sees_the_products_in_its_currencies_and_country() -> None:
    all_of_them = queries(store_with(), FakeBank())
    euro_customer = queries(store_with("EUR"), FakeBank())

    assert [p.code for p in await all_of_them.customer_products("cust-1")] == ["EUR", "GBP"]
    assert [p.code for p in await euro_customer.customer_products("cust-1")] == ["EUR"]
    in_gb = await all_of_them.customer_products("cust-1", country_code="gb", client_id="m-1")
    assert [p.code for p in in_gb] == ["GBP"]
    assert await all_of_them.customer_products("cust-1", country_code="US") == []


@pytest.mark.parametrize("country", ["", "GBR", "1A", "g"])
async def test_a_malformed_country_code_is_invalid_request(country: str) -> None:
    with pytest.raises(InvalidInput) as error:
        await queries(store_with(), FakeBank()).customer_products("cust-1", country_code=country)

    assert error.value.code == "INVALID_REQUEST"
    assert error.value.problems[0].field == "countryCode"


async def test_products_of_an_unknown_customer_are_customer_not_found() -> None:
    with pytest.raises(NotFound):
        await queries(store_with(), FakeBank()).customer_products("nobody")


async def test_asset_types_and_currencies_of_a_customer() -> None:
    restricted = queries(store_with("USD", "EUR"), FakeBank())
    unrestricted = queries(store_with(), FakeBank(capabilities=EURO_ONLY))

    assert await restricted.asset_types("cust-1") == ("EUR",)
    assert await restricted.currencies("cust-1") == ("USD", "EUR")
    assert await unrestricted.asset_types("cust-1") == ("EUR",)
    assert await unrestricted.currencies("cust-1") == ("EUR",)
    assert [p.code for p in await restricted.provider_products()] == ["EUR", "GBP"]


def test_partner_products_validate_their_currencies_and_countries() -> None:
    with pytest.raises(ValueError, match="no currency"):
        PartnerProduct(code="X", label=Label(en="X"), asset_types=())
    with pytest.raises(InvalidInput):
        PartnerProduct(code="X", label=Label(en="X"), asset_types=("GOLD",))
    product = PartnerProduct(
        code="MULTI", label=Label(en="M"), asset_types=("usd", "chf"), country_codes=("ch",)
    )
    assert product.asset_types == ("USD", "CHF")
    assert product.country_codes == ("CH",)
    assert select_partner_products([product], currencies=("chf",), country_code="CH") == [product]
