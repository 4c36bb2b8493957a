"""What the vault keeps sealed: the kinds of card secret, the PIN, and a sealed record."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 12
_DIGITS = frozenset("0123456789")


class SecretField(StrEnum):
    """Which secret of a card a sealed record holds.

    The expiry is not one: PCI DSS requires only the PAN to be unreadable at rest, and the
    lifecycle needs the expiry month in clear to expire cards. The CVV is never stored at all;
    the vault derives it on demand.
    """

    PAN = "PAN"
    PIN = "PIN"


@dataclass(frozen=True, slots=True, repr=False)
class Pin:
    """A card PIN: 4 to 12 digits (ISO 9564); ``repr``/``str`` never show them."""

    digits: str = dataclasses.field(repr=False)

    def __post_init__(self) -> None:
        # The message never quotes the input.
        if (
            not isinstance(self.digits, str)
            or not PIN_MIN_LENGTH <= len(self.digits) <= PIN_MAX_LENGTH
            or not all(c in _DIGITS for c in self.digits)
        ):
            raise ValueError(f"a PIN must have {PIN_MIN_LENGTH} to {PIN_MAX_LENGTH} digits")

    def __repr__(self) -> str:
        return "Pin(****)"

    def __str__(self) -> str:
        return "****"


@dataclass(frozen=True, slots=True, kw_only=True)
class SealedSecret:
    """One secret of one card, encrypted under version ``key_version`` of its tenant's data key.

    The ciphertext names its key version too, and is bound to ``tenant_id``, ``card_id`` and
    ``field``: copied to another row or field it no longer opens.
    """

    tenant_id: str
    card_id: str
    field: SecretField
    key_version: int
    # ``dataclasses.field``: the name ``field`` is one of this record's attributes.
    ciphertext: bytes = dataclasses.field(repr=False)
