"""AES-256-GCM encryption of tenant secrets, and loading its key from settings or a dev file."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from accounts_payments.application.ports.customers import SecretDecryptionFailed
from building_blocks.settings import Secret

KEY_BYTES = 32
NONCE_BYTES = 12
DEV_KEY_FILE = "tenant_secrets.key"


class SecretKeyMissing(RuntimeError):
    """No usable key to encrypt tenant secrets: the service must not start."""


class AesGcmSecretCipher:
    """AES-256-GCM with a random 96-bit nonce, the key version as the first byte.

    Layout: ``version (1) | nonce (12) | ciphertext + tag (16)``. The version byte lets a
    rotated key decrypt what older keys wrote: pass them as ``previous`` while re-encrypting.
    Associated data binds a value to its row and field, so a ciphertext copied elsewhere
    fails to decrypt instead of revealing a secret in the wrong place.
    """

    def __init__(
        self, key: bytes, *, version: int = 1, previous: Mapping[int, bytes] | None = None
    ) -> None:
        if not 0 <= version <= 255:
            raise ValueError("the key version must fit in one byte")
        keys = {**(previous or {}), version: key}
        if any(len(k) != KEY_BYTES for k in keys.values()):
            raise ValueError("AES-256-GCM needs 32-byte keys")
        self._version = version
        self._aeads = {v: AESGCM(k) for v, k in keys.items()}

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """Encrypt under the current key with a fresh nonce."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self._version].encrypt(nonce, plaintext, associated_data)
        return bytes([self._version]) + nonce + sealed

    def decrypt(self, ciphertext: bytes, associated_data: bytes) -> bytes:
        """Decrypt, or raise ``SecretDecryptionFailed`` (unknown key, tampered, moved)."""
        if len(ciphertext) < 1 + NONCE_BYTES + 16:
            raise SecretDecryptionFailed("the ciphertext is truncated")
        aead = self._aeads.get(ciphertext[0])
        if aead is None:
            raise SecretDecryptionFailed(f"no key of version {ciphertext[0]} is configured")
        nonce, sealed = ciphertext[1 : 1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES :]
        try:
            return aead.decrypt(nonce, sealed, associated_data)
        except InvalidTag:
            raise SecretDecryptionFailed("the secret does not authenticate") from None


def decode_key(encoded: str) -> bytes:
    """The 32 bytes of a base64 key, or ``SecretKeyMissing`` saying what is wrong."""
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SecretKeyMissing("TENANT_SECRETS_KEY is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise SecretKeyMissing(f"TENANT_SECRETS_KEY must decode to 32 bytes, not {len(key)}")
    return key


def _development_key(data_dir: Path) -> bytes:
    path = data_dir / DEV_KEY_FILE
    if path.exists():
        return decode_key(path.read_text(encoding="ascii"))
    data_dir.mkdir(parents=True, exist_ok=True)
    key = os.urandom(KEY_BYTES)
    # O_EXCL: two embedded services starting together must not each write their own key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return decode_key(path.read_text(encoding="ascii"))
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(key).decode("ascii"))
    return key


def load_secret_cipher(
    key: Secret | None, *, embedded_sqlite: bool, data_dir: str | Path
) -> AesGcmSecretCipher:
    """The cipher for tenant secrets from ``TENANT_SECRETS_KEY`` (base64 of 32 bytes).

    Only the embedded SQLite mode may go without it: a development key is then created (or
    read) in ``data_dir``, readable by its owner only. A PostgreSQL deployment without a key
    refuses to start rather than store secrets under a key nobody manages.

    Raises:
        SecretKeyMissing: No key on PostgreSQL, or a key that is not base64 of 32 bytes.
    """
    if key is not None:
        return AesGcmSecretCipher(decode_key(key.reveal()))
    if not embedded_sqlite:
        raise SecretKeyMissing(
            "TENANT_SECRETS_KEY is required with a PostgreSQL database: set it to the base64 "
            "of 32 random bytes (for example: openssl rand -base64 32)"
        )
    return AesGcmSecretCipher(_development_key(Path(data_dir)))
