"""The Card Management wire format: issue and update requests, and the card Toqio is shown.

Requests are tolerant (unknown fields ignored; ``fundingType`` is extensible, so a value we
do not know is refused by the use case, not by the decoder). Amounts are decimals in major
units on the wire, converted exactly at the edge; responses are our own strict structs and
carry only the limits configured on the card.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import KwargDefinition
from msgspec import UNSET, UnsetType

from building_blocks.web import CamelStruct
from cards.application.cards.issue import IssueCardCommand
from cards.application.cards.limit_input import WireLimit
from cards.application.cards.ports import SECURITY_CODE_LENGTH, DeliveryAddress
from cards.application.cards.update_limits import UpdateCardCommand
from cards.application.cards.views import CardView
from cards.domain.card_types import CardForm, FundingType
from cards.domain.lifecycle import ToqioCardStatus
from cards.domain.limits import CardLimits, LimitKind
from shared_kernel.domain.money import Money

ClientTypeName = Literal["BUSINESS", "CONSUMER"]
FundingTypeIn = Annotated[
    str,
    KwargDefinition(
        schema_extra={"enum": ["DEBIT", "CREDIT"]},
        description="Extensible: DEBIT is issued; CREDIT (and anything else) answers 501.",
    ),
]

# Each limit's attribute in the structs below; its camelCase name is the LimitKind's value.
LIMIT_ATTRIBUTES: Mapping[LimitKind, str] = MappingProxyType(
    {
        LimitKind.TRANSACTION: "card_limit_transaction",
        LimitKind.DAILY: "card_limit_daily",
        LimitKind.MONTHLY: "card_limit_monthly",
        LimitKind.LIFETIME: "lifetime_spend_limit",
        LimitKind.PURCHASES_DAILY: "purchases_daily_limit",
        LimitKind.PURCHASES_MONTHLY: "purchases_monthly_limit",
        LimitKind.ATM_DAILY: "atm_daily_limit",
        LimitKind.ATM_MONTHLY: "atm_monthly_limit",
        LimitKind.PURCHASES_OPERATIONS: "purchases_operations_limit",
        LimitKind.ATM_OPERATIONS: "atm_operations_limit",
    }
)


def major(amount: Money) -> float:
    """``amount`` in major units, as Toqio's JSON numbers carry it (exact for display)."""
    return float(amount.to_decimal())


class AddressIn(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``Address``: where a physical card goes."""

    address_street: str | None = None
    address_number: str | None = None
    address_city: str | None = None
    address_region: str | None = None
    address_postal_code: str | None = None
    address_iso_country: str | None = None
    address_refinement: str | None = None

    def domain(self) -> DeliveryAddress:
        """The address for the processor."""
        return DeliveryAddress(
            street=self.address_street,
            number=self.address_number,
            city=self.address_city,
            region=self.address_region,
            postal_code=self.address_postal_code,
            country=self.address_iso_country,
            refinement=self.address_refinement,
        )


class PhoneIn(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``PhoneDTO`` (accepted, not used by the sandbox processor)."""

    country_code: str | None = None
    number: str | None = None


class IssueCardRequest(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``IssueCardRequest`` (``LimitFields`` plus the card's details).

    ``companyId`` and ``currency`` are required here, though optional in Toqio's spec: a
    card is issued under a client and in its account's currency. ``clientType`` (not in
    Toqio's issue request) picks the limit bounds when sent. ``cardMinLimitTransaction*``
    are accepted and ignored: this connector has no minimum spend.
    """

    account_id: str
    funding_type: FundingTypeIn = "DEBIT"
    company_id: str | None = None
    user_id: str | None = None
    physical: bool = False
    name_on_card: str | None = None
    card_delivery_name: str | None = None
    card_delivery_address: AddressIn | None = None
    card_billing_address: AddressIn | None = None
    date_of_birth: int | None = None
    phone: PhoneIn | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    card_programme: str | None = None
    card_design: str | None = None
    currency: str | None = None
    read_only: bool = False
    billing_account_id: str | None = None
    client_type: str | None = None
    card_limit_daily: Decimal | None = None
    card_limit_monthly: Decimal | None = None
    card_limit_transaction: Decimal | None = None
    lifetime_spend_limit: Decimal | None = None
    card_min_limit_transaction: Decimal | None = None
    card_min_limit_transaction_for_physical_business: Decimal | None = None
    purchases_daily_limit: Decimal | None = None
    purchases_monthly_limit: Decimal | None = None
    atm_daily_limit: Decimal | None = None
    atm_monthly_limit: Decimal | None = None
    purchases_operations_limit: int | None = None
    atm_operations_limit: int | None = None

    def command(self, tenant_id: str) -> IssueCardCommand:
        """The issue command for Toqio customer ``tenant_id``."""
        limits: dict[LimitKind, WireLimit] = {}
        for kind, attribute in LIMIT_ATTRIBUTES.items():
            value = getattr(self, attribute)
            if value is not None:
                limits[kind] = value
        address = self.card_delivery_address
        return IssueCardCommand(
            tenant_id=tenant_id,
            account_id=self.account_id,
            company_id=self.company_id,
            currency=self.currency,
            user_id=self.user_id,
            physical=self.physical,
            funding=self.funding_type,
            name_on_card=self.name_on_card,
            read_only=self.read_only,
            limits=limits,
            client_type=self.client_type,
            programme=self.card_programme,
            design=self.card_design,
            delivery_name=self.card_delivery_name,
            delivery_address=None if address is None else address.domain(),
        )


class CardTokenIn(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``CardTokenRequest`` inside ``CardOTP`` (accepted, not used by updateCard)."""

    token: str | None = None


class CardOtpIn(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``CardOTP``: our processor asks no OTP for limit changes, so it is ignored."""

    baas_otp: str | None = msgspec.field(default=None, name="baasOTP")
    operation_id: str | None = None
    user_id: str | None = None
    card_token_request: CardTokenIn | None = None


class UpdateCardRequest(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``UpdateCardRequest``: a limit left out stays as it is, ``null`` removes it."""

    card_limit_daily: Decimal | UnsetType | None = UNSET
    card_limit_monthly: Decimal | UnsetType | None = UNSET
    card_limit_transaction: Decimal | UnsetType | None = UNSET
    lifetime_spend_limit: Decimal | UnsetType | None = UNSET
    card_min_limit_transaction: Decimal | None = None
    card_min_limit_transaction_for_physical_business: Decimal | None = None
    purchases_daily_limit: Decimal | UnsetType | None = UNSET
    purchases_monthly_limit: Decimal | UnsetType | None = UNSET
    atm_daily_limit: Decimal | UnsetType | None = UNSET
    atm_monthly_limit: Decimal | UnsetType | None = UNSET
    purchases_operations_limit: int | UnsetType | None = UNSET
    atm_operations_limit: int | UnsetType | None = UNSET
    alias: str | UnsetType | None = UNSET
    currency: str | None = None
    client_type: ClientTypeName | None = None
    card_otp: CardOtpIn | None = msgspec.field(default=None, name="cardOTP")

    def command(self, tenant_id: str, card_id: str) -> UpdateCardCommand:
        """The update command for the tenant's card."""
        limits: dict[LimitKind, WireLimit | None] = {}
        for kind, attribute in LIMIT_ATTRIBUTES.items():
            value = getattr(self, attribute)
            if value is not UNSET:
                limits[kind] = value
        alias = self.alias
        return UpdateCardCommand(
            tenant_id=tenant_id,
            card_id=card_id,
            limits=limits,
            currency=self.currency,
            client_type=self.client_type,
            alias=None if isinstance(alias, UnsetType) else alias,
            alias_given=not isinstance(alias, UnsetType),
        )


class UpdateCardAliasRequest(CamelStruct, frozen=True, kw_only=True):
    """Toqio's ``UpdateCardAliasRequest``."""

    alias: str


class UpdateCardReadOnlyRequest(CamelStruct, frozen=True, kw_only=True):
    """Toqio's updateCardReadOnly body."""

    read_only: bool


class CardResponse(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """Toqio's ``CardResponse``, with exactly the limits configured on the card.

    ``token`` is the card's opaque PAN token, ``truncatedPan`` its last four digits: no
    response of these endpoints ever holds a PAN. ``spend`` is what the card spent this month
    and ``limit`` its monthly limit (when set). ``externalId`` is the processor's card id.
    """

    id: str
    token: str
    status: ToqioCardStatus
    funding_type: FundingType
    provider: str
    name_on_card: str | None = None
    truncated_pan: str
    expiry_date: str
    spend: float | None = None
    limit: float | None = None
    card_programme: str | None = None
    external_id: str | None = None
    show_custom_card_design: bool
    activation_code_length: int
    alias: str | None = None
    read_only: bool
    physical: bool
    currency: str
    account_id: str
    company_id: str
    user_id: str | None = None
    card_limit_transaction: float | None = None
    card_limit_daily: float | None = None
    card_limit_monthly: float | None = None
    lifetime_spend_limit: float | None = None
    purchases_daily_limit: float | None = None
    purchases_monthly_limit: float | None = None
    atm_daily_limit: float | None = None
    atm_monthly_limit: float | None = None
    purchases_operations_limit: int | None = None
    atm_operations_limit: int | None = None

    @classmethod
    def of(cls, view: CardView, provider: str) -> CardResponse:
        """The response for ``view``; ``provider`` names the card provider to Toqio."""
        card, issuance = view.card, view.issuance
        profile = card.profile
        monthly = card.limits.monthly
        return cls(
            id=card.card_id,
            token=profile.pan_ref,
            status=card.toqio_status,
            funding_type=profile.funding,
            provider=provider,
            name_on_card=profile.name_on_card,
            truncated_pan=profile.last4,
            expiry_date=profile.expiry.mm_yy(),
            spend=None if view.spend is None else major(view.spend),
            limit=None if monthly is None else major(monthly),
            card_programme=issuance.programme,
            external_id=issuance.processor_card_id,
            show_custom_card_design=issuance.design is not None,
            activation_code_length=SECURITY_CODE_LENGTH,
            alias=card.alias,
            read_only=card.read_only,
            physical=profile.form is CardForm.PHYSICAL,
            currency=profile.currency.code,
            account_id=profile.account_id,
            company_id=profile.company_id,
            user_id=profile.user_id,
            **limit_fields(card.limits),
        )


def limit_fields(limits: CardLimits) -> dict[str, Any]:
    """The configured limits by response attribute: amounts in major units, counts as is."""
    return {
        LIMIT_ATTRIBUTES[kind]: major(value) if isinstance(value, Money) else value
        for kind, value in limits.configured().items()
    }
