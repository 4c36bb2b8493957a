"""The bank's side of the sandbox: money arriving and failures armed, for the sandbox endpoints."""

from __future__ import annotations

from accounts_payments.adapters.providers.sandbox_faults import SandboxFaults
from accounts_payments.adapters.providers.sandbox_transfers import SandboxTransfers
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.money import Money


class SandboxControls:
    """What testers do to the sandbox bank; none of it is part of ``BankingProvider``."""

    faults: SandboxFaults
    transfers: SandboxTransfers

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
