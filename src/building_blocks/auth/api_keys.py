"""API keys: generation, hashing for storage, constant-time verification, and a guard."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from building_blocks.auth.errors import AuthenticationFailed

KEY_PREFIX = "tq"
PRINCIPAL_STATE_KEY = "api_key_principal"
_HMAC = "hmac-sha256"
_PLAIN = "sha256"

ApiKeyLookup = Callable[[str], Awaitable[bool | str]]


def generate_api_key() -> tuple[str, str]:
    """A new key as ``(key_id, plaintext)``; the plaintext is ``tq_<key_id>_<secret>``.

    The key id is not secret: it lets a store find the one hash to compare against.
    """
    key_id = secrets.token_hex(8)
    return key_id, f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(plaintext: str) -> str | None:
    """The key id embedded in a key this module generated, else ``None``."""
    parts = plaintext.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == KEY_PREFIX else None


def hash_api_key(plaintext: str, *, pepper: bytes | None = None) -> str:
    """The storable hash of ``plaintext``: ``hmac-sha256$<hex>`` with a pepper, else ``sha256$``.

    A fast hash is right here, unlike for passwords: keys carry 256 random bits, so there is
    nothing to brute-force, and a slow KDF would only add latency to every call. The optional
    server-side pepper makes a leaked table useless without the service's secret as well.
    """
    data = plaintext.encode()
    if pepper:
        return f"{_HMAC}${hmac.new(pepper, data, hashlib.sha256).hexdigest()}"
    return f"{_PLAIN}${hashlib.sha256(data).hexdigest()}"


def verify_api_key(plaintext: str, stored_hash: str, *, pepper: bytes | None = None) -> bool:
    """Whether ``plaintext`` matches ``stored_hash``, compared in constant time."""
    scheme, _, _ = stored_hash.partition("$")
    if scheme == _HMAC and not pepper:
        return False
    candidate = hash_api_key(plaintext, pepper=pepper if scheme == _HMAC else None)
    return hmac.compare_digest(candidate.encode(), stored_hash.encode())


class ApiKeyHasher:
    """The three operations above bound to one server-side pepper."""

    def __init__(self, pepper: bytes | None = None) -> None:
        self._pepper = pepper

    def generate(self) -> tuple[str, str, str]:
        """A new key as ``(key_id, plaintext, stored_hash)``."""
        key_id, plaintext = generate_api_key()
        return key_id, plaintext, self.hash(plaintext)

    def hash(self, plaintext: str) -> str:
        """The storable hash of ``plaintext``."""
        return hash_api_key(plaintext, pepper=self._pepper)

    def verify(self, plaintext: str, stored_hash: str) -> bool:
        """Whether ``plaintext`` matches ``stored_hash``."""
        return verify_api_key(plaintext, stored_hash, pepper=self._pepper)


def api_key_guard(lookup: ApiKeyLookup, header: str = "X-Api-Key") -> Guard:
    """A guard admitting calls whose ``header`` holds a key ``lookup`` accepts.

    ``lookup`` gets the presented key and answers ``False`` (unknown), ``True`` or a principal
    (for example the Toqio customer id), kept in the connection state under
    :data:`PRINCIPAL_STATE_KEY`.
    """

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        presented = connection.headers.get(header)
        if not presented:
            raise AuthenticationFailed(f"The {header} header is missing")
        principal = await lookup(presented)
        if principal is False or principal == "":
            raise AuthenticationFailed("The API key is not valid")
        connection.scope.setdefault("state", {})[PRINCIPAL_STATE_KEY] = principal

    return guard
