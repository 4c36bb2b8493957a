"""Save transfer (``POST /customers/{customerId}/transactions``), idempotent on its key.

Needs the app dependencies ``save_transfer`` (SaveTransfer) and ``idempotency_store``
(an ``IdempotencyStore``, or ``None`` to serve without replays).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from accounts_payments.application.payments.save_transfer import SaveTransfer, SaveTransferCommand
from accounts_payments.config import SERVICE
from accounts_payments.entrypoints.http.error_statuses import PROVIDER_ERROR_STATUSES
from accounts_payments.entrypoints.http.transfer_schemas import (
    SaveTransferRequest,
    SyncTransactionResponse,
)
from building_blocks.idempotency import IdempotencyStore
from building_blocks.web import Ok, ok
from building_blocks.web.idempotency import (
    IDEMPOTENCY_KEY_HEADER,
    run_idempotently,
    toqio_error_renderer,
)
from shared_kernel.domain.errors import DomainError, RuleViolated

_render_error = toqio_error_renderer(SERVICE, PROVIDER_ERROR_STATUSES)


def _is_final(error: DomainError) -> bool:
    # A business decline (insufficient funds, a closed account) is the answer for the key;
    # malformed or unknown input is not stored, so the client may correct it and retry.
    return isinstance(error, RuleViolated)


def _command(customer_id: str, data: SaveTransferRequest, key: str | None) -> SaveTransferCommand:
    return SaveTransferCommand(
        customer_id=customer_id,
        source_account_id=data.source_account_id,
        beneficiary_account_id=data.beneficiary_account_id,
        amount=data.amount,
        currency=data.currency,
        concept=data.concept,
        reference=data.reference,
        fixed_side=data.fixed_side,
        bank_payment_scheme=data.bank_payment_scheme,
        asset_type=data.asset_type,
        purpose_code=data.purpose_code,
        user_id=data.user_id,
        company_id=data.company_id,
        payer=data.payer.as_mapping() if data.payer else {},
        transaction_id=data.transaction_id,
        idempotency_key=key,
    )


class TransferController(Controller):
    """``/customers/{customerId}/transactions``."""

    path = "/customers/{customerId:str}/transactions"
    tags = ["Transaction"]

    @post(
        "/",
        operation_id="saveTransfer",
        summary="Save Transfer",
        status_code=200,
        description=(
            "Reserves the funds, submits the payment to the provider and answers its status. "
            f"Send an `{IDEMPOTENCY_KEY_HEADER}` header to make retries safe: the same key and "
            "body replay the first answer (header `Idempotent-Replayed: true`), another body "
            "is refused with 422, and a request still in progress with 409."
        ),
    )
    async def save(
        self,
        request: Request[Any, Any, Any],
        customerId: FromPath[str],  # noqa: N803
        data: JSONBody[SaveTransferRequest],
        save_transfer: NamedDependency[SaveTransfer],
        idempotency_store: NamedDependency[IdempotencyStore | None],
    ) -> Response[Ok[SyncTransactionResponse]]:
        """Create, reserve and submit the payment."""
        key = request.headers.get(IDEMPOTENCY_KEY_HEADER)

        async def handle() -> Response[Any]:
            view = await save_transfer(_command(customerId, data, key))
            return ok(SyncTransactionResponse.of(view))

        return await run_idempotently(
            request,
            idempotency_store,
            scope=f"{customerId}:saveTransfer",
            handler=handle,
            is_final=_is_final,
            render_error=_render_error,
            resource_id=None,
        )
