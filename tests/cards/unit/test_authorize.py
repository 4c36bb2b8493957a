"""Authorize through fakes: approval, local declines in order, limits, funds and the deadline."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from cards.application.authorizations.authorize import Authorize
from cards.domain.authorization_decision import (
    AuthorizationRequest,
    DeclineReason,
)
from cards.domain.authorization_values import AuthorizationStatus, ProcessorDecision
from cards.domain.card import Card
from cards.domain.controls import SpendControls
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import CardStatus
from shared_kernel.domain.money import Money
from tests.cards.authorization_fakes import FakeCardsUnitOfWork
from tests.cards.authorization_world import DEADLINE, LIMITS, World
from tests.cards.card_builders import NOW, auth_request, card_in, eur, merchant, profile

pytestmark = pytest.mark.unit


@pytest.fixture
def world() -> World:
    return World()


# Approval -------------------------------------------------------------------------------------


async def test_an_active_card_with_funds_is_approved_and_stored(world: World) -> None:
    answer = await world.authorize(auth_request(eur(1250)))

    assert answer.decision is ProcessorDecision.APPROVED
    assert answer.reason is None
    assert not answer.replayed
    stored = world.store.authorization("proc-auth-1")
    assert stored.authorization_id == answer.authorization_id
    assert stored.status is AuthorizationStatus.APPROVED
    assert stored.decided_at == NOW
    assert world.store.commits == 2  # stored before the decision, then decided
    assert world.store.published == []


async def test_the_hold_is_asked_with_the_card_id_and_last_four_digits_only(world: World) -> None:
    answer = await world.authorize(auth_request(eur(1250), at=merchant("6011", "PT", "ATM Lisboa")))

    [request] = world.funds.requests
    assert world.funds.timeouts == [DEADLINE]
    assert request.authorization_id == answer.authorization_id
    assert (request.customer_id, request.account_id) == ("cust-1", "acc-1")
    assert (request.card_id, request.card_last4) == ("card-1", "4242")
    assert (request.amount_minor, request.currency) == (1250, "EUR")
    assert (request.merchant_name, request.merchant_mcc, request.merchant_country) == (
        "ATM Lisboa",
        "6011",
        "PT",
    )
    assert request.transaction_type == "ATM_WITHDRAWAL"
    assert request.requested_at == NOW


# Local declines, in the order the checks run ------------------------------------------------


def _card(status: CardStatus = CardStatus.ACTIVE, **overrides: Any) -> Card:
    return card_in(status, limits=LIMITS, **overrides)


LOCAL_DECLINES: list[tuple[DeclineReason, Card | None, AuthorizationRequest]] = [
    (DeclineReason.CARD_NOT_FOUND, None, auth_request(card_id="card-404")),
    (DeclineReason.CARD_CLOSED, _card(status=CardStatus.CLOSED), auth_request()),
    (DeclineReason.CARD_CLOSED, _card(status=CardStatus.CANCELLED), auth_request()),
    (DeclineReason.CARD_BLOCKED, _card(status=CardStatus.BLOCKED), auth_request()),
    (DeclineReason.CARD_NOT_ACTIVE, _card(status=CardStatus.SUSPENDED), auth_request()),
    (DeclineReason.CARD_NOT_ACTIVE, _card(status=CardStatus.PENDING_ACTIVATION), auth_request()),
    (
        DeclineReason.CARD_READ_ONLY,
        Card(profile=profile(), status=CardStatus.ACTIVE, issued_at=NOW, read_only=True),
        auth_request(),
    ),
    (DeclineReason.CARD_EXPIRED, _card(expiry=Expiry(month=5, year=2030)), auth_request()),
    (DeclineReason.CURRENCY_NOT_SUPPORTED, _card(), auth_request(Money.of(1000, "USD"))),
    (
        DeclineReason.ATM_NOT_ALLOWED,
        _card(controls=SpendControls(cash_allowed=False)),
        auth_request(at=merchant("6011")),
    ),
    (DeclineReason.MCC_BLOCKED, _card(), auth_request(at=merchant("7995"))),
    (
        DeclineReason.COUNTRY_BLOCKED,
        _card(controls=SpendControls(blocked_countries=frozenset({"RU"}))),
        auth_request(at=merchant(country="RU")),
    ),
    (DeclineReason.LIMIT_EXCEEDED_TRANSACTION, _card(), auth_request(eur(50_001))),
]


@pytest.mark.parametrize(
    ("reason", "card", "request_"),
    LOCAL_DECLINES,
    ids=[f"{n:02d}-{reason.value}" for n, (reason, _, _) in enumerate(LOCAL_DECLINES)],
)
async def test_a_local_decline_is_stored_and_answered_without_asking_for_funds(
    reason: DeclineReason, card: Card | None, request_: AuthorizationRequest
) -> None:
    world = World(card)
    if card is None:
        world.store.cards.clear()

    answer = await world.authorize(request_)

    assert (answer.decision, answer.reason) == (ProcessorDecision.DECLINED, reason)
    assert world.funds.requests == []
    stored = world.store.authorization(request_.processor_id)
    assert (stored.status, stored.decline_reason) == (AuthorizationStatus.DECLINED, reason)
    assert world.store.commits == 1
    assert world.store.published == []


async def test_the_first_failing_check_is_the_reason() -> None:
    card = _card(status=CardStatus.SUSPENDED, expiry=Expiry(month=5, year=2030))

    answer = await World(card).authorize(auth_request(eur(99_999), at=merchant("7995")))

    assert answer.reason is DeclineReason.CARD_NOT_ACTIVE


async def test_an_unknown_card_is_declined_with_no_tenant_or_account() -> None:
    world = World()

    await world.authorize(auth_request(card_id="card-404"))

    stored = world.store.authorization("proc-auth-1")
    assert (stored.tenant_id, stored.account_id) == (None, None)


# Limits over what the card already spent ----------------------------------------------------


async def test_spend_already_approved_today_counts_against_the_daily_limit(world: World) -> None:
    assert (await world.spend(45_000, 1)).decision is ProcessorDecision.APPROVED
    assert (await world.spend(45_000, 2)).decision is ProcessorDecision.APPROVED

    answer = await world.spend(10_001, 3)

    assert answer.reason is DeclineReason.LIMIT_EXCEEDED_DAILY
    assert len(world.funds.requests) == 2


async def test_the_operations_limit_counts_todays_approved_purchases(world: World) -> None:
    for n in range(3):
        await world.spend(100, n)

    assert (await world.spend(100, 9)).reason is DeclineReason.LIMIT_EXCEEDED_OPERATIONS


async def test_a_declined_authorization_spends_nothing(world: World) -> None:
    world.funds.refuse("INSUFFICIENT_FUNDS")
    await world.spend(50_000, 1)
    await world.spend(50_000, 2)

    assert (await world.spend(50_000, 3)).decision is ProcessorDecision.APPROVED


async def test_earlier_days_count_against_the_monthly_limit_and_months_against_lifetime(
    world: World,
) -> None:
    for n in range(4):
        await world.spend(50_000, n)
        world.clock.advance(timedelta(days=1).total_seconds())
    assert (await world.spend(1, 10)).reason is DeclineReason.LIMIT_EXCEEDED_MONTHLY

    world.clock.now = NOW.replace(month=7)
    for n in range(20, 22):
        await world.spend(50_000, n)
    world.clock.advance(timedelta(days=1).total_seconds())
    assert (await world.spend(1, 30)).reason is DeclineReason.LIMIT_EXCEEDED_LIFETIME


# Funds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refusal", "reason"),
    [
        ("INSUFFICIENT_FUNDS", DeclineReason.INSUFFICIENT_FUNDS),
        ("ACCOUNT_NOT_FOUND", DeclineReason.ACCOUNT_NOT_AVAILABLE),
        ("ACCOUNT_NOT_ACTIVE", DeclineReason.ACCOUNT_NOT_AVAILABLE),
        ("CURRENCY_MISMATCH", DeclineReason.CURRENCY_NOT_SUPPORTED),
        ("SOMETHING_NEW", DeclineReason.FUNDS_UNAVAILABLE),
    ],
)
async def test_a_refused_hold_declines_with_its_reason_and_releases_nothing(
    world: World, refusal: str, reason: DeclineReason
) -> None:
    world.funds.refuse(refusal)

    answer = await world.authorize(auth_request())

    assert (answer.decision, answer.reason) == (ProcessorDecision.DECLINED, reason)
    assert world.store.authorization("proc-auth-1").status is AuthorizationStatus.DECLINED
    assert world.store.published == []


async def test_no_answer_in_time_is_a_recorded_fallback_decline_that_voids_a_late_hold(
    world: World,
) -> None:
    world.funds.arm(None)

    answer = await world.authorize(auth_request(eur(1250)))

    assert (answer.decision, answer.reason) == (
        ProcessorDecision.DECLINED,
        DeclineReason.FUNDS_TIMEOUT,
    )
    assert world.store.authorization("proc-auth-1").decline_reason is DeclineReason.FUNDS_TIMEOUT
    [void] = world.store.releases()
    assert (void.action, void.authorization_id, void.hold_id) == (
        "VOID",
        answer.authorization_id,
        answer.authorization_id,
    )
    assert (void.amount_minor, void.currency, void.card_id) == (1250, "EUR", "card-1")
    assert (void.customer_id, void.account_id) == ("cust-1", "acc-1")


async def test_a_funds_adapter_overrunning_the_deadline_is_cut_off(world: World) -> None:
    world.funds.delay = 5.0
    authorize = Authorize(
        lambda: FakeCardsUnitOfWork(world.store), world.funds, clock=world.clock, deadline=0.01
    )

    answer = await asyncio.wait_for(authorize(auth_request()), timeout=1)

    assert answer.reason is DeclineReason.FUNDS_TIMEOUT
    assert [r.action for r in world.store.releases()] == ["VOID"]


async def test_a_failing_funds_adapter_falls_back_like_a_timeout(world: World) -> None:
    world.funds.arm(ConnectionResetError("broker gone"))

    answer = await world.authorize(auth_request())

    assert answer.reason is DeclineReason.FUNDS_TIMEOUT
    assert [r.action for r in world.store.releases()] == ["VOID"]


async def test_a_hold_refused_after_our_void_is_declined_as_a_timeout(world: World) -> None:
    world.funds.refuse("ALREADY_RELEASED")

    answer = await world.authorize(auth_request())

    assert answer.reason is DeclineReason.FUNDS_TIMEOUT
