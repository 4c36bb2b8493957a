"""The minimum and maximum each card limit may be set to, by card type, client type and currency."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cards.domain import errors
from cards.domain.card_types import ClientType, FundingType
from cards.domain.limits import CardLimits, LimitKind, LimitValue
from shared_kernel.domain.errors import FieldProblem
from shared_kernel.domain.money import Currency, Money


@dataclass(frozen=True, slots=True)
class Bound:
    """The range one limit may take, in minor units (money) or operations (counts)."""

    minimum: int
    maximum: int

    def __post_init__(self) -> None:
        for value in (self.minimum, self.maximum):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise errors.invalid_card_field("bounds", "bounds are non-negative integers")
        if self.minimum > self.maximum:
            raise errors.invalid_card_field("bounds", "a minimum cannot exceed its maximum")


@dataclass(frozen=True, slots=True)
class LimitBounds:
    """The bounds of one card programme (a card type, client type and currency).

    Kinds without a bound may take any value; an unset limit is never out of bounds (the card
    simply has no limit of that kind).
    """

    currency: Currency
    bounds: Mapping[LimitKind, Bound] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounds", MappingProxyType(dict(self.bounds)))

    def minimum(self, kind: LimitKind) -> LimitValue | None:
        """The lowest value limit ``kind`` may take, or ``None`` when unbounded."""
        bound = self.bounds.get(kind)
        return None if bound is None else self._value(kind, bound.minimum)

    def maximum(self, kind: LimitKind) -> LimitValue | None:
        """The highest value limit ``kind`` may take, or ``None`` when unbounded."""
        bound = self.bounds.get(kind)
        return None if bound is None else self._value(kind, bound.maximum)

    def min_max_fields(self) -> dict[str, LimitValue]:
        """The bounds as Toqio's limits min/max answer names them (``minDailyLimit``...)."""
        answer: dict[str, LimitValue] = {}
        for kind in LimitKind:
            bound = self.bounds.get(kind)
            if bound is not None:
                answer[f"min{kind.bounds_name}"] = self._value(kind, bound.minimum)
                answer[f"max{kind.bounds_name}"] = self._value(kind, bound.maximum)
        return answer

    def problems(self, limits: CardLimits) -> tuple[FieldProblem, ...]:
        """Every limit of ``limits`` outside these bounds, each naming its Toqio field."""
        if limits.currency != self.currency:
            message = f"limits in {limits.currency.code}, bounds in {self.currency.code}"
            return (FieldProblem("currency", "WRONG_CURRENCY", message),)
        found = []
        for kind, value in limits.configured().items():
            low, high = self.minimum(kind), self.maximum(kind)
            if low is None or high is None:
                continue
            if _less(value, low):
                found.append(
                    FieldProblem(
                        kind.value,
                        "BELOW_MINIMUM",
                        f"{_shown(value)} is below the minimum {_shown(low)}",
                    )
                )
            elif _less(high, value):
                found.append(
                    FieldProblem(
                        kind.value,
                        "ABOVE_MAXIMUM",
                        f"{_shown(value)} is above the maximum {_shown(high)}",
                    )
                )
        return tuple(found)

    def check(self, limits: CardLimits) -> None:
        """Refuse ``limits`` if any is outside these bounds.

        Raises:
            InvalidInput: ``INVALID_LIMITS``, one problem per offending field.
        """
        found = self.problems(limits)
        if found:
            raise errors.invalid_limits(found)

    def _value(self, kind: LimitKind, units: int) -> LimitValue:
        return units if kind.is_count else Money(units, self.currency)


@dataclass(frozen=True, slots=True)
class BoundsKey:
    """What limit bounds depend on."""

    funding: FundingType
    client_type: ClientType
    currency: Currency


@dataclass(frozen=True, slots=True)
class LimitBoundsTable:
    """The configured bounds of every card programme; unknown programmes are unbounded."""

    entries: Mapping[BoundsKey, LimitBounds] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, bounds in self.entries.items():
            if key.currency != bounds.currency:
                raise errors.invalid_card_field(
                    "bounds", f"bounds for {key} are in another currency"
                )
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))

    def for_programme(
        self, funding: FundingType, client_type: ClientType, currency: Currency | str
    ) -> LimitBounds:
        """The bounds of a card programme, or no bounds at all when none are configured."""
        currency = Currency.of(currency)
        found = self.entries.get(BoundsKey(funding, client_type, currency))
        return found if found is not None else LimitBounds(currency)


def _less(value: LimitValue, other: LimitValue) -> bool:
    if isinstance(value, Money) and isinstance(other, Money):
        return value < other
    return not isinstance(value, Money) and not isinstance(other, Money) and value < other


def _shown(value: LimitValue) -> str:
    return value.format() if isinstance(value, Money) else f"{value} operations"
