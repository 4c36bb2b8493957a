"""Changing a card besides its status: delete, alias, read-only, controls, and its values."""

from __future__ import annotations

from datetime import datetime

import pytest

from cards.domain import errors
from cards.domain.lifecycle import (
    Actor,
    ActorKind,
    CardAction,
    CardStatus,
    ChangeContext,
    Channel,
)
from shared_kernel.domain.errors import (
    Conflict,
    InvalidInput,
)
from tests.cards.card_builders import (
    ISSUER,
    NOW,
    TOQIO,
    card_in,
    issued_card,
    profile,
)

pytestmark = pytest.mark.unit


# Delete ----------------------------------------------------------------------------------------


def test_deleting_closes_the_card_and_marks_it_deleted() -> None:
    card = card_in(CardStatus.ACTIVE)

    transition = card.delete(TOQIO)

    assert card.status is CardStatus.CLOSED
    assert card.is_deleted
    assert card.deleted_at == NOW
    assert transition is not None
    assert (transition.action, transition.from_status, transition.to_status) == (
        CardAction.DELETE,
        CardStatus.ACTIVE,
        CardStatus.CLOSED,
    )


def test_deleting_a_cancelled_card_keeps_it_cancelled() -> None:
    card = card_in(CardStatus.CANCELLED)

    transition = card.delete(TOQIO)

    assert card.status is CardStatus.CANCELLED
    assert card.is_deleted
    assert transition is not None
    assert transition.from_status is transition.to_status is CardStatus.CANCELLED


def test_deleting_twice_changes_nothing_the_second_time() -> None:
    card = card_in(CardStatus.SUSPENDED)
    card.delete(TOQIO)
    version = card.version

    assert card.delete(TOQIO) is None

    assert card.version == version


def test_a_deleted_card_cannot_be_renamed_or_given_new_limits() -> None:
    card = card_in(CardStatus.ACTIVE)
    card.delete(TOQIO)

    with pytest.raises(Conflict) as refused:
        card.rename("Travel")
    assert refused.value.code == "CARD_DELETED"
    with pytest.raises(Conflict):
        card.change_limits(card.limits)
    with pytest.raises(Conflict):
        card.activate(ISSUER)


# Other changes ---------------------------------------------------------------------------------


def test_renaming_sets_and_clears_the_alias() -> None:
    card = issued_card()

    assert card.rename("  Travel  ") is True
    assert card.alias == "Travel"
    assert card.version == 2
    assert card.rename("Travel") is False
    assert card.version == 2
    assert card.rename("   ") is True
    assert card.alias is None


@pytest.mark.parametrize(
    "alias",
    ["x" * 26, "bad\nalias", "card 4242424242424242", 42],
    ids=["long", "ctrl", "pan", "not-text"],
)
def test_a_bad_alias_is_refused_naming_the_field(alias: object) -> None:
    card = issued_card()

    with pytest.raises(InvalidInput) as refused:
        card.rename(alias)  # type: ignore[arg-type]

    assert refused.value.problems[0].field == "alias"
    assert "4242424242424242" not in refused.value.message
    assert card.alias is None
    assert card.version == 1


def test_a_closed_card_cannot_be_renamed() -> None:
    card = card_in(CardStatus.CLOSED)

    with pytest.raises(Conflict) as refused:
        card.rename("Travel")

    assert refused.value.code == "CARD_TERMINAL_STATE"


def test_read_only_is_set_and_lifted() -> None:
    card = issued_card()

    assert card.set_read_only(True) is True
    assert card.read_only
    assert card.set_read_only(True) is False
    assert card.set_read_only(False) is True
    assert card.version == 3


def test_controls_can_be_changed_while_the_card_lives() -> None:
    from cards.domain.controls import SpendControls

    card = issued_card()
    controls = SpendControls(blocked_countries=frozenset({"RU"}))

    assert card.change_controls(controls) is True
    assert card.controls == controls
    assert card.change_controls(controls) is False


# Values ----------------------------------------------------------------------------------------


def test_a_change_needs_a_reason_and_an_aware_time() -> None:
    with pytest.raises(InvalidInput):
        ChangeContext(actor=Actor.system(), channel=Channel.SYSTEM, reason="  ", at=NOW)
    with pytest.raises(InvalidInput):
        ChangeContext(actor=Actor.system(), channel=Channel.SYSTEM, reason="x" * 501, at=NOW)
    with pytest.raises(InvalidInput):
        ChangeContext(
            actor=Actor.system(), channel=Channel.SYSTEM, reason="ok", at=datetime(2030, 1, 1)
        )
    with pytest.raises(InvalidInput):
        Actor(ActorKind.USER, " ")
    assert str(Actor.operator("ops-7")) == "ISSUER_OPERATOR:ops-7"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("last4", "42a2", "truncatedPan"),
        ("pan_ref", "4242424242424242", "panRef"),
        ("pan_ref", "", "panRef"),
        ("name_on_card", "A" * 22, "nameOnCard"),
        ("card_id", "card 1", "cardId"),
        ("tenant_id", "", "customerId"),
        ("user_id", "u" * 129, "userId"),
        ("replaces_card_id", "a/b", "replacesCardId"),
    ],
)
def test_a_card_with_a_bad_value_is_refused_naming_the_field(
    field: str, value: str, named: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        profile(**{field: value})

    assert refused.value.code == "INVALID_CARD"
    assert refused.value.problems[0].field == named
    assert "4242424242424242" not in refused.value.message


def test_a_card_shows_neither_its_pan_reference_nor_its_holder() -> None:
    card = issued_card()

    assert "vault" not in repr(card)
    assert "ADA" not in repr(card)
    assert "vault" not in repr(card.profile)
    assert card.issued_at == NOW
    assert repr(card) == "Card(card_id='card-1', status=ACTIVE, v1)"


def test_cards_are_the_same_entity_when_their_ids_are() -> None:
    assert card_in(CardStatus.ACTIVE) == card_in(CardStatus.SUSPENDED)
    assert card_in(CardStatus.ACTIVE) != card_in(CardStatus.ACTIVE, card_id="card-2")
    assert len({card_in(CardStatus.ACTIVE), card_in(CardStatus.CLOSED)}) == 1
    assert card_in(CardStatus.ACTIVE) != "card-1"


def test_errors_name_the_card_and_both_statuses() -> None:
    error = errors.transition_not_allowed("card-9", "PENDING_ACTIVATION", "SUSPENDED", "suspended")

    assert error.message == (
        "card card-9 cannot be suspended: a PENDING_ACTIVATION card cannot become SUSPENDED"
    )
    assert errors.card_not_found("card-9").code == "CARD_NOT_FOUND"
    assert errors.function_not_implemented("TOTP").code == "FUNCTION_NOT_IMPLEMENTED_YET"
