"""Customer endpoints: registration, look-up, capability, connection status, products, currencies.

Dependencies the app must provide (see :func:`customer_route_handlers`):
``customers_uow_factory`` (a ``CustomersUnitOfWorkFactory``) and ``provider`` (the configured
``BankingProvider``).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.types import ControllerRouterHandler

from accounts_payments.application.customers.capabilities import CheckConnection, GetCapabilities
from accounts_payments.application.customers.get_customer import GetCustomer
from accounts_payments.application.customers.partner_products import PartnerProductQueries
from accounts_payments.application.customers.register_customer import (
    CustomerRegistration,
    PaymentProviderDetails,
    RegisterCustomer,
)
from accounts_payments.application.ports.banking_provider import BankingProvider
from accounts_payments.application.ports.customers import CustomersUnitOfWorkFactory
from accounts_payments.entrypoints.http.products import (
    ProductChangesController,
    ProviderPartnerProductsController,
    partner_product_queries,
)
from accounts_payments.entrypoints.http.schemas import (
    CapabilityOut,
    CustomerOut,
    PartnerProductOut,
    SaveCustomerRequest,
    asset_types,
)
from building_blocks.auth import AuthenticationFailed
from building_blocks.auth.toqio_jwt import CLAIMS_STATE_KEY, CUSTOMER_CLAIM
from building_blocks.web import Ok, ok

CountryCode = Annotated[str | None, QueryParameter(name="countryCode", max_length=2)]
ClientId = Annotated[str | None, QueryParameter(name="clientId", max_length=128)]


def _register_customer(
    customers_uow_factory: NamedDependency[CustomersUnitOfWorkFactory],
    provider: NamedDependency[BankingProvider],
) -> RegisterCustomer:
    return RegisterCustomer(customers_uow_factory, default_provider=provider.name)


def _get_customer(
    customers_uow_factory: NamedDependency[CustomersUnitOfWorkFactory],
) -> GetCustomer:
    return GetCustomer(customers_uow_factory)


def _get_capabilities(
    customers_uow_factory: NamedDependency[CustomersUnitOfWorkFactory],
    provider: NamedDependency[BankingProvider],
) -> GetCapabilities:
    return GetCapabilities(customers_uow_factory, provider)


def _check_connection(
    customers_uow_factory: NamedDependency[CustomersUnitOfWorkFactory],
    provider: NamedDependency[BankingProvider],
) -> CheckConnection:
    return CheckConnection(customers_uow_factory, provider)


def _ensure_token_is_for(request: Request[Any, Any, Any], customer_id: str) -> None:
    # POST /customers has no {customerId} for the guard to compare, so the body's id is
    # checked here: a token bound to one customer must not register or rewrite another.
    claims = request.scope.get("state", {}).get(CLAIMS_STATE_KEY) or {}
    claimed = claims.get(CUSTOMER_CLAIM)
    if claimed is not None and claimed != customer_id:
        raise AuthenticationFailed("The token is not valid for this customer")


def _registration(body: SaveCustomerRequest) -> CustomerRegistration:
    payment = body.payment_provider
    return CustomerRegistration(
        customer_id=body.id,
        api_key=body.api_key,
        commercial_name=body.commercial_name or "",
        provider=body.provider or "",
        provider_config_id=body.provider_config_id,
        payment_provider=PaymentProviderDetails(
            customer_id=payment.customer_id,
            payment_provider_type=payment.payment_provider_type,
            login_id=payment.login_id,
            key=payment.key,
            hmac_key=payment.hmac_key,
        )
        if payment
        else None,
        available_currencies=tuple(body.available_currencies or ()),
    )


class CustomerController(Controller):
    """Toqio customers (tenants) and what their provider offers them."""

    path = "/customers"
    tags = ["Customer"]
    dependencies = {
        "register_customer": Provide(_register_customer, sync_to_thread=False),
        "get_customer": Provide(_get_customer, sync_to_thread=False),
        "get_capabilities": Provide(_get_capabilities, sync_to_thread=False),
        "check_connection": Provide(_check_connection, sync_to_thread=False),
        "queries": Provide(partner_product_queries, sync_to_thread=False),
    }

    @post("/", operation_id="createCustomer", status_code=200, summary="Create Customer")
    async def create_customer(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SaveCustomerRequest],
        register_customer: NamedDependency[RegisterCustomer],
    ) -> Response[Ok[CustomerOut]]:
        """Register a customer, or replace the one with the same id."""
        _ensure_token_is_for(request, data.id)
        customer = await register_customer(_registration(data))
        return ok(CustomerOut.of(customer))

    @get("/{customerId:str}", operation_id="findCustomer", summary="Find Customer")
    async def find_customer(
        self,
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        get_customer: NamedDependency[GetCustomer],
    ) -> Response[Ok[CustomerOut]]:
        """The customer, secrets masked."""
        return ok(CustomerOut.of(await get_customer(customerId)))

    @get(
        "/{customerId:str}/connectionStatus",
        operation_id="getCustomerConnectionStatus",
        summary="Get customer connection status",
    )
    async def connection_status(
        self,
        customerId: FromPath[str],  # noqa: N803
        check_connection: NamedDependency[CheckConnection],
    ) -> Response[Ok[str]]:
        """``CONNECTED`` when the provider answers, else ``FAILED``."""
        return ok(str(await check_connection(customerId)))

    @get("/{customerId:str}/capability", operation_id="getCapabilities", summary="Get capabilities")
    async def capability(
        self,
        customerId: FromPath[str],  # noqa: N803
        get_capabilities: NamedDependency[GetCapabilities],
    ) -> Response[Ok[CapabilityOut]]:
        """What the configured provider can do."""
        return ok(CapabilityOut.of(await get_capabilities(customerId)))

    @get(
        "/{customerId:str}/partnerProducts",
        operation_id="getPartnerProducts",
        summary="Get Partner Products",
    )
    async def partner_products(
        self,
        customerId: FromPath[str],  # noqa: N803
        queries: NamedDependency[PartnerProductQueries],
        country_code: CountryCode = None,
        client_id: ClientId = None,
    ) -> Response[Ok[list[PartnerProductOut]]]:
        """The partner products the customer's merchants may open."""
        products = await queries.customer_products(
            customerId, country_code=country_code, client_id=client_id
        )
        return ok([PartnerProductOut.of(product) for product in products])

    @get("/{customerId:str}/assetTypes", operation_id="getAssetTypes", summary="Get Asset Types")
    async def asset_types(
        self,
        customerId: FromPath[str],  # noqa: N803
        queries: NamedDependency[PartnerProductQueries],
    ) -> Response[Ok[list[str]]]:
        """The currencies the customer's merchants can hold accounts in (lower case)."""
        return ok(asset_types(await queries.asset_types(customerId)))

    @get(
        "/{customerId:str}/currencies",
        operation_id="getBillingCurrencies",
        summary="Get available currencies for a customer",
    )
    async def currencies(
        self,
        customerId: FromPath[str],  # noqa: N803
        queries: NamedDependency[PartnerProductQueries],
    ) -> Response[Ok[list[str]]]:
        """The customer's available currencies (lower case)."""
        return ok(asset_types(await queries.currencies(customerId)))


def customer_route_handlers() -> list[ControllerRouterHandler]:
    """The controllers of customers, capabilities and products.

    They need two app (or router) dependencies: ``customers_uow_factory`` and ``provider``.
    """
    return [CustomerController, ProductChangesController, ProviderPartnerProductsController]
