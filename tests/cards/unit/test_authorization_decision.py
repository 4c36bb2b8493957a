"""The local authorization decision: each check, their order, advices and malformed requests."""

from __future__ import annotations

import pytest

from cards.domain.authorization_decision import (
    AuthorizationKind,
    AuthorizationRequest,
    DeclineReason,
    LocalDecision,
    decide_locally,
)
from cards.domain.card import Card
from cards.domain.controls import SpendControls
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import CardStatus
from cards.domain.limits import CardLimits, LimitKind, SpendKind
from cards.domain.spend import SpendUsage
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Money
from tests.cards.card_builders import (
    NOW,
    TODAY,
    TOQIO,
    auth_request,
    card_in,
    eur,
    merchant,
)

pytestmark = pytest.mark.unit

NOTHING = SpendUsage.zero("EUR")
LIMITS = CardLimits.of("EUR", {LimitKind.TRANSACTION: eur(5000), LimitKind.ATM_DAILY: eur(2000)})


def active_card(**overrides: object) -> Card:
    overrides.setdefault("limits", LIMITS)
    return card_in(CardStatus.ACTIVE, **overrides)


def decide(card: Card, request: AuthorizationRequest | None = None) -> LocalDecision:
    return decide_locally(card, NOTHING, request or auth_request(), TODAY)


# The local decision ----------------------------------------------------------------------------


def test_a_good_request_on_an_active_card_waits_for_funds() -> None:
    decision = decide(active_card())

    assert decision.pending_funds
    assert decision == LocalDecision(SpendKind.PURCHASE)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (CardStatus.PENDING_ACTIVATION, DeclineReason.CARD_NOT_ACTIVE),
        (CardStatus.SUSPENDED, DeclineReason.CARD_NOT_ACTIVE),
        (CardStatus.BLOCKED, DeclineReason.CARD_BLOCKED),
        (CardStatus.CANCELLED, DeclineReason.CARD_CLOSED),
        (CardStatus.CLOSED, DeclineReason.CARD_CLOSED),
    ],
)
def test_a_card_that_is_not_active_declines(status: CardStatus, reason: DeclineReason) -> None:
    assert decide(card_in(status)).reason is reason


def test_a_deleted_card_declines_as_closed() -> None:
    card = active_card()
    card.delete(TOQIO)

    assert decide(card).reason is DeclineReason.CARD_CLOSED


# Each row breaks one more check than the row below it, so each reason shows it comes first.
ORDER = [
    (
        DeclineReason.CARD_NOT_ACTIVE,
        {"status": CardStatus.SUSPENDED, "read_only": True, "expired": True, "usd": True},
    ),
    (DeclineReason.CARD_READ_ONLY, {"read_only": True, "expired": True, "usd": True}),
    (DeclineReason.CARD_EXPIRED, {"expired": True, "usd": True, "mcc": "7995"}),
    (DeclineReason.CURRENCY_NOT_SUPPORTED, {"usd": True, "mcc": "7995", "amount": 9999}),
    (DeclineReason.ATM_NOT_ALLOWED, {"no_cash": True, "mcc": "6011", "amount": 9999}),
    (DeclineReason.MCC_BLOCKED, {"mcc": "7995", "country": "RU", "amount": 9999}),
    (DeclineReason.COUNTRY_BLOCKED, {"country": "RU", "amount": 9999}),
    (DeclineReason.LIMIT_EXCEEDED_TRANSACTION, {"amount": 9999}),
]


@pytest.mark.parametrize(("reason", "broken"), ORDER, ids=[r.value for r, _ in ORDER])
def test_checks_run_in_the_documented_order(
    reason: DeclineReason, broken: dict[str, object]
) -> None:
    card = card_in(
        broken.get("status", CardStatus.ACTIVE),  # type: ignore[arg-type]
        limits=LIMITS,
        controls=SpendControls(
            cash_allowed=not broken.get("no_cash", False),
            blocked_countries=frozenset({"RU"}),
        ),
        expiry=Expiry(month=5, year=2030) if broken.get("expired") else Expiry(month=5, year=2033),
    )
    if broken.get("read_only"):
        card = Card(
            profile=card.profile,
            status=card.status,
            issued_at=NOW,
            limits=LIMITS,
            controls=card.controls,
            read_only=True,
        )
    amount = int(broken.get("amount", 1000))  # type: ignore[call-overload]
    money = Money.of(amount, "USD") if broken.get("usd") else eur(amount)
    request = auth_request(
        money,
        at=merchant(str(broken.get("mcc", "5411")), str(broken.get("country", "ES"))),
    )

    decision = decide_locally(card, NOTHING, request, TODAY)

    assert decision.reason is reason
    assert not decision.pending_funds


def test_a_card_is_usable_through_the_last_day_of_its_expiry_month() -> None:
    card = active_card(expiry=Expiry(month=6, year=2030))

    assert decide_locally(card, NOTHING, auth_request(), NOW.date().replace(day=30)).pending_funds
    assert (
        decide_locally(card, NOTHING, auth_request(), NOW.date().replace(month=7, day=1)).reason
        is DeclineReason.CARD_EXPIRED
    )


@pytest.mark.parametrize(
    ("used", "amount", "mcc", "reason", "limit"),
    [
        (NOTHING, 5001, "5411", DeclineReason.LIMIT_EXCEEDED_TRANSACTION, LimitKind.TRANSACTION),
        (NOTHING, 2001, "6011", DeclineReason.LIMIT_EXCEEDED_DAILY, LimitKind.ATM_DAILY),
        (NOTHING, 2001, "5411", None, None),
    ],
)
def test_a_limit_decline_names_its_limit(
    used: SpendUsage, amount: int, mcc: str, reason: DeclineReason | None, limit: LimitKind | None
) -> None:
    decision = decide_locally(
        active_card(), used, auth_request(eur(amount), at=merchant(mcc)), TODAY
    )

    assert (decision.reason, decision.limit) == (reason, limit)
    assert decision.spend_kind is (
        SpendKind.ATM_WITHDRAWAL if mcc == "6011" else SpendKind.PURCHASE
    )


def test_an_advice_is_never_declined_locally_but_says_what_it_would_have_got() -> None:
    advice = auth_request(eur(9999), kind=AuthorizationKind.ADVICE)

    decision = decide(active_card(), advice)

    assert decision.pending_funds
    assert decision.advisory_reason is DeclineReason.LIMIT_EXCEEDED_TRANSACTION
    assert decision.limit is LimitKind.TRANSACTION


def test_a_request_for_another_card_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        decide(active_card(), auth_request(card_id="card-2"))

    assert refused.value.code == "INVALID_AUTHORIZATION"


def test_deciding_is_deterministic() -> None:
    card, request = active_card(), auth_request(eur(4000), at=merchant("6011"))

    assert {decide(card, request) for _ in range(5)} == {decide(card, request)}


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("amount", {"amount": eur(0)}),
        ("amount", {"amount": eur(-5)}),
        ("processorId", {"processor_id": " "}),
        ("cardId", {"card_id": "card 1"}),
    ],
)
def test_a_malformed_processor_request_is_refused(field: str, overrides: dict[str, object]) -> None:
    values: dict[str, object] = {
        "processor_id": "p-1",
        "card_id": "card-1",
        "amount": eur(100),
        "merchant": merchant(),
    }
    values.update(overrides)

    with pytest.raises(InvalidInput) as refused:
        AuthorizationRequest(**values)  # type: ignore[arg-type]

    assert refused.value.code == "INVALID_AUTHORIZATION"
    assert refused.value.problems[0].field == field


def test_funds_refusals_map_to_decline_reasons() -> None:
    assert (
        DeclineReason.from_funds_refusal("INSUFFICIENT_FUNDS") is DeclineReason.INSUFFICIENT_FUNDS
    )
    assert (
        DeclineReason.from_funds_refusal("ACCOUNT_NOT_ACTIVE")
        is DeclineReason.ACCOUNT_NOT_AVAILABLE
    )
    assert DeclineReason.from_funds_refusal("ALREADY_RELEASED") is DeclineReason.FUNDS_TIMEOUT
    assert DeclineReason.from_funds_refusal("SOMETHING_NEW") is DeclineReason.FUNDS_UNAVAILABLE
    assert {DeclineReason.for_limit(kind) for kind in LimitKind} <= set(DeclineReason)
