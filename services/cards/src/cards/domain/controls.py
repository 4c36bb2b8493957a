"""Spend controls: where a card may be used, by merchant category (MCC) and merchant country."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cards.domain import errors
from cards.domain.limits import SpendKind

_MCC = re.compile(r"\d{4}")
_COUNTRY = re.compile(r"[A-Z]{2}")
MAX_MERCHANT_NAME_LENGTH = 100

ATM_MCC = "6011"  # Automated cash disbursements.
MANUAL_CASH_MCC = "6010"  # Manual cash disbursements (over a bank counter).
CASH_MCCS = frozenset({ATM_MCC, MANUAL_CASH_MCC})

# Blocked on every card unless its controls say otherwise. A default, not a rule: a programme
# that allows gambling passes its own ``blocked_mccs``.
DEFAULT_HIGH_RISK_MCCS = frozenset(
    {
        "7995",  # Betting, casino gambling, lottery tickets.
        "7800",  # Government-owned lotteries.
        "7801",  # Government-licensed online casinos.
        "7802",  # Government-licensed horse and dog racing.
        "6051",  # Quasi-cash: crypto, money orders, travellers' cheques.
        "4829",  # Money transfer: cash leaves the card without a merchant.
    }
)


def checked_mcc(mcc: str, field: str = "mcc") -> str:
    """``mcc`` as the four-digit code it must be.

    Raises:
        InvalidInput: ``INVALID_CONTROLS`` naming ``field``.
    """
    text = mcc.strip() if isinstance(mcc, str) else ""
    if not _MCC.fullmatch(text):
        raise errors.invalid_controls(field, "a merchant category code has four digits")
    return text


def checked_country(country: str, field: str = "country") -> str:
    """``country`` as an upper-case ISO 3166-1 alpha-2 code.

    Raises:
        InvalidInput: ``INVALID_CONTROLS`` naming ``field``.
    """
    text = country.strip().upper() if isinstance(country, str) else ""
    if not _COUNTRY.fullmatch(text):
        raise errors.invalid_controls(field, "a country is a two-letter ISO 3166-1 code")
    return text


def spend_kind_of(mcc: str) -> SpendKind:
    """ATM withdrawal for the cash-disbursement categories (6010, 6011), else purchase."""
    return SpendKind.ATM_WITHDRAWAL if mcc in CASH_MCCS else SpendKind.PURCHASE


@dataclass(frozen=True, slots=True)
class Merchant:
    """Where a card is being used, as the processor describes it."""

    name: str
    mcc: str
    country: str

    def __post_init__(self) -> None:
        name = self.name.strip() if isinstance(self.name, str) else ""
        if len(name) > MAX_MERCHANT_NAME_LENGTH:
            name = name[:MAX_MERCHANT_NAME_LENGTH]
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "mcc", checked_mcc(self.mcc, "merchant.mcc"))
        object.__setattr__(self, "country", checked_country(self.country, "merchant.country"))

    @property
    def spend_kind(self) -> SpendKind:
        """Whether using the card here is a purchase or a cash withdrawal."""
        return spend_kind_of(self.mcc)


class ControlOutcome(StrEnum):
    """What spend controls say about a merchant."""

    ALLOWED = "ALLOWED"
    MCC_BLOCKED = "MCC_BLOCKED"
    COUNTRY_BLOCKED = "COUNTRY_BLOCKED"
    ATM_NOT_ALLOWED = "ATM_NOT_ALLOWED"


@dataclass(frozen=True, slots=True, kw_only=True)
class SpendControls:
    """Merchant-category and country controls of one card.

    A blocked list always wins over an allowed-only list; an allowed-only list of ``None``
    allows everything not blocked. Cash withdrawals are further gated by ``cash_allowed``.
    """

    blocked_mccs: frozenset[str] = DEFAULT_HIGH_RISK_MCCS
    allowed_mccs: frozenset[str] | None = None
    blocked_countries: frozenset[str] = frozenset()
    allowed_countries: frozenset[str] | None = None
    cash_allowed: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocked_mccs", _mccs(self.blocked_mccs, "blockedMccs"))
        object.__setattr__(
            self, "blocked_countries", _countries(self.blocked_countries, "blockedCountries")
        )
        if self.allowed_mccs is not None:
            object.__setattr__(self, "allowed_mccs", _mccs(self.allowed_mccs, "allowedMccs"))
        if self.allowed_countries is not None:
            allowed = _countries(self.allowed_countries, "allowedCountries")
            object.__setattr__(self, "allowed_countries", allowed)

    @classmethod
    def unrestricted(cls) -> SpendControls:
        """No control at all, not even the default high-risk categories."""
        return cls(blocked_mccs=frozenset())

    def check(self, merchant: Merchant) -> ControlOutcome:
        """Whether the card may be used at ``merchant``, and if not, which control says no.

        Order: cash gate, merchant category (blocked, then allowed-only), country (likewise).
        """
        if merchant.spend_kind is SpendKind.ATM_WITHDRAWAL and not self.cash_allowed:
            return ControlOutcome.ATM_NOT_ALLOWED
        if merchant.mcc in self.blocked_mccs or (
            self.allowed_mccs is not None and merchant.mcc not in self.allowed_mccs
        ):
            return ControlOutcome.MCC_BLOCKED
        if merchant.country in self.blocked_countries or (
            self.allowed_countries is not None and merchant.country not in self.allowed_countries
        ):
            return ControlOutcome.COUNTRY_BLOCKED
        return ControlOutcome.ALLOWED


def _mccs(values: Iterable[str], field: str) -> frozenset[str]:
    return frozenset(checked_mcc(value, field) for value in _iterable(values, field))


def _countries(values: Iterable[str], field: str) -> frozenset[str]:
    return frozenset(checked_country(value, field) for value in _iterable(values, field))


def _iterable(values: Iterable[str], field: str) -> Iterable[str]:
    # A bare string is iterable too, and "7995" would become the categories "7", "9", "9", "5".
    if isinstance(values, str):
        raise errors.invalid_controls(field, "expected a collection of codes, not one string")
    return values
