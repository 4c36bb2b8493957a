"""Money as an integer of minor units in one currency, converted exactly to and from decimals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shared_kernel.domain.currency import Currency
from shared_kernel.domain.errors import InvalidInput

__all__ = ["Currency", "CurrencyMismatch", "Money"]

# Plain positional notation only: Toqio sends "10.50"; exponents, "NaN" and "1_000" are refused.
_DECIMAL_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")
# No real amount needs more digits; the bound keeps "1E+999999999" from building a huge int.
_MAX_DIGITS = 40


class CurrencyMismatch(InvalidInput):
    """Two amounts in different currencies were combined or compared."""

    default_code = "CURRENCY_MISMATCH"


def _invalid_amount(message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_AMOUNT")


def _shown(value: object) -> str:
    text = str(value).strip()
    return text if len(text) <= 40 else text[:40] + "..."


def _too_many_decimals(value: object, currency: Currency) -> InvalidInput:
    allowed = f"at most {currency.exponent}" if currency.exponent else "none"
    return _invalid_amount(
        f"amount {_shown(value)} has too many decimals: {currency.code} allows {allowed}"
    )


def _as_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | str | int):
        # A float has already lost the exact amount, so it is refused rather than guessed at.
        raise _invalid_amount(
            f"amount must be a Decimal, a decimal string or an int, not {type(value).__name__}"
        )
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            raise _invalid_amount(f"amount '{_shown(text)}' is not a decimal number like 10.50")
        return Decimal(text)
    if isinstance(value, int):
        return Decimal(value)
    if not value.is_finite():
        raise _invalid_amount(f"amount {value} is not a finite number")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: ``minor`` units (cents for EUR, yen for JPY) of ``currency``.

    Arithmetic and ordering only combine amounts of one currency; anything else raises
    :class:`CurrencyMismatch`. Equality across currencies is simply ``False``.
    """

    minor: int
    currency: Currency

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise _invalid_amount(f"minor units must be an int, not {type(self.minor).__name__}")
        if not isinstance(self.currency, Currency):
            raise InvalidInput("currency must be a Currency", code="INVALID_CURRENCY")

    @classmethod
    def zero(cls, currency: Currency | str) -> Money:
        """Return no money in ``currency``."""
        return cls(0, Currency.of(currency))

    @classmethod
    def of(cls, minor: int, currency: Currency | str) -> Money:
        """Return ``minor`` units of ``currency`` (a Currency or an ISO code in either case)."""
        return cls(minor, Currency.of(currency))

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: Currency | str) -> Money:
        """Convert a wire decimal such as ``"10.50"`` into exact minor units.

        Trailing zeros beyond the exponent are accepted (``"10.500"`` EUR is exactly 1050
        cents); any other extra digit is refused, never rounded.

        Raises:
            InvalidInput: ``INVALID_AMOUNT`` for floats, NaN, infinities, malformed text or too
                many decimals; ``INVALID_CURRENCY`` for an unknown currency.
        """
        currency = Currency.of(currency)
        number = _as_decimal(value)
        sign, digits, exponent = number.as_tuple()
        assert isinstance(exponent, int)  # finite, checked by _as_decimal
        coefficient = int("".join(map(str, digits)))
        if coefficient == 0:
            return cls(0, currency)
        if len(digits) + exponent > _MAX_DIGITS:
            raise _invalid_amount(f"amount {_shown(value)} is too large")
        shift = exponent + currency.exponent
        if shift >= 0:
            minor = coefficient * 10**shift
        else:
            # Beyond len(digits) the remainder is the whole coefficient, so skip the huge power.
            if -shift > len(digits):
                remainder = coefficient
            else:
                coefficient, remainder = divmod(coefficient, 10**-shift)
            if remainder:
                raise _too_many_decimals(value, currency)
            minor = coefficient
        return cls(-minor if sign else minor, currency)

    def to_decimal(self) -> Decimal:
        """Return the amount as a Decimal with exactly the currency's decimals (``10.50``)."""
        digits = tuple(int(d) for d in str(abs(self.minor)))
        return Decimal((int(self.minor < 0), digits, -self.currency.exponent))

    def format(self) -> str:
        """Return the amount for display, such as ``"10.50 EUR"`` or ``"-1000 JPY"``."""
        return f"{self.to_decimal():f} {self.currency.code}"

    def __str__(self) -> str:
        return self.format()

    def is_zero(self) -> bool:
        """Whether the amount is exactly zero."""
        return self.minor == 0

    def is_positive(self) -> bool:
        """Whether the amount is greater than zero."""
        return self.minor > 0

    def is_negative(self) -> bool:
        """Whether the amount is less than zero."""
        return self.minor < 0

    def allocate(self, ratios: Sequence[int]) -> list[Money]:
        """Split the amount by ``ratios`` so the parts add up to it exactly.

        Each part is its exact share rounded down, and the minor units left over go one each
        to the parts with the largest fractional share (ties: earlier parts first), so a part
        never differs from its exact share by a whole minor unit and zero ratios get nothing.

        Raises:
            InvalidInput: ``INVALID_RATIOS`` when ratios are empty, negative or all zero.
        """
        if (
            not ratios
            or any(isinstance(r, bool) or not isinstance(r, int) or r < 0 for r in ratios)
            or sum(ratios) == 0
        ):
            raise InvalidInput(
                "ratios must be non-negative integers with a positive sum", code="INVALID_RATIOS"
            )
        # Split the magnitude so a debit splits as the mirror image of the same credit.
        magnitude, total = abs(self.minor), sum(ratios)
        shares = [magnitude * r // total for r in ratios]
        fractions = [magnitude * r % total for r in ratios]
        leftover = magnitude - sum(shares)
        by_fraction = sorted(range(len(ratios)), key=lambda i: (-fractions[i], i))
        for index in by_fraction[:leftover]:
            shares[index] += 1
        sign = -1 if self.minor < 0 else 1
        return [Money(sign * share, self.currency) for share in shares]

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency.code} with {other.currency.code}"
            )

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.minor), self.currency)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor < other.minor

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor <= other.minor

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor > other.minor

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return self.minor >= other.minor
