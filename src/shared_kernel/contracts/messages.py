"""Every integration message the services publish, one class per type and version."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared_kernel.contracts.base import IntegrationMessage


class AccountOpenedV1(IntegrationMessage, frozen=True, kw_only=True, tag="AccountOpened.v1"):
    """accounts_payments opened a merchant account at the provider and on the ledger."""

    TYPE = "AccountOpened"
    VERSION = 1

    customer_id: str
    client_id: str
    account_id: str
    currency: str
    iban: str | None = None


class TransactionBookedV1(
    IntegrationMessage, frozen=True, kw_only=True, tag="TransactionBooked.v1"
):
    """Money moved on a merchant account; compliance keeps its activity aggregates from these."""

    TYPE = "TransactionBooked"
    VERSION = 1

    customer_id: str
    client_id: str
    account_id: str
    transaction_id: str
    direction: Literal["CREDIT", "DEBIT"]
    amount_minor: int
    currency: str
    kind: str
    booked_at: datetime
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_country: str | None = None


class PaymentStatusChangedV1(
    IntegrationMessage, frozen=True, kw_only=True, tag="PaymentStatusChanged.v1"
):
    """An outbound payment moved through its lifecycle."""

    TYPE = "PaymentStatusChanged"
    VERSION = 1

    customer_id: str
    client_id: str
    account_id: str
    transaction_id: str
    status: str
    previous_status: str | None
    reason_code: str | None = None


class TransactionDecidedV1(
    IntegrationMessage, frozen=True, kw_only=True, tag="TransactionDecided.v1"
):
    """compliance reached (or a reviewer made) a monitoring decision on a transaction."""

    TYPE = "TransactionDecided"
    VERSION = 1

    customer_id: str
    transaction_id: str
    decision_id: str
    status: Literal["APPROVED", "REJECTED", "PENDING_EXTERNAL_APPROVAL"]
    risk_score: int
    decided_by: str


class FundsReservationRequestedV1(
    IntegrationMessage, frozen=True, kw_only=True, tag="FundsReservationRequested.v1"
):
    """cards asks accounts_payments to hold funds for a card authorization (request/reply).

    Carries the card id and its last four digits (exactly four; anything else is refused),
    never a PAN. The authorization id is the
    hold id: asking twice places one hold, and a release that came first refuses the hold.
    """

    TYPE = "FundsReservationRequested"
    VERSION = 1

    customer_id: str
    account_id: str
    card_id: str
    card_last4: str
    authorization_id: str
    amount_minor: int
    currency: str
    merchant_name: str
    merchant_mcc: str = ""
    merchant_country: str = ""
    transaction_type: Literal["PURCHASE", "ATM_WITHDRAWAL"] = "PURCHASE"
    requested_at: datetime | None = None


class FundsReservationAnsweredV1(
    IntegrationMessage, frozen=True, kw_only=True, tag="FundsReservationAnswered.v1"
):
    """accounts_payments' answer to a reservation request.

    ``reason`` on a refusal is one of ``INSUFFICIENT_FUNDS``, ``ACCOUNT_NOT_FOUND``,
    ``ACCOUNT_NOT_ACTIVE``, ``CURRENCY_MISMATCH``, ``ALREADY_RELEASED``, or
    ``AUTHORIZATION_MISMATCH`` (the authorization id came before with another account, card,
    amount or currency).
    """

    TYPE = "FundsReservationAnswered"
    VERSION = 1

    authorization_id: str
    approved: bool
    hold_id: str | None = None
    reason: str | None = None


class FundsReleaseRequestedV1(
    IntegrationMessage, frozen=True, kw_only=True, tag="FundsReleaseRequested.v1"
):
    """cards settles (posts) or releases (voids) a hold it asked for earlier (via the outbox).

    ``POST`` books ``amount_minor`` (at most the hold) as the card transaction; ``VOID`` releases
    the hold, or, if none was placed (the reservation timed out on cards' side), records that
    no hold may be placed for this authorization any more.
    """

    TYPE = "FundsReleaseRequested"
    VERSION = 1

    authorization_id: str
    hold_id: str
    action: Literal["POST", "VOID"]
    amount_minor: int
    customer_id: str = ""
    account_id: str = ""
    card_id: str = ""
    currency: str = ""
    occurred_at: datetime | None = None


AnyMessage = (
    AccountOpenedV1
    | TransactionBookedV1
    | PaymentStatusChangedV1
    | TransactionDecidedV1
    | FundsReservationRequestedV1
    | FundsReservationAnsweredV1
    | FundsReleaseRequestedV1
)
