"""HmacAuditMac: the audit chain's MAC, HMAC-SHA256 under a key of its own."""

from __future__ import annotations

import hashlib
import hmac

MIN_KEY_BYTES = 32


class HmacAuditMac:
    """``AuditMac`` as HMAC-SHA256 over the previous MAC and the entry's canonical bytes.

    The key is used for nothing else (not the PAN fingerprint, not a data key), so knowing
    one of them never lets anyone forge an audit entry.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        """Keep ``key``.

        Raises:
            ValueError: The key is shorter than 32 bytes (256 bits).
        """
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"The audit MAC key must be at least {MIN_KEY_BYTES} bytes long")
        self._key = bytes(key)

    def mac(self, previous_mac: str, canonical: bytes) -> str:
        """HMAC-SHA256 of the length-prefixed previous MAC then ``canonical``, as hex."""
        previous = previous_mac.encode()
        # The length prefix keeps the split between the two parts unambiguous.
        message = len(previous).to_bytes(4, "big") + previous + canonical
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "HmacAuditMac(key=<hidden>)"
