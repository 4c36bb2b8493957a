"""Versioned integration messages the services exchange over RabbitMQ."""

from shared_kernel.contracts.base import IntegrationMessage
from shared_kernel.contracts.envelope import Envelope, decode_envelope, encode
from shared_kernel.contracts.messages import (
    AccountOpenedV1,
    AnyMessage,
    FundsReleaseRequestedV1,
    FundsReservationAnsweredV1,
    FundsReservationRequestedV1,
    PaymentStatusChangedV1,
    TransactionBookedV1,
    TransactionDecidedV1,
)

__all__ = [
    "AccountOpenedV1",
    "AnyMessage",
    "Envelope",
    "FundsReleaseRequestedV1",
    "FundsReservationAnsweredV1",
    "FundsReservationRequestedV1",
    "IntegrationMessage",
    "PaymentStatusChangedV1",
    "TransactionBookedV1",
    "TransactionDecidedV1",
    "decode_envelope",
    "encode",
]
