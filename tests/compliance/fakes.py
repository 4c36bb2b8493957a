"""In-memory stand-ins for the access ports: key and reviewer stores, a fast password hasher."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from compliance.domain.access import ApiKey, Reviewer

START = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


class FakeApiKeyRepository:
    def __init__(self) -> None:
        self.keys: dict[str, ApiKey] = {}

    async def add(self, key: ApiKey) -> None:
        assert key.key_id not in self.keys
        self.keys[key.key_id] = key

    async def get(self, key_id: str) -> ApiKey | None:
        return self.keys.get(key_id)

    async def revoke(self, key_id: str, at: datetime) -> None:
        if key_id in self.keys:
            self.keys[key_id] = self.keys[key_id].revoked(at)


class FakeReviewerRepository:
    def __init__(self) -> None:
        self.reviewers: dict[str, Reviewer] = {}

    async def add(self, reviewer: Reviewer) -> bool:
        if any(r.username == reviewer.username for r in self.reviewers.values()):
            return False
        self.reviewers[reviewer.reviewer_id] = reviewer
        return True

    async def get(self, reviewer_id: str) -> Reviewer | None:
        return self.reviewers.get(reviewer_id)

    async def by_username(self, username: str) -> Reviewer | None:
        return next((r for r in self.reviewers.values() if r.username == username), None)

    async def set_password_hash(self, reviewer_id: str, password_hash: str) -> None:
        self.reviewers[reviewer_id] = replace(
            self.reviewers[reviewer_id], password_hash=password_hash
        )

    def disable(self, username: str) -> None:
        found = next(r for r in self.reviewers.values() if r.username == username)
        self.reviewers[found.reviewer_id] = replace(found, disabled=True)


class FakePasswordHasher:
    """Unsalted SHA-256 under a version tag: fast, and enough to tell passwords apart.

    ``verifications`` counts the hashing work done, which is what timing would reveal.
    """

    def __init__(self, version: str = "fake1") -> None:
        self.version = version
        self.verifications = 0

    def _digest(self, password: str, version: str) -> str:
        return f"{version}${hashlib.sha256(password.encode()).hexdigest()}"

    async def hash(self, password: str) -> str:
        return self._digest(password, self.version)

    async def verify(self, password: str, encoded: str) -> bool:
        self.verifications += 1
        version, _, _ = encoded.partition("$")
        return hmac.compare_digest(self._digest(password, version), encoded)

    def needs_rehash(self, encoded: str) -> bool:
        return not encoded.startswith(f"{self.version}$")
