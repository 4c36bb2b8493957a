"""The card's state machine: every allowed and forbidden transition, and Toqio's statuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.domain.card import Card
from cards.domain.card_types import CardForm, FundingType
from cards.domain.lifecycle import (
    ACTION_RULES,
    ALLOWED_TRANSITIONS,
    ISSUER_CHANNELS,
    TERMINAL_STATUSES,
    TOQIO_STATUS,
    Actor,
    CardAction,
    CardStatus,
    ChangeContext,
    Channel,
    ToqioCardStatus,
    is_issuer_only,
    to_toqio,
    transition_is_allowed,
)
from cards.domain.lifecycle import CardTransition as Transition
from shared_kernel.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotImplementedByProvider,
    RuleViolated,
)
from tests.cards.card_builders import (
    ISSUER,
    NOW,
    TOQIO,
    card_in,
    context,
    profile,
)

pytestmark = pytest.mark.unit

LIFECYCLE_ACTIONS = tuple(ACTION_RULES)
METHODS: dict[CardAction, Callable[[Card, ChangeContext], Transition | None]] = {
    CardAction.ACTIVATE: Card.activate,
    CardAction.RESUME: Card.resume,
    CardAction.SUSPEND: Card.suspend,
    CardAction.BLOCK: Card.block,
    CardAction.UNBLOCK: Card.unblock,
    CardAction.CANCEL: Card.cancel,
    CardAction.CLOSE: Card.close,
    CardAction.DELETE: Card.delete,
}


def _state(card: Card) -> tuple[object, ...]:
    return (card.status, card.version, card.is_deleted, card.alias, card.limits, card.read_only)


# The tables ------------------------------------------------------------------------------------


def test_every_action_rule_moves_along_the_transition_table() -> None:
    for action, rule in ACTION_RULES.items():
        for source in rule.sources:
            assert rule.target in ALLOWED_TRANSITIONS[source], (action, source)
            assert rule.issuer_only == is_issuer_only(source, rule.target), (action, source)


def test_every_transition_in_the_table_is_reachable_by_some_action() -> None:
    reachable = {(source, rule.target) for rule in ACTION_RULES.values() for source in rule.sources}
    table = {(s, t) for s, targets in ALLOWED_TRANSITIONS.items() for t in targets}
    assert reachable == table


def test_terminal_statuses_have_no_way_out() -> None:
    assert {s for s in CardStatus if s.is_terminal} == TERMINAL_STATUSES
    assert {CardStatus.CANCELLED, CardStatus.CLOSED} == TERMINAL_STATUSES
    for status in TERMINAL_STATUSES:
        assert ALLOWED_TRANSITIONS[status] == frozenset()


def test_only_the_issuer_blocks_and_lifts_a_block() -> None:
    for source, targets in ALLOWED_TRANSITIONS.items():
        for target in targets:
            for channel in Channel:
                allowed = transition_is_allowed(source, target, channel)
                assert allowed == (channel in ISSUER_CHANNELS or not is_issuer_only(source, target))
    assert not transition_is_allowed(CardStatus.ACTIVE, CardStatus.BLOCKED, Channel.TOQIO_API)
    assert not transition_is_allowed(CardStatus.BLOCKED, CardStatus.ACTIVE, Channel.PROCESSOR)
    assert transition_is_allowed(CardStatus.BLOCKED, CardStatus.CANCELLED, Channel.TOQIO_API)
    assert not transition_is_allowed(CardStatus.CLOSED, CardStatus.ACTIVE, Channel.ISSUER_OPS)


# Issue -----------------------------------------------------------------------------------------


def test_a_virtual_card_is_active_as_soon_as_it_is_issued() -> None:
    card = Card.issue(profile(form=CardForm.VIRTUAL), TOQIO)

    assert card.status is CardStatus.ACTIVE
    assert card.version == 1
    [issued] = card.pull_transitions()
    assert issued.action is CardAction.ISSUE
    assert issued.from_status is None
    assert issued.to_status is CardStatus.ACTIVE
    assert (issued.card_id, issued.tenant_id, issued.version) == ("card-1", "cust-1", 1)
    assert (issued.actor, issued.channel, issued.at) == (
        Actor.user("user-1"),
        Channel.TOQIO_API,
        NOW,
    )


def test_a_physical_card_waits_for_activation() -> None:
    card = Card.issue(profile(form=CardForm.PHYSICAL), TOQIO)

    assert card.status is CardStatus.PENDING_ACTIVATION
    assert card.toqio_status is ToqioCardStatus.PENDING


@pytest.mark.parametrize("funding", [FundingType.CREDIT, FundingType.PREPAID])
def test_only_debit_cards_are_issued(funding: FundingType) -> None:
    with pytest.raises(NotImplementedByProvider) as refused:
        Card.issue(profile(funding=funding), TOQIO)

    assert refused.value.code == "FUNCTION_NOT_IMPLEMENTED_YET"
    assert funding.value in refused.value.message


def test_a_card_cannot_be_issued_already_expired() -> None:
    with pytest.raises(InvalidInput) as refused:
        Card.issue(profile(), context(at=datetime(2033, 6, 1, tzinfo=NOW.tzinfo)))

    assert refused.value.problems[0].field == "expiryDate"


def test_issuing_with_limits_in_another_currency_is_refused() -> None:
    from cards.domain.limits import CardLimits

    with pytest.raises(InvalidInput) as refused:
        Card.issue(profile(), TOQIO, limits=CardLimits.none("USD"))

    assert refused.value.problems[0].field == "currency"


# Every allowed transition ----------------------------------------------------------------------

ALLOWED_CASES = [
    (action, source)
    for action, rule in ACTION_RULES.items()
    for source in sorted(rule.sources)
    if source is not rule.target
]


@pytest.mark.parametrize(("action", "source"), ALLOWED_CASES)
def test_each_allowed_transition_moves_the_card_and_is_recorded(
    action: CardAction, source: CardStatus
) -> None:
    card = card_in(source)
    change = context(Channel.ISSUER_OPS, reason=f"{action} in a test")

    transition = METHODS[action](card, change)

    target = ACTION_RULES[action].target
    assert card.status is target
    assert card.version == 4
    assert transition is not None
    assert card.pull_transitions() == [transition]
    assert card.pull_transitions() == []
    assert (transition.from_status, transition.to_status) == (source, target)
    assert transition.action is action
    assert transition.actor == Actor.operator("ops-1")
    assert transition.channel is Channel.ISSUER_OPS
    assert transition.reason == f"{action} in a test"
    assert transition.at == NOW
    assert transition.version == 4


# Every forbidden transition --------------------------------------------------------------------

FORBIDDEN_CASES = [
    (action, source)
    for action, rule in ACTION_RULES.items()
    for source in CardStatus
    if source not in rule.sources and source is not rule.target
]


@pytest.mark.parametrize(("action", "source"), FORBIDDEN_CASES)
def test_each_forbidden_transition_is_refused_and_changes_nothing(
    action: CardAction, source: CardStatus
) -> None:
    card = card_in(source)
    before = _state(card)

    with pytest.raises(Conflict) as refused:
        METHODS[action](card, ISSUER)

    expected = "CARD_TERMINAL_STATE" if source.is_terminal else "CARD_TRANSITION_NOT_ALLOWED"
    assert refused.value.code == expected
    assert "card-1" in refused.value.message
    assert source.value in refused.value.message
    assert _state(card) == before
    assert card.pull_transitions() == []


@pytest.mark.parametrize("terminal", sorted(TERMINAL_STATUSES))
@pytest.mark.parametrize("action", LIFECYCLE_ACTIONS)
def test_a_final_card_is_never_reopened(terminal: CardStatus, action: CardAction) -> None:
    card = card_in(terminal)

    if ACTION_RULES[action].target is terminal:
        assert METHODS[action](card, ISSUER) is None
    else:
        with pytest.raises(Conflict, match="a final status") as refused:
            METHODS[action](card, ISSUER)
        assert refused.value.code == "CARD_TERMINAL_STATE"

    assert card.status is terminal
    assert card.version == 3


@pytest.mark.parametrize("action", LIFECYCLE_ACTIONS)
def test_asking_for_the_status_a_card_has_changes_nothing(action: CardAction) -> None:
    card = card_in(ACTION_RULES[action].target)

    assert METHODS[action](card, ISSUER) is None

    assert card.version == 3
    assert card.pull_transitions() == []


ACTION_NAMES = st.sampled_from(list(METHODS))
CHANNELS = st.sampled_from(list(Channel))


@settings(max_examples=300)
@given(st.sampled_from(list(CardStatus)), st.lists(st.tuples(ACTION_NAMES, CHANNELS), max_size=12))
def test_any_sequence_of_requests_follows_the_table_and_never_leaves_a_final_status(
    start: CardStatus, requests: list[tuple[CardAction, Channel]]
) -> None:
    card = card_in(start)
    for action, channel in requests:
        before = card.status
        try:
            METHODS[action](card, context(channel))
        except DomainError:
            assert card.status is before
            continue
        if card.status is not before:
            assert card.status in ALLOWED_TRANSITIONS[before]
            assert transition_is_allowed(before, card.status, channel)
        if before.is_terminal:
            assert card.status is before
    transitions = card.pull_transitions()
    assert [t.version for t in transitions] == list(range(4, 4 + len(transitions)))


# The issuer's block ----------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [Channel.TOQIO_API, Channel.PROCESSOR])
def test_only_the_issuer_may_block_a_card(channel: Channel) -> None:
    card = card_in(CardStatus.ACTIVE)

    with pytest.raises(RuleViolated) as refused:
        card.block(context(channel))

    assert refused.value.code == "CARD_ISSUER_ONLY"
    assert card.status is CardStatus.ACTIVE


@pytest.mark.parametrize(
    "action", [CardAction.ACTIVATE, CardAction.RESUME, CardAction.UNBLOCK, CardAction.SUSPEND]
)
def test_toqio_cannot_bring_back_a_card_the_issuer_blocked(action: CardAction) -> None:
    card = card_in(CardStatus.BLOCKED)

    with pytest.raises(RuleViolated) as refused:
        METHODS[action](card, TOQIO)

    assert refused.value.code == "CARD_ISSUER_ONLY"
    assert card.status is CardStatus.BLOCKED


def test_toqio_may_still_cancel_a_blocked_card() -> None:
    card = card_in(CardStatus.BLOCKED)

    card.cancel(TOQIO)

    assert card.status is CardStatus.CANCELLED


def test_toqio_activate_unfreezes_a_suspended_card() -> None:
    card = card_in(CardStatus.SUSPENDED)

    card.activate(TOQIO)

    assert card.status is CardStatus.ACTIVE


# Toqio's statuses ------------------------------------------------------------------------------


def test_every_status_maps_to_a_toqio_status_and_every_toqio_status_is_used() -> None:
    assert set(TOQIO_STATUS) == set(CardStatus)
    assert set(TOQIO_STATUS.values()) == set(ToqioCardStatus)
    for status in CardStatus:
        assert card_in(status).toqio_status is to_toqio(status)


def test_a_blocked_card_shows_as_suspended_not_as_final() -> None:
    assert to_toqio(CardStatus.BLOCKED) is ToqioCardStatus.SUSPENDED
    assert to_toqio(CardStatus.PENDING_ACTIVATION) is ToqioCardStatus.PENDING
    for status in TERMINAL_STATUSES:
        assert to_toqio(status).value == status.value
