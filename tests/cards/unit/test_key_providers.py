"""Key-encryption keys from a keyring: parsing, wrapping, and the embedded mode's key files."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from cards.adapters.crypto.key_providers import (
    KeyringInvalid,
    StaticKeyProvider,
    create_development_key,
    create_development_keyring,
    decode_key,
    parse_keyring,
)
from cards.application.vault.ports import KeyUnavailable, SecretUnreadable, WrappedKey

pytestmark = pytest.mark.unit

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))
A = base64.b64encode(KEY_A).decode()
B = base64.b64encode(KEY_B).decode()
DATA_KEY = bytes(range(64, 96))


def test_a_keyring_lists_versions_and_keys() -> None:
    assert parse_keyring(f"1:{A},2:{B}") == {1: KEY_A, 2: KEY_B}
    assert parse_keyring(f" 2 : {B} ,\n 1:{A}, ") == {1: KEY_A, 2: KEY_B}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no key"),
        (" , ", "holds no key"),
        (A, "entry 1 must be"),
        (f"0:{A}", "entry 1 must be"),
        (f"1:{A},v2:{B}", "entry 2 must be"),
        (f"1:{A},1:{B}", "version 1 appears twice"),
        (f"1:{A[:-4]}", "must decode to 32 bytes"),
        (f"1:{A}!", "not valid base64"),
    ],
)
def test_a_malformed_keyring_is_refused_without_quoting_its_keys(text: str, message: str) -> None:
    with pytest.raises(KeyringInvalid, match=message) as refused:
        parse_keyring(text)

    assert A[:12] not in str(refused.value)
    assert B[:12] not in str(refused.value)


def test_the_highest_version_is_current_unless_chosen() -> None:
    assert StaticKeyProvider.from_keyring(f"1:{A},2:{B}").current_version == 2
    assert StaticKeyProvider({1: KEY_A, 2: KEY_B}, current=1).current_version == 1
    assert StaticKeyProvider({1: KEY_A, 2: KEY_B}).versions == (1, 2)


@pytest.mark.parametrize(
    ("keys", "current", "message"),
    [
        ({}, None, "at least one"),
        ({0: KEY_A}, None, "positive"),
        ({1: KEY_A[:16]}, None, "32 bytes"),
        ({1: KEY_A}, 2, "version 2 is missing"),
    ],
)
def test_a_provider_needs_well_formed_keys(
    keys: dict[int, bytes], current: int | None, message: str
) -> None:
    with pytest.raises(KeyringInvalid, match=message):
        StaticKeyProvider(keys, current=current)


async def test_a_data_key_wraps_under_the_current_kek_and_unwraps_with_any_known_one() -> None:
    old = StaticKeyProvider({1: KEY_A})
    both = StaticKeyProvider({1: KEY_A, 2: KEY_B})

    wrapped_old = await old.wrap(DATA_KEY)
    wrapped_new = await both.wrap(DATA_KEY)

    assert (wrapped_old.kek_version, wrapped_new.kek_version) == (1, 2)
    assert DATA_KEY not in wrapped_new.blob
    assert await both.unwrap(wrapped_old) == DATA_KEY
    assert await both.unwrap(wrapped_new) == DATA_KEY


async def test_an_unknown_kek_version_is_unavailable() -> None:
    wrapped = await StaticKeyProvider({2: KEY_B}).wrap(DATA_KEY)

    with pytest.raises(KeyUnavailable, match="version 2 is not configured"):
        await StaticKeyProvider({1: KEY_A}).unwrap(wrapped)


@pytest.mark.parametrize("mangle", [lambda b: b[:-1] + bytes([b[-1] ^ 1]), lambda b: b[:10]])
async def test_an_altered_or_foreign_wrapping_does_not_unwrap(mangle: object) -> None:
    provider = StaticKeyProvider({1: KEY_A})
    wrapped = await provider.wrap(DATA_KEY)

    with pytest.raises(SecretUnreadable, match="does not unwrap"):
        await provider.unwrap(WrappedKey(1, mangle(wrapped.blob)))  # type: ignore[operator]
    with pytest.raises(SecretUnreadable):
        await StaticKeyProvider({1: KEY_B}).unwrap(wrapped)


def test_a_keyring_file_is_read_like_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "keyring"
    path.write_text(f"1:{A},2:{B}\n", encoding="ascii")

    assert StaticKeyProvider.from_file(path).versions == (1, 2)


def test_the_development_keyring_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "kek"

    first = create_development_keyring(path)
    written = path.read_text(encoding="ascii")
    again = create_development_keyring(path)

    assert first.versions == again.versions == (1,)
    assert path.read_text(encoding="ascii") == written
    assert len(parse_keyring(written)[1]) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["kek"]  # no temporary file left


async def test_the_development_keyring_wraps_for_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / "kek"
    wrapped = await create_development_keyring(path).wrap(DATA_KEY)

    assert await create_development_keyring(path).unwrap(wrapped) == DATA_KEY


def test_a_development_key_is_made_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "fingerprint.key"

    key = create_development_key(path, name="CARDS_FINGERPRINT_KEY")

    assert len(key) == 32
    assert create_development_key(path, name="CARDS_FINGERPRINT_KEY") == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_configured_key_is_base64_of_32_bytes() -> None:
    assert decode_key(f" {A}\n", name="CARDS_CVV_KEY") == KEY_A
    with pytest.raises(KeyringInvalid, match="CARDS_CVV_KEY must decode to 32 bytes, not 16"):
        decode_key(base64.b64encode(KEY_A[:16]).decode(), name="CARDS_CVV_KEY")
    with pytest.raises(KeyringInvalid, match="CARDS_CVV_KEY is not valid base64"):
        decode_key("not base64!", name="CARDS_CVV_KEY")
