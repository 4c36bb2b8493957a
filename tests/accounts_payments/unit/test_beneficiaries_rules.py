"""Beneficiary rules: bank details checked once and immutable, profiles editable, regions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts_payments.application.beneficiaries.regions import (
    UK_COUNTRIES,
    Region,
    countries_of,
    region_of,
)
from accounts_payments.domain.beneficiaries import (
    UK_AREA,
    AttemptedImmutables,
    BankAccountDetails,
    Beneficiary,
    BeneficiaryProfile,
    BeneficiaryType,
    ProfileChanges,
    validated_bank_details,
)
from shared_kernel.domain.errors import InvalidInput, RuleViolated

pytestmark = pytest.mark.unit
IBAN = "DE89370400440532013000"


def beneficiary() -> Beneficiary:
    bank, country = validated_bank_details(
        BankAccountDetails(iban="de89 3704 0044 0532 0130 00", bic_swift="deutdeffxxx"), None
    )
    return Beneficiary(
        beneficiary_id="b-1", customer_id="c", client_id="m", asset_type="eur",
        bank_country=country, bank=bank,
        profile=BeneficiaryProfile(type=BeneficiaryType.COMPANY, name="Acme GmbH"),
    )  # fmt: skip


def test_bank_details_are_normalised_and_the_country_comes_from_the_iban() -> None:
    b = beneficiary()
    assert (b.bank.iban, b.bank.bic_swift, b.bank_country) == (IBAN, "DEUTDEFFXXX", "DE")


def test_a_uk_account_without_iban_banks_in_gb() -> None:
    bank, country = validated_bank_details(
        BankAccountDetails(uk_sort_code="12-34-56", uk_account_number="12345678"), None
    )
    assert (bank.uk_sort_code, country) == ("123456", "GB")


def test_a_jersey_beneficiary_may_use_a_gb_iban() -> None:
    _, country = validated_bank_details(BankAccountDetails(iban="GB33BUKB20201555555555"), "je")
    assert country == "JE"


@pytest.mark.parametrize(
    ("details", "country", "field", "code"),
    [
        (BankAccountDetails(), None, "iban", "INVALID_REQUEST"),
        (BankAccountDetails(iban="DE00370400440532013000"), None, "iban", "INVALID_IBAN"),
        (BankAccountDetails(iban=IBAN, bic_swift="ABC"), None, "bicSwift", "INVALID_BIC"),
        (BankAccountDetails(uk_sort_code="123456"), None, "ukSortCode", "INVALID_REQUEST"),
        (BankAccountDetails(uk_sort_code="12345", uk_account_number="12345678"), None,
         "ukSortCode", "INVALID_REQUEST"),
        (BankAccountDetails(uk_sort_code="123456", uk_account_number="1234"), None,
         "ukAccountNumber", "INVALID_REQUEST"),
        (BankAccountDetails(iban=IBAN), "FR", "bankCountry", "INVALID_REQUEST"),
        (BankAccountDetails(iban=IBAN), "Germany", "bankCountry", "INVALID_REQUEST"),
        (BankAccountDetails(account_number="123"), None, "bankCountry", "INVALID_REQUEST"),
    ],
)  # fmt: skip
def test_unusable_bank_details_are_rejected_naming_the_field(
    details: BankAccountDetails, country: str | None, field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        validated_bank_details(details, country)
    assert raised.value.code == code
    assert raised.value.problems[0].field == field


def test_an_account_number_with_a_country_is_enough() -> None:
    bank, country = validated_bank_details(
        BankAccountDetails(account_number=" 000123 ", routing_number="021000021"), "us"
    )
    assert (bank.account_number, country) == ("000123", "US")


def test_echoing_the_stored_bank_details_is_accepted() -> None:
    beneficiary().ensure_unchanged(
        AttemptedImmutables(
            bank=BankAccountDetails(iban="DE89 3704 0044 0532 0130 00", bic_swift="", bank=" "),
            asset_type="EUR",
            bank_country="de",
        )
    )


@pytest.mark.parametrize(
    ("attempted", "fields"),
    [
        (AttemptedImmutables(bank=BankAccountDetails(iban="GB33BUKB20201555555555")), {"iban"}),
        (AttemptedImmutables(bank=BankAccountDetails(bic_swift="BUKBGB22")), {"bicSwift"}),
        (AttemptedImmutables(bank=BankAccountDetails(uk_sort_code="123456")), {"ukSortCode"}),
        (AttemptedImmutables(bank=BankAccountDetails(ca_routing_number="1")), {"caRoutingNumber"}),
        (AttemptedImmutables(asset_type="gbp"), {"assetType"}),
        (AttemptedImmutables(bank_country="AT"), {"bankCountry"}),
    ],
)
def test_changing_bank_details_asset_type_or_country_is_refused(
    attempted: AttemptedImmutables, fields: set[str]
) -> None:
    with pytest.raises(RuleViolated) as raised:
        beneficiary().ensure_unchanged(attempted)
    assert raised.value.code == "BENEFICIARY_FIELD_IMMUTABLE"
    assert {p.field for p in raised.value.problems} == fields


def test_profile_changes_keep_what_they_do_not_mention() -> None:
    b = beneficiary()
    now = datetime(2031, 1, 1, tzinfo=UTC)
    b.change_profile(ProfileChanges(address_city="Berlin", visible=False), now=now)
    assert (b.profile.name, b.profile.address_city, b.profile.visible) == (
        "Acme GmbH",
        "Berlin",
        False,
    )
    assert b.updated_at == now
    assert b.profile.full_address == "Berlin"
    with pytest.raises(InvalidInput):
        b.change_profile(ProfileChanges(name=" "), now=now)


def test_a_person_is_named_by_first_and_last_name() -> None:
    person = BeneficiaryProfile(type=BeneficiaryType.PERSON, first_name="Ana", last_name="Ruiz")
    assert person.full_name == "Ana Ruiz"
    with pytest.raises(InvalidInput):
        BeneficiaryProfile(type=BeneficiaryType.PERSON)
    with pytest.raises(InvalidInput):
        BeneficiaryProfile(type=BeneficiaryType.PERSON, name="A", address_iso_country="ESP")


def test_deleting_marks_the_beneficiary_deleted() -> None:
    b = beneficiary()
    b.delete(now=datetime(2031, 1, 1, tzinfo=UTC))
    assert b.deleted


def test_regions_list_sepa_and_uk_countries() -> None:
    eu = {c.code for c in countries_of(Region.EU)}
    uk = {c.code for c in countries_of(Region.UK)}
    assert {c.code for c in UK_COUNTRIES} == UK_AREA == uk == {"GB", "IM", "GG", "JE", "GI"}
    assert {"DE", "ES", "IS", "LI", "NO", "CH", "MC", "SM", "AD", "VA"} <= eu
    assert not eu & uk
    assert {c.code for c in countries_of(Region.EU_UK)} == eu | uk
    assert len(eu) == 35


@pytest.mark.parametrize(
    ("country", "asset", "region"),
    [("GB", None, Region.UK), ("JE", "eur", Region.UK), ("ES", "gbp", Region.EU),
     (None, "GBP", Region.UK), (None, "eur", Region.EU), ("US", "usd", Region.EU_UK),
     (None, None, Region.EU_UK)],
)  # fmt: skip
def test_the_region_of_a_source_account(
    country: str | None, asset: str | None, region: Region
) -> None:
    assert region_of(country, asset) is region
