"""A card's spending limits: their kinds, Toqio field names and consistency rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from cards.domain import errors
from shared_kernel.domain.errors import FieldProblem
from shared_kernel.domain.money import Currency, Money

LimitValue = Money | int


class SpendKind(StrEnum):
    """Purchases and cash withdrawals have separate limits; values match the funds contract."""

    PURCHASE = "PURCHASE"
    ATM_WITHDRAWAL = "ATM_WITHDRAWAL"


class LimitKind(StrEnum):
    """One card limit, valued by its Toqio field name (``LimitFields`` and its custom ones).

    Operation counts (``*_OPERATIONS``) count authorizations per UTC day: Toqio does not say
    over which period, and a day is what issuers commonly mean by "operations limit".
    """

    TRANSACTION = "cardLimitTransaction"
    DAILY = "cardLimitDaily"
    MONTHLY = "cardLimitMonthly"
    LIFETIME = "lifetimeSpendLimit"
    PURCHASES_DAILY = "purchasesDailyLimit"
    PURCHASES_MONTHLY = "purchasesMonthlyLimit"
    ATM_DAILY = "atmDailyLimit"
    ATM_MONTHLY = "atmMonthlyLimit"
    PURCHASES_OPERATIONS = "purchasesOperationsLimit"
    ATM_OPERATIONS = "atmOperationsLimit"

    @property
    def is_count(self) -> bool:
        """Whether the limit counts operations rather than money."""
        return self in (LimitKind.PURCHASES_OPERATIONS, LimitKind.ATM_OPERATIONS)

    @property
    def attribute(self) -> str:
        """The :class:`CardLimits` attribute holding this limit (``purchases_daily``)."""
        return self.name.lower()

    @property
    def bounds_name(self) -> str:
        """The stem of Toqio's min/max fields: ``min{stem}`` and ``max{stem}``."""
        return _BOUNDS_NAMES.get(self, self.value[0].upper() + self.value[1:])


_BOUNDS_NAMES = MappingProxyType(
    {
        LimitKind.TRANSACTION: "TransactionLimit",
        LimitKind.DAILY: "DailyLimit",
        LimitKind.MONTHLY: "MonthlyLimit",
        LimitKind.LIFETIME: "LifetimeSpendLimit",
    }
)

# For each limit, the wider limits it may not exceed (checked wherever both are set).
_NOT_ABOVE: Mapping[LimitKind, tuple[LimitKind, ...]] = MappingProxyType(
    {
        LimitKind.TRANSACTION: (LimitKind.DAILY, LimitKind.MONTHLY, LimitKind.LIFETIME),
        LimitKind.DAILY: (LimitKind.MONTHLY, LimitKind.LIFETIME),
        LimitKind.MONTHLY: (LimitKind.LIFETIME,),
        LimitKind.PURCHASES_DAILY: (
            LimitKind.PURCHASES_MONTHLY,
            LimitKind.DAILY,
            LimitKind.MONTHLY,
            LimitKind.LIFETIME,
        ),
        LimitKind.PURCHASES_MONTHLY: (LimitKind.MONTHLY, LimitKind.LIFETIME),
        LimitKind.ATM_DAILY: (
            LimitKind.ATM_MONTHLY,
            LimitKind.DAILY,
            LimitKind.MONTHLY,
            LimitKind.LIFETIME,
        ),
        LimitKind.ATM_MONTHLY: (LimitKind.MONTHLY, LimitKind.LIFETIME),
    }
)


def limit_value_problem(kind: LimitKind, value: object, currency: Currency) -> FieldProblem | None:
    """What is wrong with ``value`` as limit ``kind`` of a card in ``currency``, if anything."""
    if kind.is_count:
        if isinstance(value, bool) or not isinstance(value, int):
            return FieldProblem(kind.value, "NOT_A_COUNT", "must be a whole number of operations")
        if value < 0:
            return FieldProblem(kind.value, "NEGATIVE", "must not be negative")
        return None
    if not isinstance(value, Money):
        return FieldProblem(kind.value, "NOT_AN_AMOUNT", "must be an amount")
    if value.currency != currency:
        return FieldProblem(
            kind.value, "WRONG_CURRENCY", f"must be in the card currency {currency.code}"
        )
    if value.is_negative():
        return FieldProblem(kind.value, "NEGATIVE", "must not be negative")
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class CardLimits:
    """The limits configured on one card, all optional, money in the card's currency.

    An unset limit (``None``) means the card has no limit of that kind; zero forbids any
    spend of that kind. Construction refuses negative limits, amounts in another currency and
    a limit above a wider one (daily above monthly, ATM daily above daily...), naming fields.
    """

    currency: Currency
    transaction: Money | None = None
    daily: Money | None = None
    monthly: Money | None = None
    lifetime: Money | None = None
    purchases_daily: Money | None = None
    purchases_monthly: Money | None = None
    atm_daily: Money | None = None
    atm_monthly: Money | None = None
    purchases_operations: int | None = None
    atm_operations: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.currency, Currency):
            raise errors.invalid_card_field("currency", "limits need a Currency")
        problems = [
            problem
            for kind, value in self._set_values()
            if (problem := limit_value_problem(kind, value, self.currency)) is not None
        ]
        if not problems:
            problems = self._ordering_problems()
        if problems:
            raise errors.invalid_limits(tuple(problems))

    @classmethod
    def none(cls, currency: Currency | str) -> CardLimits:
        """No limit at all, in ``currency``."""
        return cls(currency=Currency.of(currency))

    @classmethod
    def of(cls, currency: Currency | str, values: Mapping[LimitKind, LimitValue]) -> CardLimits:
        """Limits from a mapping of kind to value; kinds left out are unset.

        Raises:
            InvalidInput: ``INVALID_LIMITS`` naming each offending Toqio field.
        """
        return cls(
            currency=Currency.of(currency),
            **{kind.attribute: value for kind, value in values.items()},  # type: ignore[arg-type]
        )

    def get(self, kind: LimitKind) -> LimitValue | None:
        """The value of limit ``kind``, or ``None`` when unset."""
        value: LimitValue | None = getattr(self, kind.attribute)
        return value

    def configured(self) -> dict[LimitKind, LimitValue]:
        """Every limit that is set, by kind, in :class:`LimitKind` order."""
        return dict(self._set_values())

    def changed(self, updates: Mapping[LimitKind, LimitValue | None]) -> CardLimits:
        """These limits with ``updates`` applied (``None`` unsets a limit), validated anew."""
        values: dict[LimitKind, LimitValue | None] = {kind: self.get(kind) for kind in LimitKind}
        values.update(updates)
        return CardLimits.of(self.currency, {k: v for k, v in values.items() if v is not None})

    def _set_values(self) -> Iterator[tuple[LimitKind, LimitValue]]:
        for kind in LimitKind:
            value = self.get(kind)
            if value is not None:
                yield kind, value

    def _ordering_problems(self) -> list[FieldProblem]:
        problems = []
        for narrow, wider_kinds in _NOT_ABOVE.items():
            value = self.get(narrow)
            for wider in wider_kinds:
                bound = self.get(wider)
                if isinstance(value, Money) and isinstance(bound, Money) and value > bound:
                    problems.append(
                        FieldProblem(
                            narrow.value,
                            f"ABOVE_{wider.name}",
                            f"{value.format()} is above {wider.value} ({bound.format()})",
                        )
                    )
        return problems
