"""Sandbox-only endpoints: inbound transfers, accounts the bank opens itself, bank failures.

The payment endpoints (armed outcomes, settling, returns) live in ``sandbox_payments``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Protocol

from litestar import Controller, Response, Router, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from accounts_payments.application.ports.inbound_transfers import (
    InboundTransfer,
    InboundTransferSink,
    ProviderAccountResolver,
)
from accounts_payments.application.ports.payment_provider import PaymentUpdateSink
from accounts_payments.application.ports.provider_accounts import (
    ProviderAccountOpenedSink,
    ProviderOpenedAccount,
)
from accounts_payments.entrypoints.http.sandbox_payments import (
    PaymentSettlement,
    SandboxPaymentController,
    SandboxPaymentControls,
)
from building_blocks.web import CamelStruct, Ok, ok
from shared_kernel.domain.currency import Currency
from shared_kernel.domain.errors import InvalidInput, NotFound
from shared_kernel.domain.iban import Iban
from shared_kernel.domain.money import Money

# Kept equal to the adapter's SandboxOperation and FaultKind by a test: entrypoints may not
# import adapters, and literal types show the allowed values in the OpenAPI document.
OperationName = Literal[
    "find_merchant",
    "create_merchant",
    "open_account",
    "get_account",
    "set_account_status",
    "ping",
    "submit_payment",
]
FaultKindName = Literal["TIMEOUT", "REJECT", "UNAVAILABLE"]


class SandboxBankControls(SandboxPaymentControls, Protocol):
    """What the endpoints need from the sandbox bank (``SandboxBank`` provides it)."""

    async def receive_inbound_transfer(
        self,
        provider_account_id: str,
        amount: Money,
        *,
        debtor_name: str,
        debtor_iban: Iban,
        reference: str,
    ) -> InboundTransfer: ...

    async def open_account_unprompted(
        self,
        customer_id: str,
        client_id: str,
        *,
        currency: str,
        country_code: str,
        product_code: str,
    ) -> ProviderOpenedAccount: ...

    async def confirm_inbound_transfer(
        self, provider_transaction_id: str, connector_transaction_id: str
    ) -> None: ...

    def arm_fault(
        self,
        operation: str,
        kind: str,
        *,
        reason: str | None = None,
        times: int | None = None,
        delay_seconds: float = 0.0,
        after_effect: bool = False,
    ) -> str: ...

    def clear_faults(self, operation: str | None = None) -> None: ...

    def armed_faults(self) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class SandboxDesk:
    """Everything the sandbox endpoints work with, injected as one dependency.

    Without ``payment_worker`` or ``payment_sink`` the routes needing them answer 501.
    """

    bank: SandboxBankControls
    resolve_account: ProviderAccountResolver
    sink: InboundTransferSink
    account_sink: ProviderAccountOpenedSink
    payment_worker: PaymentSettlement | None = None
    payment_sink: PaymentUpdateSink | None = None


class InboundTransferIn(CamelStruct, frozen=True, kw_only=True):
    """A transfer someone sends to one of the connector's accounts."""

    account_id: Annotated[str, Meta(min_length=1, max_length=128)]
    amount: Decimal
    currency: Annotated[str, Meta(min_length=1, max_length=8)]
    debtor_name: Annotated[str, Meta(min_length=1, max_length=140)]
    debtor_iban: Annotated[str, Meta(min_length=1, max_length=64)]
    reference: Annotated[str, Meta(max_length=140)] = ""


class InboundTransferOut(CamelStruct, frozen=True, kw_only=True):
    """The transfer as the bank recorded it and the connector booked it."""

    provider_transaction_id: str
    transaction_id: str
    account_id: str
    amount: Decimal
    currency: str
    received_at: datetime


class UnpromptedAccountIn(CamelStruct, frozen=True, kw_only=True):
    """An account the bank opens by itself for a merchant it has onboarded."""

    customer_id: Annotated[str, Meta(min_length=1, max_length=128)]
    client_id: Annotated[str, Meta(min_length=1, max_length=128)]
    currency: Annotated[str, Meta(pattern="^[A-Za-z]{3}$")]
    country_code: Annotated[str, Meta(pattern="^[A-Za-z]{2}$")]
    partner_product: Annotated[str, Meta(min_length=1, max_length=128)]


class UnpromptedAccountOut(CamelStruct, frozen=True, kw_only=True):
    """The account as the bank opened it and the connector registered it."""

    account_id: str
    provider_account_id: str
    customer_id: str
    client_id: str
    currency: str
    country_code: str
    partner_product: str
    holder_name: str
    iban: str | None
    bic: str | None
    uk_sort_code: str | None
    uk_account_number: str | None


class FaultIn(CamelStruct, frozen=True, kw_only=True):
    """Arm a failure: ``times`` calls of ``operation`` fail (every call when omitted)."""

    operation: OperationName
    kind: FaultKindName
    reason: str | None = None
    times: Annotated[int, Meta(ge=1)] | None = None
    delay_seconds: Annotated[float, Meta(ge=0, le=120)] = 0.0
    after_effect: bool = False


class SandboxController(Controller):
    """The bank's side of the sandbox: money arriving, and the bank misbehaving."""

    path = "/sandbox"
    tags = ["Sandbox"]

    @post(
        "/inbound-transfers",
        operation_id="sandboxReceiveInboundTransfer",
        summary="Simulate an inbound transfer to an account",
        status_code=200,
    )
    async def receive_inbound_transfer(
        self, data: JSONBody[InboundTransferIn], sandbox_desk: NamedDependency[SandboxDesk]
    ) -> Response[Ok[InboundTransferOut]]:
        """The bank credits the account, then notifies the connector, which books it."""
        amount = Money.from_decimal(data.amount, data.currency)
        if not amount.is_positive():
            raise InvalidInput("amount must be positive", code="INVALID_AMOUNT")
        debtor_iban = Iban(data.debtor_iban)
        provider_account_id = await sandbox_desk.resolve_account(data.account_id)
        if provider_account_id is None:
            raise NotFound(f"account {data.account_id} does not exist", code="ACCOUNT_NOT_FOUND")
        transfer = await sandbox_desk.bank.receive_inbound_transfer(
            provider_account_id,
            amount,
            debtor_name=data.debtor_name,
            debtor_iban=debtor_iban,
            reference=data.reference,
        )
        transaction_id = await sandbox_desk.sink(transfer)
        await sandbox_desk.bank.confirm_inbound_transfer(
            transfer.provider_transaction_id, transaction_id
        )
        return ok(
            InboundTransferOut(
                provider_transaction_id=transfer.provider_transaction_id,
                transaction_id=transaction_id,
                account_id=data.account_id,
                amount=amount.to_decimal(),
                currency=amount.currency.code,
                received_at=transfer.received_at,
            )
        )

    @post(
        "/accounts",
        operation_id="sandboxOpenAccountUnprompted",
        summary="The bank opens an account for an onboarded merchant on its own",
        status_code=200,
    )
    async def open_account_unprompted(
        self, data: JSONBody[UnpromptedAccountIn], sandbox_desk: NamedDependency[SandboxDesk]
    ) -> Response[Ok[UnpromptedAccountOut]]:
        """The bank opens the account, then notifies the connector (Toqio hears LEDGER_CREATED)."""
        try:
            currency = Currency.of(data.currency).code
        except InvalidInput:
            raise InvalidInput(
                f"currency '{data.currency}' is not a currency we can hold",
                code="CURRENCY_NOT_SUPPORTED",
            ) from None
        opened = await sandbox_desk.bank.open_account_unprompted(
            data.customer_id,
            data.client_id,
            currency=currency,
            country_code=data.country_code.upper(),
            product_code=data.partner_product,
        )
        account_id = await sandbox_desk.account_sink(opened)
        return ok(
            UnpromptedAccountOut(
                account_id=account_id,
                provider_account_id=opened.provider_account_id,
                customer_id=opened.customer_id,
                client_id=opened.client_id,
                currency=opened.currency,
                country_code=opened.country_code,
                partner_product=opened.product_code,
                holder_name=opened.holder_name,
                iban=opened.iban,
                bic=opened.bic,
                uk_sort_code=opened.uk_sort_code,
                uk_account_number=opened.uk_account_number,
            )
        )

    @post(
        "/faults", operation_id="sandboxArmFault", summary="Make a bank call fail", status_code=200
    )
    async def arm_fault(
        self, data: JSONBody[FaultIn], sandbox_desk: NamedDependency[SandboxDesk]
    ) -> Response[Ok[dict[str, str]]]:
        """Arm one failure (replacing the operation's previous one); answers what is armed."""
        sandbox_desk.bank.arm_fault(
            data.operation,
            data.kind,
            reason=data.reason,
            times=data.times,
            delay_seconds=data.delay_seconds,
            after_effect=data.after_effect,
        )
        return ok(sandbox_desk.bank.armed_faults())

    @get("/faults", operation_id="sandboxListFaults", summary="The armed failures")
    async def list_faults(
        self, sandbox_desk: NamedDependency[SandboxDesk]
    ) -> Response[Ok[dict[str, str]]]:
        """What is armed, by operation."""
        return ok(sandbox_desk.bank.armed_faults())

    @delete(
        "/faults",
        operation_id="sandboxClearFaults",
        summary="Clear failures (one operation's, or all)",
        status_code=200,
    )
    async def clear_faults(
        self,
        sandbox_desk: NamedDependency[SandboxDesk],
        operation: Annotated[OperationName | None, QueryParameter()] = None,
    ) -> Response[Ok[dict[str, str]]]:
        """Disarm; answers what is still armed."""
        sandbox_desk.bank.clear_faults(operation)
        return ok(sandbox_desk.bank.armed_faults())


def sandbox_route_handlers(
    *,
    enabled: bool,
    bank: SandboxBankControls | None,
    resolve_account: ProviderAccountResolver,
    sink: InboundTransferSink,
    account_sink: ProviderAccountOpenedSink,
    payment_settlement: PaymentSettlement | None = None,
    payment_sink: PaymentUpdateSink | None = None,
) -> list[ControllerRouterHandler]:
    """The sandbox routes, or none unless ``enabled`` (``SANDBOX_ENABLED``) and a sandbox bank.

    ``sink`` books inbound transfers; ``account_sink`` registers accounts the bank opens on
    its own; ``payment_settlement`` settles submitted payments on demand and
    ``payment_sink`` hears returned ones. Register the routes outside the Toqio JWT guard:
    testers call them, not Toqio.
    """
    if not enabled or bank is None:
        return []
    desk = SandboxDesk(
        bank=bank,
        resolve_account=resolve_account,
        sink=sink,
        account_sink=account_sink,
        payment_worker=payment_settlement,
        payment_sink=payment_sink,
    )

    def provide() -> SandboxDesk:
        return desk

    return [
        Router(
            path="/",
            route_handlers=[SandboxController, SandboxPaymentController],
            dependencies={"sandbox_desk": Provide(provide, use_cache=True, sync_to_thread=False)},
            # The payment controller's module cannot import SandboxDesk (this module imports it).
            signature_namespace={"SandboxDesk": SandboxDesk},
        )
    ]
