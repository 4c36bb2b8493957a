"""Outbound payments at the banking provider, as a port: submission and the outcomes it reports.

A submission carries the connector's payment id as its ``reference``; the provider must treat
it as an idempotency key, so re-submitting after a lost answer never pays twice. Outcomes
(accepted, settled, rejected, cancelled, returned) arrive later through a
``PaymentUpdateSink``, possibly more than once and out of order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from shared_kernel.domain.money import Money


class ProviderPaymentStatus(StrEnum):
    """Where the provider says a payment stands."""

    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    SETTLED = "SETTLED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    RETURNED = "RETURNED"


@dataclass(frozen=True, slots=True)
class PaymentInstruction:
    """What the provider needs to execute a payment."""

    reference: str  # the connector's payment id: the provider's idempotency key
    customer_id: str
    provider_account_id: str  # the debited account at the provider
    amount: Money  # debited, in the source account's currency
    credited: Money  # what the payee receives (another currency for FX payments)
    scheme: str
    creditor_name: str
    creditor_country: str
    creditor_iban: str | None = None
    creditor_bic: str | None = None
    creditor_uk_sort_code: str | None = None
    creditor_uk_account_number: str | None = None
    creditor_account_number: str | None = None
    # The payee's account at the same provider, for internal transfers.
    creditor_provider_account_id: str | None = None
    remittance: str = ""
    end_to_end_reference: str = ""
    purpose_code: str | None = None
    fx_rate: Decimal | None = None
    payer: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProviderPaymentReceipt:
    """The provider's answer to a submission."""

    provider_payment_id: str
    status: ProviderPaymentStatus


@dataclass(frozen=True, slots=True)
class ProviderPaymentUpdate:
    """An outcome the provider reports for a payment it was given."""

    provider_payment_id: str
    reference: str  # the connector's payment id, as submitted
    status: ProviderPaymentStatus
    occurred_at: datetime
    reason_code: str | None = None
    reason: str | None = None


# runtime_checkable: Litestar validates injected dependencies with isinstance.
@runtime_checkable
class PaymentProvider(Protocol):
    """Outbound payments at the provider (the sandbox bank implements it)."""

    async def submit_payment(self, instruction: PaymentInstruction) -> ProviderPaymentReceipt:
        """Hand the payment over; the same ``reference`` again returns the first receipt.

        Raises:
            ProviderRejected: the provider refused it (``code`` is its reason code).
            ProviderUnavailable: no answer; the outcome is unknown and submitting the same
                reference again is safe.
        """
        ...


class PaymentUpdateSink(Protocol):
    """Where the provider's payment outcomes go (the connector applies them exactly once)."""

    async def __call__(self, update: ProviderPaymentUpdate) -> None: ...
