"""Create, revoke and authenticate the API keys Toqio customers call compliance with."""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from compliance.application.access.ports import ApiKeyHasher, ApiKeyRepository, Clock
from compliance.domain.access import ApiKey, checked_customer_id
from shared_kernel.domain.errors import NotFound

API_KEY_NOT_FOUND = "API_KEY_NOT_FOUND"

_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewApiKey:
    """A key just created: its record, and the key itself, which is never shown again."""

    record: ApiKey
    plaintext: str = field(repr=False)


class CreateApiKey:
    """Give a Toqio customer a new API key (a customer may hold several, to rotate them)."""

    def __init__(self, keys: ApiKeyRepository, hasher: ApiKeyHasher, clock: Clock) -> None:
        self._keys = keys
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, customer_id: str) -> NewApiKey:
        """The new key; only its hash is stored.

        Raises:
            InvalidInput: ``customer_id`` is empty or too long.
        """
        customer = checked_customer_id(customer_id)
        key_id, plaintext, key_hash = self._hasher.generate()
        record = ApiKey(
            key_id=key_id, customer_id=customer, key_hash=key_hash, created_at=self._clock()
        )
        await self._keys.add(record)
        _log.info("api_key.created", key_id=key_id, customer_id=customer)
        return NewApiKey(record=record, plaintext=plaintext)


class RevokeApiKey:
    """Stop a key from authenticating; revoking it again changes nothing."""

    def __init__(self, keys: ApiKeyRepository, clock: Clock) -> None:
        self._keys = keys
        self._clock = clock

    async def __call__(self, key_id: str) -> ApiKey:
        """The revoked key's record.

        Raises:
            NotFound: ``API_KEY_NOT_FOUND`` when no key has this id.
        """
        found = await self._keys.get(key_id)
        if found is None:
            raise NotFound(f"No API key has the id {key_id}", code=API_KEY_NOT_FOUND)
        if not found.active:
            return found
        now = self._clock()
        await self._keys.revoke(key_id, now)
        _log.info("api_key.revoked", key_id=key_id, customer_id=found.customer_id)
        # Re-read: a concurrent revocation may have won, and its time is the one kept.
        return await self._keys.get(key_id) or found.revoked(now)


class AuthenticateApiKey:
    """Tell which Toqio customer a presented key belongs to."""

    def __init__(self, keys: ApiKeyRepository, hasher: ApiKeyHasher) -> None:
        self._keys = keys
        self._hasher = hasher

    async def __call__(self, plaintext: str) -> str | None:
        """The customer id of an active key matching ``plaintext``, else ``None``."""
        key_id = self._hasher.key_id_of(plaintext)
        if key_id is None:
            return None
        found = await self._keys.get(key_id)
        if found is None or not found.active:
            return None
        if not self._hasher.verify(plaintext, found.key_hash):
            return None
        return found.customer_id
