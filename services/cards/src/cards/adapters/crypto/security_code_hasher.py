"""HmacSecurityCodeHasher: the keyed hash cards keeps of each card's security code."""

from __future__ import annotations

import hashlib
import hmac

MIN_KEY_BYTES = 32
# Domain separation: with the fingerprint key reused here, no security-code hash can ever
# equal a PAN fingerprint (whose label differs), nor one of another card (the id is bound).
_LABEL = b"toqio-cards/security-code/v1\x00"


def _part(text: str) -> bytes:
    raw = text.encode("utf-8")
    return len(raw).to_bytes(4, "big") + raw


class HmacSecurityCodeHasher:
    """``SecurityCodeHasher``: HMAC-SHA256 over the card id and the code, as hex.

    A six-digit code has a million values, so an unkeyed hash would be reversed at once;
    the key (kept outside the database) is what makes a stolen table useless, and binding
    the card id stops a hash copied onto another card from matching there.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        """Keep ``key``.

        Raises:
            ValueError: The key is shorter than 32 bytes.
        """
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the security code key must have at least {MIN_KEY_BYTES} bytes")
        self._key = bytes(key)

    def __repr__(self) -> str:
        return "HmacSecurityCodeHasher(key=<hidden>)"

    def hash(self, card_id: str, code: str) -> str:
        """The hash of ``code`` for card ``card_id``: 64 lower-case hex characters."""
        message = _LABEL + _part(card_id) + _part(code)
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def matches(self, card_id: str, code: str, stored_hash: str) -> bool:
        """Whether ``code`` is the code whose hash was stored (constant-time comparison)."""
        return hmac.compare_digest(self.hash(card_id, code), stored_hash)
