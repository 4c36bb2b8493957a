"""Queries over partner products, asset types and currencies, per customer or provider-wide."""

from __future__ import annotations

from accounts_payments.application.customers.lookup import require_customer
from accounts_payments.application.ports.customers import (
    CustomersUnitOfWorkFactory,
    PartnerProductCatalog,
)
from accounts_payments.domain.customers import Customer
from accounts_payments.domain.products import (
    PartnerProduct,
    asset_types_of,
    ensure_country_code,
    select_partner_products,
)


class PartnerProductQueries:
    """``/partnerProducts``, ``…/partnerProducts``, ``…/assetTypes`` and ``…/currencies``."""

    def __init__(
        self, uow_factory: CustomersUnitOfWorkFactory, catalog: PartnerProductCatalog
    ) -> None:
        self._uow_factory = uow_factory
        self._catalog = catalog

    async def provider_products(self) -> list[PartnerProduct]:
        """Everything the provider offers, regardless of customer."""
        return list(await self._catalog.partner_products())

    async def customer_products(
        self,
        customer_id: str,
        *,
        country_code: str | None = None,
        client_id: str | None = None,
    ) -> list[PartnerProduct]:
        """The products a customer's merchants may open, optionally for one country.

        ``client_id`` does not narrow the answer: the catalog offers the same products to
        every merchant of a customer (providers do not restrict products per merchant).
        """
        del client_id
        country = ensure_country_code(country_code) if country_code is not None else None
        customer = await self._customer(customer_id)
        return select_partner_products(
            await self._catalog.partner_products(),
            currencies=customer.available_currencies,
            country_code=country,
        )

    async def asset_types(self, customer_id: str) -> tuple[str, ...]:
        """The currencies the customer's merchants can hold accounts in (ISO, upper case)."""
        return asset_types_of(await self.customer_products(customer_id))

    async def currencies(self, customer_id: str) -> tuple[str, ...]:
        """The customer's configured currencies, else every currency of the catalog."""
        customer = await self._customer(customer_id)
        if customer.available_currencies:
            return customer.available_currencies
        return asset_types_of(await self._catalog.partner_products())

    async def _customer(self, customer_id: str) -> Customer:
        async with self._uow_factory() as uow:
            return await require_customer(uow.customer_repository, customer_id)
