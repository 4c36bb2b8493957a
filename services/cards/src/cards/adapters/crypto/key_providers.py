"""StaticKeyProvider: key-encryption keys from a configured keyring, wrapping with RFC 3394."""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap,
    aes_key_wrap,
)

from cards.application.vault.ports import KeyUnavailable, SecretUnreadable, WrappedKey

KEY_BYTES = 32
_VERSION = re.compile(r"[1-9][0-9]{0,8}")


class KeyringInvalid(ValueError):
    """A keyring or key in configuration is malformed; the message never quotes key material."""


def decode_key(encoded: str, *, name: str) -> bytes:
    """The 32 bytes of a base64-encoded key named ``name`` in messages (a setting's name).

    Raises:
        KeyringInvalid: ``encoded`` is not base64 of exactly 32 bytes.
    """
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyringInvalid(f"{name} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyringInvalid(f"{name} must decode to {KEY_BYTES} bytes, not {len(key)}")
    return key


def parse_keyring(text: str) -> dict[int, bytes]:
    """The keys of ``"1:<base64>,2:<base64>"``: version to 32-byte key.

    Raises:
        KeyringInvalid: Empty, a version that is not a positive number or appears twice, or a
            key that is not base64 of 32 bytes.
    """
    keys: dict[int, bytes] = {}
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    if not entries:
        raise KeyringInvalid("the keyring holds no key")
    for position, entry in enumerate(entries, start=1):
        version_text, separator, encoded = entry.partition(":")
        if not separator or not _VERSION.fullmatch(version_text.strip()):
            raise KeyringInvalid(f"keyring entry {position} must be '<version>:<base64 key>'")
        version = int(version_text)
        if version in keys:
            raise KeyringInvalid(f"keyring version {version} appears twice")
        keys[version] = decode_key(encoded, name=f"keyring version {version}")
    return keys


class StaticKeyProvider:
    """``KeyProvider`` on key-encryption keys held in memory, from configuration or a file.

    Data keys are wrapped with the AES key wrap of RFC 3394 (NIST SP 800-38F KW): made for
    wrapping keys, integrity-protected, and the mechanism HSMs offer (PKCS#11
    ``CKM_AES_KEY_WRAP``), so a KMS or HSM provider can take over stored wraps' shape. New
    wraps use the highest version; older versions stay for unwrapping until rotation is done.
    """

    def __init__(self, keys: Mapping[int, bytes], *, current: int | None = None) -> None:
        if not keys:
            raise KeyringInvalid("a key provider needs at least one key-encryption key")
        if any(version < 1 for version in keys):
            raise KeyringInvalid("key-encryption key versions are positive numbers")
        if any(len(key) != KEY_BYTES for key in keys.values()):
            raise KeyringInvalid(f"key-encryption keys must have {KEY_BYTES} bytes")
        chosen = max(keys) if current is None else current
        if chosen not in keys:
            raise KeyringInvalid(f"the current key-encryption key version {chosen} is missing")
        self._keys = dict(keys)
        self._current = chosen

    @classmethod
    def from_keyring(cls, text: str) -> StaticKeyProvider:
        """A provider on ``"1:<base64>,2:<base64>"``, the highest version current."""
        return cls(parse_keyring(text))

    @classmethod
    def from_file(cls, path: str | Path) -> StaticKeyProvider:
        """A provider on the keyring written in the file at ``path``."""
        return cls.from_keyring(Path(path).read_text(encoding="ascii"))

    @property
    def current_version(self) -> int:
        """The KEK version new wraps use."""
        return self._current

    @property
    def versions(self) -> tuple[int, ...]:
        """Every KEK version this provider can unwrap, oldest first."""
        return tuple(sorted(self._keys))

    def __repr__(self) -> str:
        return f"StaticKeyProvider(versions={list(self.versions)}, current={self._current})"

    async def wrap(self, data_key: bytes) -> WrappedKey:
        """``data_key`` wrapped under the current KEK."""
        return WrappedKey(self._current, aes_key_wrap(self._keys[self._current], data_key))

    async def unwrap(self, wrapped: WrappedKey) -> bytes:
        """The clear data key.

        Raises:
            KeyUnavailable: The KEK version is not in this keyring.
            SecretUnreadable: The blob was not wrapped by that KEK, or was altered.
        """
        kek = self._keys.get(wrapped.kek_version)
        if kek is None:
            raise KeyUnavailable(
                f"Key-encryption key version {wrapped.kek_version} is not configured"
            )
        try:
            return aes_key_unwrap(kek, wrapped.blob)
        except (InvalidUnwrap, ValueError):
            raise SecretUnreadable("The wrapped data key does not unwrap") from None


def _write_once(path: Path, content: str) -> None:
    # The content goes to a private temporary file first, then is linked into place: two
    # processes starting together neither both write nor read a half-written file, since
    # the link fails for the one that comes second.
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(content)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink()


def _random_key() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def create_development_keyring(path: str | Path) -> StaticKeyProvider:
    """The keyring in the file at ``path``, made with one random key if missing.

    For the embedded mode only: the file is readable by its owner only, but it sits beside
    the data it protects. Deployments configure a keyring, a KMS or an HSM instead.
    """
    _write_once(Path(path), f"1:{_random_key()}\n")
    return StaticKeyProvider.from_file(path)


def create_development_key(path: str | Path, *, name: str) -> bytes:
    """The base64 key in the file at ``path`` (a fingerprint or CVV key), made if missing.

    For the embedded mode only, like ``create_development_keyring``.
    """
    _write_once(Path(path), f"{_random_key()}\n")
    return decode_key(Path(path).read_text(encoding="ascii"), name=name)
