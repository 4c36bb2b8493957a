"""Statement endpoints: lines (with the OTP flow), the footer, and the sandbox OTP peek."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from accounts_payments.application.accounts.common import wire_amount
from accounts_payments.application.accounts.documents import GetStatementFooter
from accounts_payments.application.accounts.ports import OtpCodeReader
from accounts_payments.application.accounts.statements import (
    GetStatement,
    OtpRequired,
    StatementQuery,
)
from accounts_payments.application.ports.ledger import StatementLine
from accounts_payments.entrypoints.http.account_schemas import (
    BankStatementSendData,
    DateRange,
    StatementTransactionDTOFromBank,
)
from building_blocks.web import Ok, current_request_id, ok
from shared_kernel.domain.errors import NotFound


def _millis(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _line(line: StatementLine) -> StatementTransactionDTOFromBank:
    return StatementTransactionDTOFromBank(
        balance=wire_amount(line.balance_after),
        date=_millis(line.booked_at),
        transaction_number=line.metadata.get("transactionId", line.journal_id),
    )


async def _lines(
    get_statement: GetStatement, query: StatementQuery, *, with_otp: bool
) -> list[StatementTransactionDTOFromBank]:
    try:
        return [_line(line) for line in await get_statement(query, with_otp=with_otp)]
    except OtpRequired as required:
        # The envelope's requestId and the OTP data's requestId name the same request.
        required.data = {**required.data, "requestId": current_request_id.get() or ""}
        raise


class StatementController(Controller):
    """``…/clients/{clientId}/accounts/{accountId}/bankStatement[Otp]``."""

    path = "/customers/{customerId:str}/clients/{clientId:str}/accounts/{accountId:str}"
    tags = ["Account"]

    @post("/bankStatement", operation_id="findAccountTransactionListStatement", status_code=200)
    async def statement(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        data: JSONBody[DateRange],
        get_statement: NamedDependency[GetStatement],
    ) -> Response[Ok[list[StatementTransactionDTOFromBank]]]:
        """Posted lines of the period, each with the balance after it."""
        query = StatementQuery(customerId, clientId, accountId, since=data.start, until=data.end)
        return ok(await _lines(get_statement, query, with_otp=False))

    @post(
        "/bankStatementOtp", operation_id="findAccountTransactionListStatement_1", status_code=200
    )
    async def statement_with_otp(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        data: JSONBody[BankStatementSendData],
        get_statement: NamedDependency[GetStatement],
    ) -> Response[Ok[list[StatementTransactionDTOFromBank]]]:
        """The same lines behind a one-time password: 422 OTP_REQUIRED first, then the code."""
        query = StatementQuery(
            customerId,
            clientId,
            accountId,
            since=data.date_range.start,
            until=data.date_range.end,
            otp=data.otp_baas or data.baas_otp,
            operation_id=data.operation_id,
        )
        return ok(await _lines(get_statement, query, with_otp=True))


class StatementFooterController(Controller):
    """``/customers/{customerId}/ledgerType/{ledgerType}/bankStatement/footer/{locale}``."""

    path = "/customers/{customerId:str}/ledgerType/{ledgerType:str}/bankStatement/footer"
    tags = ["Transaction"]

    @get("/{locale:str}", operation_id="getBankStatementFooter")
    async def footer(
        self,
        customerId: FromPath[str],  # noqa: N803
        ledgerType: FromPath[str],  # noqa: N803
        locale: FromPath[str],
        get_statement_footer: NamedDependency[GetStatementFooter],
    ) -> Response[Ok[str]]:
        """The footer text in the locale's language."""
        return ok(await get_statement_footer(customerId, ledgerType, locale))


class SandboxOtpController(Controller):
    """Dev only (``SANDBOX_ENABLED``): the code the sandbox "sent" for an operation."""

    path = "/sandbox/otp"
    tags = ["Sandbox"]

    @get("/{operationId:str}", operation_id="sandboxGetOtp")
    async def code(
        self,
        operationId: FromPath[str],  # noqa: N803
        otp_codes: NamedDependency[OtpCodeReader],
    ) -> Response[Ok[dict[str, str]]]:
        """The operation's current code, so a tester can complete the OTP flow."""
        code = otp_codes.code_for(operationId)
        if code is None:
            raise NotFound("No code was sent for this operation", code="OTP_OPERATION_NOT_FOUND")
        return ok({"operationId": operationId, "otp": code})
