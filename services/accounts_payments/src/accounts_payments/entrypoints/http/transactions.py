"""Transaction endpoints of this slice: the status of a transaction the connector booked."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from accounts_payments.application.accounts.queries import GetTransactionStatus
from accounts_payments.entrypoints.http.account_schemas import TransactionStatusPair
from building_blocks.web import Ok, ok


class TransactionStatusController(Controller):
    """``/customers/{customerId}/transactions/{transactionId}/status``."""

    path = "/customers/{customerId:str}/transactions"
    tags = ["Transaction"]

    @get("/{transactionId:str}/status", operation_id="getTransactionStatus")
    async def status(
        self,
        customerId: FromPath[str],  # noqa: N803
        transactionId: FromPath[str],  # noqa: N803
        get_transaction_status: NamedDependency[GetTransactionStatus],
    ) -> Response[Ok[TransactionStatusPair]]:
        """The transaction id paired with its status."""
        status = (await get_transaction_status(customerId, transactionId)).value
        return ok(
            TransactionStatusPair(key=transactionId, value=status, left=transactionId, right=status)  # type: ignore[arg-type]
        )
