"""Clearing and reversal through fakes: the hold posted or voided once, whatever the card."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cards.application.authorizations.authorize import Authorize
from cards.application.authorizations.settle import (
    ClearAuthorization,
    ReverseAuthorization,
    Settlement,
)
from cards.domain.authorization_values import AuthorizationStatus, OperationKind
from cards.domain.lifecycle import CardStatus
from cards.domain.limits import CardLimits, LimitKind
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound, RuleViolated
from tests.cards.authorization_fakes import FakeCardsStore, FakeCardsUnitOfWork, FakeClock
from tests.cards.card_builders import TOQIO, auth_request, card_in, eur
from tests.cards.funds_fakes import FakeFundsReservation

pytestmark = pytest.mark.unit


class World:
    """One active card with an approved authorization of 100.00 EUR under ``AUTH``."""

    def __init__(self) -> None:
        self.store = FakeCardsStore()
        limits = CardLimits.of("EUR", {LimitKind.DAILY: eur(15_000)})
        self.store.put_card(card_in(CardStatus.ACTIVE, limits=limits))
        self.funds = FakeFundsReservation()
        self.clock = FakeClock()
        self.authorize = Authorize(self.unit, self.funds, clock=self.clock)
        self.clear = ClearAuthorization(self.unit, clock=self.clock)
        self.reverse = ReverseAuthorization(self.unit, clock=self.clock)
        self.authorization_id = ""

    def unit(self) -> FakeCardsUnitOfWork:
        return FakeCardsUnitOfWork(self.store)

    async def approve(self, minor: int = 10_000, processor_id: str = "auth-1") -> str:
        answer = await self.authorize(auth_request(eur(minor), processor_id=processor_id))
        self.authorization_id = answer.authorization_id
        return answer.authorization_id

    def settlement(self, amount: str, processor_id: str = "op-1") -> Settlement:
        return Settlement(
            processor_id=processor_id,
            authorization_id=self.authorization_id,
            amount=Decimal(amount),
        )

    def close_card(self) -> None:
        card = self.store.cards["card-1"]
        card.close(TOQIO)
        card.pull_transitions()


@pytest.fixture
async def world() -> World:
    world = World()
    await world.approve()
    return world


# Clearing ------------------------------------------------------------------------------------


async def test_a_full_clearing_posts_the_whole_hold(world: World) -> None:
    answer = await world.clear(world.settlement("100.00"))

    assert (answer.status, answer.kind, answer.amount) == (
        AuthorizationStatus.CLEARED,
        OperationKind.CLEARING,
        eur(10_000),
    )
    [post] = world.store.releases()
    assert (post.action, post.amount_minor, post.hold_id) == (
        "POST",
        10_000,
        world.authorization_id,
    )
    assert (post.customer_id, post.account_id, post.card_id, post.currency) == (
        "cust-1",
        "acc-1",
        "card-1",
        "EUR",
    )


async def test_a_partial_clearing_on_a_card_closed_since_posts_what_was_cleared(
    world: World,
) -> None:
    world.close_card()

    answer = await world.clear(world.settlement("60.5"))

    assert (answer.status, answer.amount) == (AuthorizationStatus.CLEARED, eur(6_050))
    assert [(r.action, r.amount_minor) for r in world.store.releases()] == [("POST", 6_050)]
    assert world.store.authorization("auth-1").cleared == eur(6_050)


async def test_a_repeated_clearing_posts_once(world: World) -> None:
    await world.clear(world.settlement("100.00"))

    again = await world.clear(world.settlement("100"))

    assert again.replayed
    assert len(world.store.releases()) == 1


async def test_a_cleared_amount_is_what_the_card_has_spent(world: World) -> None:
    await world.clear(world.settlement("30.00"))

    # 150.00 a day: 100.00 authorized, 30.00 of it cleared and the rest released.
    answer = await world.authorize(auth_request(eur(12_000), processor_id="auth-2"))

    assert answer.reason is None


@pytest.mark.parametrize(
    ("amount", "error", "code"),
    [
        ("100.01", RuleViolated, "CLEARING_EXCEEDS_AUTHORIZATION"),
        ("0", InvalidInput, "INVALID_AUTHORIZATION"),
        ("-1", InvalidInput, "INVALID_AUTHORIZATION"),
        ("10.001", InvalidInput, "INVALID_AMOUNT"),
    ],
)
async def test_a_bad_clearing_amount_is_refused_and_changes_nothing(
    world: World, amount: str, error: type[Exception], code: str
) -> None:
    commits = world.store.commits

    with pytest.raises(error) as refused:
        await world.clear(world.settlement(amount))

    assert getattr(refused.value, "code", None) == code
    assert [p.field for p in getattr(refused.value, "problems", ())] in ([], ["amount"])
    assert world.store.commits == commits
    assert world.store.authorization("auth-1").status is AuthorizationStatus.APPROVED


async def test_too_many_decimals_name_the_amount_field(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        await world.clear(world.settlement("10.001"))

    assert [p.field for p in refused.value.problems] == ["amount"]


async def test_a_clearing_processor_id_reused_with_another_amount_is_a_conflict(
    world: World,
) -> None:
    await world.clear(world.settlement("40.00"))

    with pytest.raises(Conflict) as conflict:
        await world.clear(world.settlement("41.00"))

    assert conflict.value.code == "OPERATION_MISMATCH"
    assert len(world.store.releases()) == 1


async def test_an_unknown_authorization_cannot_be_cleared(world: World) -> None:
    world.authorization_id = "no-such-authorization"

    with pytest.raises(NotFound) as missing:
        await world.clear(world.settlement("1.00"))

    assert missing.value.code == "AUTHORIZATION_NOT_FOUND"


async def test_a_declined_authorization_cannot_be_cleared(world: World) -> None:
    world.funds.refuse("INSUFFICIENT_FUNDS")
    await world.approve(processor_id="auth-declined")

    with pytest.raises(Conflict) as conflict:
        await world.clear(world.settlement("1.00"))

    assert conflict.value.code == "AUTHORIZATION_STATE_CONFLICT"
    assert world.store.releases() == []


# Reversal ------------------------------------------------------------------------------------


async def test_a_full_reversal_voids_the_hold_and_frees_the_limit(world: World) -> None:
    answer = await world.reverse(world.settlement("100.00"))

    assert (answer.status, answer.open_amount) == (AuthorizationStatus.REVERSED, eur(0))
    assert [(r.action, r.amount_minor) for r in world.store.releases()] == [("VOID", 10_000)]
    again = await world.authorize(auth_request(eur(15_000), processor_id="auth-2"))
    assert again.reason is None


async def test_a_partial_reversal_shrinks_what_the_clearing_may_post(world: World) -> None:
    partial = await world.reverse(world.settlement("25.00", "rev-1"))

    assert (partial.status, partial.open_amount) == (AuthorizationStatus.APPROVED, eur(7_500))
    assert world.store.releases() == []
    with pytest.raises(RuleViolated):
        await world.clear(world.settlement("80.00", "clr-1"))

    await world.clear(world.settlement("75.00", "clr-2"))

    assert [(r.action, r.amount_minor) for r in world.store.releases()] == [("POST", 7_500)]


async def test_reversing_the_rest_after_a_partial_reversal_voids_the_hold(world: World) -> None:
    await world.reverse(world.settlement("25.00", "rev-1"))

    answer = await world.reverse(world.settlement("75.00", "rev-2"))

    assert answer.status is AuthorizationStatus.REVERSED
    assert [(r.action, r.amount_minor) for r in world.store.releases()] == [("VOID", 7_500)]


async def test_a_repeated_reversal_voids_once(world: World) -> None:
    await world.reverse(world.settlement("100.00"))

    again = await world.reverse(world.settlement("100.00"))

    assert again.replayed
    assert len(world.store.releases()) == 1


async def test_a_cleared_authorization_cannot_be_reversed(world: World) -> None:
    await world.clear(world.settlement("100.00", "clr-1"))

    with pytest.raises(Conflict) as conflict:
        await world.reverse(world.settlement("1.00", "rev-1"))

    assert conflict.value.code == "AUTHORIZATION_STATE_CONFLICT"


async def test_a_reversal_of_more_than_is_open_is_refused(world: World) -> None:
    with pytest.raises(RuleViolated) as refused:
        await world.reverse(world.settlement("100.01"))

    assert refused.value.code == "REVERSAL_EXCEEDS_AUTHORIZATION"
