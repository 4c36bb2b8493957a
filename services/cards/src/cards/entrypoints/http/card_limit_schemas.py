"""Wire format of the limit and settings reads: available limit types, bounds, card settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import msgspec

from building_blocks.web import CamelStruct
from cards.application.cards.queries import LimitBoundsView, LimitOffer
from cards.domain.card import Card
from cards.domain.card_types import CardForm, FundingType
from cards.domain.limits import LimitKind
from shared_kernel.domain.money import Money

# The key of each limit type in Toqio's AvailableCardLimitsResponse.
AVAILABLE_LIMIT_ATTRIBUTES: Mapping[LimitKind, str] = MappingProxyType(
    {
        LimitKind.TRANSACTION: "transaction_limit",
        LimitKind.DAILY: "daily_limit",
        LimitKind.MONTHLY: "monthly_limit",
        LimitKind.LIFETIME: "lifetime_limit",
        LimitKind.PURCHASES_DAILY: "purchases_daily_limit",
        LimitKind.PURCHASES_MONTHLY: "purchases_monthly_limit",
        LimitKind.ATM_DAILY: "atm_daily_limit",
        LimitKind.ATM_MONTHLY: "atm_monthly_limit",
        LimitKind.PURCHASES_OPERATIONS: "purchases_operations_limit",
        LimitKind.ATM_OPERATIONS: "atm_operations_limit",
    }
)


class AvailableCardLimitData(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``AvailableCardLimitData``."""

    can_edit: bool
    optional: bool


class AvailableCardLimitsResponse(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """Toqio's ``AvailableCardLimitsResponse``: a limit type left out is not offered."""

    transaction_limit: AvailableCardLimitData | None = None
    daily_limit: AvailableCardLimitData | None = None
    monthly_limit: AvailableCardLimitData | None = None
    lifetime_limit: AvailableCardLimitData | None = None
    purchases_daily_limit: AvailableCardLimitData | None = None
    purchases_monthly_limit: AvailableCardLimitData | None = None
    atm_daily_limit: AvailableCardLimitData | None = None
    atm_monthly_limit: AvailableCardLimitData | None = None
    atm_operations_limit: AvailableCardLimitData | None = None
    purchases_operations_limit: AvailableCardLimitData | None = None

    @classmethod
    def of(cls, offers: Sequence[LimitOffer]) -> AvailableCardLimitsResponse:
        """The response listing ``offers``."""
        return cls(
            **{
                AVAILABLE_LIMIT_ATTRIBUTES[offer.kind]: AvailableCardLimitData(
                    can_edit=offer.can_edit, optional=offer.optional
                )
                for offer in offers
            }
        )


class CardLimitsMinMaxResponse(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """Toqio's ``CardLimitsMinMaxResponse``: bounds in major units (counts for operations).

    Only the limits the programme bounds are present; the others take any value.
    """

    provider: str
    currency: str
    min_transaction_limit: float | None = None
    max_transaction_limit: float | None = None
    min_daily_limit: float | None = None
    max_daily_limit: float | None = None
    min_monthly_limit: float | None = None
    max_monthly_limit: float | None = None
    min_lifetime_spend_limit: float | None = None
    max_lifetime_spend_limit: float | None = None
    min_purchases_daily_limit: float | None = None
    max_purchases_daily_limit: float | None = None
    min_purchases_monthly_limit: float | None = None
    max_purchases_monthly_limit: float | None = None
    min_atm_daily_limit: float | None = None
    max_atm_daily_limit: float | None = None
    min_atm_monthly_limit: float | None = None
    max_atm_monthly_limit: float | None = None
    min_purchases_operations_limit: int | None = None
    max_purchases_operations_limit: int | None = None
    min_atm_operations_limit: int | None = None
    max_atm_operations_limit: int | None = None

    @classmethod
    def of(cls, view: LimitBoundsView) -> CardLimitsMinMaxResponse:
        """The response for one programme's bounds."""
        fields: dict[str, Any] = {
            name: float(value.to_decimal()) if isinstance(value, Money) else value
            for name, value in view.bounds.min_max_fields().items()
        }
        fields.update(provider=view.provider, currency=view.bounds.currency.code)
        return msgspec.convert(fields, cls)


class CardSettingsResponse(CamelStruct, frozen=True, kw_only=True):
    """The card's settings: where and how it may be used (Toqio leaves the shape open)."""

    card_id: str
    physical: bool
    funding_type: FundingType
    currency: str
    read_only: bool
    cash_withdrawals_allowed: bool
    blocked_merchant_categories: list[str]
    allowed_merchant_categories: list[str] | None
    blocked_countries: list[str]
    allowed_countries: list[str] | None

    @classmethod
    def of(cls, card: Card) -> CardSettingsResponse:
        """The settings of ``card``."""
        controls = card.controls

        def listed(values: frozenset[str] | None) -> list[str] | None:
            return None if values is None else sorted(values)

        return cls(
            card_id=card.card_id,
            physical=card.profile.form is CardForm.PHYSICAL,
            funding_type=card.profile.funding,
            currency=card.currency.code,
            read_only=card.read_only,
            cash_withdrawals_allowed=controls.cash_allowed,
            blocked_merchant_categories=sorted(controls.blocked_mccs),
            allowed_merchant_categories=listed(controls.allowed_mccs),
            blocked_countries=sorted(controls.blocked_countries),
            allowed_countries=listed(controls.allowed_countries),
        )
