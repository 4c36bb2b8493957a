"""Changing a card's limits, alias and read-only flag, and the read-only card queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cards.application.cards.options import CardImages
from cards.application.cards.queries import (
    GetAvailableCardLimits,
    GetCardImageUrl,
    GetCardImageUrlByTemplate,
    GetCardLimitsMinMax,
    GetCardSettings,
)
from cards.application.cards.update_limits import UpdateCardCommand
from cards.domain.audit import AuditAction
from cards.domain.limits import LimitKind
from shared_kernel.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    NotImplementedByProvider,
)
from shared_kernel.domain.money import Money
from tests.cards.card_kit import TENANT, CardKit

pytestmark = pytest.mark.unit


@pytest.fixture
def kit() -> CardKit:
    return CardKit()


def update(card_id: str, **overrides: object) -> UpdateCardCommand:
    return UpdateCardCommand(tenant_id=TENANT, card_id=card_id, **overrides)  # type: ignore[arg-type]


async def test_limits_named_change_the_others_stay_and_null_removes_one(kit: CardKit) -> None:
    card_id = await kit.issue(
        limits={LimitKind.DAILY: Decimal("500"), LimitKind.MONTHLY: Decimal("2000")}
    )

    view = await kit.update_card()(
        update(
            card_id,
            limits={LimitKind.DAILY: Decimal("750.50"), LimitKind.MONTHLY: None},
            currency="eur",
            client_type="CONSUMER",
        )
    )

    assert view.card.limits.configured() == {LimitKind.DAILY: Money.of(75_050, "EUR")}
    changed = kit.store.audit_events[-1]
    assert changed.action is AuditAction.CARD_LIMITS_CHANGED
    assert changed.details["cardLimitDaily"] == "500.00 EUR -> 750.50 EUR"
    assert changed.details["cardLimitMonthly"] == "2000.00 EUR -> unset"
    assert "cardLimitTransaction" not in changed.details


@pytest.mark.parametrize(
    ("limits", "field", "code"),
    [
        (
            {LimitKind.DAILY: Decimal("25000"), LimitKind.MONTHLY: None},
            "cardLimitDaily",
            "ABOVE_MAXIMUM",
        ),
        ({LimitKind.DAILY: Decimal("-1")}, "cardLimitDaily", "NEGATIVE"),
        ({LimitKind.DAILY: Decimal("10.123")}, "cardLimitDaily", "INVALID_AMOUNT"),
        ({LimitKind.ATM_OPERATIONS: Decimal("2.5")}, "atmOperationsLimit", "NOT_A_COUNT"),
        ({LimitKind.DAILY: Decimal("900")}, "cardLimitDaily", "ABOVE_MONTHLY"),
    ],
)
async def test_wrong_limits_are_refused_naming_the_field_and_change_nothing(
    kit: CardKit, limits: dict[LimitKind, Decimal | None], field: str, code: str
) -> None:
    card_id = await kit.issue(limits={LimitKind.MONTHLY: Decimal("800")})
    before = kit.store.card(card_id)
    audited = len(kit.store.audit_events)

    with pytest.raises(InvalidInput) as refused:
        await kit.update_card()(update(card_id, limits=limits))

    assert refused.value.code == "INVALID_LIMITS"
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]
    after = kit.store.card(card_id)
    assert (after.limits, after.version) == (before.limits, before.version)
    assert len(kit.store.audit_events) == audited


async def test_limits_in_another_currency_are_refused(kit: CardKit) -> None:
    card_id = await kit.issue()

    with pytest.raises(InvalidInput) as refused:
        await kit.update_card()(
            update(card_id, limits={LimitKind.DAILY: Decimal("10")}, currency="GBP")
        )

    assert refused.value.problems[0].field == "currency"


async def test_the_deprecated_alias_of_update_renames_the_card(kit: CardKit) -> None:
    card_id = await kit.issue()

    view = await kit.update_card()(update(card_id, alias="Travel", alias_given=True))

    assert view.card.alias == "Travel"
    assert kit.store.card(card_id).alias == "Travel"


async def test_limits_of_a_closed_card_cannot_change(kit: CardKit) -> None:
    card_id = await kit.issue()
    await kit.cancel_card()(TENANT, card_id)

    with pytest.raises(Conflict) as refused:
        await kit.update_card()(update(card_id, limits={LimitKind.DAILY: Decimal("10")}))

    assert refused.value.code == "CARD_TERMINAL_STATE"


async def test_an_alias_is_set_and_cleared(kit: CardKit) -> None:
    card_id = await kit.issue()

    await kit.update_alias()(TENANT, card_id, "Groceries")
    named = kit.store.card(card_id)
    await kit.update_alias()(TENANT, card_id, "Groceries")
    await kit.update_alias()(TENANT, card_id, "  ")

    assert named.alias == "Groceries"
    assert kit.store.card(card_id).alias is None
    assert kit.store.card(card_id).version == named.version + 1


async def test_an_alias_too_long_is_refused(kit: CardKit) -> None:
    card_id = await kit.issue()

    with pytest.raises(InvalidInput) as refused:
        await kit.update_alias()(TENANT, card_id, "x" * 26)

    assert refused.value.problems[0].field == "alias"
    assert kit.store.card(card_id).alias is None


async def test_a_card_is_made_read_only_and_spendable_again(kit: CardKit) -> None:
    card_id = await kit.issue()

    read_only = await kit.update_read_only()(TENANT, card_id, True)
    spendable = await kit.update_read_only()(TENANT, card_id, False)

    assert read_only.card.read_only is True
    assert spendable.card.read_only is False
    assert kit.store.card(card_id).read_only is False


async def test_unknown_cards_are_not_found_by_every_change(kit: CardKit) -> None:
    with pytest.raises(NotFound):
        await kit.update_card()(update("card_nope", limits={}))
    with pytest.raises(NotFound):
        await kit.update_alias()(TENANT, "card_nope", "x")
    with pytest.raises(NotFound):
        await kit.update_read_only()(TENANT, "card_nope", True)


async def test_every_limit_type_is_offered_optional_and_editable() -> None:
    offers = await GetAvailableCardLimits()(TENANT)
    fewer = await GetAvailableCardLimits(frozenset({LimitKind.DAILY}))(TENANT)

    assert [offer.kind for offer in offers] == list(LimitKind)
    assert all(offer.can_edit and offer.optional for offer in offers)
    assert [offer.kind for offer in fewer] == [LimitKind.DAILY]


async def test_limit_bounds_depend_on_the_programme(kit: CardKit) -> None:
    bounds = GetCardLimitsMinMax(kit.policy)

    business = await bounds(TENANT, "DEBIT", "BUSINESS", "eur")
    consumer = await bounds(TENANT, "DEBIT", "CONSUMER", "EUR")
    unconfigured = await bounds(TENANT, "DEBIT", "BUSINESS", "JPY")

    assert business.provider == "SANDBOX"
    assert business.bounds.maximum(LimitKind.DAILY) == Money.of(2_000_000, "EUR")
    assert consumer.bounds.maximum(LimitKind.DAILY) == Money.of(1_000_000, "EUR")
    assert unconfigured.bounds.min_max_fields() == {}


async def test_bounds_of_credit_cards_or_unknown_values_are_refused(kit: CardKit) -> None:
    bounds = GetCardLimitsMinMax(kit.policy)

    with pytest.raises(NotImplementedByProvider):
        await bounds(TENANT, "CREDIT", "BUSINESS", "EUR")
    with pytest.raises(InvalidInput) as currency:
        await bounds(TENANT, "DEBIT", "BUSINESS", "EURO")
    with pytest.raises(InvalidInput) as client:
        await bounds(TENANT, "DEBIT", "PERSONAL", "EUR")

    assert currency.value.problems[0].field == "currency"
    assert client.value.problems[0].field == "clientType"


async def test_settings_and_image_urls_show_no_card_data(kit: CardKit) -> None:
    designed = await kit.issue(design="corporate-blue")
    plain = await kit.issue()
    images = CardImages("https://cdn.example.com/cards/{design}.png", "standard")

    settings = await GetCardSettings(kit.store.unit_of_work)(TENANT, designed)
    designed_url = await GetCardImageUrl(kit.store.unit_of_work, images)(TENANT, designed)
    plain_url = await GetCardImageUrl(kit.store.unit_of_work, images)(TENANT, plain)
    template_url = await GetCardImageUrlByTemplate(images)(TENANT)

    assert settings.card_id == designed
    assert designed_url == "https://cdn.example.com/cards/corporate-blue.png"
    assert plain_url == template_url == "https://cdn.example.com/cards/standard.png"
    assert designed not in designed_url


async def test_a_deleted_card_has_no_settings_or_image(kit: CardKit) -> None:
    card_id = await kit.issue()
    await kit.delete_card()(TENANT, card_id)

    with pytest.raises(NotFound):
        await GetCardSettings(kit.store.unit_of_work)(TENANT, card_id)
    with pytest.raises(NotFound):
        await GetCardImageUrl(kit.store.unit_of_work, CardImages())(TENANT, card_id)
