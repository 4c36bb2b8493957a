"""What the card use cases need besides the Card aggregate: issuing records, processor, hasher.

``CardsWork`` is the cards unit of work as these use cases see it: ``CardsUnitOfWork`` whose
card repository also keeps each card's :class:`CardIssuance` (security-code hash, processor
answer, programme and design), facts the Card aggregate does not hold. Its members are
read-only properties so that any unit of work with a more specific repository (the SQL one)
satisfies it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from cards.application.ports.cards import CardRepository
from cards.application.ports.unit_of_work import CardsUnitOfWork
from cards.domain.card_types import CardForm, FundingType
from cards.domain.expiry import Expiry
from cards.domain.pan import Pan
from shared_kernel.domain.errors import DomainError
from shared_kernel.domain.money import Currency

SECURITY_CODE_LENGTH = 6
"""Digits of the security code each card is issued with (Toqio's ``activationCodeLength``)."""

CARD_REQUEST_REFUSED = "CARD_REQUEST_REFUSED"

Clock = Callable[[], datetime]
"""Now, timezone-aware in UTC."""


class ProcessorStatus(StrEnum):
    """Where the card request to the processor stands."""

    # Committed by cards, not yet answered (or the processor could not be reached).
    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    # Refused by the processor: the card was closed and Toqio told (``CARD_FAILED``).
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True, kw_only=True)
class CardIssuance:
    """What cards keeps about a card's issuing beside the Card aggregate.

    ``security_code_hash`` is the keyed hash of the code delivered with the card (the code
    itself is never stored); ``programme`` and ``design`` are Toqio's ``cardProgramme`` and
    ``cardDesign`` (the design names the card image).
    """

    security_code_hash: str | None = dataclasses.field(default=None, repr=False)
    processor_status: ProcessorStatus = ProcessorStatus.REQUESTED
    processor_card_id: str | None = None
    processor_reason: str | None = None
    programme: str | None = None
    design: str | None = None


class IssuingCardRepository(CardRepository, Protocol):
    """The card repository with each card's issuing record."""

    async def issuance(self, card_id: str) -> CardIssuance | None:
        """The card's issuing record, else ``None`` (no such card)."""
        ...

    async def record_issuance(self, card_id: str, issuance: CardIssuance) -> None:
        """Store the card's issuing record (the card must have been added)."""
        ...


class CardsWork(CardsUnitOfWork, Protocol):
    """The cards unit of work these use cases take; one per use, committed explicitly."""

    @property
    def cards(self) -> IssuingCardRepository: ...


CardsWorkFactory = Callable[[], CardsWork]


class SecurityCodeHasher(Protocol):
    """A keyed one-way hash of a card's security code, bound to the card."""

    def hash(self, card_id: str, code: str) -> str:
        """The hash to store for ``code`` of card ``card_id`` (lower-case hex)."""
        ...

    def matches(self, card_id: str, code: str, stored_hash: str) -> bool:
        """Whether ``code`` is the card's code (compared in constant time)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryAddress:
    """Where a physical card is sent (Toqio's ``Address``); never stored by cards."""

    street: str | None = dataclasses.field(default=None, repr=False)
    number: str | None = dataclasses.field(default=None, repr=False)
    city: str | None = dataclasses.field(default=None, repr=False)
    region: str | None = dataclasses.field(default=None, repr=False)
    postal_code: str | None = dataclasses.field(default=None, repr=False)
    country: str | None = None
    refinement: str | None = dataclasses.field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessorCardRequest:
    """A card cards has committed, for the processor to produce (and deliver, if physical).

    Holds the PAN and the security code the cardholder receives with the card: ``repr``
    shows neither (the PAN masks itself), so the request is safe in a log line.
    """

    card_id: str
    tenant_id: str
    account_id: str
    form: CardForm
    funding: FundingType
    currency: Currency
    expiry: Expiry
    pan: Pan
    security_code: str = dataclasses.field(repr=False)
    name_on_card: str | None = dataclasses.field(default=None, repr=False)
    delivery_name: str | None = dataclasses.field(default=None, repr=False)
    delivery_address: DeliveryAddress | None = None
    replaces_card_id: str | None = None
    programme: str | None = None
    design: str | None = None


class ProcessorRefused(DomainError):
    """The processor refused a card request; ``reason`` says why (never card data)."""

    default_code = CARD_REQUEST_REFUSED

    def __init__(self, reason: str) -> None:
        super().__init__(f"the card processor refused the card: {reason}")
        self.reason = reason


class CardProcessor(Protocol):
    """The card processor (issuer processor): produces cards; no credit support."""

    async def issue_card(self, request: ProcessorCardRequest) -> str:
        """Ask for the card; the processor's id of it.

        Raises:
            ProcessorRefused: The processor will not produce this card.
            Exception: Anything else means it could not be reached; the card stays REQUESTED.
        """
        ...
