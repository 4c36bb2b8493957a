"""Activation with the security code: activate and activateOTP, announced, or refused unchanged."""

from __future__ import annotations

import pytest

from cards.application.cards.changes import CARD_STATUS_UPDATED
from cards.application.security.activation import ActivateCard, ActivateCardWithOtp
from cards.application.security.errors import (
    SECURITY_CODE_REQUIRED,
    InvalidOtp,
    InvalidSecurityCode,
    SecurityCodeLocked,
)
from cards.application.security.lockout import CodeAttempts, LockoutPolicy
from cards.application.security.otp import FixedSandboxOtp, NoOtpRequired
from cards.domain.audit import AuditAction
from cards.domain.lifecycle import CardStatus
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound, RuleViolated
from tests.cards.card_builders import TOQIO, card_in
from tests.cards.security_fakes import CODE, SecurityWorld, encrypted

pytestmark = pytest.mark.unit

WRONG = "999999"


def activate(world: SecurityWorld) -> ActivateCard:
    return ActivateCard(world.work, world.gate)


def activate_with_otp(world: SecurityWorld, otp: str | None = None) -> ActivateCardWithOtp:
    verifier = FixedSandboxOtp(otp) if otp is not None else NoOtpRequired()
    return ActivateCardWithOtp(activate(world), verifier)


async def world_with(status: CardStatus) -> SecurityWorld:
    world = SecurityWorld(LockoutPolicy(max_failures=2))
    await world.add(card_in(status))
    return world


async def test_the_right_code_activates_a_physical_card_and_announces_it() -> None:
    world = await world_with(CardStatus.PENDING_ACTIVATION)

    view = await activate(world)("cust-1", "card-1", encrypted(CODE), user_id="user-7")

    assert view.card.status is CardStatus.ACTIVE
    assert world.store.card().status is CardStatus.ACTIVE
    changed = world.store.events(AuditAction.CARD_STATUS_CHANGED)[0]
    assert (changed.actor, changed.details["from"], changed.details["to"]) == (
        "USER:user-7",
        "PENDING_ACTIVATION",
        "ACTIVE",
    )
    assert changed.details["reason"] == "activateCard requested through Toqio"
    [webhook] = world.store.webhooks
    assert webhook.webhook_type == CARD_STATUS_UPDATED
    assert webhook.customer_id == "cust-1"
    assert (webhook.payload["status"], webhook.payload["previousStatus"]) == ("ACTIVE", "PENDING")


async def test_the_right_code_unfreezes_a_suspended_card() -> None:
    world = await world_with(CardStatus.SUSPENDED)

    view = await activate(world)("cust-1", "card-1", encrypted(CODE))

    assert view.card.status is CardStatus.ACTIVE
    assert world.store.webhooks[0].payload["previousStatus"] == "SUSPENDED"


async def test_activating_an_active_card_checks_the_code_and_changes_nothing() -> None:
    world = await world_with(CardStatus.ACTIVE)

    view = await activate(world)("cust-1", "card-1", encrypted(CODE))

    assert view.card.status is CardStatus.ACTIVE
    assert world.store.webhooks == []
    assert world.store.audit.stored == []
    with pytest.raises(InvalidSecurityCode):
        await activate(world)("cust-1", "card-1", encrypted(WRONG))


async def test_a_wrong_code_leaves_the_card_pending_and_is_audited_and_counted() -> None:
    world = await world_with(CardStatus.PENDING_ACTIVATION)
    version = world.store.card().version

    with pytest.raises(InvalidSecurityCode):
        await activate(world)("cust-1", "card-1", encrypted(WRONG))

    card = world.store.card()
    assert (card.status, card.version) == (CardStatus.PENDING_ACTIVATION, version)
    assert world.store.actions() == [AuditAction.REVEAL_REFUSED]
    assert world.store.events(AuditAction.REVEAL_REFUSED)[0].details["operation"] == "ACTIVATE"
    assert world.store.webhooks == []
    assert world.store.attempts["card-1"] == CodeAttempts(1)


async def test_wrong_codes_lock_activation_like_reveals() -> None:
    world = await world_with(CardStatus.PENDING_ACTIVATION)
    for _ in range(2):
        with pytest.raises(InvalidSecurityCode):
            await activate(world)("cust-1", "card-1", encrypted(WRONG))

    with pytest.raises(SecurityCodeLocked):
        await activate(world)("cust-1", "card-1", encrypted(CODE))
    world.clock.advance(minutes=16)
    view = await activate(world)("cust-1", "card-1", encrypted(CODE))

    assert view.card.status is CardStatus.ACTIVE
    assert world.store.attempts["card-1"] == CodeAttempts()


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [
        (CardStatus.CLOSED, Conflict, "CARD_TERMINAL_STATE"),
        (CardStatus.CANCELLED, Conflict, "CARD_TERMINAL_STATE"),
        (CardStatus.BLOCKED, RuleViolated, "CARD_ISSUER_ONLY"),
    ],
)
async def test_a_card_that_cannot_be_activated_is_refused_before_the_code_and_unchanged(
    status: CardStatus, error: type[Exception], code: str
) -> None:
    world = await world_with(status)

    with pytest.raises(error) as refused:
        await activate(world)("cust-1", "card-1", encrypted(WRONG))

    assert getattr(refused.value, "code", None) == code
    assert world.store.card().status is status
    assert world.store.commits == 0
    assert world.store.attempts == {}


async def test_a_deleted_card_is_never_reactivated() -> None:
    world = SecurityWorld()
    card = card_in(CardStatus.SUSPENDED)
    card.delete(TOQIO)
    await world.add(card)

    with pytest.raises(Conflict):
        await activate(world)("cust-1", "card-1", encrypted(CODE))

    assert world.store.card().status is CardStatus.CLOSED
    assert world.store.commits == 0


async def test_activation_needs_a_code_and_a_known_card() -> None:
    world = await world_with(CardStatus.PENDING_ACTIVATION)

    with pytest.raises(InvalidInput) as missing:
        await activate(world)("cust-1", "card-1", None)
    with pytest.raises(NotFound):
        await activate(world)("cust-1", "card-2", encrypted(CODE))
    with pytest.raises(NotFound):
        await activate(world)("cust-2", "card-1", encrypted(CODE))

    assert missing.value.code == SECURITY_CODE_REQUIRED
    assert world.store.commits == 0


async def test_activation_locks_the_card_while_it_changes() -> None:
    world = await world_with(CardStatus.PENDING_ACTIVATION)
    work = world.work()

    await ActivateCard(lambda: work, world.gate)("cust-1", "card-1", encrypted(CODE))

    assert work.cards.locked == ["card-1"]


async def test_without_an_otp_required_activate_otp_activates_with_the_code() -> None:
    world = await world_with(CardStatus.PENDING_ACTIVATION)

    view = await activate_with_otp(world)(
        "cust-1", "card-1", encrypted(CODE), otp="whatever", operation_id="op-1", user_id="u-3"
    )

    assert view.card.status is CardStatus.ACTIVE
    changed = world.store.events(AuditAction.CARD_STATUS_CHANGED)[0]
    assert changed.actor == "USER:u-3"
    assert changed.details["reason"] == "activateCardOTP requested through Toqio"


async def test_a_configured_sandbox_otp_must_match() -> None:
    world = await world_with(CardStatus.PENDING_ACTIVATION)
    use_case = activate_with_otp(world, otp="123456")

    with pytest.raises(InvalidOtp) as wrong:
        await use_case("cust-1", "card-1", encrypted(CODE), otp="654321", operation_id="op-1")
    with pytest.raises(InvalidOtp):
        await use_case("cust-1", "card-1", encrypted(CODE), otp=None, operation_id="op-1")
    view = await use_case("cust-1", "card-1", encrypted(CODE), otp="123456", operation_id="op-1")

    assert wrong.value.code == "INVALID_OTP"
    assert view.card.status is CardStatus.ACTIVE
    assert world.store.commits == 1


async def test_activate_otp_still_needs_the_right_code() -> None:
    world = await world_with(CardStatus.PENDING_ACTIVATION)

    with pytest.raises(InvalidSecurityCode):
        await activate_with_otp(world)(
            "cust-1", "card-1", encrypted(WRONG), otp=None, operation_id=None
        )
    with pytest.raises(InvalidInput):
        await activate_with_otp(world)("cust-1", "card-1", None, otp=None, operation_id=None)

    assert world.store.card().status is CardStatus.PENDING_ACTIVATION


def test_otp_verifiers_never_show_the_code() -> None:
    assert repr(FixedSandboxOtp("123456")) == "FixedSandboxOtp(<hidden>)"
    assert repr(NoOtpRequired()) == "NoOtpRequired()"
    with pytest.raises(ValueError, match="cannot be empty"):
        FixedSandboxOtp("")
