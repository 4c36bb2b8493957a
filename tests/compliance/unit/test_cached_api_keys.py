"""CachedApiKeyRepository: known keys answered from memory, revocations applied at once here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from compliance.adapters.persistence.cached_api_keys import CachedApiKeyRepository
from compliance.domain.access import ApiKey
from tests.compliance.fakes import FakeApiKeyRepository

pytestmark = pytest.mark.unit

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
KEY = ApiKey(key_id="k1", customer_id="cust-1", key_hash="h", created_at=NOW)


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CountingKeys(FakeApiKeyRepository):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.down = False

    async def get(self, key_id: str) -> ApiKey | None:
        self.reads += 1
        if self.down:
            raise ConnectionError("database down")
        return await super().get(key_id)


@pytest.fixture
def keys() -> CountingKeys:
    return CountingKeys()


async def test_a_known_key_is_read_once_while_fresh_even_with_the_database_down(
    keys: CountingKeys,
) -> None:
    cached = CachedApiKeyRepository(keys, ttl=30, timer=Ticker())
    await cached.add(KEY)

    assert await cached.get("k1") == KEY
    keys.down = True
    assert await cached.get("k1") == KEY
    assert keys.reads == 1


async def test_an_unknown_key_is_not_cached_so_a_key_created_elsewhere_works_at_once(
    keys: CountingKeys,
) -> None:
    cached = CachedApiKeyRepository(keys, ttl=30, timer=Ticker())
    assert await cached.get("k1") is None

    await keys.add(KEY)  # another replica

    assert await cached.get("k1") == KEY


async def test_a_revocation_here_applies_at_once_one_elsewhere_after_the_ttl(
    keys: CountingKeys,
) -> None:
    ticker = Ticker()
    cached = CachedApiKeyRepository(keys, ttl=30, timer=ticker)
    await cached.add(KEY)
    await cached.add(ApiKey(key_id="k2", customer_id="cust-2", key_hash="h", created_at=NOW))
    assert await cached.get("k1") == KEY
    assert (found := await cached.get("k2")) is not None
    assert found.active

    await cached.revoke("k1", NOW)
    await keys.revoke("k2", NOW)  # another replica

    assert (k1 := await cached.get("k1")) is not None
    assert not k1.active
    assert (stale := await cached.get("k2")) is not None
    assert stale.active
    ticker.now = 30.5
    assert (fresh := await cached.get("k2")) is not None
    assert not fresh.active
