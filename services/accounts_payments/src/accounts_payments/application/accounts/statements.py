"""Bank statements from the ledger, guarded by a one-time password when the provider wants one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts_payments.application.accounts.common import require_account, require_customer
from accounts_payments.application.accounts.ports import (
    AccountsWork,
    Clock,
    OtpSender,
    UnitOfWorkFactory,
)
from accounts_payments.application.ports.ledger import StatementLine
from accounts_payments.domain.otp import OtpChallenge, new_code
from shared_kernel.domain.errors import DomainError, InvalidInput, NotFound, RuleViolated
from shared_kernel.domain.ids import new_id


class OtpRequired(RuleViolated):
    """The caller must repeat the request with the code sent to the user (422 OTP_REQUIRED)."""

    default_code = "OTP_REQUIRED"

    def __init__(self, operation_id: str) -> None:
        super().__init__("A one-time password is required; it has been sent to the user")
        self.data: Mapping[str, Any] = {
            "requestId": new_id(),
            "operationId": operation_id,
            "resend": True,
        }


@dataclass(frozen=True, slots=True)
class StatementQuery:
    """A statement request: the account, the period, and the OTP answer when there is one."""

    customer_id: str
    client_id: str
    account_id: str
    since: datetime
    until: datetime
    otp: str | None = None
    operation_id: str | None = None


class GetStatement:
    """Posted ledger lines of an account over a period, oldest first."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        otp_sender: OtpSender,
        clock: Clock,
        *,
        otp_required: bool,
    ) -> None:
        """Args: otp_required: whether the plain statement endpoint demands an OTP too."""
        self._uow = uow
        self._sender = otp_sender
        self._clock = clock
        self._otp_required = otp_required

    async def __call__(
        self, query: StatementQuery, *, with_otp: bool = False
    ) -> list[StatementLine]:
        """The lines; raises ``OtpRequired`` when a code must be sent or was not given."""
        if query.since >= query.until:
            raise InvalidInput("start must be before end", code="INVALID_DATE_RANGE")
        if with_otp or self._otp_required:
            if not query.otp or not query.operation_id:
                await self._challenge(query)
            else:
                await self._verify(query, query.operation_id, query.otp)
        async with self._uow() as uow:
            account = await require_account(
                uow, query.customer_id, query.account_id, client_id=query.client_id
            )
            if account.bank is None:
                return []
            return await uow.ledger.statement(
                account.ledger_account_id, since=query.since, until=query.until
            )

    async def _challenge(self, query: StatementQuery) -> None:
        operation_id, code = new_id(), new_code()
        async with self._uow() as uow:
            await require_account(
                uow, query.customer_id, query.account_id, client_id=query.client_id
            )
            challenge = OtpChallenge.issue(
                operation_id, query.customer_id, query.account_id, code, self._clock()
            )
            await uow.accounts.add_otp(challenge)
            await uow.commit()
        await self._sender.send(query.customer_id, operation_id, code)
        raise OtpRequired(operation_id)

    async def _verify(self, query: StatementQuery, operation_id: str, code: str) -> None:
        async with self._uow() as uow:
            challenge = await _challenge_of(uow, query, operation_id)
            try:
                challenge.verify(code, self._clock())
            except DomainError:
                # A wrong code still counts as an attempt, so keep it before refusing.
                await uow.accounts.save_otp(challenge)
                await uow.commit()
                raise
            await uow.accounts.save_otp(challenge)
            await uow.commit()


async def _challenge_of(
    uow: AccountsWork, query: StatementQuery, operation_id: str
) -> OtpChallenge:
    challenge = await uow.accounts.get_otp(query.customer_id, operation_id)
    if challenge is None or challenge.account_id != query.account_id:
        raise NotFound("The OTP operation was not found", code="OTP_OPERATION_NOT_FOUND")
    return challenge


class ResendOtp:
    """Send a fresh code for an open operation."""

    def __init__(self, uow: UnitOfWorkFactory, otp_sender: OtpSender, clock: Clock) -> None:
        self._uow = uow
        self._sender = otp_sender
        self._clock = clock

    async def __call__(self, customer_id: str, operation_id: str) -> None:
        """Replace the operation's code with a new one and send it.

        Raises:
            NotFound: ``CUSTOMER_NOT_FOUND``, or ``OTP_OPERATION_NOT_FOUND`` for an operation
                the customer never started or has already completed.
        """
        code = new_code()
        async with self._uow() as uow:
            await require_customer(uow, customer_id)
            old = await uow.accounts.get_otp(customer_id, operation_id)
            if old is None or old.verified:
                raise NotFound("The OTP operation was not found", code="OTP_OPERATION_NOT_FOUND")
            fresh = OtpChallenge.issue(
                operation_id, customer_id, old.account_id, code, self._clock()
            )
            await uow.accounts.save_otp(fresh)
            await uow.commit()
        await self._sender.send(customer_id, operation_id, code)
