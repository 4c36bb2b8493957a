"""In-memory stand-ins for the vault's repositories, and a vault built on the real crypto."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from cards.adapters.crypto.aes_gcm import AesGcmCipher
from cards.adapters.crypto.cvv import HmacCvvCalculator
from cards.adapters.crypto.fingerprint import HmacFingerprinter
from cards.adapters.crypto.key_providers import StaticKeyProvider
from cards.application.vault.ports import KeyProvider, WrappedDataKey, WrappedKey
from cards.application.vault.vault import CardVault, DataKeyCreated
from cards.domain.secrets import SealedSecret, SecretField

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
KEK_1 = bytes(range(32))
KEK_2 = bytes(range(100, 132))
FINGERPRINT_KEY = b"f" * 32
CVV_KEY = b"c" * 32


def key_provider(*versions: int) -> StaticKeyProvider:
    """A keyring holding the given KEK versions (1 and 2 are fixed test keys)."""
    known = {1: KEK_1, 2: KEK_2, 3: bytes(range(200, 232))}
    return StaticKeyProvider({v: known[v] for v in versions or (1,)})


class FakeDataKeyRepository:
    """Data keys in a dict; every call yields once, so concurrent callers interleave."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, int], WrappedDataKey] = {}
        self.gets = 0

    async def current(self, tenant_id: str) -> WrappedDataKey | None:
        await asyncio.sleep(0)
        versions = [k for (t, _), k in self.keys.items() if t == tenant_id]
        return max(versions, key=lambda k: k.version, default=None)

    async def get(self, tenant_id: str, version: int) -> WrappedDataKey | None:
        await asyncio.sleep(0)
        self.gets += 1
        return self.keys.get((tenant_id, version))

    async def add(self, key: WrappedDataKey) -> WrappedDataKey:
        await asyncio.sleep(0)
        return self.keys.setdefault((key.tenant_id, key.version), key)

    async def tenants(self) -> list[str]:
        return sorted({t for t, _ in self.keys})

    async def wrapped_before(self, kek_version: int, limit: int) -> list[WrappedDataKey]:
        old = [k for _, k in sorted(self.keys.items()) if k.wrapped.kek_version < kek_version]
        return old[:limit]

    async def rewrap(self, changes: Sequence[tuple[WrappedDataKey, WrappedKey]]) -> int:
        done = 0
        for old, new in changes:
            slot = (old.tenant_id, old.version)
            if self.keys.get(slot) == old:
                self.keys[slot] = replace(old, wrapped=new)
                done += 1
        return done


Slot = tuple[str, SecretField]


class FakeSealedSecretRepository:
    """Sealed secrets in a dict, with a hook to write concurrently before a batch lands."""

    def __init__(self) -> None:
        self.rows: dict[Slot, SealedSecret] = {}
        self.before_replace: Callable[[], Awaitable[None]] | None = None

    def put(self, sealed: SealedSecret) -> None:
        self.rows[(sealed.card_id, sealed.field)] = sealed

    async def older_than(
        self, tenant_id: str, key_version: int, limit: int, *, after: SealedSecret | None = None
    ) -> list[SealedSecret]:
        start = None if after is None else (after.card_id, after.field.value)
        found = [
            s
            for (card_id, field), s in sorted(self.rows.items())
            if s.tenant_id == tenant_id
            and s.key_version < key_version
            and (start is None or (card_id, field.value) > start)
        ]
        return found[:limit]

    async def replace(self, changes: Sequence[tuple[SealedSecret, SealedSecret]]) -> int:
        if self.before_replace is not None:
            await self.before_replace()
        done = 0
        for old, new in changes:
            if self.rows.get((old.card_id, old.field)) == old:
                self.put(new)
                done += 1
        return done


async def _nothing(_key: WrappedDataKey) -> None:
    return None


def build_vault(
    keys: KeyProvider | None = None,
    data_keys: FakeDataKeyRepository | None = None,
    *,
    cache_size: int = 16,
    on_data_key_created: DataKeyCreated = _nothing,
    fingerprint_key: bytes = FINGERPRINT_KEY,
    cvv_key: bytes = CVV_KEY,
) -> CardVault:
    """A vault on the real cipher, keyring, fingerprint and CVV, with in-memory data keys."""
    return CardVault(
        keys or key_provider(1),
        data_keys if data_keys is not None else FakeDataKeyRepository(),
        AesGcmCipher(),
        HmacFingerprinter(fingerprint_key),
        HmacCvvCalculator(cvv_key),
        clock=lambda: NOW,
        cache_size=cache_size,
        on_data_key_created=on_data_key_created,
    )


def kek_versions(data_keys: FakeDataKeyRepository) -> Mapping[tuple[str, int], int]:
    """The KEK version wrapping each stored data key."""
    return {slot: key.wrapped.kek_version for slot, key in data_keys.keys.items()}
