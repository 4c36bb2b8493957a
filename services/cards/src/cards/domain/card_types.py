"""The kinds of card: form factor, funding type and the client type limits depend on."""

from __future__ import annotations

from enum import StrEnum


class CardForm(StrEnum):
    """Plastic or not: decides the status a new card starts in."""

    VIRTUAL = "VIRTUAL"
    PHYSICAL = "PHYSICAL"


class FundingType(StrEnum):
    """Where the money comes from; Toqio's ``fundingType`` and ``cardType`` values.

    Only DEBIT cards are issued: the others are parsed so they can be refused clearly.
    """

    DEBIT = "DEBIT"
    CREDIT = "CREDIT"
    PREPAID = "PREPAID"


SUPPORTED_FUNDING = frozenset({FundingType.DEBIT})


class ClientType(StrEnum):
    """Toqio's client types, which card limit bounds can differ by."""

    BUSINESS = "BUSINESS"
    CONSUMER = "CONSUMER"
