"""Test helpers for the sandbox bank's payments: a manual clock, instructions, a recording sink."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from accounts_payments.adapters.providers import SandboxBank
from accounts_payments.application.ports.payment_provider import (
    PaymentInstruction,
    ProviderPaymentStatus,
    ProviderPaymentUpdate,
)
from building_blocks.persistence import Database
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.money import Money
from tests.accounts_payments.sandbox_support import onboarded

PAYEE_IBAN = "DE89370400440532013000"  # another bank's account
OTHER_PAYEE_IBAN = "FR1420041010050500013M02606"
PAYER_IBAN = "IT60X0542811101000000123456"


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += timedelta(seconds=seconds)


class RecordingPaymentSink:
    """A ``PaymentUpdateSink`` that remembers updates; ``failures`` makes the next calls raise."""

    def __init__(self, failures: int = 0) -> None:
        self.updates: list[ProviderPaymentUpdate] = []
        self.failures = failures
        self._took = asyncio.Event()

    async def __call__(self, update: ProviderPaymentUpdate) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the connector's database is down")
        self.updates.append(update)
        self._took.set()

    async def wait_for(self, count: int) -> None:
        """Wait (up to 5 s) until the sink has taken ``count`` updates from a running worker."""
        async with asyncio.timeout(5):
            while len(self.updates) < count:
                self._took.clear()
                await self._took.wait()

    def statuses(self) -> list[tuple[str, ProviderPaymentStatus]]:
        """(reference, status) of every update taken, in order."""
        return [(update.reference, update.status) for update in self.updates]


def sandbox_bank(database: Database, clock: ManualClock, delay: float = 2.0) -> SandboxBank:
    """A sandbox bank on ``database`` that settles ``delay`` seconds after submission."""
    return SandboxBank(database, clock=clock, settlement_delay=delay)


async def open_account(
    bank: SandboxBank, client_id: str = "client-1", *, country: str = "ES", currency: str = "EUR"
) -> tuple[str, str]:
    """An active account of a newly onboarded merchant: its provider id and IBAN."""
    account = await bank.open_account(
        "cust-1",
        await onboarded(bank, client_id),
        currency=currency,
        country_code=country,
        product_code="BUSINESS_CURRENT",
        holder_name=f"Holder of {client_id}",
    )
    return account.provider_account_id, account.iban or ""


async def fund(bank: SandboxBank, provider_account_id: str, minor: int) -> None:
    """Credit the account at the bank (an inbound transfer), so it can pay."""
    await bank.transfers.receive(
        provider_account_id,
        Money.of(minor, "EUR"),
        debtor_name="Funder",
        debtor_iban=Iban(PAYER_IBAN),
        reference="funding",
    )


def instruction(
    reference: str,
    provider_account_id: str,
    minor: int = 1000,
    *,
    currency: str = "EUR",
    creditor_iban: str | None = PAYEE_IBAN,
    creditor_provider_account_id: str | None = None,
) -> PaymentInstruction:
    """A SEPA payment of ``minor`` cents from the account to ``creditor_iban``."""
    return PaymentInstruction(
        reference=reference,
        customer_id="cust-1",
        provider_account_id=provider_account_id,
        amount=Money.of(minor, currency),
        credited=Money.of(minor, currency),
        scheme="SEPA_CT",
        creditor_name="Payee GmbH",
        creditor_country="DE",
        creditor_iban=creditor_iban,
        creditor_provider_account_id=creditor_provider_account_id,
        remittance="Invoice 7",
    )
