"""Product endpoints: Toqio's product change notifications and the provider's catalog."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from accounts_payments.application.customers.catalog import catalog_of
from accounts_payments.application.customers.partner_products import PartnerProductQueries
from accounts_payments.application.customers.product_changes import ApplyProductChanges
from accounts_payments.application.ports.banking_provider import BankingProvider
from accounts_payments.application.ports.customers import CustomersUnitOfWorkFactory
from accounts_payments.entrypoints.http.schemas import (
    PartnerProductOut,
    ProductChangeNotificationRequest,
)
from building_blocks.web import Ok, ok


def partner_product_queries(
    customers_uow_factory: NamedDependency[CustomersUnitOfWorkFactory],
    provider: NamedDependency[BankingProvider],
) -> PartnerProductQueries:
    """The catalog queries over the configured provider."""
    return PartnerProductQueries(customers_uow_factory, catalog_of(provider))


def _apply_product_changes(
    customers_uow_factory: NamedDependency[CustomersUnitOfWorkFactory],
) -> ApplyProductChanges:
    return ApplyProductChanges(customers_uow_factory)


class ProductChangesController(Controller):
    """``POST /customers/{customerId}/products/changes``."""

    path = "/customers/{customerId:str}/products"
    tags = ["Products"]
    dependencies = {"apply_product_changes": Provide(_apply_product_changes, sync_to_thread=False)}

    @post(
        "/changes",
        operation_id="notifyProductChanges",
        status_code=200,
        summary="Notify product changes for a customer",
    )
    async def notify_product_changes(
        self,
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        data: JSONBody[ProductChangeNotificationRequest],
        apply_product_changes: NamedDependency[ApplyProductChanges],
    ) -> Response[Ok[None]]:
        """Upsert and delete the customer's products by id (idempotent)."""
        await apply_product_changes(
            customerId,
            [item.to_domain() for item in data.products or ()],
            list(data.delete_product_ids or ()),
        )
        return ok(None)


class ProviderPartnerProductsController(Controller):
    """``GET /partnerProducts``: the provider's whole catalog."""

    path = "/partnerProducts"
    tags = ["Provider"]
    dependencies = {"queries": Provide(partner_product_queries, sync_to_thread=False)}

    @get("/", operation_id="getProviderPartnerProducts", summary="Get Provider Partner Products")
    async def provider_partner_products(
        self, queries: NamedDependency[PartnerProductQueries]
    ) -> Response[Ok[list[PartnerProductOut]]]:
        """Every partner product the configured provider offers."""
        products = await queries.provider_products()
        return ok([PartnerProductOut.of(product) for product in products])
