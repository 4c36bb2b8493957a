"""AesGcmCipher: AES-256-GCM sealing in a versioned format that names its data-key version."""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cards.application.vault.ports import SecretUnreadable

FORMAT_V1 = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MAX_KEY_VERSION = 2**32 - 1
# format (1) | key version (4, big-endian) | nonce (12) | ciphertext | tag (16)
_HEADER = struct.Struct(">BI")
_MIN_LENGTH = _HEADER.size + NONCE_BYTES + TAG_BYTES


class AesGcmCipher:
    """``SecretCipher`` with AES-256-GCM and a random 96-bit nonce per message.

    The header (format byte and key version) is authenticated with the caller's associated
    data, so changing the version a ciphertext names breaks it as surely as changing a byte of
    the ciphertext. Random nonces are safe here: a data key seals far fewer than the 2^32
    messages NIST SP 800-38D allows, and rotation adds versions long before that.
    """

    def new_key(self) -> bytes:
        """A fresh random 256-bit data key."""
        return AESGCM.generate_key(bit_length=256)

    def encrypt(
        self, key: bytes, key_version: int, plaintext: bytes, associated_data: bytes
    ) -> bytes:
        """``plaintext`` sealed under ``key``, naming ``key_version``, bound to the data."""
        if not 1 <= key_version <= MAX_KEY_VERSION:
            raise ValueError("a data-key version must be a positive 32-bit number")
        header = _HEADER.pack(FORMAT_V1, key_version)
        nonce = os.urandom(NONCE_BYTES)
        sealed = _aead(key).encrypt(nonce, plaintext, header + associated_data)
        return header + nonce + sealed

    def decrypt(self, key: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        """The plaintext, or ``SecretUnreadable`` (wrong key, altered, or other data)."""
        self.key_version(ciphertext)
        header = ciphertext[: _HEADER.size]
        nonce = ciphertext[_HEADER.size : _HEADER.size + NONCE_BYTES]
        try:
            return _aead(key).decrypt(
                nonce, ciphertext[_HEADER.size + NONCE_BYTES :], header + associated_data
            )
        except InvalidTag:
            raise SecretUnreadable() from None

    def key_version(self, ciphertext: bytes) -> int:
        """The data-key version the ciphertext names; ``SecretUnreadable`` if not our format."""
        if len(ciphertext) < _MIN_LENGTH:
            raise SecretUnreadable("The sealed secret is truncated")
        format_byte, version = _HEADER.unpack_from(ciphertext)
        if format_byte != FORMAT_V1:
            raise SecretUnreadable("The sealed secret is in an unknown format")
        return int(version)


def _aead(key: bytes) -> AESGCM:
    if len(key) != KEY_BYTES:
        raise ValueError("AES-256-GCM needs a 32-byte key")
    return AESGCM(key)
