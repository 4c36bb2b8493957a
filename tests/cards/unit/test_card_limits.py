"""Card limits: their Toqio names, their consistency and the bounds they must stay within."""

from __future__ import annotations

from dataclasses import fields

import pytest

from cards.domain.card_types import ClientType, FundingType
from cards.domain.limit_bounds import Bound, BoundsKey, LimitBounds, LimitBoundsTable
from cards.domain.limits import CardLimits, LimitKind, LimitValue
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency, Money
from tests.cards.card_builders import eur, issued_card

pytestmark = pytest.mark.unit

EUR = Currency.of("EUR")


def _fields(error: InvalidInput) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in error.problems]


# CardLimits ------------------------------------------------------------------------------------


def test_every_limit_kind_has_its_attribute_and_its_toqio_name() -> None:
    attributes = {f.name for f in fields(CardLimits)} - {"currency"}
    assert attributes == {kind.attribute for kind in LimitKind}
    assert LimitKind.DAILY.value == "cardLimitDaily"
    assert LimitKind.ATM_OPERATIONS.value == "atmOperationsLimit"
    assert [k for k in LimitKind if k.is_count] == [
        LimitKind.PURCHASES_OPERATIONS,
        LimitKind.ATM_OPERATIONS,
    ]


def test_limits_keep_exactly_what_is_configured() -> None:
    limits = CardLimits.of("EUR", {LimitKind.DAILY: eur(150_000), LimitKind.ATM_OPERATIONS: 5})

    assert limits.configured() == {LimitKind.DAILY: eur(150_000), LimitKind.ATM_OPERATIONS: 5}
    assert limits.get(LimitKind.MONTHLY) is None
    assert CardLimits.none("eur").configured() == {}


def test_changing_limits_keeps_the_others_and_none_unsets() -> None:
    limits = CardLimits.of("EUR", {LimitKind.DAILY: eur(1000), LimitKind.MONTHLY: eur(5000)})

    changed = limits.changed({LimitKind.DAILY: None, LimitKind.TRANSACTION: eur(500)})

    assert changed.configured() == {LimitKind.TRANSACTION: eur(500), LimitKind.MONTHLY: eur(5000)}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({LimitKind.DAILY: eur(-1)}, [("cardLimitDaily", "NEGATIVE")]),
        ({LimitKind.DAILY: Money.of(100, "USD")}, [("cardLimitDaily", "WRONG_CURRENCY")]),
        ({LimitKind.ATM_OPERATIONS: -1}, [("atmOperationsLimit", "NEGATIVE")]),
        ({LimitKind.ATM_OPERATIONS: True}, [("atmOperationsLimit", "NOT_A_COUNT")]),
        ({LimitKind.DAILY: 100}, [("cardLimitDaily", "NOT_AN_AMOUNT")]),
        (
            {LimitKind.DAILY: eur(2000), LimitKind.MONTHLY: eur(1000)},
            [("cardLimitDaily", "ABOVE_MONTHLY")],
        ),
        (
            {LimitKind.TRANSACTION: eur(2000), LimitKind.LIFETIME: eur(1000)},
            [("cardLimitTransaction", "ABOVE_LIFETIME")],
        ),
        (
            {LimitKind.ATM_DAILY: eur(600), LimitKind.DAILY: eur(500)},
            [("atmDailyLimit", "ABOVE_DAILY")],
        ),
        (
            {LimitKind.PURCHASES_DAILY: eur(600), LimitKind.PURCHASES_MONTHLY: eur(500)},
            [("purchasesDailyLimit", "ABOVE_PURCHASES_MONTHLY")],
        ),
        (
            {LimitKind.ATM_MONTHLY: eur(600), LimitKind.MONTHLY: eur(500)},
            [("atmMonthlyLimit", "ABOVE_MONTHLY")],
        ),
        (
            {LimitKind.DAILY: eur(-1), LimitKind.MONTHLY: eur(-2)},
            [("cardLimitDaily", "NEGATIVE"), ("cardLimitMonthly", "NEGATIVE")],
        ),
    ],
)
def test_inconsistent_limits_are_refused_naming_each_field(
    values: dict[LimitKind, LimitValue], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        CardLimits.of("EUR", values)

    assert refused.value.code == "INVALID_LIMITS"
    assert _fields(refused.value) == expected
    for field, _ in expected:
        assert field in refused.value.message


def test_a_limit_may_equal_the_wider_one_and_zero_is_a_limit() -> None:
    limits = CardLimits.of(
        "EUR",
        {
            LimitKind.TRANSACTION: eur(1000),
            LimitKind.DAILY: eur(1000),
            LimitKind.MONTHLY: eur(1000),
            LimitKind.ATM_DAILY: eur(0),
        },
    )

    assert limits.get(LimitKind.ATM_DAILY) == eur(0)


def test_limits_need_a_currency() -> None:
    with pytest.raises(InvalidInput):
        CardLimits(currency="EUR")  # type: ignore[arg-type]


# Bounds ----------------------------------------------------------------------------------------

BOUNDS = LimitBounds(
    EUR,
    {
        LimitKind.DAILY: Bound(10_000, 500_000),
        LimitKind.MONTHLY: Bound(50_000, 2_000_000),
        LimitKind.ATM_OPERATIONS: Bound(1, 10),
    },
)


def test_bounds_answer_toqios_min_max_fields() -> None:
    assert BOUNDS.min_max_fields() == {
        "minDailyLimit": eur(10_000),
        "maxDailyLimit": eur(500_000),
        "minMonthlyLimit": eur(50_000),
        "maxMonthlyLimit": eur(2_000_000),
        "minAtmOperationsLimit": 1,
        "maxAtmOperationsLimit": 10,
    }
    assert BOUNDS.minimum(LimitKind.LIFETIME) is None
    assert BOUNDS.maximum(LimitKind.LIFETIME) is None
    assert LimitKind.TRANSACTION.bounds_name == "TransactionLimit"
    assert LimitKind.LIFETIME.bounds_name == "LifetimeSpendLimit"
    assert LimitKind.PURCHASES_DAILY.bounds_name == "PurchasesDailyLimit"


def test_limits_inside_their_bounds_pass() -> None:
    limits = CardLimits.of(
        "EUR",
        {
            LimitKind.DAILY: eur(10_000),
            LimitKind.MONTHLY: eur(2_000_000),
            LimitKind.ATM_OPERATIONS: 10,
            LimitKind.LIFETIME: eur(9_000_000),
        },
    )

    BOUNDS.check(limits)
    assert BOUNDS.problems(CardLimits.none("EUR")) == ()


def test_limits_outside_their_bounds_are_refused_naming_each_field() -> None:
    limits = CardLimits.of("EUR", {LimitKind.DAILY: eur(600_000), LimitKind.ATM_OPERATIONS: 0})
    with pytest.raises(InvalidInput) as refused:
        BOUNDS.check(limits)

    assert refused.value.code == "INVALID_LIMITS"
    assert _fields(refused.value) == [
        ("cardLimitDaily", "ABOVE_MAXIMUM"),
        ("atmOperationsLimit", "BELOW_MINIMUM"),
    ]
    assert "6000.00 EUR is above the maximum 5000.00 EUR" in refused.value.message


def test_bounds_in_another_currency_refuse_the_limits() -> None:
    assert _fields(InvalidInput("x", problems=BOUNDS.problems(CardLimits.none("USD")))) == [
        ("currency", "WRONG_CURRENCY")
    ]


def test_a_card_refuses_new_limits_outside_its_bounds_and_keeps_the_old_ones() -> None:
    card = issued_card()
    before = card.limits

    with pytest.raises(InvalidInput):
        card.change_limits(CardLimits.of("EUR", {LimitKind.DAILY: eur(900_000)}), BOUNDS)
    with pytest.raises(InvalidInput):
        card.change_limits(CardLimits.none("USD"))

    assert card.limits == before
    assert card.version == 1
    assert card.change_limits(CardLimits.of("EUR", {LimitKind.DAILY: eur(20_000)}), BOUNDS)
    assert card.version == 2


@pytest.mark.parametrize(("low", "high"), [(-1, 5), (5, 4), (True, 4)])
def test_a_bound_is_a_non_negative_range(low: int, high: int) -> None:
    with pytest.raises(InvalidInput):
        Bound(low, high)


def test_the_bounds_table_finds_a_programme_or_leaves_it_unbounded() -> None:
    key = BoundsKey(FundingType.DEBIT, ClientType.BUSINESS, EUR)
    table = LimitBoundsTable({key: BOUNDS})

    assert table.for_programme(FundingType.DEBIT, ClientType.BUSINESS, "eur") == BOUNDS
    assert table.for_programme(FundingType.DEBIT, ClientType.CONSUMER, "EUR").bounds == {}
    with pytest.raises(InvalidInput):
        LimitBoundsTable(
            {BoundsKey(FundingType.DEBIT, ClientType.BUSINESS, Currency.of("USD")): BOUNDS}
        )
