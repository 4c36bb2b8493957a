"""The provider's partner-product catalog: its own when it has one, else from its capabilities."""

from __future__ import annotations

from collections.abc import Sequence

from accounts_payments.application.ports.banking_provider import BankingProvider
from accounts_payments.application.ports.customers import PartnerProductCatalog
from accounts_payments.domain.products import Label, PartnerProduct

# Where a SEPA account may be held: the EEA (SEPA itself also reaches CH, GB and others,
# but merchants there are usually served by a local product).
EEA = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip


class CapabilityCatalog:
    """A catalog derived from what the provider reports it can open.

    One EUR product for SEPA accounts, one GBP product for UK accounts; the provider's name
    is the holder bank. Providers with a richer catalog implement ``PartnerProductCatalog``.
    """

    def __init__(self, provider: BankingProvider) -> None:
        self._provider = provider

    async def partner_products(self) -> Sequence[PartnerProduct]:
        """The products the provider's capabilities imply."""
        capabilities, bank = self._provider.capabilities, self._provider.name
        products: list[PartnerProduct] = []
        if capabilities.sepa_accounts:
            products.append(
                PartnerProduct(
                    code="EUR",
                    label=Label(en="Euro account", es="Cuenta en euros"),
                    asset_types=("EUR",),
                    schemes=("SEPA", "SEPA_INSTANT", "INTERNAL_TRANSFER"),
                    country_codes=EEA,
                    holder_bank=bank,
                )
            )
        if capabilities.uk_accounts:
            products.append(
                PartnerProduct(
                    code="GBP",
                    label=Label(en="Pound sterling account", es="Cuenta en libras"),
                    asset_types=("GBP",),
                    schemes=("UK_FASTER_PAYMENTS", "BACS", "CHAPS", "INTERNAL_TRANSFER"),
                    country_codes=("GB",),
                    holder_bank=bank,
                )
            )
        return products


def catalog_of(provider: BankingProvider) -> PartnerProductCatalog:
    """The provider itself when it publishes a catalog, else one from its capabilities."""
    if isinstance(provider, PartnerProductCatalog):
        return provider
    return CapabilityCatalog(provider)
