"""CardVault: envelope encryption of card secrets under per-tenant data keys, and derived values."""

from __future__ import annotations

import hmac
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cards.application.vault.ports import (
    CvvCalculator,
    DataKeyRepository,
    Fingerprinter,
    KeyProvider,
    KeyUnavailable,
    SecretCipher,
    SecretUnreadable,
    WrappedDataKey,
)
from cards.domain.expiry import Expiry
from cards.domain.pan import Pan
from cards.domain.secrets import Pin, SealedSecret, SecretField

Clock = Callable[[], datetime]
DataKeyCreated = Callable[[WrappedDataKey], Awaitable[None]]
"""Told of every data key this process created (for the audit log); never sees the clear key."""

FIRST_VERSION = 1
DEFAULT_CACHE_SIZE = 1024
_AD_LABEL = b"toqio-cards-vault/v1"


def associated_data(tenant_id: str, card_id: str, field: SecretField) -> bytes:
    """The bytes a sealed secret is bound to: its tenant, card and field.

    Each part is length-prefixed, so no two different triples share an encoding.
    """
    parts = [_AD_LABEL, *(p.encode("utf-8") for p in (tenant_id, card_id, field.value))]
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class SealedPan:
    """A sealed PAN with its fingerprint, both to store in the card's ``card_secrets`` row."""

    sealed: SealedSecret
    fingerprint: str


async def _nothing(_key: WrappedDataKey) -> None:
    return None


class CardVault:
    """Seals and opens card secrets; derives fingerprints and CVVs.

    Every tenant has versioned AES data keys, stored wrapped by the ``KeyProvider``'s
    key-encryption key; the first is made on the tenant's first seal. Unwrapped data keys are
    kept in a bounded in-memory cache, so opening a secret usually costs no I/O: a data key
    never changes once made (rotation only rewraps it or adds a version).
    """

    def __init__(
        self,
        keys: KeyProvider,
        data_keys: DataKeyRepository,
        cipher: SecretCipher,
        fingerprinter: Fingerprinter,
        cvv_calculator: CvvCalculator,
        *,
        clock: Clock = lambda: datetime.now(UTC),
        cache_size: int = DEFAULT_CACHE_SIZE,
        on_data_key_created: DataKeyCreated = _nothing,
    ) -> None:
        if cache_size < 1:
            raise ValueError("the data key cache must hold at least one key")
        self._keys = keys
        self._data_keys = data_keys
        self._cipher = cipher
        self._fingerprinter = fingerprinter
        self._cvv = cvv_calculator
        self._clock = clock
        self._cache_size = cache_size
        self._cache: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._on_data_key_created = on_data_key_created

    def __repr__(self) -> str:
        return f"CardVault(cached_keys={len(self._cache)})"

    async def seal(
        self, tenant_id: str, card_id: str, field: SecretField, plaintext: bytes
    ) -> SealedSecret:
        """Encrypt ``plaintext`` under the tenant's current data key (made if it has none)."""
        version, key = await self._current_key(tenant_id)
        ciphertext = self._cipher.encrypt(
            key, version, plaintext, associated_data(tenant_id, card_id, field)
        )
        return SealedSecret(
            tenant_id=tenant_id,
            card_id=card_id,
            field=field,
            key_version=version,
            ciphertext=ciphertext,
        )

    async def open(self, sealed: SealedSecret) -> bytes:
        """The clear secret.

        Raises:
            SecretUnreadable: Altered, truncated, or copied from another tenant, card or field.
            KeyUnavailable: The data key (or the KEK wrapping it) is gone.
        """
        if self._cipher.key_version(sealed.ciphertext) != sealed.key_version:
            # The row and the ciphertext disagree on the key: one of them was altered.
            raise SecretUnreadable()
        key = await self._key(sealed.tenant_id, sealed.key_version)
        return self._cipher.decrypt(
            key, sealed.ciphertext, associated_data(sealed.tenant_id, sealed.card_id, sealed.field)
        )

    async def seal_pan(self, tenant_id: str, card_id: str, pan: Pan) -> SealedPan:
        """The sealed PAN and its fingerprint."""
        sealed = await self.seal(tenant_id, card_id, SecretField.PAN, pan.digits.encode("ascii"))
        return SealedPan(sealed=sealed, fingerprint=self.fingerprint(pan))

    async def open_pan(self, sealed: SealedSecret) -> Pan:
        """The PAN a sealed ``PAN`` secret holds.

        Raises:
            SecretUnreadable: As ``open``, or the secret is not a PAN.
        """
        if sealed.field is not SecretField.PAN:
            raise SecretUnreadable("The sealed secret is not a PAN")
        try:
            return Pan((await self.open(sealed)).decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            raise SecretUnreadable() from None

    async def seal_pin(self, tenant_id: str, card_id: str, pin: Pin) -> SealedSecret:
        """The sealed PIN."""
        return await self.seal(tenant_id, card_id, SecretField.PIN, pin.digits.encode("ascii"))

    async def open_pin(self, sealed: SealedSecret) -> Pin:
        """The PIN a sealed ``PIN`` secret holds.

        Raises:
            SecretUnreadable: As ``open``, or the secret is not a PIN.
        """
        if sealed.field is not SecretField.PIN:
            raise SecretUnreadable("The sealed secret is not a PIN")
        try:
            return Pin((await self.open(sealed)).decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            raise SecretUnreadable() from None

    async def rebind(self, sealed: SealedSecret, *, card_id: str) -> SealedSecret:
        """The same secret sealed for another card (a replacement that keeps its PAN)."""
        return await self.seal(sealed.tenant_id, card_id, sealed.field, await self.open(sealed))

    def fingerprint(self, pan: Pan) -> str:
        """The keyed fingerprint of ``pan`` (hex), for duplicate checks and look-ups."""
        return self._fingerprinter.fingerprint(pan)

    def cvv(self, pan: Pan, expiry: Expiry) -> str:
        """The card's three-digit CVV, derived now and never stored."""
        return self._cvv.cvv(pan, expiry)

    def cvv_matches(self, pan: Pan, expiry: Expiry, presented: str) -> bool:
        """Whether ``presented`` is the card's CVV (compared in constant time)."""
        return hmac.compare_digest(self.cvv(pan, expiry).encode(), presented.encode())

    async def _current_key(self, tenant_id: str) -> tuple[int, bytes]:
        # Asked every time rather than cached: after a rotation adds a version, every process
        # must seal under it at once, or rotation would leave secrets behind on the old one.
        stored = await self._data_keys.current(tenant_id)
        if stored is None:
            stored = await self.create_data_key(tenant_id, FIRST_VERSION)
        return stored.version, await self._key(tenant_id, stored.version, stored)

    async def create_data_key(self, tenant_id: str, version: int) -> WrappedDataKey:
        """Make version ``version`` of the tenant's data key unless it exists; the stored one.

        Safe to race: when two processes create the same version, both use the one stored.
        """
        clear = self._cipher.new_key()
        proposed = WrappedDataKey(
            tenant_id=tenant_id,
            version=version,
            wrapped=await self._keys.wrap(clear),
            created_at=self._clock(),
        )
        stored = await self._data_keys.add(proposed)
        # Ours won unless its wrapping differs: every wrap of a fresh random key is unique.
        if stored.wrapped == proposed.wrapped:
            self._remember((tenant_id, version), clear)
            await self._on_data_key_created(stored)
        return stored

    async def _key(
        self, tenant_id: str, version: int, stored: WrappedDataKey | None = None
    ) -> bytes:
        slot = (tenant_id, version)
        if (cached := self._cache.get(slot)) is not None:
            self._cache.move_to_end(slot)
            return cached
        if stored is None:
            stored = await self._data_keys.get(tenant_id, version)
        if stored is None:
            raise KeyUnavailable(f"Data key version {version} of this tenant is not stored")
        clear = await self._keys.unwrap(stored.wrapped)
        self._remember(slot, clear)
        return clear

    def _remember(self, slot: tuple[str, int], key: bytes) -> None:
        self._cache[slot] = key
        self._cache.move_to_end(slot)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
