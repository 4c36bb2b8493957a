"""The TOTP secret: 501 without a source; else base32, stable per card, audited, state-checked."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from building_blocks.settings import Secret
from cards.adapters.crypto.totp_secrets import HmacTotpSecrets, load_totp_secrets
from cards.application.security.errors import CARD_REVEAL_NOT_ALLOWED
from cards.application.security.totp import GetTotpSecret
from cards.domain.audit import AuditAction
from cards.domain.lifecycle import CardStatus
from shared_kernel.domain.errors import Conflict, NotImplementedByProvider
from tests.cards.card_builders import card_in, issued_card
from tests.cards.security_fakes import SecurityWorld

pytestmark = pytest.mark.unit


@pytest.fixture
async def world() -> SecurityWorld:
    world = SecurityWorld()
    await world.add(issued_card())
    return world


async def test_without_a_source_the_totp_secret_is_not_implemented(world: SecurityWorld) -> None:
    use_case = GetTotpSecret(world.work, None, clock=world.clock)

    with pytest.raises(NotImplementedByProvider) as refused:
        await use_case("cust-1", "card-1")

    assert not use_case.enabled
    assert refused.value.code == "FUNCTION_NOT_IMPLEMENTED_YET"
    assert world.store.commits == 0


async def test_a_totp_secret_is_base32_stable_per_card_and_audited(world: SecurityWorld) -> None:
    await world.add(issued_card(card_id="card-2"))
    use_case = GetTotpSecret(world.work, HmacTotpSecrets(b"t" * 32), clock=world.clock)

    first = await use_case("cust-1", "card-1", user_id="user-4")
    again = await use_case("cust-1", "card-1")
    other = await use_case("cust-1", "card-2")

    assert use_case.enabled
    assert first == again != other
    assert len(first) == 32
    assert base64.b32decode(first) == base64.b32decode(first.upper())
    decrypted = world.store.events(AuditAction.SECRET_DECRYPTED)
    assert [e.subject for e in decrypted] == ["card-1", "card-1", "card-2"]
    assert dict(decrypted[0].details) == {"field": "TOTP_SECRET", "purpose": "TOTP_SECRET"}
    assert decrypted[0].actor == "USER:user-4"
    assert first not in repr(decrypted)


async def test_a_closed_card_gives_no_totp_secret_and_the_refusal_is_audited() -> None:
    world = SecurityWorld()
    await world.add(card_in(CardStatus.CLOSED))
    use_case = GetTotpSecret(world.work, HmacTotpSecrets(b"t" * 32), clock=world.clock)

    with pytest.raises(Conflict) as refused:
        await use_case("cust-1", "card-1")

    assert refused.value.code == CARD_REVEAL_NOT_ALLOWED
    assert dict(world.store.events(AuditAction.REVEAL_REFUSED)[0].details) == {
        "operation": "TOTP_SECRET",
        "reason": "CARD_NOT_REVEALABLE",
    }


def test_the_totp_source_needs_a_long_key_and_hides_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        HmacTotpSecrets(b"short")
    assert repr(HmacTotpSecrets(b"t" * 32)) == "HmacTotpSecrets(key=<hidden>)"
    configured = Secret(base64.b64encode(b"t" * 32).decode())

    assert load_totp_secrets(enabled=False, key=configured, data_dir=str(tmp_path)) is None
    source = load_totp_secrets(enabled=True, key=configured, data_dir=str(tmp_path))
    made = load_totp_secrets(enabled=True, key=None, data_dir=str(tmp_path))
    again = load_totp_secrets(enabled=True, key=None, data_dir=str(tmp_path))

    assert source is not None
    assert made is not None
    assert again is not None
    assert source.secret("t", "c") == HmacTotpSecrets(b"t" * 32).secret("t", "c")
    assert made.secret("t", "c") == again.secret("t", "c") != source.secret("t", "c")
    assert (tmp_path / "cards-keys" / "totp.key").exists()
