"""Bank payment schemes and the ``corePaymentType`` Toqio files a payment of each scheme under."""

from __future__ import annotations

from enum import StrEnum


class PaymentScheme(StrEnum):
    """The ``bankPaymentScheme`` values this connector moves money with (a subset of the spec's)."""

    SEPA = "SEPA"
    SEPA_INSTANT = "SEPA_INSTANT"
    UK_FASTER_PAYMENTS = "UK_FASTER_PAYMENTS"
    INTERNAL_TRANSFER = "INTERNAL_TRANSFER"
    SWIFT = "SWIFT"

    @property
    def is_sepa(self) -> bool:
        """Whether the EPC's character set and lengths apply to the payment's texts."""
        return self in (PaymentScheme.SEPA, PaymentScheme.SEPA_INSTANT)


_CORE_PAYMENT_TYPE = {
    PaymentScheme.SEPA: "payment-type-EU-SEPA-Step2",
    PaymentScheme.SEPA_INSTANT: "payment-type-EU-SEPA-Instant",
    PaymentScheme.UK_FASTER_PAYMENTS: "payment-type-UK-FasterPayments",
    PaymentScheme.INTERNAL_TRANSFER: "INTERNAL-TRANSFER",
    PaymentScheme.SWIFT: "payment-type-Global-SWIFT",
}
FX_CORE_PAYMENT_TYPE = "payment-type-fx"


def core_payment_type(scheme: PaymentScheme, *, fx: bool) -> str:
    """Toqio's ``corePaymentType`` of a payment: ``payment-type-fx`` whenever it converts."""
    return FX_CORE_PAYMENT_TYPE if fx else _CORE_PAYMENT_TYPE[scheme]
