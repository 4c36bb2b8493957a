"""The bank's side of the sandbox: money arriving and failures armed, for the sandbox endpoints."""

from __future__ import annotations

from typing import Any

from accounts_payments.adapters.providers.sandbox_faults import SandboxFaults
from accounts_payments.adapters.providers.sandbox_payments import SandboxPayments
from accounts_payments.adapters.providers.sandbox_transfers import SandboxTransfers
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.application.ports.payment_provider import (
    ProviderPaymentStatus,
    ProviderPaymentUpdate,
)
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.money import Money


class SandboxControls:
    """What testers do to the sandbox bank; none of it is part of ``BankingProvider``."""

    faults: SandboxFaults
    transfers: SandboxTransfers
    payments: SandboxPayments

    async def receive_inbound_transfer(
        self,
        provider_account_id: str,
        amount: Money,
        *,
        debtor_name: str,
        debtor_iban: Iban,
        reference: str,
    ) -> InboundTransfer:
        """Credit an inbound transfer to an active account (see ``SandboxTransfers.receive``)."""
        return await self.transfers.receive(
            provider_account_id,
            amount,
            debtor_name=debtor_name,
            debtor_iban=debtor_iban,
            reference=reference,
        )

    async def confirm_inbound_transfer(
        self, provider_transaction_id: str, connector_transaction_id: str
    ) -> None:
        """Record the connector's id for a transfer it has booked."""
        await self.transfers.confirm(provider_transaction_id, connector_transaction_id)

    def arm_fault(
        self,
        operation: str,
        kind: str,
        *,
        reason: str | None = None,
        times: int | None = None,
        delay_seconds: float = 0.0,
        after_effect: bool = False,
    ) -> str:
        """Arm a failure (see ``SandboxFaults.arm``); returns its description."""
        fault = self.faults.arm(
            operation,
            kind,
            reason=reason,
            times=times,
            delay_seconds=delay_seconds,
            after_effect=after_effect,
        )
        return fault.describe()

    def clear_faults(self, operation: str | None = None) -> None:
        """Disarm one operation's failure, or all of them."""
        self.faults.clear(operation)

    def armed_faults(self) -> dict[str, str]:
        """What is armed, by operation name."""
        return self.faults.describe()

    def arm_payment_outcome(
        self,
        outcome: str,
        *,
        reason_code: str = "MS03",
        creditor_iban: str | None = None,
        times: int = 1,
    ) -> str:
        """Reject or cancel the next payments to settle (see ``SandboxOutcomes.arm_outcome``)."""
        return self.payments.arm_outcome(
            outcome, reason_code=reason_code, creditor_iban=creditor_iban, times=times
        )

    def clear_payment_outcomes(self) -> None:
        """Disarm every payment outcome."""
        self.payments.clear_outcomes()

    def armed_payment_outcomes(self) -> list[dict[str, str | int | None]]:
        """The armed payment outcomes, oldest first."""
        return self.payments.armed_outcomes()

    async def return_payment(
        self, provider_payment_id: str, *, reason_code: str = "MD06"
    ) -> ProviderPaymentUpdate:
        """Send a settled payment back (see ``SandboxPayments.return_payment``)."""
        return await self.payments.return_payment(provider_payment_id, reason_code=reason_code)

    async def mark_payment_reported(
        self, provider_payment_id: str, status: ProviderPaymentStatus
    ) -> None:
        """Remember the connector has been told ``status`` of the payment."""
        await self.payments.mark_reported(provider_payment_id, status)

    async def payment(self, provider_payment_id: str) -> dict[str, Any] | None:
        """The payment as the sandbox holds it, or ``None``."""
        return await self.payments.get(provider_payment_id)
