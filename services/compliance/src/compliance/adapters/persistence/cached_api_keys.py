"""CachedApiKeyRepository: API key records kept in memory for a few seconds after a look-up.

Toqio presents a key on every validation; reading it from memory takes a round trip off the
hot path and keeps known keys working while the database is down (the validation then holds
the payment instead of failing the call). A revocation through this process applies at once;
one through another replica within ``ttl`` seconds (``API_KEY_CACHE_SECONDS``). Unknown key
ids are not cached, so a key created anywhere works at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from cachetools import TTLCache

from compliance.application.access.ports import ApiKeyRepository
from compliance.domain.access import ApiKey


class CachedApiKeyRepository:
    """``ApiKeyRepository`` whose ``get`` answers from memory while fresh."""

    def __init__(
        self,
        keys: ApiKeyRepository,
        *,
        ttl: float,
        maxsize: int = 10_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keys = keys
        self._cache: TTLCache[str, ApiKey] = TTLCache(maxsize, ttl, timer=timer)

    async def add(self, key: ApiKey) -> None:
        """Store a new key record."""
        await self._keys.add(key)

    async def get(self, key_id: str) -> ApiKey | None:
        """The record of ``key_id``: cached while fresh, else read (and cached if found)."""
        found = self._cache.get(key_id)
        if found is None:
            found = await self._keys.get(key_id)
            if found is not None:
                self._cache[key_id] = found
        return found

    async def revoke(self, key_id: str, at: datetime) -> None:
        """Revoke ``key_id`` and forget its cached record, so this process refuses it at once."""
        try:
            await self._keys.revoke(key_id, at)
        finally:
            self._cache.pop(key_id, None)
