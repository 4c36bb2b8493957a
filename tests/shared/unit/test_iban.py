"""IBAN and BIC value objects: normalisation, parts, and a clear reason for every refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.iban import Bic, Iban, IbanFailure, InvalidIban, generate_iban

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "country", "bank", "branch", "bban", "formatted"),
    [
        (
            "DE89 3704 0044 0532 0130 00",
            "DE",
            "37040044",
            None,
            "370400440532013000",
            "DE89 3704 0044 0532 0130 00",
        ),
        (
            "GB82WEST12345698765432",
            "GB",
            "WEST",
            "123456",
            "WEST12345698765432",
            "GB82 WEST 1234 5698 7654 32",
        ),
        (
            "es91 2100 0418 4502 0005 1332",
            "ES",
            "2100",
            "0418",
            "21000418450200051332",
            "ES91 2100 0418 4502 0005 1332",
        ),
        (
            "FR14\t2004 1010 0505 0001 3M02 606",
            "FR",
            "20041",
            "01005",
            "20041010050500013M02606",
            "FR14 2004 1010 0505 0001 3M02 606",
        ),
    ],
)
def test_a_valid_iban_is_normalised_and_exposes_its_parts(
    raw: str, country: str, bank: str, branch: str | None, bban: str, formatted: str
) -> None:
    iban = Iban(raw)

    compact = formatted.replace(" ", "")
    assert iban.value == compact
    assert str(iban) == compact
    assert iban.country_code == country
    assert iban.bank_code == bank
    assert iban.branch_code == branch
    assert iban.bban == bban
    assert iban.formatted == formatted


def test_ibans_that_differ_only_in_spacing_and_case_are_equal() -> None:
    assert Iban("de89 3704 0044 0532 0130 00") == Iban("DE89370400440532013000")
    assert len({Iban("de89 3704 0044 0532 0130 00"), Iban("DE89370400440532013000")}) == 1


def test_an_iban_repr_shows_only_the_compact_value() -> None:
    assert repr(Iban("DE89370400440532013000")) == "Iban(value='DE89370400440532013000')"


@pytest.mark.parametrize(
    ("raw", "failure", "message"),
    [
        ("", IbanFailure.EMPTY, "IBAN is empty"),
        ("   ", IbanFailure.EMPTY, "IBAN is empty"),
        (None, IbanFailure.EMPTY, "IBAN is empty"),
        ("DE89-3704-0044-0532-0130-00", IbanFailure.MALFORMED, "only letters A-Z, digits"),
        ("DE89370400440532013ÄÖ", IbanFailure.MALFORMED, "only letters A-Z, digits"),
        ("1289370400440532013000", IbanFailure.MALFORMED, "two-letter country code"),
        ("DEXX370400440532013000", IbanFailure.MALFORMED, "two check digits"),
        ("D", IbanFailure.MALFORMED, "two-letter country code"),
        ("XX89370400440532013000", IbanFailure.UNKNOWN_COUNTRY, "'XX' is not a country"),
        ("DE8937040044053201300", IbanFailure.WRONG_LENGTH, "DE must have 22 characters, not 21"),
        ("GB82WEST123456987654321", IbanFailure.WRONG_LENGTH, "GB must have 22 characters"),
        ("DE88370400440532013000", IbanFailure.WRONG_CHECKSUM, "check digits do not match"),
        ("GB82WEST12345698765433", IbanFailure.WRONG_CHECKSUM, "check digits do not match"),
        ("GB82WEST1234569876543A", IbanFailure.INVALID_BBAN, "format used in GB"),
        ("GB2912345698765432WEST", IbanFailure.INVALID_BBAN, "format used in GB"),
    ],
)
def test_each_kind_of_bad_iban_is_explained(raw: str, failure: IbanFailure, message: str) -> None:
    with pytest.raises(InvalidIban, match=message) as raised:
        Iban(raw)

    assert raised.value.failure is failure
    assert raised.value.code == "INVALID_IBAN"
    assert isinstance(raised.value, InvalidInput)


def test_the_messages_of_different_failures_differ() -> None:
    bad = [
        "",
        "DE89-3704",
        "XX89370400440532013000",
        "DE8937040044053201300",
        "DE88370400440532013000",
        "GB82WEST1234569876543A",
    ]
    messages = set()
    for raw in bad:
        with pytest.raises(InvalidIban) as raised:
            Iban(raw)
        messages.add(raised.value.message)

    assert len(messages) == len(bad)


def test_an_iban_generated_from_its_parts_is_valid() -> None:
    assert generate_iban("DE", "37040044", "532013000") == Iban("DE89370400440532013000")
    assert generate_iban("gb", "WEST", "98765432", branch_code="123456") == Iban(
        "GB82WEST12345698765432"
    )


@given(
    st.sampled_from(["DE", "FR", "ES", "GB", "NL", "IT"]),
    st.integers(min_value=0, max_value=99_999_999),
)
def test_every_generated_sandbox_iban_passes_validation(country: str, account: int) -> None:
    banks = {
        "DE": ("37040044", ""),
        "FR": ("20041", "01005"),
        "ES": ("2100", "0418"),
        "GB": ("WEST", "123456"),
        "NL": ("ABNA", ""),
        "IT": ("0542811101", ""),
    }
    bank, branch = banks[country]

    iban = generate_iban(country, bank, f"{account:08d}", branch_code=branch)

    assert Iban(iban.formatted) == iban
    assert iban.country_code == country


def test_generating_an_iban_for_an_unknown_country_is_rejected() -> None:
    with pytest.raises(InvalidIban) as raised:
        generate_iban("XX", "1234", "5678")

    assert raised.value.failure is IbanFailure.UNKNOWN_COUNTRY


def test_generating_an_iban_from_an_oversized_account_number_is_rejected() -> None:
    with pytest.raises(InvalidIban, match="cannot build a DE IBAN") as raised:
        generate_iban("DE", "37040044", "12345678901234")

    assert raised.value.failure is IbanFailure.INVALID_BBAN


# --- BIC ------------------------------------------------------------------------------------


def test_an_eight_character_bic_is_a_primary_office() -> None:
    bic = Bic("deutdeff")

    assert str(bic) == "DEUTDEFF"
    assert (bic.bank_code, bic.country_code, bic.location_code) == ("DEUT", "DE", "FF")
    assert bic.branch_code is None


def test_an_eleven_character_bic_has_a_branch() -> None:
    bic = Bic("DEUT DE FF 500")

    assert bic.value == "DEUTDEFF500"
    assert bic.branch_code == "500"
    assert bic == Bic("deutdeff500")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("DEUTDEF", "8 or 11 characters, not 7"),
        ("DEUTDEFF5", "8 or 11 characters, not 9"),
        ("", "8 or 11 characters, not 0"),
        (None, "8 or 11 characters, not 0"),
        ("DEUT-EFF", "only letters A-Z and digits"),
        ("DEUTXXFF", "country code 'XX'"),
        ("DEUTD1FF", "bank code"),
    ],
)
def test_a_bad_bic_is_rejected_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as raised:
        Bic(raw)

    assert raised.value.code == "INVALID_BIC"
