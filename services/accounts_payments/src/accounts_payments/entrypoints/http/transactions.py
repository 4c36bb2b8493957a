"""Transaction read endpoints: a transaction's status and its dynamic button."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from accounts_payments.application.payments.queries import GetDynamicButton, GetTransactionStatus
from accounts_payments.entrypoints.http.account_schemas import TransactionStatusPair
from building_blocks.web import Ok, ok


class TransactionStatusController(Controller):
    """``/customers/{customerId}/transactions/{transactionId}/…``."""

    path = "/customers/{customerId:str}/transactions"
    tags = ["Transaction"]

    @get("/{transactionId:str}/status", operation_id="getTransactionStatus")
    async def status(
        self,
        customerId: FromPath[str],  # noqa: N803
        transactionId: FromPath[str],  # noqa: N803
        get_transaction_status: NamedDependency[GetTransactionStatus],
    ) -> Response[Ok[TransactionStatusPair]]:
        """The transaction id paired with its status (payments and money received alike)."""
        status = (await get_transaction_status(customerId, transactionId)).value
        return ok(
            TransactionStatusPair(key=transactionId, value=status, left=transactionId, right=status)  # type: ignore[arg-type]
        )

    @get("/{transactionId:str}/dynamicButton", operation_id="getDynamicButtonConfiguration")
    async def dynamic_button(
        self,
        customerId: FromPath[str],  # noqa: N803
        transactionId: FromPath[str],  # noqa: N803
        get_dynamic_button: NamedDependency[GetDynamicButton],
    ) -> Response[Ok[dict[str, Any]]]:
        """An empty object: no marketplace button is configured for the transaction."""
        await get_dynamic_button(customerId, transactionId)
        return ok({})
