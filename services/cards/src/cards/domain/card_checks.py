"""Guards for the values a card is issued with, each refusing with the Toqio field it names."""

from __future__ import annotations

import re

from cards.domain import errors

MAX_ID_LENGTH = 128
MAX_NAME_ON_CARD_LENGTH = 21  # Toqio's nameOnCard: what fits on the plastic.
MAX_ALIAS_LENGTH = 25  # Toqio's alias.
MAX_PAN_REF_LENGTH = 200

_ID = re.compile(r"[A-Za-z0-9._:\-]+")
_LAST4 = re.compile(r"\d{4}")
# Twelve or more digits in a row could be a card number: a reference must never be one.
_LONG_DIGIT_RUN = re.compile(r"\d{12,}")


def checked_id(field: str, value: str) -> str:
    """``value`` as an identifier (letters, digits, ``._:-``; at most 128 characters)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_ID_LENGTH or not _ID.fullmatch(text):
        raise errors.invalid_card_field(
            field, f"must be 1 to {MAX_ID_LENGTH} letters, digits or ._:- characters"
        )
    return text


def checked_last4(value: str) -> str:
    """``value`` as the four last digits of a PAN."""
    if not isinstance(value, str) or not _LAST4.fullmatch(value):
        raise errors.invalid_card_field("truncatedPan", "must be exactly four digits")
    return value


def checked_pan_ref(value: str) -> str:
    """``value`` as an opaque reference to a vault entry, which must not look like a PAN."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_PAN_REF_LENGTH:
        raise errors.invalid_card_field("panRef", "a card needs a reference to its PAN")
    if _LONG_DIGIT_RUN.search(text):
        # Said without echoing the value: it may be a real card number passed by mistake.
        raise errors.invalid_card_field("panRef", "must be a vault reference, not a card number")
    return text


def checked_name_on_card(value: str | None) -> str | None:
    """``value`` stripped, at most 21 printable characters; ``None`` or blank means none."""
    return _checked_text("nameOnCard", value, MAX_NAME_ON_CARD_LENGTH)


def checked_alias(value: str | None) -> str | None:
    """``value`` stripped, at most 25 printable characters; ``None`` or blank means none."""
    return _checked_text("alias", value, MAX_ALIAS_LENGTH)


def _checked_text(field: str, value: str | None, max_length: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise errors.invalid_card_field(field, "must be text")
    text = value.strip()
    if len(text) > max_length:
        raise errors.invalid_card_field(field, f"must be at most {max_length} characters")
    if not text.isprintable():
        raise errors.invalid_card_field(field, "must contain printable characters only")
    if _LONG_DIGIT_RUN.search(text):
        raise errors.invalid_card_field(field, "must not contain a card number")
    return text or None
