"""What a card has spent, and which of its limits a new spend would break."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType

from cards.domain import errors
from cards.domain.limits import CardLimits, LimitKind, LimitValue, SpendKind
from shared_kernel.domain.money import Currency, CurrencyMismatch, Money


@dataclass(frozen=True, slots=True, kw_only=True)
class SpendUsage:
    """What a card has already committed (authorized and not reversed) in each window.

    The caller computes the windows (UTC day and month, the card's lifetime). Counts are the
    authorizations of the UTC day.
    """

    currency: Currency
    purchases_today: Money
    atm_today: Money
    purchases_this_month: Money
    atm_this_month: Money
    lifetime: Money
    purchases_today_count: int = 0
    atm_today_count: int = 0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Money):
                if value.currency != self.currency:
                    raise CurrencyMismatch(f"usage {item.name} is not in {self.currency.code}")
                negative = value.is_negative()
            else:
                negative = isinstance(value, int) and value < 0
            if negative:
                raise errors.invalid_card_field(item.name, "usage cannot be negative")

    @classmethod
    def zero(cls, currency: Currency | str) -> SpendUsage:
        """Nothing spent yet."""
        nothing = Money.zero(currency)
        return cls(
            currency=nothing.currency,
            purchases_today=nothing,
            atm_today=nothing,
            purchases_this_month=nothing,
            atm_this_month=nothing,
            lifetime=nothing,
        )

    def after(self, amount: Money, kind: SpendKind) -> SpendUsage:
        """The usage once ``amount`` of ``kind`` is committed too."""
        if kind is SpendKind.ATM_WITHDRAWAL:
            return replace(
                self,
                atm_today=self.atm_today + amount,
                atm_this_month=self.atm_this_month + amount,
                lifetime=self.lifetime + amount,
                atm_today_count=self.atm_today_count + 1,
            )
        return replace(
            self,
            purchases_today=self.purchases_today + amount,
            purchases_this_month=self.purchases_this_month + amount,
            lifetime=self.lifetime + amount,
            purchases_today_count=self.purchases_today_count + 1,
        )

    def used(self, kind: LimitKind) -> LimitValue:
        """What limit ``kind`` is compared against; zero for the per-transaction limit."""
        match kind:
            case LimitKind.TRANSACTION:
                return Money.zero(self.currency)
            case LimitKind.DAILY:
                return self.purchases_today + self.atm_today
            case LimitKind.MONTHLY:
                return self.purchases_this_month + self.atm_this_month
            case LimitKind.LIFETIME:
                return self.lifetime
            case LimitKind.PURCHASES_DAILY:
                return self.purchases_today
            case LimitKind.PURCHASES_MONTHLY:
                return self.purchases_this_month
            case LimitKind.ATM_DAILY:
                return self.atm_today
            case LimitKind.ATM_MONTHLY:
                return self.atm_this_month
            case LimitKind.PURCHASES_OPERATIONS:
                return self.purchases_today_count
            case LimitKind.ATM_OPERATIONS:
                return self.atm_today_count


# The order check_spend reports in: the narrowest limit first, so the reason names the limit
# the cardholder meets first; every applicable limit is checked.
_CHECK_ORDER: Mapping[SpendKind, tuple[LimitKind, ...]] = MappingProxyType(
    {
        SpendKind.PURCHASE: (
            LimitKind.TRANSACTION,
            LimitKind.PURCHASES_OPERATIONS,
            LimitKind.PURCHASES_DAILY,
            LimitKind.DAILY,
            LimitKind.PURCHASES_MONTHLY,
            LimitKind.MONTHLY,
            LimitKind.LIFETIME,
        ),
        SpendKind.ATM_WITHDRAWAL: (
            LimitKind.TRANSACTION,
            LimitKind.ATM_OPERATIONS,
            LimitKind.ATM_DAILY,
            LimitKind.DAILY,
            LimitKind.ATM_MONTHLY,
            LimitKind.MONTHLY,
            LimitKind.LIFETIME,
        ),
    }
)


@dataclass(frozen=True, slots=True)
class LimitCheck:
    """The outcome of :func:`check_spend`: allowed, or the first limit that blocks."""

    blocked_by: LimitKind | None = None
    limit: LimitValue | None = None
    used: LimitValue | None = None

    @property
    def allowed(self) -> bool:
        """Whether no limit blocks the spend."""
        return self.blocked_by is None


def check_spend(
    limits: CardLimits, usage: SpendUsage, amount: Money, kind: SpendKind
) -> LimitCheck:
    """Whether committing ``amount`` of ``kind`` keeps every limit, else the first one it breaks.

    Limits are checked in :data:`_CHECK_ORDER`: per transaction, the operation count, daily
    (the kind's, then the total), monthly (likewise), lifetime. A spend allowed here never
    takes any usage above its limit.

    Raises:
        InvalidInput: ``amount`` is not positive.
        CurrencyMismatch: ``amount``, ``usage`` and ``limits`` are not all in one currency.
    """
    if not amount.is_positive():
        raise errors.invalid_authorization("amount", "a spend must be a positive amount")
    if amount.currency != limits.currency or usage.currency != limits.currency:
        raise CurrencyMismatch(
            f"spend in {amount.currency.code} checked against {limits.currency.code} limits"
        )
    after = usage.after(amount, kind)
    for limit_kind in _CHECK_ORDER[kind]:
        limit = limits.get(limit_kind)
        if limit is None:
            continue
        would_be = amount if limit_kind is LimitKind.TRANSACTION else after.used(limit_kind)
        if _above(would_be, limit):
            return LimitCheck(limit_kind, limit, usage.used(limit_kind))
    return LimitCheck()


def _above(value: LimitValue, limit: LimitValue) -> bool:
    if isinstance(value, Money) and isinstance(limit, Money):
        return value > limit
    return isinstance(value, int) and isinstance(limit, int) and value > limit
