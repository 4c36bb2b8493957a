"""Spend controls: merchant categories, countries, cash withdrawals and the high-risk default."""

from __future__ import annotations

import pytest

from cards.domain.controls import (
    ATM_MCC,
    CASH_MCCS,
    DEFAULT_HIGH_RISK_MCCS,
    MANUAL_CASH_MCC,
    ControlOutcome,
    Merchant,
    SpendControls,
    spend_kind_of,
)
from cards.domain.limits import SpendKind
from shared_kernel.domain.errors import InvalidInput
from tests.cards.card_builders import merchant

pytestmark = pytest.mark.unit

ALLOWED = ControlOutcome.ALLOWED


def test_atm_and_counter_cash_are_cash_withdrawals_everything_else_a_purchase() -> None:
    assert (ATM_MCC, MANUAL_CASH_MCC) == ("6011", "6010")
    assert {"6010", "6011"} == CASH_MCCS
    assert merchant("6011").spend_kind is SpendKind.ATM_WITHDRAWAL
    assert merchant("6010").spend_kind is SpendKind.ATM_WITHDRAWAL
    assert merchant("5411").spend_kind is SpendKind.PURCHASE
    assert spend_kind_of("6012") is SpendKind.PURCHASE


@pytest.mark.parametrize("mcc", sorted(DEFAULT_HIGH_RISK_MCCS))
def test_high_risk_categories_are_blocked_by_default(mcc: str) -> None:
    assert SpendControls().check(merchant(mcc)) is ControlOutcome.MCC_BLOCKED


def test_gambling_is_in_the_default_high_risk_set_and_groceries_are_not() -> None:
    assert "7995" in DEFAULT_HIGH_RISK_MCCS
    assert SpendControls().check(merchant("5411")) is ALLOWED


def test_a_programme_may_lift_the_default_high_risk_block() -> None:
    assert SpendControls.unrestricted().check(merchant("7995")) is ALLOWED
    assert SpendControls(blocked_mccs=frozenset()).check(merchant("7995")) is ALLOWED


def test_an_allowed_only_list_refuses_every_other_category() -> None:
    controls = SpendControls(allowed_mccs=frozenset({"5411", "5812"}))

    assert controls.check(merchant("5411")) is ALLOWED
    assert controls.check(merchant("5812")) is ALLOWED
    assert controls.check(merchant("5732")) is ControlOutcome.MCC_BLOCKED


def test_a_blocked_category_wins_over_an_allowed_one() -> None:
    controls = SpendControls(allowed_mccs=frozenset({"7995", "5411"}))

    assert controls.check(merchant("7995")) is ControlOutcome.MCC_BLOCKED


def test_blocked_countries_are_refused() -> None:
    controls = SpendControls(blocked_countries=frozenset({"ru", " KP "}))

    assert controls.blocked_countries == {"RU", "KP"}
    assert controls.check(merchant(country="RU")) is ControlOutcome.COUNTRY_BLOCKED
    assert controls.check(merchant(country="kp")) is ControlOutcome.COUNTRY_BLOCKED
    assert controls.check(merchant(country="ES")) is ALLOWED


def test_an_allowed_only_country_list_refuses_the_rest() -> None:
    controls = SpendControls(
        allowed_countries=frozenset({"ES", "PT"}), blocked_countries=frozenset({"PT"})
    )

    assert controls.check(merchant(country="ES")) is ALLOWED
    assert controls.check(merchant(country="FR")) is ControlOutcome.COUNTRY_BLOCKED
    assert controls.check(merchant(country="PT")) is ControlOutcome.COUNTRY_BLOCKED


def test_cash_can_be_switched_off_without_touching_purchases() -> None:
    controls = SpendControls(cash_allowed=False)

    assert controls.check(merchant("6011")) is ControlOutcome.ATM_NOT_ALLOWED
    assert controls.check(merchant("6010")) is ControlOutcome.ATM_NOT_ALLOWED
    assert controls.check(merchant("5411")) is ALLOWED


def test_the_cash_gate_comes_before_the_category_and_the_category_before_the_country() -> None:
    controls = SpendControls(
        cash_allowed=False,
        blocked_mccs=frozenset({"6011", "5411"}),
        blocked_countries=frozenset({"ES"}),
    )

    assert controls.check(merchant("6011", "ES")) is ControlOutcome.ATM_NOT_ALLOWED
    assert controls.check(merchant("5411", "ES")) is ControlOutcome.MCC_BLOCKED
    assert controls.check(merchant("5812", "ES")) is ControlOutcome.COUNTRY_BLOCKED


@pytest.mark.parametrize("mcc", ["601", "60111", "60a1", "", " "])
def test_a_malformed_category_is_refused(mcc: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Merchant(name="Shop", mcc=mcc, country="ES")
    assert refused.value.code == "INVALID_CONTROLS"
    assert refused.value.problems[0].field == "merchant.mcc"

    with pytest.raises(InvalidInput) as refused:
        SpendControls(blocked_mccs=frozenset({mcc}))
    assert refused.value.problems[0].field == "blockedMccs"


@pytest.mark.parametrize("country", ["ESP", "E", "724", "", "E1"])
def test_a_malformed_country_is_refused(country: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Merchant(name="Shop", mcc="5411", country=country)
    assert refused.value.problems[0].field == "merchant.country"

    with pytest.raises(InvalidInput) as refused:
        SpendControls(allowed_countries=frozenset({country}))
    assert refused.value.problems[0].field == "allowedCountries"


def test_a_single_code_string_is_not_taken_for_a_list_of_codes() -> None:
    with pytest.raises(InvalidInput) as refused:
        SpendControls(blocked_mccs="7995")  # type: ignore[arg-type]

    assert "collection" in refused.value.message


def test_a_merchant_is_normalised() -> None:
    shop = Merchant(name="  Corner Shop  ", mcc=" 5411 ", country="es")

    assert (shop.name, shop.mcc, shop.country) == ("Corner Shop", "5411", "ES")
    assert len(Merchant(name="x" * 500, mcc="5411", country="ES").name) == 100
    assert Merchant(name=None, mcc="5411", country="ES").name == ""  # type: ignore[arg-type]


def test_allowed_lists_are_normalised_too() -> None:
    controls = SpendControls(allowed_mccs=frozenset({" 5411"}), allowed_countries=frozenset({"es"}))

    assert controls.allowed_mccs == frozenset({"5411"})
    assert controls.allowed_countries == frozenset({"ES"})
