"""Authorize through fakes: replays, requests racing on one processor id, and advices."""

from __future__ import annotations

import pytest

from cards.application.authorizations.authorize import (
    AUTHORIZATION_IN_PROGRESS,
    AuthorizationAnswer,
)
from cards.application.ports.funds import FundsAnswer
from cards.domain.authorization_decision import (
    AuthorizationKind,
    AuthorizationRequest,
    DeclineReason,
)
from cards.domain.authorization_values import AuthorizationStatus, ProcessorDecision
from cards.domain.lifecycle import CardStatus
from shared_kernel.domain.errors import Conflict
from tests.cards.authorization_world import LIMITS, World
from tests.cards.card_builders import auth_request, card_in, eur, merchant
from tests.cards.funds_fakes import Crash

pytestmark = pytest.mark.unit


@pytest.fixture
def world() -> World:
    return World()


# Replays -------------------------------------------------------------------------------------


async def test_the_same_request_again_gets_the_stored_decision_without_asking_again(
    world: World,
) -> None:
    first = await world.authorize(auth_request(eur(1250)))
    world.funds.refuse("INSUFFICIENT_FUNDS")  # would decline, were it asked

    again = await world.authorize(auth_request(eur(1250)))

    assert again == AuthorizationAnswer(
        first.authorization_id, ProcessorDecision.APPROVED, None, replayed=True
    )
    assert len(world.funds.requests) == 1


async def test_a_replayed_decline_is_declined_again(world: World) -> None:
    world.funds.refuse("INSUFFICIENT_FUNDS")
    await world.authorize(auth_request())

    again = await world.authorize(auth_request())

    assert (again.reason, again.replayed) == (DeclineReason.INSUFFICIENT_FUNDS, True)


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        (auth_request(eur(1251)), "amount"),
        (auth_request(eur(1250), card_id="card-2"), "cardId"),
        (auth_request(eur(1250), at=merchant("5812")), "merchant"),
        (auth_request(eur(1250), kind=AuthorizationKind.ADVICE), "kind"),
    ],
)
async def test_another_request_under_a_used_processor_id_is_a_conflict_and_changes_nothing(
    world: World, changed: AuthorizationRequest, field: str
) -> None:
    world.store.put_card(card_in(CardStatus.ACTIVE, card_id="card-2"))
    await world.authorize(auth_request(eur(1250)))
    before = (world.store.commits, dict(world.store.authorizations), list(world.funds.requests))

    with pytest.raises(Conflict) as conflict:
        await world.authorize(changed)

    assert conflict.value.code == "AUTHORIZATION_MISMATCH"
    assert field in conflict.value.message
    assert (world.store.commits, world.store.authorizations, world.funds.requests) == before


async def test_the_same_request_while_the_first_waits_for_funds_is_told_to_retry(
    world: World,
) -> None:
    refused: list[Conflict] = []

    async def replay_meanwhile(_: object) -> None:
        try:
            await world.authorize(auth_request())
        except Conflict as error:
            refused.append(error)

    world.funds.on_reserve = replay_meanwhile

    answer = await world.authorize(auth_request())

    assert [error.code for error in refused] == [AUTHORIZATION_IN_PROGRESS]
    assert answer.decision is ProcessorDecision.APPROVED


async def test_a_request_abandoned_while_waiting_for_funds_is_declined_by_its_replay(
    world: World,
) -> None:
    world.funds.arm(Crash())
    with pytest.raises(Crash):
        await world.authorize(auth_request())
    assert world.store.authorization("proc-auth-1").status is AuthorizationStatus.PENDING_FUNDS

    world.clock.advance(10)
    answer = await world.authorize(auth_request())

    assert (answer.reason, answer.replayed) == (DeclineReason.FUNDS_TIMEOUT, True)
    assert [r.action for r in world.store.releases()] == ["VOID"]
    assert len(world.funds.requests) == 1


async def test_an_answer_arriving_after_the_replay_gave_up_keeps_the_replays_decline(
    world: World,
) -> None:
    async def abandon_meanwhile(_: object) -> None:
        world.clock.advance(10)
        await world.authorize(auth_request())

    world.funds.on_reserve = abandon_meanwhile

    answer = await world.authorize(auth_request())  # the hold itself is approved, too late

    assert answer.reason is DeclineReason.FUNDS_TIMEOUT
    assert world.store.authorization("proc-auth-1").status is AuthorizationStatus.DECLINED
    assert [r.action for r in world.store.releases()] == ["VOID"]


@pytest.mark.parametrize(
    ("theirs", "outcome"),
    [(auth_request(), "replayed"), (auth_request(eur(1)), "AUTHORIZATION_MISMATCH")],
    ids=["same-request", "other-request"],
)
async def test_a_processor_id_stored_by_a_concurrent_request_wins(
    world: World, theirs: AuthorizationRequest, outcome: str
) -> None:
    async def concurrent_request_commits_first() -> None:
        await world.authorize(theirs)

    world.store.before_add = concurrent_request_commits_first

    try:
        answer = await world.authorize(auth_request())
        result = "replayed" if answer.replayed else "new"
    except Conflict as conflict:
        result = conflict.code

    assert result == outcome
    assert len(world.store.authorizations) == 1
    assert len(world.funds.requests) == 1


# Advices -------------------------------------------------------------------------------------


async def test_an_advice_is_approved_whatever_the_card_and_still_asks_for_the_hold() -> None:
    world = World(card_in(CardStatus.SUSPENDED, limits=LIMITS))

    answer = await world.authorize(auth_request(eur(99_999), kind=AuthorizationKind.ADVICE))

    assert (answer.decision, answer.reason) == (ProcessorDecision.APPROVED, None)
    assert [r.amount_minor for r in world.funds.requests] == [99_999]


@pytest.mark.parametrize("funds", [FundsAnswer(approved=False, reason="INSUFFICIENT_FUNDS"), None])
async def test_an_advice_stays_approved_when_its_hold_is_refused_or_late(
    world: World, funds: FundsAnswer | None
) -> None:
    world.funds.arm(funds)

    answer = await world.authorize(auth_request(kind=AuthorizationKind.ADVICE))

    assert answer.decision is ProcessorDecision.APPROVED
    # No VOID: a hold placed late is what the stand-in approval's clearing will post.
    assert world.store.published == []


async def test_an_advice_for_an_unknown_card_is_declined(world: World) -> None:
    answer = await world.authorize(auth_request(card_id="nope", kind=AuthorizationKind.ADVICE))

    assert answer.reason is DeclineReason.CARD_NOT_FOUND


async def test_an_abandoned_advice_is_approved_by_its_replay(world: World) -> None:
    world.funds.arm(Crash())
    with pytest.raises(Crash):
        await world.authorize(auth_request(kind=AuthorizationKind.ADVICE))
    world.clock.advance(10)

    answer = await world.authorize(auth_request(kind=AuthorizationKind.ADVICE))

    assert (answer.decision, answer.replayed) == (ProcessorDecision.APPROVED, True)
    assert world.store.published == []
