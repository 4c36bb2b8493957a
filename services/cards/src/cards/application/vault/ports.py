"""The ports of the PAN vault: key-encryption keys, data keys, cipher, fingerprints, CVVs, rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cards.domain.expiry import Expiry
from cards.domain.pan import Pan
from cards.domain.secrets import SealedSecret, SecretField
from shared_kernel.domain.errors import Conflict, DomainError


class VaultError(DomainError):
    """The vault cannot do what was asked; the message never holds key or card data."""

    default_code = "VAULT_ERROR"


class SecretUnreadable(VaultError):
    """A sealed secret does not open: tampered with, moved to another row, or truncated."""

    default_code = "SECRET_UNREADABLE"

    def __init__(self, message: str = "The sealed secret could not be opened") -> None:
        super().__init__(message)


class KeyUnavailable(VaultError):
    """The key a ciphertext or wrapped key names is not configured or not stored."""

    default_code = "KEY_UNAVAILABLE"


class SecretAlreadyStored(Conflict):
    """The card already has this secret, or another card already has this PAN."""

    default_code = "SECRET_ALREADY_STORED"


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """A data key encrypted under version ``kek_version`` of the key-encryption key."""

    kek_version: int
    blob: bytes = dataclasses.field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class WrappedDataKey:
    """Version ``version`` of one tenant's data key, as stored: wrapped, never in clear."""

    tenant_id: str
    version: int
    wrapped: WrappedKey
    created_at: datetime


class KeyProvider(Protocol):
    """The key-encryption key (KEK): a keyring in configuration, a KMS or an HSM.

    The clear KEK never needs to leave the provider: it only wraps and unwraps data keys, so
    a KMS ``Encrypt``/``Decrypt`` or an HSM's key-wrap mechanism implements it directly.
    """

    @property
    def current_version(self) -> int:
        """The KEK version new wraps use."""
        ...

    async def wrap(self, data_key: bytes) -> WrappedKey:
        """``data_key`` wrapped under the current KEK version."""
        ...

    async def unwrap(self, wrapped: WrappedKey) -> bytes:
        """The clear data key.

        Raises:
            KeyUnavailable: The KEK version is unknown to this provider.
            SecretUnreadable: The blob was not wrapped by that KEK (or was altered).
        """
        ...


class DataKeyRepository(Protocol):
    """Per-tenant data keys, each stored wrapped; every call is its own short transaction."""

    async def current(self, tenant_id: str) -> WrappedDataKey | None:
        """The tenant's highest data-key version, else ``None`` (no key yet)."""
        ...

    async def get(self, tenant_id: str, version: int) -> WrappedDataKey | None:
        """That version of the tenant's data key, else ``None``."""
        ...

    async def add(self, key: WrappedDataKey) -> WrappedDataKey:
        """Store ``key`` unless ``(tenant_id, version)`` exists; return the one stored.

        Two processes adding the same version at once both get the same, single winner.
        """
        ...

    async def tenants(self) -> list[str]:
        """Every tenant that has a data key."""
        ...

    async def wrapped_before(self, kek_version: int, limit: int) -> list[WrappedDataKey]:
        """Up to ``limit`` data keys wrapped under a KEK version older than ``kek_version``."""
        ...

    async def rewrap(self, changes: Sequence[tuple[WrappedDataKey, WrappedKey]]) -> int:
        """In one transaction, give each key its new wrapping if it still has the old one.

        Returns:
            How many keys were rewrapped (one changed concurrently is left as it is).
        """
        ...


class SealedSecretRepository(Protocol):
    """Sealed secrets in bulk, for key rotation; every call is its own short transaction."""

    async def older_than(
        self, tenant_id: str, key_version: int, limit: int, *, after: SealedSecret | None = None
    ) -> list[SealedSecret]:
        """Up to ``limit`` of the tenant's secrets sealed under a version below ``key_version``.

        Ordered by card id then field, starting after ``after``'s row: a caller pages through
        once, passing over rows it cannot reseal instead of meeting them again.
        """
        ...

    async def replace(self, changes: Sequence[tuple[SealedSecret, SealedSecret]]) -> int:
        """In one transaction, store each ``new`` where its row still holds ``old``'s ciphertext.

        Returns:
            How many rows were replaced; a row written concurrently keeps the concurrent value.
        """
        ...


class CardSecretRepository(Protocol):
    """A card's sealed secrets inside the card's own unit of work."""

    async def add(self, sealed: SealedSecret, fingerprint: str | None = None) -> None:
        """Store a new secret; a PAN comes with its fingerprint.

        Raises:
            SecretAlreadyStored: The card has this field already, or the fingerprint is taken.
        """
        ...

    async def get(self, card_id: str, field: SecretField) -> SealedSecret | None:
        """The card's sealed ``field``, else ``None``."""
        ...

    async def update(self, sealed: SealedSecret) -> bool:
        """Replace the stored value of an existing secret (a new PIN); ``False`` if none."""
        ...

    async def remove(self, card_id: str, field: SecretField) -> bool:
        """Delete the card's ``field``; ``False`` if there was none."""
        ...

    async def card_with_fingerprint(self, fingerprint: str) -> str | None:
        """The id of the card whose PAN has this fingerprint, else ``None``."""
        ...


class SecretCipher(Protocol):
    """Authenticated encryption whose ciphertexts name the version of the key that made them."""

    def new_key(self) -> bytes:
        """A fresh random data key of the size the cipher needs."""
        ...

    def encrypt(
        self, key: bytes, key_version: int, plaintext: bytes, associated_data: bytes
    ) -> bytes:
        """``plaintext`` encrypted under ``key`` with a fresh nonce, bound to the data."""
        ...

    def decrypt(self, key: bytes, ciphertext: bytes, associated_data: bytes) -> bytes:
        """The plaintext.

        Raises:
            SecretUnreadable: Wrong key, altered ciphertext or other associated data.
        """
        ...

    def key_version(self, ciphertext: bytes) -> int:
        """The data-key version ``ciphertext`` names.

        Raises:
            SecretUnreadable: ``ciphertext`` is not in a format this cipher writes.
        """
        ...


class Fingerprinter(Protocol):
    """A keyed, one-way digest of a PAN: finds duplicates without decrypting anything."""

    def fingerprint(self, pan: Pan) -> str:
        """The PAN's fingerprint, as lower-case hex."""
        ...


class CvvCalculator(Protocol):
    """Derives a card's verification value on demand, so it is never stored."""

    def cvv(self, pan: Pan, expiry: Expiry) -> str:
        """The three-digit CVV of this PAN and expiry."""
        ...
