"""HmacCvvCalculator: a card's CVV derived on demand from a card verification key, never stored."""

from __future__ import annotations

import hashlib
import hmac
import re

from cards.domain.expiry import Expiry
from cards.domain.pan import Pan

MIN_KEY_BYTES = 32
CVV_DIGITS = 3
# The CVV2/CVC2 printed on a card is computed with service code 000 by the card schemes.
PRINTED_SERVICE_CODE = "000"
_SERVICE_CODE = re.compile(r"[0-9]{3}")
_LABEL = b"toqio-cards/cvv/v1\x00"


class HmacCvvCalculator:
    """``CvvCalculator``: our derivation, not the schemes' DES-based CVV algorithm.

    CVV = the first 8 bytes of HMAC-SHA256(card verification key, "PAN|MMYY|service code")
    read as a big-endian number, modulo 1000, zero-padded to three digits. The modulo bias
    is below 10^-16. Whoever verifies a CVV (this service, or a processor given the same key
    and this description) recomputes it, so no CVV is ever stored. Changing the key changes
    the CVV of every card printed under it: keep it for as long as those cards are valid.
    """

    def __init__(self, key: bytes, *, service_code: str = PRINTED_SERVICE_CODE) -> None:
        """Bind the calculator to ``key`` (at least 32 bytes) and a 3-digit service code."""
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the card verification key must have at least {MIN_KEY_BYTES} bytes")
        if not _SERVICE_CODE.fullmatch(service_code):
            raise ValueError("a service code has three digits")
        self._key = key
        self._service_code = service_code

    def __repr__(self) -> str:
        return f"HmacCvvCalculator(service_code={self._service_code!r})"

    def cvv(self, pan: Pan, expiry: Expiry) -> str:
        """The card's three-digit CVV."""
        expiry_mmyy = expiry.mm_yy().replace("/", "")
        message = _LABEL + f"{pan.digits}|{expiry_mmyy}|{self._service_code}".encode("ascii")
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        value = int.from_bytes(digest[:8], "big") % 10**CVV_DIGITS
        return f"{value:0{CVV_DIGITS}d}"
