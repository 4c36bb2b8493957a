"""HmacFingerprinter: a keyed HMAC-SHA256 of a PAN, for look-ups without decrypting anything."""

from __future__ import annotations

import hashlib
import hmac

from cards.domain.pan import Pan

MIN_KEY_BYTES = 32
# Domain separation: the same key could never yield this digest for anything but a PAN.
_LABEL = b"toqio-cards/pan-fingerprint/v1\x00"


class HmacFingerprinter:
    """``Fingerprinter``: hex HMAC-SHA256 of the PAN's digits.

    A plain hash of a PAN is reversible by enumeration (a BIN and a Luhn digit leave at most
    10^9 candidates); keyed with a secret that is not the encryption key, it is not.
    """

    def __init__(self, key: bytes) -> None:
        """Bind the fingerprinter to ``key``; ``ValueError`` if shorter than 32 bytes."""
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the fingerprint key must have at least {MIN_KEY_BYTES} bytes")
        self._key = key

    def __repr__(self) -> str:
        return "HmacFingerprinter()"

    def fingerprint(self, pan: Pan) -> str:
        """The PAN's fingerprint: 64 lower-case hex characters."""
        message = _LABEL + pan.digits.encode("ascii")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
