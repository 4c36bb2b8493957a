"""PANs, the Luhn check, issuing ranges, expiry months and PINs."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cards.domain.expiry import Expiry
from cards.domain.pan import (
    BinRange,
    Pan,
    RandomDigits,
    generate_pan,
    luhn_check_digit,
    luhn_valid,
    secure_random_digits,
)
from cards.domain.secrets import Pin, SealedSecret, SecretField

pytestmark = pytest.mark.unit

VISA = "4242424242424242"
AMEX = "378282246310005"
DIGITS = "0123456789"
# "4242424242424242" in full-width digits: str.isdigit() says yes, a PAN says no.
FULLWIDTH = "\uff14\uff12" * 8


def fixed_digits(text: str) -> RandomDigits:
    return lambda count: text[:count]


@pytest.mark.parametrize("number", [VISA, AMEX, "79927398713", "5555555555554444", "18"])
def test_known_valid_numbers_pass_the_luhn_check(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize(
    "number", ["4242424242424241", "79927398710", "", "7", "4242 4242 4242 4242", FULLWIDTH[:2]]
)
def test_wrong_check_digits_and_non_digits_fail_the_luhn_check(number: str) -> None:
    assert not luhn_valid(number)


def test_the_check_digit_completes_a_valid_number() -> None:
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit(VISA[:-1]) == VISA[-1]


@pytest.mark.parametrize("partial", ["", "12a4", "١٢٣"])
def test_a_check_digit_needs_ascii_digits(partial: str) -> None:
    with pytest.raises(ValueError, match="digits"):
        luhn_check_digit(partial)


def test_a_pan_shows_only_its_first_six_and_last_four_digits() -> None:
    pan = Pan(VISA)

    assert (pan.bin, pan.last4) == ("424242", "4242")
    assert pan.masked() == "424242******4242"
    assert repr(pan) == "Pan(424242******4242)"
    assert str(pan) == f"{pan}" == "424242******4242"
    assert VISA not in repr([pan]) + repr({"pan": pan})
    assert pan.digits == VISA


def test_masking_keeps_first_six_and_last_four_at_any_length() -> None:
    assert Pan(AMEX).masked() == "378282*****0005"
    nineteen = "6011000990139424" + "000"
    full = nineteen[:-1] + luhn_check_digit(nineteen[:-1])
    assert Pan(full).masked() == full[:6] + "*" * 9 + full[-4:]


@pytest.mark.parametrize(
    ("digits", "reason"),
    [
        ("4242424242424241", "Luhn"),
        ("424242424242", "13 to 19"),
        ("42424242424242424242", "13 to 19"),
        ("4242-4242-4242-4242", "digits only"),
        (FULLWIDTH, "digits only"),
        ("", "digits only"),
    ],
)
def test_an_invalid_pan_is_refused_without_repeating_its_digits(digits: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as refused:
        Pan(digits)

    assert "4242" not in str(refused.value)


def test_a_pan_is_immutable_and_compares_by_value() -> None:
    pan = Pan(VISA)

    with pytest.raises(AttributeError):
        pan.digits = AMEX  # type: ignore[misc]
    assert pan == Pan(VISA)
    assert len({pan, Pan(VISA)}) == 1


@pytest.mark.parametrize(("prefix", "length"), [("12345", 16), ("123456789", 16), ("12a456", 16)])
def test_a_bin_range_prefix_has_six_to_eight_digits(prefix: str, length: int) -> None:
    with pytest.raises(ValueError, match="6 to 8 digits"):
        BinRange(prefix, length)


@pytest.mark.parametrize("length", [12, 20])
def test_a_bin_range_length_is_a_pan_length(length: int) -> None:
    with pytest.raises(ValueError, match="between 13 and 19"):
        BinRange("424242", length)


def test_a_generated_pan_is_the_prefix_then_the_random_body_then_the_check_digit() -> None:
    pan = generate_pan(BinRange("42424242"), fixed_digits("4242424"))

    assert pan == Pan(VISA)
    assert BinRange("42424242").contains(pan)
    assert not BinRange("42424242", 19).contains(pan)
    assert not BinRange("52424242").contains(pan)


@pytest.mark.parametrize("body", ["123", "12345678901", "12345a789"])
def test_a_random_source_giving_other_than_the_digits_asked_for_is_refused(body: str) -> None:
    with pytest.raises(ValueError, match="random source"):
        generate_pan(BinRange("424242"), lambda count: body)


def test_the_secure_random_source_gives_exactly_the_digits_asked_for() -> None:
    drawn = secure_random_digits(12)

    assert len(drawn) == 12
    assert set(drawn) <= set(DIGITS)
    assert luhn_valid(generate_pan(BinRange("400000", 19), secure_random_digits).digits)


@st.composite
def ranges_and_bodies(draw: st.DrawFn) -> tuple[BinRange, str]:
    prefix = draw(st.text(DIGITS, min_size=6, max_size=8))
    bin_range = BinRange(prefix, draw(st.integers(13, 19)))
    body = draw(st.text(DIGITS, min_size=bin_range.random_length, max_size=bin_range.random_length))
    return bin_range, body


@given(ranges_and_bodies())
def test_every_generated_pan_is_luhn_valid_in_range_and_of_the_right_length(
    drawn: tuple[BinRange, str],
) -> None:
    bin_range, body = drawn

    pan = generate_pan(bin_range, lambda count: body)

    assert luhn_valid(pan.digits)
    assert bin_range.contains(pan)
    assert len(pan.digits) == bin_range.length
    assert pan.digits.startswith(bin_range.prefix + body)


@given(ranges_and_bodies(), st.data())
def test_one_wrong_digit_is_always_detected(
    drawn: tuple[BinRange, str], data: st.DataObject
) -> None:
    bin_range, body = drawn
    digits = generate_pan(bin_range, lambda count: body).digits
    position = data.draw(st.integers(0, len(digits) - 1))
    wrong = data.draw(st.sampled_from([d for d in DIGITS if d != digits[position]]))

    mistyped = digits[:position] + wrong + digits[position + 1 :]

    assert not luhn_valid(mistyped)
    with pytest.raises(ValueError, match="Luhn"):
        Pan(mistyped)


def test_an_expiry_prints_as_mm_yy_and_parses_back() -> None:
    expiry = Expiry(month=3, year=2031)

    assert expiry.mm_yy() == "03/31"
    assert Expiry.parse("03/31") == expiry
    assert Expiry.parse(" 12/99 ") == Expiry(12, 2099)


@pytest.mark.parametrize("text", ["3/31", "13/31", "00/31", "03-31", "0331", "03/2031"])
def test_a_malformed_expiry_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expiry"):
        Expiry.parse(text)


@pytest.mark.parametrize(("month", "year"), [(0, 2030), (13, 2030), (1, 1999), (1, 2100)])
def test_an_expiry_month_and_year_must_exist(month: int, year: int) -> None:
    with pytest.raises(ValueError, match="expiry"):
        Expiry(month, year)


def test_a_card_stays_valid_through_the_last_day_of_its_expiry_month() -> None:
    expiry = Expiry(month=2, year=2032)

    assert not expiry.is_past(date(2032, 2, 29))
    assert not expiry.is_past(date(2031, 12, 31))
    assert expiry.is_past(date(2032, 3, 1))
    assert expiry.is_past(date(2033, 1, 1))


def test_a_card_issued_today_expires_in_the_same_month_years_later() -> None:
    assert Expiry.years_after(date(2030, 6, 15), 3) == Expiry(6, 2033)
    with pytest.raises(ValueError, match="at least one year"):
        Expiry.years_after(date(2030, 6, 15), 0)


def test_a_pin_never_shows_its_digits() -> None:
    pin = Pin("9417")

    assert repr(pin) == "Pin(****)"
    assert str(pin) == f"{pin}" == "****"
    assert "9417" not in repr({"pin": pin})
    assert pin.digits == "9417"


@pytest.mark.parametrize("digits", ["123", "1234567890123", "12a4", "١٢٣٤", ""])
def test_a_pin_has_four_to_twelve_digits(digits: str) -> None:
    with pytest.raises(ValueError, match="4 to 12 digits") as refused:
        Pin(digits)

    assert digits not in str(refused.value) or not digits


def test_a_sealed_secret_does_not_show_its_ciphertext() -> None:
    sealed = SealedSecret(
        tenant_id="t-1",
        card_id="c-1",
        field=SecretField.PAN,
        key_version=3,
        ciphertext=b"\x01very-opaque",
    )

    assert "opaque" not in repr(sealed)
    assert "key_version=3" in repr(sealed)
