"""The sweep of authorizations a crash left waiting for funds: declined (or approved) once."""

from __future__ import annotations

import pytest

from cards.application.authorizations.abandoned import FinishAbandonedAuthorizations
from cards.application.authorizations.authorize import Authorize
from cards.domain.authorization_decision import AuthorizationKind, DeclineReason
from cards.domain.authorization_values import AuthorizationStatus
from cards.domain.lifecycle import CardStatus
from tests.cards.authorization_fakes import (
    FakeCardsStore,
    FakeCardsUnitOfWork,
    FakeClock,
    FakePendingAuthorizations,
)
from tests.cards.card_builders import auth_request, card_in
from tests.cards.funds_fakes import Crash, FakeFundsReservation

pytestmark = pytest.mark.unit


class World:
    def __init__(self) -> None:
        self.store = FakeCardsStore()
        self.store.put_card(card_in(CardStatus.ACTIVE))
        self.funds = FakeFundsReservation()
        self.clock = FakeClock()
        self.authorize = Authorize(self.unit, self.funds, clock=self.clock)
        self.sweep = FinishAbandonedAuthorizations(
            self.unit,
            FakePendingAuthorizations(self.store),
            clock=self.clock,
            abandoned_after=5,
        )

    def unit(self) -> FakeCardsUnitOfWork:
        return FakeCardsUnitOfWork(self.store)

    async def crash_while_waiting(
        self, processor_id: str, kind: AuthorizationKind = AuthorizationKind.AUTHORIZATION
    ) -> None:
        self.funds.arm(Crash())
        with pytest.raises(Crash):
            await self.authorize(auth_request(processor_id=processor_id, kind=kind))


@pytest.fixture
def world() -> World:
    return World()


async def test_an_authorization_left_waiting_is_declined_and_its_hold_voided(world: World) -> None:
    await world.crash_while_waiting("p-1")
    world.clock.advance(6)

    assert await world.sweep() == 1

    stored = world.store.authorization("p-1")
    assert (stored.status, stored.decline_reason) == (
        AuthorizationStatus.DECLINED,
        DeclineReason.FUNDS_TIMEOUT,
    )
    assert [(r.action, r.authorization_id) for r in world.store.releases()] == [
        ("VOID", stored.authorization_id)
    ]
    assert await world.sweep() == 0


async def test_an_authorization_still_within_its_time_is_left_alone(world: World) -> None:
    await world.crash_while_waiting("p-1")
    world.clock.advance(4)

    assert await world.sweep() == 0
    assert world.store.authorization("p-1").status is AuthorizationStatus.PENDING_FUNDS


async def test_an_advice_left_waiting_is_approved(world: World) -> None:
    await world.crash_while_waiting("p-1", kind=AuthorizationKind.ADVICE)
    world.clock.advance(6)

    await world.sweep()

    assert world.store.authorization("p-1").status is AuthorizationStatus.APPROVED
    assert world.store.published == []


async def test_one_that_cannot_be_finished_does_not_stop_the_others(world: World) -> None:
    await world.crash_while_waiting("p-1")
    await world.crash_while_waiting("p-2")
    world.clock.advance(6)
    world.store.unwritable.add(world.store.authorization("p-1").authorization_id)

    assert await world.sweep() == 1
    assert world.store.authorization("p-1").status is AuthorizationStatus.PENDING_FUNDS
    assert world.store.authorization("p-2").status is AuthorizationStatus.DECLINED


class Listing:
    """A finder whose list was read before the authorizations were decided meanwhile."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    async def pending_before(self, cutoff: object, limit: int) -> list[str]:
        return self.ids[:limit]


async def test_an_authorization_decided_since_it_was_listed_is_left_alone(world: World) -> None:
    await world.authorize(auth_request(processor_id="p-1"))
    approved = world.store.authorization("p-1")
    sweep = FinishAbandonedAuthorizations(world.unit, Listing([approved.authorization_id, "gone"]))

    assert await sweep() == 0
    assert world.store.authorization("p-1").status is AuthorizationStatus.APPROVED
    assert world.store.published == []
