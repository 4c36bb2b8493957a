"""Replacing a card: expired or damaged keeps the PAN, lost or stolen gets a new one."""

from __future__ import annotations

from typing import Any

import pytest

from cards.domain.card import Card
from cards.domain.card_types import CardForm
from cards.domain.controls import SpendControls
from cards.domain.lifecycle import CardAction, CardStatus, Channel, ToqioCardStatus
from cards.domain.limits import CardLimits, LimitKind
from cards.domain.replacement import (
    ReplacementPlan,
    ReplacementReason,
    begin_replacement,
    replace_card,
    replacement_plan,
)
from shared_kernel.domain.errors import Conflict, InvalidInput
from tests.cards.card_builders import (
    EXPIRY,
    PAN_REF,
    card_in,
    context,
    eur,
    issued_card,
    later_expiry,
)

pytestmark = pytest.mark.unit

SYSTEM = context(Channel.SYSTEM, reason="replacement requested")
NEW_PAN_REF = "vault:card-2:PAN"


def old_card(**overrides: Any) -> Card:
    card = issued_card(
        limits=CardLimits.of("EUR", {LimitKind.DAILY: eur(50_000)}),
        controls=SpendControls(blocked_countries=frozenset({"RU"})),
        **overrides,
    )
    card.rename("Travel")
    return card


@pytest.mark.parametrize(
    ("reason", "keeps_pan", "closes_first"),
    [
        (ReplacementReason.EXPIRED, True, False),
        (ReplacementReason.DAMAGED, True, False),
        (ReplacementReason.LOST, False, True),
        (ReplacementReason.STOLEN, False, True),
    ],
)
def test_the_plan_depends_on_why_the_card_is_replaced(
    reason: ReplacementReason, keeps_pan: bool, closes_first: bool
) -> None:
    plan = replacement_plan(reason)

    assert plan == ReplacementPlan(reason, keeps_pan=keeps_pan, closes_old_first=closes_first)
    assert plan.needs_new_pan is not keeps_pan


@pytest.mark.parametrize("reason", [ReplacementReason.EXPIRED, ReplacementReason.DAMAGED])
def test_an_expired_or_damaged_card_is_replaced_with_the_same_pan_and_a_later_expiry(
    reason: ReplacementReason,
) -> None:
    old = old_card()
    plan = begin_replacement(old, reason, SYSTEM)
    assert old.toqio_status is ToqioCardStatus.ACTIVE  # Usable until its successor exists.

    new = replace_card(old, plan, card_id="card-2", expiry=later_expiry(), context=SYSTEM)

    assert new.card_id == "card-2"
    assert new.profile.pan_ref == PAN_REF
    assert new.profile.last4 == old.profile.last4
    assert new.expiry == later_expiry()
    assert new.profile.replaces_card_id == "card-1"
    assert (new.alias, new.limits, new.controls) == (old.alias, old.limits, old.controls)
    assert new.profile.account_id == old.profile.account_id
    assert new.status is CardStatus.ACTIVE
    assert old.status is CardStatus.CLOSED
    [closed] = old.pull_transitions()
    assert (closed.action, closed.to_status) == (CardAction.CLOSE, CardStatus.CLOSED)
    [issued] = new.pull_transitions()
    assert issued.action is CardAction.ISSUE


@pytest.mark.parametrize("reason", [ReplacementReason.LOST, ReplacementReason.STOLEN])
def test_a_lost_or_stolen_card_is_closed_first_and_replaced_with_a_new_pan(
    reason: ReplacementReason,
) -> None:
    old = old_card()

    plan = begin_replacement(old, reason, SYSTEM)

    assert old.status is CardStatus.CLOSED
    new = replace_card(
        old,
        plan,
        card_id="card-2",
        expiry=later_expiry(),
        pan_ref=NEW_PAN_REF,
        last4="1881",
        context=SYSTEM,
    )
    assert new.profile.pan_ref == NEW_PAN_REF
    assert new.profile.last4 == "1881"
    assert new.profile.replaces_card_id == "card-1"
    assert [t.action for t in old.pull_transitions()] == [CardAction.CLOSE]


def test_a_lost_card_stays_closed_when_its_successor_cannot_be_issued() -> None:
    old = old_card()
    plan = begin_replacement(old, ReplacementReason.LOST, SYSTEM)

    with pytest.raises(InvalidInput):
        replace_card(
            old,
            plan,
            card_id="bad id",
            expiry=EXPIRY,
            pan_ref=NEW_PAN_REF,
            last4="1881",
            context=SYSTEM,
        )

    assert old.status is CardStatus.CLOSED


def test_an_expired_card_stays_usable_when_its_successor_cannot_be_issued() -> None:
    old = old_card()
    plan = begin_replacement(old, ReplacementReason.EXPIRED, SYSTEM)

    with pytest.raises(InvalidInput):
        replace_card(old, plan, card_id="bad id", expiry=later_expiry(), context=SYSTEM)

    assert old.status is CardStatus.ACTIVE


def test_a_physical_replacement_waits_for_activation() -> None:
    old = old_card(form=CardForm.PHYSICAL)
    old.activate(context())
    plan = begin_replacement(old, ReplacementReason.DAMAGED, SYSTEM)

    new = replace_card(old, plan, card_id="card-2", expiry=later_expiry(), context=SYSTEM)

    assert new.status is CardStatus.PENDING_ACTIVATION


@pytest.mark.parametrize(
    ("pan_ref", "last4"), [(NEW_PAN_REF, None), (None, "1881"), (NEW_PAN_REF, "1881")]
)
def test_a_replacement_keeping_the_pan_refuses_another_pan(
    pan_ref: str | None, last4: str | None
) -> None:
    old = old_card()
    plan = replacement_plan(ReplacementReason.EXPIRED)

    with pytest.raises(InvalidInput) as refused:
        replace_card(
            old,
            plan,
            card_id="card-2",
            expiry=later_expiry(),
            pan_ref=pan_ref,
            last4=last4,
            context=SYSTEM,
        )

    assert refused.value.code == "INVALID_REPLACEMENT"
    assert old.status is CardStatus.ACTIVE


@pytest.mark.parametrize("expiry", [EXPIRY, later_expiry(years=-1)], ids=["same", "earlier"])
def test_a_replacement_keeping_the_pan_needs_a_later_expiry(expiry: object) -> None:
    old = old_card()

    with pytest.raises(InvalidInput, match="later expiry"):
        replace_card(
            old,
            replacement_plan(ReplacementReason.DAMAGED),
            card_id="card-2",
            expiry=expiry,  # type: ignore[arg-type]
            context=SYSTEM,
        )


@pytest.mark.parametrize(
    ("pan_ref", "last4"), [(None, None), (NEW_PAN_REF, None), (PAN_REF, "1881")]
)
def test_a_replacement_for_a_stolen_card_needs_a_new_pan(
    pan_ref: str | None, last4: str | None
) -> None:
    old = old_card()
    plan = begin_replacement(old, ReplacementReason.STOLEN, SYSTEM)

    with pytest.raises(InvalidInput, match="needs a new PAN"):
        replace_card(
            old,
            plan,
            card_id="card-2",
            expiry=later_expiry(),
            pan_ref=pan_ref,
            last4=last4,
            context=SYSTEM,
        )


@pytest.mark.parametrize("status", [CardStatus.CANCELLED, CardStatus.CLOSED])
@pytest.mark.parametrize("reason", list(ReplacementReason))
def test_a_card_ended_for_another_reason_is_not_replaced(
    status: CardStatus, reason: ReplacementReason
) -> None:
    old = card_in(status)
    plan = replacement_plan(reason)
    closed_for_it = plan.closes_old_first and status is CardStatus.CLOSED

    if not closed_for_it:
        with pytest.raises(Conflict) as refused:
            begin_replacement(old, reason, SYSTEM)
        assert refused.value.code == "CARD_TERMINAL_STATE"
        with pytest.raises(Conflict):
            replace_card(
                old,
                plan,
                card_id="card-2",
                expiry=later_expiry(),
                pan_ref=NEW_PAN_REF,
                last4="1881",
                context=SYSTEM,
            )
    assert old.status is status


def test_a_deleted_card_is_not_replaced() -> None:
    old = old_card()
    old.delete(context())

    with pytest.raises(Conflict) as refused:
        begin_replacement(old, ReplacementReason.LOST, SYSTEM)

    assert refused.value.code == "CARD_DELETED"
