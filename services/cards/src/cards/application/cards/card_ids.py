"""Identifiers cards makes: card ids and PAN tokens, never shaped like a card number."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from shared_kernel.domain.ids import uuid7

# Crockford's base32, lower-case: no i, l, o or u to misread.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_LENGTH = 26  # 130 bits: a whole 128-bit value.
# Ids travel in webhooks, events, logs and audit entries that are scanned for card numbers
# (13 to 19 digits): an id must never hold a run of digits that could be mistaken for one.
_DIGIT_RUN = re.compile(r"\d{12,}")


def _base32(value: int) -> str:
    chars = []
    for _ in range(_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def _identifier(prefix: str, bits: Callable[[], int]) -> str:
    while True:
        text = prefix + _base32(bits())
        if not _DIGIT_RUN.search(text):
            return text


def new_card_id() -> str:
    """A new card id: ``card_`` and a time-ordered UUIDv7 in base32 (sorts by creation)."""
    return _identifier("card_", lambda: uuid7().int)


def new_pan_token() -> str:
    """A new opaque PAN token (``tok_`` and 128 random bits), what Toqio sees as ``token``."""
    return _identifier("tok_", lambda: secrets.randbits(128))
