"""Money and Currency: exact minor units, strict decimal parsing, single-currency arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency, CurrencyMismatch, Money

pytestmark = pytest.mark.unit

CODES = ["EUR", "USD", "GBP", "JPY", "KRW", "BHD", "KWD", "TND", "CLF"]
currencies = st.sampled_from(CODES).map(Currency.of)
minor_units = st.integers(min_value=-(10**15), max_value=10**15)


@st.composite
def amounts(draw: st.DrawFn, currency: Currency | None = None) -> Money:
    return Money(draw(minor_units), currency or draw(currencies))


@st.composite
def same_currency_amounts(draw: st.DrawFn, count: int) -> list[Money]:
    currency = draw(currencies)
    return [Money(draw(minor_units), currency) for _ in range(count)]


# --- Currency -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exponent"),
    [("EUR", 2), ("eur", 2), ("JPY", 0), ("BHD", 3), ("KWD", 3), ("CLF", 4), (" usd ", 2)],
)
def test_a_currency_takes_its_exponent_from_iso_4217(code: str, exponent: int) -> None:
    currency = Currency.of(code)

    assert currency.code == code.strip().upper()
    assert currency.exponent == exponent


def test_a_currency_is_the_same_value_whatever_case_it_arrived_in() -> None:
    assert Currency.of("eur") == Currency("EUR")
    assert hash(Currency.of("eur")) == hash(Currency("EUR"))
    assert str(Currency.of("gbp")) == "GBP"


def test_currency_of_returns_an_existing_currency_unchanged() -> None:
    eur = Currency.of("EUR")

    assert Currency.of(eur) is eur


@pytest.mark.parametrize("code", ["ABC", "", "EU", "EURO", "E R", "123", "ÉUR"])
def test_an_unknown_currency_code_is_rejected(code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        Currency.of(code)

    assert raised.value.code == "INVALID_CURRENCY"


@pytest.mark.parametrize("code", ["XAU", "XXX", "XTS", "XDR"])
def test_a_currency_without_minor_unit_cannot_hold_money(code: str) -> None:
    with pytest.raises(InvalidInput, match="no minor unit") as raised:
        Currency.of(code)

    assert raised.value.code == "INVALID_CURRENCY"


def test_a_currency_code_must_be_text() -> None:
    with pytest.raises(InvalidInput):
        Currency(978)  # type: ignore[arg-type]


# --- construction and conversion ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "minor"),
    [
        ("10.50", "EUR", 1050),
        ("10.5", "eur", 1050),
        ("10", "EUR", 1000),
        ("0.01", "EUR", 1),
        ("-3.10", "EUR", -310),
        ("10.500", "EUR", 1050),
        ("1500", "JPY", 1500),
        ("1500.0", "JPY", 1500),
        ("1.234", "BHD", 1234),
        ("0.001", "KWD", 1),
        ("-0.00", "EUR", 0),
        (" 7.25 ", "USD", 725),
    ],
)
def test_a_wire_decimal_becomes_exact_minor_units(text: str, code: str, minor: int) -> None:
    assert Money.from_decimal(text, code) == Money.of(minor, code)


def test_decimals_and_ints_are_accepted_like_text() -> None:
    eur = Currency.of("EUR")

    assert Money.from_decimal(Decimal("12.34"), eur).minor == 1234
    assert Money.from_decimal(Decimal("1E+2"), eur).minor == 10_000
    assert Money.from_decimal(12, eur).minor == 1200
    assert Money.from_decimal(Decimal("0E-30"), eur).minor == 0


@pytest.mark.parametrize(
    ("value", "code", "allowed"),
    [
        ("10.505", "EUR", "EUR allows at most 2"),
        ("0.001", "USD", "USD allows at most 2"),
        ("1.5", "JPY", "JPY allows none"),
        ("1.0001", "KWD", "KWD allows at most 3"),
        (Decimal("1E-1000000000"), "EUR", "EUR allows at most 2"),
    ],
)
def test_extra_decimals_are_rejected_never_rounded(value: object, code: str, allowed: str) -> None:
    with pytest.raises(InvalidInput, match=allowed) as raised:
        Money.from_decimal(value, code)  # type: ignore[arg-type]

    assert raised.value.code == "INVALID_AMOUNT"


@pytest.mark.parametrize(
    "value",
    [
        10.5,
        True,
        None,
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        "NaN",
        "inf",
        "1e3",
        "1_000",
        "10,50",
        "",
        ".5",
        "1.",
        "ten",
        "1" * 100,
        Decimal("1E+1000000000"),
    ],
)
def test_anything_but_a_finite_plain_decimal_is_rejected(value: object) -> None:
    with pytest.raises(InvalidInput) as raised:
        Money.from_decimal(value, "EUR")  # type: ignore[arg-type]

    assert raised.value.code == "INVALID_AMOUNT"


def test_a_float_is_refused_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="not float"):
        Money.from_decimal(0.1, "EUR")  # type: ignore[arg-type]


def test_minor_units_must_be_an_int() -> None:
    eur = Currency.of("EUR")
    for bad in (10.0, True, "10", Decimal(10)):
        with pytest.raises(InvalidInput):
            Money(bad, eur)  # type: ignore[arg-type]


def test_money_needs_a_currency_object() -> None:
    with pytest.raises(InvalidInput):
        Money(100, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minor", "code", "decimal", "shown"),
    [
        (1050, "EUR", "10.50", "10.50 EUR"),
        (5, "EUR", "0.05", "0.05 EUR"),
        (0, "EUR", "0.00", "0.00 EUR"),
        (-1050, "EUR", "-10.50", "-10.50 EUR"),
        (1500, "JPY", "1500", "1500 JPY"),
        (1, "KWD", "0.001", "0.001 KWD"),
        (1234567, "BHD", "1234.567", "1234.567 BHD"),
    ],
)
def test_money_converts_back_to_a_decimal_with_the_currency_scale(
    minor: int, code: str, decimal: str, shown: str
) -> None:
    money = Money.of(minor, code)

    assert str(money.to_decimal()) == decimal
    assert money.format() == shown
    assert str(money) == shown


@given(amounts())
def test_a_decimal_round_trip_gives_back_the_same_money(money: Money) -> None:
    assert Money.from_decimal(money.to_decimal(), money.currency) == money
    assert Money.from_decimal(format(money.to_decimal(), "f"), money.currency) == money


@given(amounts(), st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=5))
def test_a_non_zero_digit_beyond_the_exponent_is_always_rejected(
    money: Money, digit: int, extra: int
) -> None:
    exponent = money.currency.exponent
    text = format(money.to_decimal(), "f")
    text += ("" if exponent else ".") + "0" * (extra - 1) + str(digit)

    with pytest.raises(InvalidInput) as raised:
        Money.from_decimal(text, money.currency)

    assert raised.value.code == "INVALID_AMOUNT"


# --- arithmetic -----------------------------------------------------------------------------


@given(same_currency_amounts(2))
def test_addition_is_commutative(pair: list[Money]) -> None:
    a, b = pair
    assert a + b == b + a


@given(same_currency_amounts(3))
def test_addition_is_associative(triple: list[Money]) -> None:
    a, b, c = triple
    assert (a + b) + c == a + (b + c)


@given(same_currency_amounts(2))
def test_subtracting_what_was_added_gives_back_the_original(pair: list[Money]) -> None:
    a, b = pair
    assert a + b - b == a
    assert a - b == a + (-b)


@given(amounts())
def test_zero_is_neutral_and_negation_cancels(money: Money) -> None:
    zero = Money.zero(money.currency)

    assert money + zero == money
    assert (money + -money).is_zero()
    assert abs(money).minor == abs(money.minor)


@given(amounts(), amounts())
def test_mixing_currencies_always_raises(a: Money, b: Money) -> None:
    if a.currency == b.currency:
        b = Money(b.minor, Currency.of("USD" if a.currency.code != "USD" else "EUR"))

    for combine in (
        lambda: a + b,
        lambda: a - b,
        lambda: a < b,
        lambda: a <= b,
        lambda: a > b,
        lambda: a >= b,
    ):
        with pytest.raises(CurrencyMismatch) as raised:
            combine()
        assert raised.value.code == "CURRENCY_MISMATCH"
        assert isinstance(raised.value, InvalidInput)


def test_amounts_of_different_currencies_are_simply_unequal() -> None:
    assert Money.of(100, "EUR") != Money.of(100, "USD")


def test_amounts_of_one_currency_are_ordered() -> None:
    small, big = Money.of(1, "EUR"), Money.of(2, "EUR")

    assert small < big
    assert small <= big
    assert small <= Money.of(1, "EUR")
    assert big > small
    assert big >= small
    assert max(small, big) == big


def test_money_does_not_combine_with_plain_numbers() -> None:
    money = Money.of(100, "EUR")

    with pytest.raises(TypeError):
        money + 1
    with pytest.raises(TypeError):
        money - 1
    with pytest.raises(TypeError):
        money < 1  # noqa: B015
    with pytest.raises(TypeError):
        money <= 1  # noqa: B015
    with pytest.raises(TypeError):
        money > 1  # noqa: B015
    with pytest.raises(TypeError):
        money >= 1  # noqa: B015


@pytest.mark.parametrize(
    ("minor", "positive", "zero", "negative"),
    [(1, True, False, False), (0, False, True, False), (-1, False, False, True)],
)
def test_the_sign_of_an_amount(minor: int, positive: bool, zero: bool, negative: bool) -> None:
    money = Money.of(minor, "JPY")

    assert (money.is_positive(), money.is_zero(), money.is_negative()) == (
        positive,
        zero,
        negative,
    )


# --- allocation -----------------------------------------------------------------------------


@given(
    amounts(),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(any),
)
def test_allocation_never_loses_or_invents_a_minor_unit(money: Money, ratios: list[int]) -> None:
    parts = money.allocate(ratios)

    assert len(parts) == len(ratios)
    assert sum(part.minor for part in parts) == money.minor
    assert all(part.currency == money.currency for part in parts)
    for part, ratio in zip(parts, ratios, strict=True):
        exact = Decimal(money.minor) * ratio / sum(ratios)
        assert abs(part.minor - exact) < 1
        if ratio == 0:
            assert part.is_zero()


@given(amounts(), st.integers(min_value=1, max_value=20))
def test_an_even_split_gives_parts_within_one_minor_unit(money: Money, count: int) -> None:
    minors = [part.minor for part in money.allocate([1] * count)]

    assert max(minors) - min(minors) <= 1


@given(amounts(), st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=6))
def test_a_debit_splits_as_the_mirror_of_the_credit(money: Money, ratios: list[int]) -> None:
    assert [-part for part in money.allocate(ratios)] == (-money).allocate(ratios)


def test_a_cent_left_over_goes_to_the_first_of_equal_parts() -> None:
    parts = Money.of(100, "EUR").allocate([1, 1, 1])

    assert [part.minor for part in parts] == [34, 33, 33]


def test_left_over_units_go_to_the_largest_fractions() -> None:
    parts = Money.of(5, "EUR").allocate([0, 1, 1])

    assert [part.minor for part in parts] == [0, 3, 2]


@pytest.mark.parametrize("ratios", [[], [0, 0], [1, -1], [1.5], [True]])
def test_allocation_needs_non_negative_integer_ratios(ratios: list[object]) -> None:
    with pytest.raises(InvalidInput) as raised:
        Money.of(100, "EUR").allocate(ratios)  # type: ignore[arg-type]

    assert raised.value.code == "INVALID_RATIOS"
