"""AES-256-GCM tenant-secret cipher: round trips, tamper detection, binding, keys and loading."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from accounts_payments.adapters.crypto.aes_gcm_cipher import (
    DEV_KEY_FILE,
    AesGcmSecretCipher,
    SecretKeyMissing,
    load_secret_cipher,
)
from accounts_payments.application.ports.customers import SecretDecryptionFailed
from building_blocks.settings import Secret

pytestmark = pytest.mark.unit

KEY = bytes(range(32))
AD = b'["customers", "cust-1", "api_key_encrypted"]'


def test_a_secret_round_trips_and_every_encryption_differs() -> None:
    cipher = AesGcmSecretCipher(KEY)

    first, second = cipher.encrypt(b"api-key", AD), cipher.encrypt(b"api-key", AD)

    assert first != second
    assert first[0] == 1
    assert len(first) == 1 + 12 + len(b"api-key") + 16
    assert b"api-key" not in first
    assert cipher.decrypt(first, AD) == cipher.decrypt(second, AD) == b"api-key"


def test_a_tampered_ciphertext_does_not_decrypt() -> None:
    cipher = AesGcmSecretCipher(KEY)
    sealed = bytearray(cipher.encrypt(b"api-key", AD))
    sealed[-1] ^= 0x01

    with pytest.raises(SecretDecryptionFailed):
        cipher.decrypt(bytes(sealed), AD)


def test_a_ciphertext_moved_to_another_row_or_field_does_not_decrypt() -> None:
    cipher = AesGcmSecretCipher(KEY)
    sealed = cipher.encrypt(b"api-key", AD)

    with pytest.raises(SecretDecryptionFailed):
        cipher.decrypt(sealed, AD.replace(b"cust-1", b"cust-2"))
    with pytest.raises(SecretDecryptionFailed):
        cipher.decrypt(sealed, AD.replace(b"api_key", b"hmac_key"))


def test_another_key_cannot_decrypt() -> None:
    sealed = AesGcmSecretCipher(KEY).encrypt(b"api-key", AD)

    with pytest.raises(SecretDecryptionFailed):
        AesGcmSecretCipher(os.urandom(32)).decrypt(sealed, AD)
    with pytest.raises(SecretDecryptionFailed, match="version 1"):
        AesGcmSecretCipher(KEY, version=2).decrypt(sealed, AD)
    with pytest.raises(SecretDecryptionFailed, match="truncated"):
        AesGcmSecretCipher(KEY).decrypt(sealed[:20], AD)


def test_a_rotated_key_still_reads_what_the_previous_key_wrote() -> None:
    old = AesGcmSecretCipher(KEY).encrypt(b"api-key", AD)
    rotated = AesGcmSecretCipher(os.urandom(32), version=2, previous={1: KEY})

    assert rotated.decrypt(old, AD) == b"api-key"
    assert rotated.encrypt(b"api-key", AD)[0] == 2


@pytest.mark.parametrize(("key", "version"), [(b"short", 1), (KEY, 256), (KEY, -1)])
def test_keys_must_be_256_bits_with_a_one_byte_version(key: bytes, version: int) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - either message is right
        AesGcmSecretCipher(key, version=version)


def test_the_configured_key_is_used(tmp_path: Path) -> None:
    configured = Secret(base64.b64encode(KEY).decode())

    cipher = load_secret_cipher(configured, embedded_sqlite=False, data_dir=tmp_path)

    assert cipher.decrypt(AesGcmSecretCipher(KEY).encrypt(b"x", AD), AD) == b"x"
    assert not (tmp_path / DEV_KEY_FILE).exists()


@pytest.mark.parametrize("text", ["not base64!", base64.b64encode(b"16 bytes only!!!").decode()])
def test_a_malformed_configured_key_refuses_to_start(tmp_path: Path, text: str) -> None:
    with pytest.raises(SecretKeyMissing, match="TENANT_SECRETS_KEY"):
        load_secret_cipher(Secret(text), embedded_sqlite=True, data_dir=tmp_path)


def test_postgresql_without_a_key_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyMissing, match="TENANT_SECRETS_KEY is required"):
        load_secret_cipher(None, embedded_sqlite=False, data_dir=tmp_path)


def test_the_embedded_mode_creates_a_private_development_key_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    first = load_secret_cipher(None, embedded_sqlite=True, data_dir=data_dir)
    sealed = first.encrypt(b"api-key", AD)

    second = load_secret_cipher(None, embedded_sqlite=True, data_dir=data_dir)

    assert second.decrypt(sealed, AD) == b"api-key"
    mode = stat.S_IMODE((data_dir / DEV_KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_a_key_file_written_by_a_concurrent_start_is_read_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / DEV_KEY_FILE).write_text(base64.b64encode(KEY).decode())
    exists = Path.exists
    # The other process wins the race between our existence check and our O_EXCL create.
    monkeypatch.setattr(
        Path, "exists", lambda self: False if self.name == DEV_KEY_FILE else exists(self)
    )

    cipher = load_secret_cipher(None, embedded_sqlite=True, data_dir=tmp_path)

    assert cipher.decrypt(AesGcmSecretCipher(KEY).encrypt(b"x", AD), AD) == b"x"
