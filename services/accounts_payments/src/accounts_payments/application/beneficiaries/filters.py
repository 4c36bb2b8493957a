"""Which currencies and countries a client's beneficiaries may use, given the source account."""

from __future__ import annotations

from dataclasses import dataclass

from accounts_payments.application.accounts.common import require_customer
from accounts_payments.application.beneficiaries.common import (
    require_client,
    require_client_account,
)
from accounts_payments.application.beneficiaries.ports import BeneficiariesUnitOfWorkFactory
from accounts_payments.application.beneficiaries.regions import (
    Country,
    Region,
    countries_of,
    currencies_of,
    region_of,
)
from accounts_payments.domain.accounts import Account, AccountStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class FilterQuery:
    """``BeneficiaryFilterRequest``; ``account_country`` and the source are optional."""

    customer_id: str
    client_id: str
    can_see_fx_payments: bool
    own_account: bool
    source_account_id: str | None = None
    source_asset_type: str | None = None
    account_country: Region | None = None


@dataclass(frozen=True, slots=True)
class BeneficiaryFilters:
    """Allowed asset types (lower case, the source's first) and countries."""

    asset_types: tuple[str, ...]
    countries: tuple[Country, ...]


_USABLE = (AccountStatus.CLOSED, AccountStatus.FAILED)


class GetBeneficiaryFilters:
    """Apply the region, FX and own-account rules to what the client may pay to.

    ``fx_supported`` is the provider's FX capability: without it no payment changes currency,
    whatever Toqio's ``canSeeFxPayments`` says.
    """

    def __init__(self, uow: BeneficiariesUnitOfWorkFactory, *, fx_supported: bool) -> None:
        self._uow = uow
        self._fx_supported = fx_supported

    async def __call__(self, query: FilterQuery) -> BeneficiaryFilters:
        """The filters; 404 for an unknown customer, client or source account."""
        async with self._uow() as uow:
            customer = await require_customer(uow, query.customer_id)
            await require_client(uow, query.customer_id, query.client_id)
            source = None
            if query.source_account_id:
                source = await require_client_account(
                    uow, query.customer_id, query.client_id, query.source_account_id
                )
            own = [
                account
                for account in await uow.accounts.list_for_client(
                    query.customer_id, query.client_id
                )
                if account.status not in _USABLE
                and (source is None or account.account_id != source.account_id)
            ]
        source_currency = source.currency.lower() if source else _lower(query.source_asset_type)
        region = query.account_country or region_of(
            source.country_code if source else None, source_currency
        )
        countries = countries_of(region)
        # Deposit (read-only) accounts cannot exchange currency: their payments stay in kind.
        fx = query.can_see_fx_payments and self._fx_supported and not (source and source.read_only)
        if query.own_account:
            return _own_account_filters(own, countries, source_currency, fx=fx)
        if fx:
            offered = {*currencies_of(region), *(c.lower() for c in customer.available_currencies)}
            offered |= {source_currency} if source_currency else set()
        else:
            offered = {source_currency} if source_currency else set(currencies_of(region))
        return BeneficiaryFilters(_ordered(offered, source_currency), countries)


def _own_account_filters(
    own: list[Account], countries: tuple[Country, ...], source: str | None, *, fx: bool
) -> BeneficiaryFilters:
    # Paying oneself: only where the client really holds another account, in a currency it
    # may reach from the source.
    reachable = [a for a in own if fx or source is None or a.currency.lower() == source]
    codes = {a.country_code.upper() for a in reachable}
    currencies = {a.currency.lower() for a in reachable}
    return BeneficiaryFilters(
        _ordered(currencies, source), tuple(c for c in countries if c.code in codes)
    )


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None


def _ordered(currencies: set[str], first: str | None) -> tuple[str, ...]:
    rest = sorted(currencies - {first} if first else currencies)
    return (first, *rest) if first and first in currencies else tuple(rest)
