"""PAN and PIN reveal: the right code shows and audits, a wrong one is refused, audited, counted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cards.application.security.errors import (
    CARD_REVEAL_NOT_ALLOWED,
    CARD_SECRET_NOT_AVAILABLE,
    SECURITY_CODE_REQUIRED,
    InvalidSecurityCode,
    SecurityCodeLocked,
)
from cards.application.security.lockout import CodeAttempts, LockoutPolicy
from cards.application.security.reveal import RevealedCard, RevealPan, RevealPin
from cards.domain.audit import AuditAction
from cards.domain.lifecycle import CardStatus
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound
from tests.cards.card_builders import EXPIRY, NOW, TOQIO, card_in, issued_card
from tests.cards.security_fakes import (
    CODE,
    PAN,
    PIN,
    SecurityWorld,
    encrypted,
)

pytestmark = pytest.mark.unit

WRONG = "000000"


@pytest.fixture
async def world() -> SecurityWorld:
    world = SecurityWorld(LockoutPolicy(max_failures=3, cool_down=timedelta(minutes=15)))
    await world.add(issued_card())
    return world


def reveal_pan(world: SecurityWorld) -> RevealPan:
    return RevealPan(world.work, world.gate, world.vault)


def reveal_pin(world: SecurityWorld) -> RevealPin:
    return RevealPin(world.work, world.gate, world.vault)


async def test_the_right_code_shows_the_pan_a_derived_cvv_and_the_expiry(
    world: SecurityWorld,
) -> None:
    revealed = await reveal_pan(world)("cust-1", "card-1", encrypted(CODE), user_id="user-9")

    assert revealed.pan == PAN
    assert revealed.expiry == EXPIRY
    assert revealed.cvv == world.vault.cvv(PAN, EXPIRY)
    assert len(revealed.cvv) == 3
    assert revealed.cvv.isdigit()
    assert PAN.digits not in repr(revealed)
    assert revealed.cvv not in repr(revealed)


async def test_a_pan_reveal_is_audited_with_the_decryption_and_no_card_data(
    world: SecurityWorld,
) -> None:
    await reveal_pan(world)("cust-1", "card-1", encrypted(CODE), user_id="user-9")

    revealed, decrypted = world.store.audit.stored[0].event, world.store.audit.stored[1].event
    assert world.store.actions() == [AuditAction.PAN_REVEALED, AuditAction.SECRET_DECRYPTED]
    assert (revealed.actor, revealed.channel, revealed.subject, revealed.tenant_id) == (
        "USER:user-9",
        "TOQIO_API",
        "card-1",
        "cust-1",
    )
    assert dict(revealed.details) == {"fields": "PAN,CVV,EXPIRY", "last4": PAN.last4}
    assert dict(decrypted.details) == {
        "field": "PAN",
        "keyVersion": "1",
        "purpose": "PAN_REVEAL",
    }
    stored_text = repr([e.event for e in world.store.audit.stored])
    assert PAN.digits not in stored_text
    assert CODE not in stored_text


async def test_the_right_code_shows_the_pin_and_audits_it(world: SecurityWorld) -> None:
    pin = await reveal_pin(world)("cust-1", "card-1", encrypted(CODE))

    assert pin == PIN
    assert world.store.actions() == [AuditAction.PIN_REVEALED, AuditAction.SECRET_DECRYPTED]
    assert world.store.events(AuditAction.PIN_REVEALED)[0].actor == "USER:toqio-integration-hub"
    assert world.store.events(AuditAction.SECRET_DECRYPTED)[0].details["field"] == "PIN"


async def test_a_wrong_code_is_refused_audited_and_counted_and_shows_nothing(
    world: SecurityWorld,
) -> None:
    with pytest.raises(InvalidSecurityCode) as refused:
        await reveal_pan(world)("cust-1", "card-1", encrypted(WRONG))

    assert refused.value.code == "INVALID_SECURITY_CODE"
    assert refused.value.message == "The security code is not valid"
    assert world.store.actions() == [AuditAction.REVEAL_REFUSED]
    assert dict(world.store.events(AuditAction.REVEAL_REFUSED)[0].details) == {
        "operation": "PAN_REVEAL",
        "reason": "INVALID_SECURITY_CODE",
        "consecutiveFailures": "1",
    }
    assert world.store.attempts["card-1"] == CodeAttempts(1)


async def test_a_code_that_does_not_decrypt_is_a_wrong_code(world: SecurityWorld) -> None:
    garbage = replace(encrypted(CODE), tag="AAAAAAAAAAAAAAAAAAAAAA==")

    with pytest.raises(InvalidSecurityCode):
        await reveal_pin(world)("cust-1", "card-1", garbage)

    assert world.store.actions() == [AuditAction.REVEAL_REFUSED]
    assert world.store.attempts["card-1"] == CodeAttempts(1)


async def test_another_cards_code_is_a_wrong_code(world: SecurityWorld) -> None:
    await world.add(issued_card(card_id="card-2"), code="111111")

    with pytest.raises(InvalidSecurityCode):
        await reveal_pan(world)("cust-1", "card-1", encrypted("111111"))


async def test_a_card_without_a_stored_code_accepts_no_code(world: SecurityWorld) -> None:
    await world.add(issued_card(card_id="card-2"), code=None)

    with pytest.raises(InvalidSecurityCode):
        await reveal_pan(world)("cust-1", "card-2", encrypted(CODE))


async def test_the_threshold_failure_locks_the_code_and_says_until_when(
    world: SecurityWorld,
) -> None:
    reveal = reveal_pan(world)
    for _ in range(2):
        with pytest.raises(InvalidSecurityCode):
            await reveal("cust-1", "card-1", encrypted(WRONG))

    with pytest.raises(InvalidSecurityCode) as third:
        await reveal("cust-1", "card-1", encrypted(WRONG))

    until = world.clock.now + timedelta(minutes=15)
    assert third.value.locked_until == until
    assert "locked until" in third.value.message
    assert world.store.attempts["card-1"] == CodeAttempts(3, until)
    assert world.store.events(AuditAction.REVEAL_REFUSED)[-1].details["lockedUntil"] == (
        until.isoformat()
    )


async def test_a_locked_code_refuses_even_the_right_code_and_audits_it(
    world: SecurityWorld,
) -> None:
    until = world.clock.now + timedelta(minutes=10)
    world.store.attempts["card-1"] = CodeAttempts(3, until)

    with pytest.raises(SecurityCodeLocked) as locked:
        await reveal_pin(world)("cust-1", "card-1", encrypted(CODE))

    assert locked.value.code == "SECURITY_CODE_LOCKED"
    assert locked.value.retry_after_seconds == 600
    assert dict(world.store.events(AuditAction.REVEAL_REFUSED)[0].details) == {
        "operation": "PIN_REVEAL",
        "reason": "SECURITY_CODE_LOCKED",
        "consecutiveFailures": "3",
        "lockedUntil": until.isoformat(),
    }
    # Refused without counting: the lock does not grow with every knock.
    assert world.store.attempts["card-1"] == CodeAttempts(3, until)


async def test_after_the_cool_down_one_wrong_code_locks_again_at_once(
    world: SecurityWorld,
) -> None:
    world.store.attempts["card-1"] = CodeAttempts(3, world.clock.now)
    world.clock.advance(seconds=1)

    with pytest.raises(InvalidSecurityCode) as refused:
        await reveal_pan(world)("cust-1", "card-1", encrypted(WRONG))

    assert refused.value.locked_until == world.clock.now + timedelta(minutes=15)


async def test_after_the_cool_down_the_right_code_reveals_and_clears_the_count(
    world: SecurityWorld,
) -> None:
    world.store.attempts["card-1"] = CodeAttempts(3, world.clock.now)
    world.clock.advance(minutes=1)

    assert await reveal_pan(world)("cust-1", "card-1", encrypted(CODE))

    assert world.store.attempts["card-1"] == CodeAttempts()


async def test_a_right_code_clears_earlier_failures(world: SecurityWorld) -> None:
    with pytest.raises(InvalidSecurityCode):
        await reveal_pan(world)("cust-1", "card-1", encrypted(WRONG))

    await reveal_pin(world)("cust-1", "card-1", encrypted(CODE))

    assert world.store.attempts["card-1"] == CodeAttempts()


@pytest.mark.parametrize(
    ("status", "deleted"),
    [
        (CardStatus.CLOSED, False),
        (CardStatus.CANCELLED, False),
        (CardStatus.BLOCKED, False),
        (CardStatus.CLOSED, True),
    ],
)
async def test_a_card_that_shows_nothing_refuses_before_looking_at_the_code(
    status: CardStatus, deleted: bool
) -> None:
    world = SecurityWorld()
    card = card_in(status)
    if deleted:
        card.delete(TOQIO)
    await world.add(card)

    with pytest.raises(Conflict) as refused:
        await reveal_pan(world)("cust-1", "card-1", encrypted(CODE))

    assert refused.value.code == CARD_REVEAL_NOT_ALLOWED
    assert ("deleted" if deleted else status.value) in refused.value.message
    assert dict(world.store.events(AuditAction.REVEAL_REFUSED)[0].details) == {
        "operation": "PAN_REVEAL",
        "reason": "CARD_NOT_REVEALABLE",
    }
    assert world.store.attempts == {}


@pytest.mark.parametrize(
    "status", [CardStatus.PENDING_ACTIVATION, CardStatus.ACTIVE, CardStatus.SUSPENDED]
)
async def test_a_card_that_is_or_can_become_usable_shows_its_details(status: CardStatus) -> None:
    world = SecurityWorld()
    await world.add(card_in(status))

    revealed = await reveal_pan(world)("cust-1", "card-1", encrypted(CODE))

    assert isinstance(revealed, RevealedCard)


async def test_an_unknown_or_foreign_card_is_not_found_and_nothing_is_audited(
    world: SecurityWorld,
) -> None:
    with pytest.raises(NotFound) as unknown:
        await reveal_pan(world)("cust-1", "card-404", encrypted(CODE))
    with pytest.raises(NotFound):
        await reveal_pin(world)("cust-2", "card-1", encrypted(CODE))

    assert unknown.value.code == "CARD_NOT_FOUND"
    assert world.store.audit.stored == []


async def test_no_code_at_all_is_bad_input_and_changes_nothing(world: SecurityWorld) -> None:
    with pytest.raises(InvalidInput) as refused:
        await reveal_pan(world)("cust-1", "card-1", None)
    with pytest.raises(InvalidInput):
        await reveal_pin(world)("cust-1", "card-1", None)

    assert refused.value.code == SECURITY_CODE_REQUIRED
    assert world.store.commits == 0


async def test_a_card_without_a_pin_answers_not_available_and_audits_no_reveal() -> None:
    world = SecurityWorld()
    await world.add(issued_card(), pin=None, pan=None)

    with pytest.raises(NotFound) as no_pin:
        await reveal_pin(world)("cust-1", "card-1", encrypted(CODE))
    with pytest.raises(NotFound):
        await reveal_pan(world)("cust-1", "card-1", encrypted(CODE))

    assert no_pin.value.code == CARD_SECRET_NOT_AVAILABLE
    assert world.store.audit.stored == []


def test_the_policy_locks_at_its_threshold_and_counts_the_seconds_left() -> None:
    policy = LockoutPolicy(max_failures=2, cool_down=timedelta(seconds=90))
    now = NOW

    once = policy.after_failure(CodeAttempts(), now)
    twice = policy.after_failure(once, now)

    assert (once, policy.is_locked(once, now)) == (CodeAttempts(1), False)
    assert twice == CodeAttempts(2, now + timedelta(seconds=90))
    assert policy.retry_after_seconds(twice, now + timedelta(seconds=89.5)) == 1
    assert policy.retry_after_seconds(twice, now + timedelta(seconds=90)) == 0
    assert policy.after_success(twice) == CodeAttempts()


def test_a_policy_or_count_that_makes_no_sense_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LockoutPolicy(max_failures=0)
    with pytest.raises(ValueError, match="positive"):
        LockoutPolicy(cool_down=timedelta(0))
    with pytest.raises(ValueError, match="negative"):
        CodeAttempts(-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        CodeAttempts(1, NOW.replace(tzinfo=None))
