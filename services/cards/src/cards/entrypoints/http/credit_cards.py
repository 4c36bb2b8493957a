"""Credit Cards endpoints: all ``FUNCTION_NOT_IMPLEMENTED_YET`` (501).

The card processor port issues debit cards only; until it supports credit (statements,
credit lines, linked external accounts, scheduled repayments), every operation of Toqio's
credit-card group answers 501 in the card error envelope, never a stub that pretends.
Bodies are not read: whatever is sent, the answer is the same.
"""

from __future__ import annotations

from typing import Any, NoReturn

from litestar import Controller, Response, delete, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath

from building_blocks.web import CardOk, ErrorEnvelope
from cards.domain import errors

CREDIT = "Credit Cards"
_NOT_IMPLEMENTED = {
    501: ResponseSpec(
        data_container=ErrorEnvelope,
        description="FUNCTION_NOT_IMPLEMENTED_YET: the card processor has no credit support",
    )
}
Answer = Response[CardOk[dict[str, Any]]]


def _not_supported(what: str) -> NoReturn:
    raise errors.function_not_implemented(f"Credit cards ({what})")


class CreditCardController(Controller):
    """``/customers/{customerId}/cards/…`` credit-card operations."""

    path = "/customers/{customerId:str}/cards"
    tags = [CREDIT]
    responses = _NOT_IMPLEMENTED

    @post(
        "/accounts/{accountId:str}/scheduledPayment/{scheduledPaymentId:str}/cancel",
        operation_id="cancelScheduledPayment",
        status_code=200,
    )
    async def cancel_scheduled_payment(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        scheduledPaymentId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """Cancel a scheduled credit-card payment: not supported."""
        _not_supported("cancelScheduledPayment")

    @get(
        "/account/{accountId:str}/companies/{companyId:str}/creditStatements",
        operation_id="fetchCreditStatement",
    )
    async def credit_statement(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        companyId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """Credit-card statements: not supported."""
        _not_supported("fetchCreditStatement")

    @get(
        "/account/{accountId:str}/company/{companyId:str}/creditDetails",
        operation_id="getCreditDetails",
    )
    async def credit_details(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        companyId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """Credit-card account details: not supported."""
        _not_supported("getCreditDetails")

    @get(
        "/client/{clientId:str}/partnerToken",
        operation_id="getPartnerToken",
        tags=["Security"],
    )
    async def partner_token(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """A partner token for credit-card account linking: not supported."""
        _not_supported("getPartnerToken")

    @get("/accounts/{accountId:str}/external-accounts", operation_id="linkedExternalAccounts")
    async def linked_external_accounts(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """External accounts linked for repayments: not supported."""
        _not_supported("linkedExternalAccounts")

    @post(
        "/account/{accountId:str}/linkExternalAccount",
        operation_id="linkExternalAccount",
        status_code=200,
    )
    async def link_external_account(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """Link an external account for repayments: not supported."""
        _not_supported("linkExternalAccount")

    @delete(
        "/account/{accountId:str}/company/{companyId:str}/creditDetails/{externalAccountId:str}",
        operation_id="removeLinkedExternalAccount",
        status_code=200,
    )
    async def remove_linked_external_account(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        companyId: FromPath[str],  # noqa: N803
        externalAccountId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """Unlink an external account: not supported."""
        _not_supported("removeLinkedExternalAccount")

    @post(
        "/accounts/{accountId:str}/payments/schedule/autopay",
        operation_id="scheduleAutoPay",
        status_code=200,
    )
    async def schedule_autopay(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """Automatic repayments: not supported."""
        _not_supported("scheduleAutoPay")

    @get(
        "/accounts/{accountId:str}/scheduledCreditPayments",
        operation_id="scheduledCreditPayments",
    )
    async def scheduled_credit_payments(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """Scheduled repayments: not supported."""
        _not_supported("scheduledCreditPayments")

    @post(
        "/accounts/{accountId:str}/schedule",
        operation_id="schedulePaymentCard",
        status_code=200,
    )
    async def schedule_payment(
        self,
        customerId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
    ) -> Answer:
        """Schedule a repayment: not supported."""
        _not_supported("schedulePaymentCard")
