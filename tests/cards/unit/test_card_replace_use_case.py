"""Replacing cards: the PAN kept for expired or damaged cards, a new one for lost or stolen."""

from __future__ import annotations

import pytest

from cards.application.cards.replace import ReplaceCardCommand
from cards.domain.audit import AuditAction
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import Actor, CardStatus, ChangeContext, Channel
from cards.domain.replacement import ReplacementReason
from cards.domain.secrets import SecretField
from shared_kernel.domain.errors import Conflict, NotFound
from tests.cards.card_kit import NOW, TENANT, CardKit

pytestmark = pytest.mark.unit

OPS = ChangeContext(
    actor=Actor.operator("ops-7"), channel=Channel.ISSUER_OPS, reason="customer call", at=NOW
)


@pytest.fixture
def kit() -> CardKit:
    return CardKit()


def replacing(card_id: str, reason: ReplacementReason) -> ReplaceCardCommand:
    return ReplaceCardCommand(tenant_id=TENANT, card_id=card_id, reason=reason, context=OPS)


async def pin_of(kit: CardKit, card_id: str) -> str:
    sealed = kit.store.state.secrets[(card_id, SecretField.PIN)][0]
    return (await kit.vault.open_pin(sealed)).digits


@pytest.mark.parametrize("reason", [ReplacementReason.EXPIRED, ReplacementReason.DAMAGED])
async def test_an_expired_or_damaged_card_is_replaced_keeping_its_pan_and_pin(
    kit: CardKit, reason: ReplacementReason
) -> None:
    old_id = await kit.issue(design="blue")
    old_pan, old_pin = await kit.pan_of(old_id), await pin_of(kit, old_id)
    old = kit.store.card(old_id)

    view = await kit.replace_card()(replacing(old_id, reason))

    new = view.card
    assert await kit.pan_of(new.card_id) == old_pan
    assert await kit.pan_of(old_id) is None
    assert await pin_of(kit, new.card_id) == old_pin
    assert (new.profile.pan_ref, new.profile.last4) == (old.profile.pan_ref, old.profile.last4)
    assert (new.expiry.year, new.expiry.month) > (old.expiry.year, old.expiry.month)
    assert new.profile.replaces_card_id == old_id
    assert new.status is CardStatus.ACTIVE
    assert view.issuance.design == "blue"
    assert kit.store.card(old_id).status is CardStatus.CLOSED
    code = kit.sandbox.security_code(new.card_id)
    assert code is not None
    assert view.issuance.security_code_hash is not None
    assert kit.hasher.matches(new.card_id, code, view.issuance.security_code_hash)
    actions = [event.action for event in kit.store.audit_events]
    assert actions[1:] == [
        AuditAction.SECRET_DECRYPTED,
        AuditAction.SECRET_DECRYPTED,
        AuditAction.CARD_STATUS_CHANGED,
        AuditAction.CARD_REPLACED,
        AuditAction.CARD_ISSUED,
    ]
    assert kit.store.audit_events[1].actor == "ISSUER_OPERATOR:ops-7"
    assert [(w.payload["cardId"], w.payload["status"]) for w in kit.store.webhooks] == [
        (old_id, "CLOSED")
    ]
    assert kit.leaked_card_numbers() == []


async def test_a_kept_pan_moves_on_to_a_later_expiry_even_within_the_validity(
    kit: CardKit,
) -> None:
    old_id = await kit.issue()
    kit.clock.now = NOW.replace(year=NOW.year - 1)  # the replacement is earlier than the issue

    view = await kit.replace_card()(replacing(old_id, ReplacementReason.DAMAGED))

    old = kit.store.card(old_id)
    assert view.card.expiry == Expiry(month=old.expiry.month % 12 + 1, year=old.expiry.year)


@pytest.mark.parametrize("reason", [ReplacementReason.LOST, ReplacementReason.STOLEN])
async def test_a_lost_or_stolen_card_is_closed_and_replaced_with_a_new_pan(
    kit: CardKit, reason: ReplacementReason
) -> None:
    old_id = await kit.issue()
    old_pan = await kit.pan_of(old_id)

    view = await kit.replace_card()(replacing(old_id, reason))

    new_pan = await kit.pan_of(view.card.card_id)
    assert new_pan is not None
    assert new_pan != old_pan
    assert await kit.pan_of(old_id) == old_pan
    assert view.card.profile.last4 == new_pan.last4
    assert view.card.profile.pan_ref != kit.store.card(old_id).profile.pan_ref
    assert kit.store.card(old_id).status is CardStatus.CLOSED
    assert kit.leaked_card_numbers() == []


async def test_a_lost_card_stays_closed_when_its_successor_cannot_be_issued(
    kit: CardKit,
) -> None:
    old_id = await kit.issue()
    kit.store.fail_commit(after=1)  # the closing commits, the successor's does not

    with pytest.raises(RuntimeError):
        await kit.replace_card()(replacing(old_id, ReplacementReason.STOLEN))

    assert kit.store.card(old_id).status is CardStatus.CLOSED
    assert len(kit.store.state.cards) == 1
    assert [w.payload["status"] for w in kit.store.webhooks] == ["CLOSED"]
    retried = await kit.replace_card()(replacing(old_id, ReplacementReason.STOLEN))
    assert retried.card.profile.replaces_card_id == old_id


async def test_a_card_is_replaced_once(kit: CardKit) -> None:
    old_id = await kit.issue()
    await kit.replace_card()(replacing(old_id, ReplacementReason.LOST))

    with pytest.raises(Conflict) as refused:
        await kit.replace_card()(replacing(old_id, ReplacementReason.LOST))

    assert refused.value.code == "CARD_ALREADY_REPLACED"
    assert len(kit.store.state.cards) == 2


async def test_a_cancelled_or_unknown_card_is_not_replaced(kit: CardKit) -> None:
    card_id = await kit.issue()
    await kit.cancel_card()(TENANT, card_id)

    with pytest.raises(Conflict) as refused:
        await kit.replace_card()(replacing(card_id, ReplacementReason.EXPIRED))
    with pytest.raises(NotFound):
        await kit.replace_card()(replacing("card_nope", ReplacementReason.EXPIRED))

    assert refused.value.code == "CARD_TERMINAL_STATE"
    assert len(kit.store.state.cards) == 1


async def test_a_successor_the_processor_refuses_is_closed_too(kit: CardKit) -> None:
    old_id = await kit.issue()
    kit.sandbox.arm_refusal("no plastic left")

    view = await kit.replace_card()(replacing(old_id, ReplacementReason.EXPIRED))

    assert view.card.status is CardStatus.CLOSED
    assert kit.store.webhooks[-1].payload == {"cardId": view.card.card_id}
