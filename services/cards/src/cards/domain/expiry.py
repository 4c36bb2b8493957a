"""The expiry month of a card, valid through the last day of that month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MM_YY = re.compile(r"(\d{2})/(\d{2})")
# Cards carry two-digit years; every expiry this service issues or reads is in this century.
_CENTURY = 2000


@dataclass(frozen=True, slots=True)
class Expiry:
    """A card's expiry month; ``year`` has four digits."""

    month: int
    year: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError("an expiry month must be between 1 and 12")
        if not _CENTURY <= self.year <= _CENTURY + 99:
            raise ValueError("an expiry year must be between 2000 and 2099")

    @classmethod
    def parse(cls, text: str) -> Expiry:
        """The expiry written as ``MM/YY``.

        Raises:
            ValueError: ``text`` is not ``MM/YY`` or names no month.
        """
        matched = _MM_YY.fullmatch(text.strip())
        if matched is None:
            raise ValueError("an expiry must be written MM/YY")
        return cls(month=int(matched[1]), year=_CENTURY + int(matched[2]))

    @classmethod
    def years_after(cls, issued_on: date, years: int) -> Expiry:
        """The expiry of a card issued on ``issued_on`` and valid for ``years`` years."""
        if years < 1:
            raise ValueError("a card is valid for at least one year")
        return cls(month=issued_on.month, year=issued_on.year + years)

    def mm_yy(self) -> str:
        """The expiry as printed on a card: ``MM/YY``."""
        return f"{self.month:02d}/{self.year % 100:02d}"

    def is_past(self, today: date) -> bool:
        """Whether the card has expired on ``today`` (it stays valid through its month)."""
        return (today.year, today.month) > (self.year, self.month)
