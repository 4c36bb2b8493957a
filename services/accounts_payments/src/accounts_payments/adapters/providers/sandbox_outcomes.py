"""Outcomes armed on the sandbox bank's next payments to settle: rejections and cancellations."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.ids import new_id

_REASON_CODE = re.compile(r"[A-Z0-9]{4}")


class PaymentOutcome(StrEnum):
    """What the bank does to a payment instead of settling it."""

    REJECT = "REJECT"
    CANCEL = "CANCEL"


@dataclass(frozen=True, slots=True)
class ArmedOutcome:
    """One armed outcome; it hits the next ``remaining`` payments to the ``creditor_iban``."""

    id: str
    outcome: PaymentOutcome
    reason_code: str
    creditor_iban: str | None
    remaining: int

    @property
    def status(self) -> ProviderPaymentStatus:
        """The status a payment hit by this outcome ends in."""
        if self.outcome is PaymentOutcome.REJECT:
            return ProviderPaymentStatus.REJECTED
        return ProviderPaymentStatus.CANCELLED

    def matches(self, creditor_iban: str | None) -> bool:
        """Whether a payment to ``creditor_iban`` is hit (any payment when none was given)."""
        return self.creditor_iban is None or self.creditor_iban == creditor_iban

    def describe(self) -> dict[str, str | int | None]:
        """The outcome as plain values, for the sandbox endpoints."""
        return {
            "id": self.id,
            "outcome": str(self.outcome),
            "reason_code": self.reason_code,
            "creditor_iban": self.creditor_iban,
            "remaining": self.remaining,
        }


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_OUTCOME")


class SandboxOutcomes:
    """In-memory outcomes, applied oldest first to the payments the bank decides next."""

    def __init__(self) -> None:
        self._outcomes: list[ArmedOutcome] = []

    def arm_outcome(
        self,
        outcome: str,
        *,
        reason_code: str = "MS03",
        creditor_iban: str | None = None,
        times: int = 1,
    ) -> str:
        """Make the next ``times`` payments to settle (to ``creditor_iban``) fail; returns its id.

        Raises:
            InvalidInput: ``INVALID_OUTCOME`` for an unknown outcome, a reason code that is not
                four uppercase letters or digits, or ``times`` below 1; ``INVALID_IBAN``.
        """
        try:
            kind = PaymentOutcome(outcome)
        except ValueError:
            raise _invalid(f"outcome must be one of {', '.join(PaymentOutcome)}") from None
        if not _REASON_CODE.fullmatch(reason_code):
            raise _invalid("reasonCode must be four uppercase letters or digits, e.g. AM04")
        if times < 1:
            raise _invalid("times must be at least 1")
        iban = None if creditor_iban is None else Iban(creditor_iban).value
        armed = ArmedOutcome(new_id(), kind, reason_code, iban, times)
        self._outcomes.append(armed)
        return armed.id

    def clear_outcomes(self) -> None:
        """Disarm every outcome."""
        self._outcomes.clear()

    def armed_outcomes(self) -> list[dict[str, str | int | None]]:
        """What is armed, oldest first."""
        return [armed.describe() for armed in self._outcomes]

    def take_outcome(self, creditor_iban: str | None) -> ArmedOutcome | None:
        """The outcome a payment to ``creditor_iban`` suffers, counting it down; else ``None``."""
        # No await between finding and counting down: concurrent decisions cannot share one.
        for index, armed in enumerate(self._outcomes):
            if armed.matches(creditor_iban):
                if armed.remaining <= 1:
                    del self._outcomes[index]
                else:
                    self._outcomes[index] = replace(armed, remaining=armed.remaining - 1)
                return armed
        return None
