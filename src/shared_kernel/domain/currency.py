"""ISO 4217 currencies with their minor-unit exponent, as the ledger and Toqio's wire use them."""

from __future__ import annotations

from dataclasses import dataclass, field

import iso4217

from shared_kernel.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency: its alphabetic code and how many decimals its minor unit has.

    ``Currency("eur")`` and ``Currency.of("EUR")`` are the same value: the code is upper-cased
    because Toqio's Integration Hub sends it lower-case while everything else uses upper-case.
    """

    code: str
    exponent: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        code = self.code.strip().upper() if isinstance(self.code, str) else ""
        known = iso4217.Currency.__members__.get(code) if code.isalpha() else None
        if known is None:
            raise InvalidInput(
                f"'{self.code}' is not an ISO 4217 currency code", code="INVALID_CURRENCY"
            )
        if known.exponent is None:
            # Gold, SDRs and test codes have no minor unit, so no amount of them is countable.
            raise InvalidInput(
                f"{code} has no minor unit and cannot hold money", code="INVALID_CURRENCY"
            )
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "exponent", int(known.exponent))

    @classmethod
    def of(cls, code: str | Currency) -> Currency:
        """Return the currency for ``code`` (either case), or ``code`` itself if already one.

        Raises:
            InvalidInput: ``INVALID_CURRENCY`` when the code is not a usable ISO 4217 code.
        """
        return code if isinstance(code, Currency) else cls(code)

    def __str__(self) -> str:
        return self.code
