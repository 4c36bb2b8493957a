"""Request and response bodies of the beneficiary endpoints, named and shaped as Toqio's spec."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from accounts_payments.application.beneficiaries.filters import BeneficiaryFilters
from accounts_payments.application.beneficiaries.regions import Country
from accounts_payments.application.beneficiaries.verify import Verification
from accounts_payments.domain.beneficiaries import BankAccountDetails, Beneficiary
from building_blocks.web import CamelStruct

Text = Annotated[str, msgspec.Meta(max_length=255)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
# Either case is accepted (Toqio's asset types are lower case, ISO codes upper case).
AssetTypeIn = Annotated[str, msgspec.Meta(pattern="^[A-Za-z]{3,6}$")]
BeneficiaryTypeName = Literal["PERSON", "COMPANY"]


class BankFields(CamelStruct, frozen=True, kw_only=True):
    """The bank-account detail fields shared by create, update and view."""

    uk_account_number: Text | None = None
    uk_sort_code: Text | None = None
    iban: Text | None = None
    bic_swift: Text | None = None
    bank: Text | None = None
    bsb_code: Text | None = None
    routing_number: Text | None = None
    ca_routing_number: Text | None = None
    account_number: Text | None = None
    clabe: Text | None = None
    aba: Text | None = None
    cnaps: Text | None = None
    ifsc: Text | None = None
    bank_code: Text | None = None
    branch_code: Text | None = None

    def details(self) -> BankAccountDetails:
        """The domain's view of these fields (unchecked)."""
        return BankAccountDetails(**{name: getattr(self, name) for name in _BANK_FIELDS})


_BANK_FIELDS = BankFields.__struct_fields__


class ProfileFields(BankFields, frozen=True, kw_only=True):
    """Bank fields plus the payee's profile and Toqio's references."""

    type: BeneficiaryTypeName | None = None
    name: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    address_street: Text | None = None
    address_postal_code: Text | None = None
    address_city: Text | None = None
    address_iso_country: Text | None = None
    bank_country: Text | None = None
    id: Text | None = None
    user_id: Text | None = None
    company_id: Text | None = None
    beneficiary_account_id: Text | None = None
    banking_provider_beneficiary_id: Text | None = None
    baas_otp: Text | None = msgspec.field(default=None, name="baasOTP")
    operation_id: Text | None = None
    source_account: Text | None = None


class SavePersonalAccountRequest(ProfileFields, frozen=True, kw_only=True):
    """``POST …/beneficiaries``: ``assetType`` is required, ``visible`` defaults to true."""

    asset_type: AssetTypeIn
    visible: bool = True


class UpdatePersonalAccountRequest(ProfileFields, frozen=True, kw_only=True):
    """``PUT …/beneficiaries/{accountId}``: bank fields may only repeat the stored values."""

    asset_type: Text | None = None
    visible: bool | None = None


class ViewPersonalAccountResponse(BankFields, frozen=True, kw_only=True):
    """A beneficiary as Toqio reads it."""

    type: BeneficiaryTypeName
    asset_type: str
    name: str
    first_name: str
    last_name: str
    address_street: str
    address_postal_code: str
    address_city: str
    address_iso_country: str
    bank_country: str
    id: str
    user_id: str | None
    company_id: str | None
    beneficiary_account_id: str | None
    visible: bool
    banking_provider_beneficiary_id: str | None
    source_account: str | None
    created_at: datetime
    updated_at: datetime
    full_name: str
    name_or_full_name: str
    full_address: str
    address_line: str

    @classmethod
    def of(cls, beneficiary: Beneficiary) -> ViewPersonalAccountResponse:
        profile, bank = beneficiary.profile, beneficiary.bank
        full_name = f"{profile.first_name} {profile.last_name}".strip()
        return cls(
            **{name: getattr(bank, name) for name in _BANK_FIELDS},
            type=profile.type.value,
            asset_type=beneficiary.asset_type,
            name=profile.name,
            first_name=profile.first_name,
            last_name=profile.last_name,
            address_street=profile.address_street,
            address_postal_code=profile.address_postal_code,
            address_city=profile.address_city,
            address_iso_country=profile.address_iso_country,
            bank_country=beneficiary.bank_country,
            id=beneficiary.beneficiary_id,
            user_id=beneficiary.user_id,
            company_id=beneficiary.company_id,
            beneficiary_account_id=beneficiary.beneficiary_account_id,
            visible=profile.visible,
            banking_provider_beneficiary_id=beneficiary.banking_provider_beneficiary_id,
            source_account=beneficiary.source_account,
            created_at=beneficiary.created_at,
            updated_at=beneficiary.updated_at,
            full_name=full_name or profile.full_name,
            name_or_full_name=profile.full_name,
            full_address=profile.full_address,
            address_line=profile.address_street,
        )


class BeneficiaryFilterRequest(CamelStruct, frozen=True, kw_only=True):
    """``POST …/beneficiaries/filters``."""

    can_see_fx_payments: bool
    own_account: bool
    source_account_id: Text | None = None
    source_asset_type: AssetTypeIn | None = None
    account_country: Literal["EU", "UK", "EU_UK"] | None = None


class CountryName(CamelStruct, frozen=True, kw_only=True):
    """``I18nLabel``: the connector names countries in English only."""

    en: str


class CountryResponse(CamelStruct, frozen=True, kw_only=True):
    """A country beneficiaries may bank in."""

    code: str
    iso_code: str
    name: CountryName
    prefix: str
    iban: bool
    send_money: bool
    sepa: bool

    @classmethod
    def of(cls, country: Country) -> CountryResponse:
        return cls(
            code=country.code,
            iso_code=country.iso_code,
            name=CountryName(en=country.name),
            prefix=country.prefix,
            iban=country.iban,
            send_money=country.send_money,
            sepa=country.sepa,
        )


class BeneficiaryFilterResponse(CamelStruct, frozen=True, kw_only=True):
    """Allowed asset types and countries."""

    asset_types: list[str]
    countries: list[CountryResponse]

    @classmethod
    def of(cls, filters: BeneficiaryFilters) -> BeneficiaryFilterResponse:
        return cls(
            asset_types=list(filters.asset_types),
            countries=[CountryResponse.of(c) for c in filters.countries],
        )


class VerifyBeneficiaryRequest(CamelStruct, frozen=True, kw_only=True):
    """``POST …/beneficiaries/verify``; custom properties are accepted and ignored."""

    source_account_id: Id
    # Any payment type is accepted: one the check does not cover answers NOT_APPLIED.
    payment_type: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    beneficiary_id: Id


class VerifyBeneficiaryResponse(CamelStruct, frozen=True, kw_only=True, omit_defaults=True):
    """The payee check's answer; ``matchScore`` (0-100) only when names were compared."""

    status: Literal["MATCHED", "PARTIALLY_MATCHED", "NOT_MATCHED", "NOT_APPLIED", "UNAVAILABLE"]
    reason_code: str
    reason_description: str
    allow_proceed_payment: bool
    match_score: float | None = None

    @classmethod
    def of(cls, verification: Verification) -> VerifyBeneficiaryResponse:
        return cls(
            status=verification.status.value,
            reason_code=verification.reason_code,
            reason_description=verification.reason_description,
            allow_proceed_payment=verification.allow_proceed_payment,
            match_score=verification.match_score,
        )
