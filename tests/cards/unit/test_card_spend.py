"""What a card has spent, which limit blocks a spend, and that accepted spends keep every limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.domain.lifecycle import CardStatus
from cards.domain.limits import CardLimits, LimitKind, LimitValue, SpendKind
from cards.domain.spend import LimitCheck, SpendUsage, check_spend
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency, CurrencyMismatch, Money
from tests.cards.card_builders import card_in, eur

pytestmark = pytest.mark.unit

EUR = Currency.of("EUR")
PURCHASE, ATM = SpendKind.PURCHASE, SpendKind.ATM_WITHDRAWAL


def usage(**overrides: Money | int) -> SpendUsage:
    values: dict[str, Money | int] = {
        "purchases_today": eur(0),
        "atm_today": eur(0),
        "purchases_this_month": eur(0),
        "atm_this_month": eur(0),
        "lifetime": eur(0),
    }
    values.update(overrides)
    return SpendUsage(currency=EUR, **values)  # type: ignore[arg-type]


# Usage -----------------------------------------------------------------------------------------


def test_usage_adds_a_spend_to_its_own_kind_only() -> None:
    start = usage()

    after = start.after(eur(100), ATM).after(eur(30), PURCHASE)

    assert after.used(LimitKind.ATM_DAILY) == eur(100)
    assert after.used(LimitKind.PURCHASES_DAILY) == eur(30)
    assert after.used(LimitKind.DAILY) == eur(130)
    assert after.used(LimitKind.MONTHLY) == eur(130)
    assert after.used(LimitKind.ATM_MONTHLY) == eur(100)
    assert after.used(LimitKind.PURCHASES_MONTHLY) == eur(30)
    assert after.used(LimitKind.LIFETIME) == eur(130)
    assert after.used(LimitKind.ATM_OPERATIONS) == 1
    assert after.used(LimitKind.PURCHASES_OPERATIONS) == 1
    assert after.used(LimitKind.TRANSACTION) == eur(0)
    assert SpendUsage.zero("EUR") == start


def test_usage_is_never_negative_nor_in_two_currencies() -> None:
    with pytest.raises(InvalidInput):
        usage(lifetime=eur(-1))
    with pytest.raises(InvalidInput):
        usage(atm_today_count=-1)
    with pytest.raises(CurrencyMismatch):
        usage(lifetime=Money.of(1, "USD"))


# check_spend -----------------------------------------------------------------------------------

LIMITS = CardLimits.of(
    "EUR",
    {
        LimitKind.TRANSACTION: eur(50_000),
        LimitKind.DAILY: eur(100_000),
        LimitKind.MONTHLY: eur(300_000),
        LimitKind.LIFETIME: eur(1_000_000),
        LimitKind.PURCHASES_DAILY: eur(80_000),
        LimitKind.ATM_DAILY: eur(20_000),
        LimitKind.PURCHASES_MONTHLY: eur(250_000),
        LimitKind.ATM_MONTHLY: eur(40_000),
        LimitKind.PURCHASES_OPERATIONS: 10,
        LimitKind.ATM_OPERATIONS: 2,
    },
)


@pytest.mark.parametrize(
    ("used", "amount", "kind", "blocked_by"),
    [
        ({}, 50_000, PURCHASE, None),
        ({}, 50_001, PURCHASE, LimitKind.TRANSACTION),
        ({}, 20_000, ATM, None),
        ({}, 20_001, ATM, LimitKind.ATM_DAILY),
        ({"purchases_today": eur(79_000)}, 1_000, PURCHASE, None),
        ({"purchases_today": eur(79_000)}, 1_001, PURCHASE, LimitKind.PURCHASES_DAILY),
        # The purchases daily limit does not stop cash, but the total daily limit does.
        ({"purchases_today": eur(80_000)}, 20_000, ATM, None),
        # Purchases above a since-lowered purchases limit still count towards the daily total.
        ({"purchases_today": eur(85_000)}, 15_001, ATM, LimitKind.DAILY),
        ({"atm_today": eur(20_000)}, 1, PURCHASE, None),
        (
            {"atm_today": eur(20_000), "purchases_today": eur(79_000)},
            1_001,
            PURCHASE,
            LimitKind.PURCHASES_DAILY,
        ),
        ({"purchases_today_count": 10}, 1, PURCHASE, LimitKind.PURCHASES_OPERATIONS),
        ({"atm_today_count": 2}, 1, ATM, LimitKind.ATM_OPERATIONS),
        ({"atm_today_count": 2}, 1, PURCHASE, None),
        ({"atm_this_month": eur(40_000)}, 1, ATM, LimitKind.ATM_MONTHLY),
        ({"purchases_this_month": eur(250_000)}, 1, PURCHASE, LimitKind.PURCHASES_MONTHLY),
        (
            {"purchases_this_month": eur(200_000), "atm_this_month": eur(100_000)},
            1,
            PURCHASE,
            LimitKind.MONTHLY,
        ),
        ({"lifetime": eur(1_000_000)}, 1, PURCHASE, LimitKind.LIFETIME),
        # Narrowest first: a too-large amount is a transaction limit even when the day is full.
        ({"purchases_today": eur(80_000)}, 60_000, PURCHASE, LimitKind.TRANSACTION),
    ],
)
def test_check_spend_names_the_limit_that_blocks(
    used: dict[str, Money | int], amount: int, kind: SpendKind, blocked_by: LimitKind | None
) -> None:
    current = usage(**used)

    check = check_spend(LIMITS, current, eur(amount), kind)

    assert check.blocked_by is blocked_by
    assert check.allowed is (blocked_by is None)
    if blocked_by is not None:
        assert check.limit == LIMITS.get(blocked_by)
        assert check.used == current.used(blocked_by)


def test_a_card_without_limits_allows_any_spend() -> None:
    check = check_spend(CardLimits.none("EUR"), usage(lifetime=eur(10**12)), eur(10**9), ATM)

    assert check == LimitCheck()


def test_a_zero_limit_forbids_its_kind_of_spend() -> None:
    limits = CardLimits.of("EUR", {LimitKind.ATM_DAILY: eur(0)})

    assert check_spend(limits, usage(), eur(1), ATM).blocked_by is LimitKind.ATM_DAILY
    assert check_spend(limits, usage(), eur(1), PURCHASE).allowed


def test_usage_already_above_a_lowered_limit_blocks_any_spend() -> None:
    check = check_spend(LIMITS, usage(lifetime=eur(2_000_000)), eur(1), PURCHASE)

    assert check.blocked_by is LimitKind.LIFETIME


@pytest.mark.parametrize("amount", [0, -1])
def test_a_spend_must_be_positive(amount: int) -> None:
    with pytest.raises(InvalidInput):
        check_spend(LIMITS, usage(), eur(amount), PURCHASE)


def test_a_spend_in_another_currency_cannot_be_checked() -> None:
    with pytest.raises(CurrencyMismatch):
        check_spend(LIMITS, usage(), Money.of(100, "USD"), PURCHASE)
    with pytest.raises(CurrencyMismatch):
        check_spend(LIMITS, SpendUsage.zero("USD"), eur(100), PURCHASE)


def test_limits_of_a_card_are_those_it_was_given() -> None:
    card = card_in(CardStatus.ACTIVE, limits=LIMITS)

    assert card.limits is LIMITS


# Properties ------------------------------------------------------------------------------------

AMOUNTS = st.integers(min_value=0, max_value=200_000)
OPTIONAL = st.none() | AMOUNTS


# Widest first, so each limit is drawn after every limit it may not exceed.
_WIDEST_FIRST = (
    LimitKind.LIFETIME,
    LimitKind.MONTHLY,
    LimitKind.PURCHASES_MONTHLY,
    LimitKind.ATM_MONTHLY,
    LimitKind.DAILY,
    LimitKind.PURCHASES_DAILY,
    LimitKind.ATM_DAILY,
    LimitKind.TRANSACTION,
)
_WIDER = {
    LimitKind.MONTHLY: (LimitKind.LIFETIME,),
    LimitKind.PURCHASES_MONTHLY: (LimitKind.MONTHLY, LimitKind.LIFETIME),
    LimitKind.ATM_MONTHLY: (LimitKind.MONTHLY, LimitKind.LIFETIME),
    LimitKind.DAILY: (LimitKind.MONTHLY, LimitKind.LIFETIME),
    LimitKind.PURCHASES_DAILY: (
        LimitKind.PURCHASES_MONTHLY,
        LimitKind.DAILY,
        LimitKind.MONTHLY,
        LimitKind.LIFETIME,
    ),
    LimitKind.ATM_DAILY: (
        LimitKind.ATM_MONTHLY,
        LimitKind.DAILY,
        LimitKind.MONTHLY,
        LimitKind.LIFETIME,
    ),
    LimitKind.TRANSACTION: (LimitKind.DAILY, LimitKind.MONTHLY, LimitKind.LIFETIME),
}


@st.composite
def consistent_limits(draw: st.DrawFn) -> CardLimits:
    """Any consistent limits: each drawn, then capped by the wider limits already drawn."""
    minor: dict[LimitKind, int] = {}
    for kind in _WIDEST_FIRST:
        drawn = draw(OPTIONAL)
        if drawn is not None:
            caps = [minor[wider] for wider in _WIDER.get(kind, ()) if wider in minor]
            minor[kind] = min([drawn, *caps])
    values: dict[LimitKind, LimitValue] = {kind: eur(units) for kind, units in minor.items()}
    for kind in (LimitKind.PURCHASES_OPERATIONS, LimitKind.ATM_OPERATIONS):
        count = draw(st.none() | st.integers(0, 20))
        if count is not None:
            values[kind] = count
    return CardLimits.of("EUR", values)


@st.composite
def usages(draw: st.DrawFn) -> SpendUsage:
    purchases_today, atm_today = draw(AMOUNTS), draw(AMOUNTS)
    purchases_month = purchases_today + draw(AMOUNTS)
    atm_month = atm_today + draw(AMOUNTS)
    return usage(
        purchases_today=eur(purchases_today),
        atm_today=eur(atm_today),
        purchases_this_month=eur(purchases_month),
        atm_this_month=eur(atm_month),
        lifetime=eur(purchases_month + atm_month + draw(AMOUNTS)),
        purchases_today_count=draw(st.integers(0, 20)),
        atm_today_count=draw(st.integers(0, 20)),
    )


@settings(max_examples=500)
@given(
    consistent_limits(),
    usages(),
    st.integers(min_value=1, max_value=300_000),
    st.sampled_from(list(SpendKind)),
)
def test_a_spend_check_spend_accepts_never_takes_any_usage_above_its_limit(
    limits: CardLimits, current: SpendUsage, amount: int, kind: SpendKind
) -> None:
    spend = eur(amount)

    check = check_spend(limits, current, spend, kind)

    after = current.after(spend, kind)
    if check.allowed:
        for limit_kind, limit in limits.configured().items():
            if limit_kind is LimitKind.TRANSACTION:
                assert isinstance(limit, Money)
                assert spend <= limit
            elif current.used(limit_kind) != after.used(limit_kind):
                assert _at_most(after.used(limit_kind), limit), limit_kind
    else:
        assert check.blocked_by is not None
        blocking = limits.get(check.blocked_by)
        assert blocking is not None
        would_be = (
            spend if check.blocked_by is LimitKind.TRANSACTION else after.used(check.blocked_by)
        )
        assert not _at_most(would_be, blocking)


def _at_most(value: LimitValue, limit: LimitValue) -> bool:
    if isinstance(value, Money) and isinstance(limit, Money):
        return value <= limit
    assert isinstance(value, int)
    assert isinstance(limit, int)
    return value <= limit
