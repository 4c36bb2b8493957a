"""``POST /transaction/validate``: Toqio's synchronous transaction-monitoring call.

Needs the app dependency ``validate_transaction`` (ValidateTransaction); served behind
``customer_api_key_guard``, which puts the key's customer in the connection state.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from building_blocks.auth import Forbidden
from compliance.application.monitoring.validate import ValidateTransaction
from compliance.domain.monitoring.transaction import Beneficiary, MonitoredTransaction, PartyType
from compliance.entrypoints.http.guards import current_customer_id
from compliance.entrypoints.http.validate_schemas import ValidateRequest, ValidateResponse
from shared_kernel.domain.errors import FieldProblem, InvalidInput
from shared_kernel.domain.money import Money


def _invalid(field_name: str, error: InvalidInput) -> InvalidInput:
    return InvalidInput(
        error.message,
        code=error.code,
        problems=(FieldProblem(field_name, error.code, error.message),),
    )


def _party_type(raw: str | None) -> PartyType:
    try:
        return PartyType((raw or "").strip().upper())
    except ValueError:
        return PartyType.UNKNOWN  # tolerant reader: an unknown type is just unknown


def transaction_of(data: ValidateRequest, now: datetime) -> MonitoredTransaction:
    """The request as the domain reads it; ``InvalidInput`` for a bad amount or currency."""
    try:
        amount = Money.from_decimal(data.amount, data.currency.strip().upper())
    except InvalidInput as error:
        field_name = "amount" if error.code == "INVALID_AMOUNT" else "currency"
        raise _invalid(field_name, error) from None
    if not amount.is_positive():
        raise _invalid("amount", InvalidInput("amount must be positive", code="INVALID_AMOUNT"))
    party = data.beneficiary or None
    beneficiary = Beneficiary(
        type=_party_type(party.type if party else None),
        name=(party.name or "").strip() if party else "",
        iban=(party.iban or "").replace(" ", "").upper() if party else "",
        bic=(party.bic_swift or "").strip().upper() if party else "",
        account_number=(party.account_number or "").strip() if party else "",
        bank_country=(party.bank_country or "").strip().upper() if party else "",
        country=(party.country or "").strip().upper() if party else "",
    )
    return MonitoredTransaction(
        transaction_id=data.transaction_id,
        customer_id=data.customer_id,
        client_id=data.client_id,
        source_account_id=data.source_account_id,
        amount=amount,
        beneficiary=beneficiary,
        created_at=data.created_at or now,
        beneficiary_account_id=data.beneficiary_account_id or "",
        user_id=data.user_id or "",
        scheme=data.bank_payment_scheme or "",
        concept=data.concept or "",
        reference=data.reference or "",
        purpose_code=data.purpose_code or "",
        is_fx=bool(data.is_fx_transaction),
        own_accounts=bool(data.are_own_accounts),
    )


class ValidateController(Controller):
    """``/transaction/validate``."""

    path = "/transaction"
    tags = ["Transaction monitoring"]

    @post(
        "/validate",
        operation_id="validateTransaction",
        status_code=200,
        summary="Decide a transaction: APPROVED, REJECTED or PENDING_EXTERNAL_APPROVAL",
    )
    async def validate(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ValidateRequest],
        validate_transaction: NamedDependency[ValidateTransaction],
    ) -> Response[ValidateResponse]:
        """The stored decision for a known transaction id, else a new one within the deadline."""
        if data.customer_id != current_customer_id(request):
            raise Forbidden("The API key belongs to another customer", code="CUSTOMER_MISMATCH")
        decision = await validate_transaction(transaction_of(data, datetime.now(UTC)))
        return Response(ValidateResponse.of(decision), status_code=200)
