"""Limits as Toqio sends them (major-unit decimals, counts) turned into the domain's values."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from cards.domain import errors
from cards.domain.limits import LimitKind, LimitValue
from shared_kernel.domain.errors import FieldProblem, InvalidInput
from shared_kernel.domain.money import Currency, Money

WireLimit = Decimal | int
"""A limit on the wire: an amount in major units, or a count of operations."""


def _value(kind: LimitKind, value: WireLimit, currency: Currency) -> LimitValue:
    if kind.is_count:
        if isinstance(value, Decimal):
            if not value.is_finite() or value != value.to_integral_value():
                raise InvalidInput("must be a whole number of operations", code="NOT_A_COUNT")
            return int(value)
        return value
    return Money.from_decimal(value, currency)


def limit_values(
    currency: Currency, wire: Mapping[LimitKind, WireLimit | None]
) -> dict[LimitKind, LimitValue | None]:
    """``wire`` in the card's ``currency``; ``None`` (unset the limit) is kept as is.

    Raises:
        InvalidInput: ``INVALID_LIMITS`` with one problem per field that is no amount in
            ``currency`` (too many decimals, not a number) or no whole count.
    """
    values: dict[LimitKind, LimitValue | None] = {}
    problems = []
    for kind, value in wire.items():
        if value is None:
            values[kind] = None
            continue
        try:
            values[kind] = _value(kind, value, currency)
        except InvalidInput as error:
            problems.append(FieldProblem(kind.value, error.code, error.message))
    if problems:
        raise errors.invalid_limits(tuple(problems))
    return values
