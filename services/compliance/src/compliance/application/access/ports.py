"""The ports the access use cases need: key and reviewer stores, password hashing, tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from compliance.domain.access import ApiKey, Reviewer, ReviewerRole

Clock = Callable[[], datetime]
"""Now, timezone-aware in UTC."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedToken:
    """A reviewer's bearer token, shown once, and when it stops being accepted."""

    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenClaims:
    """What a verified token says about its bearer."""

    reviewer_id: str
    role: ReviewerRole
    issued_at: datetime
    expires_at: datetime


class ApiKeyRepository(Protocol):
    """Where API key records live; every call is its own short transaction."""

    async def add(self, key: ApiKey) -> None:
        """Store a new key record."""
        ...

    async def get(self, key_id: str) -> ApiKey | None:
        """The record of ``key_id``, revoked or not, else ``None``."""
        ...

    async def revoke(self, key_id: str, at: datetime) -> None:
        """Mark ``key_id`` revoked at ``at`` unless it already is (its first time is kept)."""
        ...


class ReviewerRepository(Protocol):
    """Where reviewers live; every call is its own short transaction."""

    async def add(self, reviewer: Reviewer) -> bool:
        """Store a new reviewer; ``False`` (nothing stored) when the username is taken."""
        ...

    async def get(self, reviewer_id: str) -> Reviewer | None:
        """The reviewer with this id, else ``None``."""
        ...

    async def by_username(self, username: str) -> Reviewer | None:
        """The reviewer with this normalised username, else ``None``."""
        ...

    async def set_password_hash(self, reviewer_id: str, password_hash: str) -> None:
        """Replace a reviewer's password hash (a rehash with stronger parameters)."""
        ...


class ApiKeyHasher(Protocol):
    """Makes API keys and checks presented ones against stored hashes in constant time."""

    def generate(self) -> tuple[str, str, str]:
        """A new key as ``(key_id, plaintext, stored_hash)``."""
        ...

    def key_id_of(self, plaintext: str) -> str | None:
        """The key id a presented key carries, else ``None`` (not one of ours)."""
        ...

    def verify(self, plaintext: str, stored_hash: str) -> bool:
        """Whether ``plaintext`` is the key ``stored_hash`` was made from."""
        ...


class PasswordHasher(Protocol):
    """A memory-hard password KDF; async because one hash costs tens of milliseconds of CPU."""

    async def hash(self, password: str) -> str:
        """A self-describing, salted hash of ``password``."""
        ...

    async def verify(self, password: str, encoded: str) -> bool:
        """Whether ``password`` matches ``encoded``; ``False`` for a malformed hash."""
        ...

    def needs_rehash(self, encoded: str) -> bool:
        """Whether ``encoded`` was made with other parameters than the current ones."""
        ...


class TokenSigner(Protocol):
    """Issues and verifies short-lived, tamper-evident reviewer tokens."""

    def issue(self, reviewer_id: str, role: ReviewerRole, now: datetime) -> IssuedToken:
        """A token for this reviewer, valid from ``now`` for the signer's lifetime."""
        ...

    def verify(self, token: str, now: datetime) -> TokenClaims:
        """The claims of a genuine, unexpired token.

        Raises:
            AccessDenied: The token is malformed, forged, tampered with or expired.
        """
        ...
