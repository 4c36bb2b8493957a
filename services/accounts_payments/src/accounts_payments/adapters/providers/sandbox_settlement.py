"""The worker that makes the sandbox bank decide due payments and tell the connector, in order."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from accounts_payments.adapters.providers.sandbox_payments import SandboxPayments
from accounts_payments.application.ports.payment_provider import (
    PaymentUpdateSink,
    ProviderPaymentUpdate,
)

log = structlog.get_logger(__name__)


class SandboxSettlementWorker:
    """Decides due payments and reports every outcome until the connector acknowledged it.

    Each round first redelivers what earlier rounds could not report, then decides the
    payments whose settlement time has come. An update is marked reported only once the sink
    took it; when the sink fails, the payment's later updates wait for the next round, so
    the connector always hears a payment's outcomes in order (at least once).
    """

    def __init__(
        self, payments: SandboxPayments, sink: PaymentUpdateSink, *, poll_interval: float = 0.2
    ) -> None:
        self._payments = payments
        self._sink = sink
        self._poll_interval = poll_interval
        self._wakeup = asyncio.Event()
        self._stopping = False
        # One round at a time in this process: settle_now() and run() would deliver twice.
        self._round_lock = asyncio.Lock()

    async def run(self) -> None:
        """Settle and report until ``stop()``; a failed round is logged and retried."""
        while not self._stopping:
            # Cleared before the round, so a wake() during the round is not lost.
            self._wakeup.clear()
            try:
                await self._round(everything=False)
            except Exception as exc:
                log.error("sandbox.settlement_round_failed", error=_first_line(exc))
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)

    def stop(self) -> None:
        """Ask ``run()`` to return after the round in flight; await its task to wait for that."""
        self._stopping = True
        self._wakeup.set()

    def wake(self) -> None:
        """Run a round now instead of at the next poll."""
        self._wakeup.set()

    async def settle_now(self) -> int:
        """Decide every submitted payment, due or not, and report it.

        Returns:
            How many updates the sink took.
        """
        return await self._round(everything=True)

    async def _round(self, *, everything: bool) -> int:
        async with self._round_lock:
            updates = await self._payments.unreported()
            updates += await self._payments.decide_due(everything=everything)
            return await self._deliver(updates)

    async def _deliver(self, updates: list[ProviderPaymentUpdate]) -> int:
        failed: set[str] = set()
        delivered = 0
        for update in updates:
            if update.provider_payment_id in failed:
                continue  # its earlier update was not taken: keep the order, retry next round
            try:
                await self._sink(update)
            except Exception:
                failed.add(update.provider_payment_id)
                # No amounts or IBANs: the ids are enough to find the payment.
                log.warning(
                    "sandbox.payment_update_not_delivered",
                    provider_payment_id=update.provider_payment_id,
                    reference=update.reference,
                    status=str(update.status),
                    exc_info=True,
                )
                continue
            await self._payments.mark_reported(update.provider_payment_id, update.status)
            delivered += 1
        return delivered


def _first_line(exc: BaseException) -> str:
    # The first line names the failure; SQLAlchemy appends statements and parameters after it.
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:500]
