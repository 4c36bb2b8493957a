"""Primary account numbers: the Luhn check, a masked-by-default value object, and issuing ranges."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

MIN_LENGTH = 13
MAX_LENGTH = 19
BIN_LENGTH = 6
LAST4 = 4
_DIGITS = frozenset("0123456789")


def _all_digits(text: str) -> bool:
    # str.isdigit() accepts superscripts and other scripts' digits; a PAN is ASCII 0-9 only.
    return bool(text) and all(c in _DIGITS for c in text)


def _luhn_sum(digits: str, *, double_first: bool) -> int:
    total = 0
    double = double_first
    for char in reversed(digits):
        value = ord(char) - 48
        if double:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
        double = not double
    return total


def luhn_valid(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits only) ends in a correct Luhn check digit."""
    return (
        _all_digits(digits) and len(digits) > 1 and _luhn_sum(digits, double_first=False) % 10 == 0
    )


def luhn_check_digit(partial: str) -> str:
    """The Luhn check digit that makes ``partial + digit`` valid.

    Raises:
        ValueError: ``partial`` is empty or not made of ASCII digits.
    """
    if not _all_digits(partial):
        raise ValueError("a Luhn check digit needs a non-empty run of digits")
    # The check digit will take the rightmost place, so the rightmost digit of ``partial``
    # is the first one doubled.
    return str(-_luhn_sum(partial, double_first=True) % 10)


@dataclass(frozen=True, slots=True, repr=False)
class Pan:
    """A card number: 13 to 19 digits with a valid Luhn check digit.

    ``repr``/``str`` show only the masked form (first six, last four), so a PAN that reaches a
    log line, a traceback or an f-string is never shown in full. ``digits`` is the clear number,
    for the vault and the card processor only.
    """

    digits: str = field(repr=False)

    def __post_init__(self) -> None:
        # The messages never quote the input: it may be a real card number.
        if not isinstance(self.digits, str) or not _all_digits(self.digits):
            raise ValueError("a PAN must be made of digits only")
        if not MIN_LENGTH <= len(self.digits) <= MAX_LENGTH:
            raise ValueError(f"a PAN must have {MIN_LENGTH} to {MAX_LENGTH} digits")
        if not luhn_valid(self.digits):
            raise ValueError("the PAN fails the Luhn check")

    @property
    def last4(self) -> str:
        """The last four digits, shown to card holders and sent to Toqio."""
        return self.digits[-LAST4:]

    @property
    def bin(self) -> str:
        """The first six digits: the issuer identification number."""
        return self.digits[:BIN_LENGTH]

    def masked(self) -> str:
        """The PAN with everything but the first six and last four digits as ``*``."""
        hidden = len(self.digits) - BIN_LENGTH - LAST4
        return f"{self.bin}{'*' * hidden}{self.last4}"

    def __repr__(self) -> str:
        return f"Pan({self.masked()})"

    def __str__(self) -> str:
        return self.masked()


@dataclass(frozen=True, slots=True)
class BinRange:
    """Where this issuer makes PANs: a 6 to 8 digit prefix and the length of the numbers."""

    prefix: str
    length: int = 16

    def __post_init__(self) -> None:
        if not _all_digits(self.prefix) or not 6 <= len(self.prefix) <= 8:
            raise ValueError("a BIN range prefix must have 6 to 8 digits")
        if not MIN_LENGTH <= self.length <= MAX_LENGTH:
            raise ValueError(f"a PAN length must be between {MIN_LENGTH} and {MAX_LENGTH}")

    @property
    def random_length(self) -> int:
        """How many digits of each PAN are random: all but the prefix and the check digit."""
        return self.length - len(self.prefix) - 1

    def contains(self, pan: Pan) -> bool:
        """Whether ``pan`` has this range's prefix and length."""
        return len(pan.digits) == self.length and pan.digits.startswith(self.prefix)


RandomDigits = Callable[[int], str]
"""Returns a string of exactly ``n`` random ASCII digits."""


def secure_random_digits(count: int) -> str:
    """``count`` digits from the operating system's CSPRNG: the production ``RandomDigits``."""
    return "".join(secrets.choice("0123456789") for _ in range(count))


def generate_pan(bin_range: BinRange, random_digits: RandomDigits) -> Pan:
    """A new Luhn-valid PAN in ``bin_range``: prefix, random body, check digit.

    Raises:
        ValueError: ``random_digits`` returned anything but the requested number of digits.
    """
    body = random_digits(bin_range.random_length)
    if len(body) != bin_range.random_length or not _all_digits(body):
        raise ValueError("the random source returned something other than the digits asked for")
    partial = bin_range.prefix + body
    return Pan(partial + luhn_check_digit(partial))
