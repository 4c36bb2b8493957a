"""The Beneficiary aggregate: a payee's bank details, fixed at creation, and editable profile."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum

from shared_kernel.domain.errors import FieldProblem, InvalidInput, RuleViolated
from shared_kernel.domain.iban import Bic, Iban

IMMUTABLE_CODE = "BENEFICIARY_FIELD_IMMUTABLE"
# Crown dependencies and Gibraltar bank in sterling with GB IBANs (Gibraltar has its own).
UK_AREA = frozenset({"GB", "IM", "GG", "JE", "GI"})
_COUNTRY = re.compile(r"[A-Z]{2}")
_SORT_CODE = re.compile(r"\d{6}")
_UK_ACCOUNT = re.compile(r"\d{8}")


def _now() -> datetime:
    return datetime.now(UTC)


def invalid(field_name: str, message: str, *, code: str = "INVALID_REQUEST") -> InvalidInput:
    """A 400 naming the one field at fault."""
    return InvalidInput(message, code=code, problems=(FieldProblem(field_name, code, message),))


def _clean(value: str | None) -> str | None:
    # Toqio sends "" as often as null for a field it has no value for.
    stripped = value.strip() if value is not None else None
    return stripped or None


class BeneficiaryType(StrEnum):
    """Who the payee is (``SavePersonalAccountRequest.type``)."""

    PERSON = "PERSON"
    COMPANY = "COMPANY"


@dataclass(frozen=True, slots=True)
class BankAccountDetails:
    """Where the money goes: every field Toqio may send for a payee's account, all optional."""

    iban: str | None = None
    bic_swift: str | None = None
    uk_account_number: str | None = None
    uk_sort_code: str | None = None
    bank: str | None = None
    bsb_code: str | None = None
    routing_number: str | None = None
    ca_routing_number: str | None = None
    account_number: str | None = None
    clabe: str | None = None
    aba: str | None = None
    cnaps: str | None = None
    ifsc: str | None = None
    bank_code: str | None = None
    branch_code: str | None = None

    def normalised(self) -> BankAccountDetails:
        """Blank fields dropped; IBAN, BIC and sort code in compact upper-case form (unchecked)."""
        values = {f.name: _clean(getattr(self, f.name)) for f in fields(self)}
        for name in ("iban", "bic_swift", "uk_sort_code"):
            if values[name]:
                values[name] = re.sub(r"[\s-]", "", values[name] or "").upper()
        return BankAccountDetails(**values)

    def supplied(self) -> dict[str, str]:
        """The fields that carry a value, by name."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


def validated_bank_details(
    raw: BankAccountDetails, bank_country: str | None
) -> tuple[BankAccountDetails, str]:
    """The payee's account details and bank country, checked; ``InvalidInput`` otherwise.

    An IBAN (checked with schwifty), a UK sort code with account number, or an account
    number is required; a BIC must be well formed. Without ``bank_country`` the IBAN's
    country, or GB for a sort code, is used.
    """
    details = raw.normalised()
    iban = None
    if details.iban is not None:
        try:
            iban = Iban(details.iban)
        except InvalidInput as error:
            raise invalid("iban", error.message, code=error.code) from None
    bic = None
    if details.bic_swift is not None:
        try:
            bic = Bic(details.bic_swift).value
        except InvalidInput as error:
            raise invalid("bicSwift", error.message, code=error.code) from None
    uk = (details.uk_sort_code, details.uk_account_number)
    if any(uk) and not all(uk):
        raise invalid("ukSortCode", "ukSortCode and ukAccountNumber go together")
    if details.uk_sort_code and not _SORT_CODE.fullmatch(details.uk_sort_code):
        raise invalid("ukSortCode", "ukSortCode must have 6 digits")
    if details.uk_account_number and not _UK_ACCOUNT.fullmatch(details.uk_account_number):
        raise invalid("ukAccountNumber", "ukAccountNumber must have 8 digits")
    if iban is None and not all(uk) and details.account_number is None:
        raise invalid(
            "iban", "An IBAN, a UK sort code and account number, or an account number is needed"
        )
    country = _country(bank_country, iban, uk_domestic=all(uk))
    return replace(details, iban=iban.value if iban else None, bic_swift=bic), country


def _country(bank_country: str | None, iban: Iban | None, *, uk_domestic: bool) -> str:
    country = (_clean(bank_country) or "").upper()
    if country and not _COUNTRY.fullmatch(country):
        raise invalid("bankCountry", "bankCountry must be an ISO 3166 two-letter country code")
    if iban is not None:
        same_area = {country, iban.country_code} <= UK_AREA and iban.country_code == "GB"
        if country and country != iban.country_code and not same_area:
            raise invalid("bankCountry", f"bankCountry {country} differs from the IBAN's country")
        return country or iban.country_code
    if country:
        return country
    if uk_domestic:
        return "GB"
    raise invalid("bankCountry", "bankCountry is needed for an account without an IBAN")


@dataclass(frozen=True, slots=True)
class BeneficiaryProfile:
    """What the merchant may edit: who the payee is, where they live, and visibility."""

    type: BeneficiaryType
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    address_street: str = ""
    address_postal_code: str = ""
    address_city: str = ""
    address_iso_country: str = ""
    visible: bool = True

    def __post_init__(self) -> None:
        if not self.full_name:
            raise invalid("name", "name (or firstName and lastName) is required")
        country = self.address_iso_country
        if country and not _COUNTRY.fullmatch(country):
            raise invalid("addressIsoCountry", "addressIsoCountry must be a two-letter code")

    @property
    def full_name(self) -> str:
        """The name a payment shows: ``name``, else first and last name."""
        return self.name.strip() or f"{self.first_name.strip()} {self.last_name.strip()}".strip()

    @property
    def full_address(self) -> str:
        """Street, postal code, city and country on one line, skipping blanks."""
        parts = (self.address_street, self.address_postal_code, self.address_city)
        return ", ".join(p for p in (*parts, self.address_iso_country) if p)


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """An update's profile fields; ``None`` keeps what is stored."""

    type: BeneficiaryType | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    address_street: str | None = None
    address_postal_code: str | None = None
    address_city: str | None = None
    address_iso_country: str | None = None
    visible: bool | None = None

    def applied_to(self, profile: BeneficiaryProfile) -> BeneficiaryProfile:
        """``profile`` with these changes, validated again."""
        changes = {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}
        return replace(profile, **changes)


@dataclass(frozen=True, slots=True)
class AttemptedImmutables:
    """What an update request carried for the fields fixed at creation (``None``: absent)."""

    bank: BankAccountDetails = field(default_factory=BankAccountDetails)
    asset_type: str | None = None
    bank_country: str | None = None


_WIRE_NAMES = {"bic_swift": "bicSwift", "asset_type": "assetType", "bank_country": "bankCountry"}


def _wire(name: str) -> str:
    head, *rest = name.split("_")
    return _WIRE_NAMES.get(name, head + "".join(part.title() for part in rest))


@dataclass(eq=False)
class Beneficiary:
    """A payee of one client of one customer; ``deleted`` ones are kept for the payment trail."""

    beneficiary_id: str
    customer_id: str
    client_id: str
    asset_type: str
    bank_country: str
    bank: BankAccountDetails
    profile: BeneficiaryProfile
    user_id: str | None = None
    company_id: str | None = None
    beneficiary_account_id: str | None = None
    banking_provider_beneficiary_id: str | None = None
    source_account: str | None = None
    deleted: bool = False
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)

    def ensure_unchanged(self, attempted: AttemptedImmutables) -> None:
        """Refuse any attempt to change bank details, ``assetType`` or ``bankCountry``.

        The same value sent back is accepted: Toqio echoes the whole beneficiary on update.
        A different value is refused rather than silently ignored, because a merchant who
        believes the IBAN changed would otherwise pay the old account.

        Raises:
            RuleViolated: ``BENEFICIARY_FIELD_IMMUTABLE``, one problem per changed field.
        """
        stored = self.bank.supplied()
        changed = [
            name for name, value in attempted.bank.normalised().supplied().items()
            if stored.get(name) != value
        ]  # fmt: skip
        asset = _clean(attempted.asset_type)
        if asset is not None and asset.lower() != self.asset_type:
            changed.append("asset_type")
        country = _clean(attempted.bank_country)
        if country is not None and country.upper() != self.bank_country:
            changed.append("bank_country")
        if changed:
            problems = tuple(
                FieldProblem(_wire(name), IMMUTABLE_CODE, f"{_wire(name)} cannot be changed")
                for name in changed
            )
            raise RuleViolated(
                "Bank details, assetType and bankCountry of a beneficiary cannot be changed; "
                "create a new beneficiary instead",
                code=IMMUTABLE_CODE,
                problems=problems,
            )

    def change_profile(self, changes: ProfileChanges, *, now: datetime) -> None:
        """Change name, address or visibility."""
        self.profile = changes.applied_to(self.profile)
        self.updated_at = now

    def delete(self, *, now: datetime) -> None:
        """Remove the payee from the merchant's list; past payments still refer to it."""
        self.deleted = True
        self.updated_at = now
