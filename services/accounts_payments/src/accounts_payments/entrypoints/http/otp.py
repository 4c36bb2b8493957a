"""Integration Hub OTP endpoints: ``POST /customer/{customerId}/resend/otp/{operationId}``."""

from __future__ import annotations

from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from accounts_payments.application.accounts.statements import ResendOtp
from building_blocks.web import CamelStruct, Ok, ok
from building_blocks.web.envelopes import iso_now
from building_blocks.web.request_id import request_id_or_new


class ResendOtpResponse(CamelStruct, frozen=True, kw_only=True):
    """The spec's ``ResendOtpResponse``: which request resent the code, and when."""

    request_id: str
    date: str


class OtpController(Controller):
    """``/customer/{customerId}/resend/otp/{operationId}`` (the spec's singular ``customer``)."""

    path = "/customer/{customerId:str}/resend/otp"
    tags = ["OTP"]

    @post(
        "/{operationId:str}",
        operation_id="resendOtp",
        summary="Resend OTP",
        description="Send a fresh one-time password for an operation still waiting for one.",
        status_code=200,
    )
    async def resend(
        self,
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        operationId: FromPath[str],  # noqa: N803 - the spec's path segment name
        resend_otp: NamedDependency[ResendOtp],
    ) -> Response[Ok[ResendOtpResponse]]:
        """Replace the operation's code and send it again; the old code stops working.

        404 ``CUSTOMER_NOT_FOUND`` for an unknown customer and ``OTP_OPERATION_NOT_FOUND``
        for an operation the customer never started or has already completed.
        """
        await resend_otp(customerId, operationId)
        return ok(ResendOtpResponse(request_id=request_id_or_new(), date=iso_now()))
