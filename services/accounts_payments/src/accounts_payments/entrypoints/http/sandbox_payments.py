"""Sandbox-only payment endpoints: armed outcomes, settling now, returns and the bank's view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from accounts_payments.application.ports.payment_provider import (
    ProviderPaymentStatus,
    ProviderPaymentUpdate,
)
from building_blocks.web import CamelStruct, Ok, ok
from building_blocks.web.validation import camelize
from shared_kernel.domain.errors import NotFound, NotImplementedByProvider
from shared_kernel.domain.money import Money

if TYPE_CHECKING:
    # Resolved through the router's signature namespace: sandbox.py imports this module.
    from accounts_payments.entrypoints.http.sandbox import SandboxDesk

ReasonCode = Annotated[str, Meta(pattern="^[A-Z0-9]{4}$")]


class PaymentSettlement(Protocol):
    """What settles submitted payments on demand (``SandboxSettlementWorker`` provides it)."""

    async def settle_now(self) -> int: ...


class SandboxPaymentControls(Protocol):
    """What the payment endpoints need from the sandbox bank."""

    def arm_payment_outcome(
        self,
        outcome: str,
        *,
        reason_code: str = "MS03",
        creditor_iban: str | None = None,
        times: int = 1,
    ) -> str: ...

    def clear_payment_outcomes(self) -> None: ...

    def armed_payment_outcomes(self) -> list[dict[str, str | int | None]]: ...

    async def return_payment(
        self, provider_payment_id: str, *, reason_code: str = "MD06"
    ) -> ProviderPaymentUpdate: ...

    async def mark_payment_reported(
        self, provider_payment_id: str, status: ProviderPaymentStatus
    ) -> None: ...

    async def payment(self, provider_payment_id: str) -> Mapping[str, Any] | None: ...


class PaymentOutcomeIn(CamelStruct, frozen=True, kw_only=True):
    """Reject or cancel the next ``times`` payments to settle (to ``creditorIban`` only)."""

    outcome: Literal["REJECT", "CANCEL"]
    reason_code: ReasonCode = "MS03"
    creditor_iban: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    times: Annotated[int, Meta(ge=1, le=1000)] = 1


class ArmedOutcomeOut(CamelStruct, frozen=True, kw_only=True):
    """An armed outcome and how many more payments it hits."""

    id: str
    outcome: str
    reason_code: str
    creditor_iban: str | None
    remaining: int

    @classmethod
    def of(cls, described: Mapping[str, object]) -> ArmedOutcomeOut:
        """The outcome from the bank's plain description."""
        return msgspec.convert({camelize(k): v for k, v in described.items()}, cls)


class SettledOut(CamelStruct, frozen=True, kw_only=True):
    """How many payment updates the connector took."""

    delivered: int


class ReturnIn(CamelStruct, frozen=True, kw_only=True):
    """Why the payee's bank sends the payment back (ISO 20022 reason, MD06 by default)."""

    reason_code: ReasonCode = "MD06"


class PaymentUpdateOut(CamelStruct, frozen=True, kw_only=True):
    """An outcome the bank reported to the connector."""

    provider_payment_id: str
    reference: str
    status: str
    reason_code: str | None
    occurred_at: datetime


class SandboxPaymentOut(CamelStruct, frozen=True, kw_only=True):
    """A payment as the sandbox bank holds it."""

    provider_payment_id: str
    reference: str
    provider_account_id: str
    creditor_provider_account_id: str | None
    amount: Decimal
    currency: str
    credited_amount: Decimal
    credited_currency: str
    scheme: str
    creditor_name: str
    creditor_iban: str | None
    status: str
    reason_code: str | None
    reported_status: str | None
    settle_at: datetime
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> SandboxPaymentOut:
        """The payment from the bank's row."""
        amount = Money.of(row["amount_minor"], row["currency"])
        credited = Money.of(row["credited_minor"], row["credited_currency"])
        return cls(
            provider_payment_id=row["id"],
            reference=row["reference"],
            provider_account_id=row["account_id"],
            creditor_provider_account_id=row["creditor_account_id"],
            amount=amount.to_decimal(),
            currency=amount.currency.code,
            credited_amount=credited.to_decimal(),
            credited_currency=credited.currency.code,
            scheme=row["scheme"],
            creditor_name=row["creditor_name"],
            creditor_iban=row["creditor_iban"],
            status=row["status"],
            reason_code=row["reason_code"],
            reported_status=row["reported_status"],
            settle_at=row["settle_at"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )


def _armed(bank: SandboxPaymentControls) -> list[ArmedOutcomeOut]:
    return [ArmedOutcomeOut.of(described) for described in bank.armed_payment_outcomes()]


class SandboxPaymentController(Controller):
    """The bank's side of outbound payments: outcomes on demand, settling now, returns."""

    path = "/sandbox/payments"
    tags = ["Sandbox"]

    @post(
        "/outcomes",
        operation_id="sandboxArmPaymentOutcome",
        summary="Reject or cancel the next payments to settle",
        status_code=200,
    )
    async def arm_outcome(
        self, data: JSONBody[PaymentOutcomeIn], sandbox_desk: NamedDependency[SandboxDesk]
    ) -> Response[Ok[list[ArmedOutcomeOut]]]:
        """Arm one outcome (after those already armed); answers what is armed."""
        sandbox_desk.bank.arm_payment_outcome(
            data.outcome,
            reason_code=data.reason_code,
            creditor_iban=data.creditor_iban,
            times=data.times,
        )
        return ok(_armed(sandbox_desk.bank))

    @get("/outcomes", operation_id="sandboxListPaymentOutcomes", summary="The armed outcomes")
    async def list_outcomes(
        self, sandbox_desk: NamedDependency[SandboxDesk]
    ) -> Response[Ok[list[ArmedOutcomeOut]]]:
        """What is armed, oldest first."""
        return ok(_armed(sandbox_desk.bank))

    @delete(
        "/outcomes",
        operation_id="sandboxClearPaymentOutcomes",
        summary="Clear every armed outcome",
        status_code=200,
    )
    async def clear_outcomes(
        self, sandbox_desk: NamedDependency[SandboxDesk]
    ) -> Response[Ok[list[ArmedOutcomeOut]]]:
        """Disarm; answers what is still armed (nothing)."""
        sandbox_desk.bank.clear_payment_outcomes()
        return ok(_armed(sandbox_desk.bank))

    @post(
        "/settle",
        operation_id="sandboxSettlePayments",
        summary="Decide every submitted payment now and report the outcomes",
        status_code=200,
    )
    async def settle(self, sandbox_desk: NamedDependency[SandboxDesk]) -> Response[Ok[SettledOut]]:
        """Settle, reject or cancel without waiting for the settlement delay."""
        if sandbox_desk.payment_worker is None:
            raise NotImplementedByProvider("This sandbox runs no payment settlement")
        return ok(SettledOut(delivered=await sandbox_desk.payment_worker.settle_now()))

    @post(
        "/{providerPaymentId:str}/return",
        operation_id="sandboxReturnPayment",
        summary="The payee's bank sends a settled payment back",
        status_code=200,
    )
    async def return_payment(
        self,
        providerPaymentId: FromPath[str],  # noqa: N803
        sandbox_desk: NamedDependency[SandboxDesk],
        data: JSONBody[ReturnIn | None] = None,
    ) -> Response[Ok[PaymentUpdateOut]]:
        """The bank credits the payer again, then tells the connector the payment RETURNED."""
        sink = sandbox_desk.payment_sink
        if sink is None:  # checked first: nobody could hear of a return made now
            raise NotImplementedByProvider("This sandbox reports payment outcomes to nobody")
        bank = sandbox_desk.bank
        reason_code = (data or ReturnIn()).reason_code
        update = await bank.return_payment(providerPaymentId, reason_code=reason_code)
        await sink(update)
        await bank.mark_payment_reported(update.provider_payment_id, update.status)
        return ok(
            PaymentUpdateOut(
                provider_payment_id=update.provider_payment_id,
                reference=update.reference,
                status=str(update.status),
                reason_code=update.reason_code,
                occurred_at=update.occurred_at,
            )
        )

    @get(
        "/{providerPaymentId:str}",
        operation_id="sandboxGetPayment",
        summary="A payment as the sandbox bank holds it",
    )
    async def get_payment(
        self,
        providerPaymentId: FromPath[str],  # noqa: N803
        sandbox_desk: NamedDependency[SandboxDesk],
    ) -> Response[Ok[SandboxPaymentOut]]:
        """The bank's row: status, settlement time, what the connector was told."""
        row = await sandbox_desk.bank.payment(providerPaymentId)
        if row is None:
            raise NotFound(
                f"the sandbox bank has no payment {providerPaymentId}", code="PAYMENT_NOT_FOUND"
            )
        return ok(SandboxPaymentOut.of(row))
