"""The configurable parts of card issuing: BIN range, validity, limit bounds, card images."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from urllib.parse import quote

from cards.domain import errors
from cards.domain.card_types import ClientType, FundingType
from cards.domain.limit_bounds import Bound, BoundsKey, LimitBounds, LimitBoundsTable
from cards.domain.limits import LimitKind
from cards.domain.pan import BinRange
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency, Money

DEFAULT_PROVIDER = "SANDBOX"
DEFAULT_IMAGE_TEMPLATE = "https://cards.sandbox.invalid/designs/{design}.png"
DEFAULT_DESIGN = "standard"
MIN_PIN_LENGTH = 4

# Default bounds per client type, in major units (counts for the operations limits): wide
# enough for a sandbox, narrow enough that a typo of three zeros is refused.
_DEFAULT_BOUNDS: Mapping[ClientType, Mapping[LimitKind, tuple[int, int]]] = MappingProxyType(
    {
        ClientType.BUSINESS: {
            LimitKind.TRANSACTION: (0, 10_000),
            LimitKind.DAILY: (0, 20_000),
            LimitKind.MONTHLY: (0, 100_000),
            LimitKind.LIFETIME: (0, 1_000_000),
            LimitKind.PURCHASES_DAILY: (0, 20_000),
            LimitKind.PURCHASES_MONTHLY: (0, 100_000),
            LimitKind.ATM_DAILY: (0, 2_000),
            LimitKind.ATM_MONTHLY: (0, 10_000),
            LimitKind.PURCHASES_OPERATIONS: (0, 500),
            LimitKind.ATM_OPERATIONS: (0, 20),
        },
        ClientType.CONSUMER: {
            LimitKind.TRANSACTION: (0, 5_000),
            LimitKind.DAILY: (0, 10_000),
            LimitKind.MONTHLY: (0, 50_000),
            LimitKind.LIFETIME: (0, 500_000),
            LimitKind.PURCHASES_DAILY: (0, 10_000),
            LimitKind.PURCHASES_MONTHLY: (0, 50_000),
            LimitKind.ATM_DAILY: (0, 1_000),
            LimitKind.ATM_MONTHLY: (0, 5_000),
            LimitKind.PURCHASES_OPERATIONS: (0, 200),
            LimitKind.ATM_OPERATIONS: (0, 10),
        },
    }
)
DEFAULT_BOUND_CURRENCIES = ("EUR", "GBP", "USD")


Major = int | Decimal | str
"""An amount in major units (or a count of operations) as configuration writes it."""


def _units(kind: LimitKind, major: Major, currency: Currency) -> int:
    if kind.is_count:
        value = Decimal(major)
        if value != value.to_integral_value():
            raise errors.invalid_card_field("bounds", f"{kind.value} bounds count operations")
        return int(value)
    return Money.from_decimal(major, currency).minor


def _bounds(currency: Currency, ranges: Mapping[LimitKind, tuple[Major, Major]]) -> LimitBounds:
    return LimitBounds(
        currency,
        {
            kind: Bound(_units(kind, low, currency), _units(kind, high, currency))
            for kind, (low, high) in ranges.items()
        },
    )


def default_limit_bounds(
    currencies: tuple[str, ...] = DEFAULT_BOUND_CURRENCIES,
) -> LimitBoundsTable:
    """The bounds of DEBIT cards for business and consumer clients in ``currencies``."""
    entries = {}
    for code in currencies:
        currency = Currency.of(code)
        for client_type, ranges in _DEFAULT_BOUNDS.items():
            key = BoundsKey(FundingType.DEBIT, client_type, currency)
            entries[key] = _bounds(currency, ranges)
    return LimitBoundsTable(entries)


def parse_limit_bounds(text: str) -> LimitBoundsTable:
    """A bounds table from JSON: ``{"DEBIT:BUSINESS:EUR": {"cardLimitDaily": ["0", "5000"]}}``.

    Keys are ``funding:clientType:currency``; each limit takes ``[min, max]`` in major units
    (decimal strings or numbers; operation counts for the ``*OperationsLimit`` fields).

    Raises:
        InvalidInput: ``INVALID_CARD`` naming ``bounds`` for anything malformed.
    """
    try:
        document = json.loads(text)
        entries = {}
        for programme, limits in document.items():
            funding, client_type, code = programme.split(":")
            currency = Currency.of(code)
            ranges = {LimitKind(name): (low, high) for name, (low, high) in limits.items()}
            key = BoundsKey(FundingType(funding), ClientType(client_type), currency)
            entries[key] = _bounds(currency, ranges)
    except (ValueError, TypeError, AttributeError, InvalidInput) as error:
        raise errors.invalid_card_field("bounds", f"unreadable limit bounds: {error}") from None
    return LimitBoundsTable(entries)


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuingPolicy:
    """How this issuer makes cards.

    ``provider`` is the name Toqio is shown as the card's ``provider``; ``client_type`` the
    one whose limit bounds apply when Toqio does not say (its issue request has no field for
    it); ``bounds`` the limit bounds of every programme (unknown programmes are unbounded).
    """

    bin_range: BinRange
    validity_years: int = 3
    pin_length: int = MIN_PIN_LENGTH
    provider: str = DEFAULT_PROVIDER
    client_type: ClientType = ClientType.BUSINESS
    bounds: LimitBoundsTable = field(default_factory=default_limit_bounds)

    def __post_init__(self) -> None:
        if self.validity_years < 1:
            raise errors.invalid_card_field("validityYears", "a card is valid for a year or more")
        if not MIN_PIN_LENGTH <= self.pin_length <= 12:
            raise errors.invalid_card_field("pinLength", "a PIN has 4 to 12 digits")


_DESIGN = re.compile(r"[A-Za-z0-9._-]{1,64}")
_TEMPLATE_FIELDS = frozenset({"design"})


@dataclass(frozen=True, slots=True)
class CardImages:
    """Where card images are: a URL template whose only placeholder is ``{design}``.

    A design is Toqio's ``cardDesign`` (a name such as ``corporate-blue``); nothing about the
    card itself (no id, PAN, name or token) can reach the URL.
    """

    template: str = DEFAULT_IMAGE_TEMPLATE
    default_design: str = DEFAULT_DESIGN

    def __post_init__(self) -> None:
        if not self.template.startswith(("https://", "http://")):
            raise errors.invalid_card_field("imageTemplate", "must be an http(s) URL")
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(self.template) if name}
        except ValueError:
            names = {"?"}
        if not names <= _TEMPLATE_FIELDS:
            raise errors.invalid_card_field("imageTemplate", "only {design} may be filled in")
        if not _DESIGN.fullmatch(self.default_design):
            raise errors.invalid_card_field("defaultDesign", "must be a short design name")

    def url(self, design: str | None = None) -> str:
        """The image of ``design``, or of the default design when none (or an odd one) is set."""
        chosen = design if design is not None and _DESIGN.fullmatch(design) else None
        return self.template.format(design=quote(chosen or self.default_design, safe=""))
