"""Failure injection for the sandbox bank: timeouts, rejections and outages, armed per operation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NoReturn

from accounts_payments.application.ports.banking_provider import (
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from shared_kernel.domain.errors import InvalidInput


class SandboxOperation(StrEnum):
    """The provider calls a fault can be armed on (``BankingProvider`` and ``submit_payment``)."""

    FIND_MERCHANT = "find_merchant"
    CREATE_MERCHANT = "create_merchant"
    OPEN_ACCOUNT = "open_account"
    GET_ACCOUNT = "get_account"
    SET_ACCOUNT_STATUS = "set_account_status"
    PING = "ping"
    SUBMIT_PAYMENT = "submit_payment"


class FaultKind(StrEnum):
    """How the bank fails."""

    TIMEOUT = "TIMEOUT"  # no answer in time; the caller cannot know whether it happened
    REJECT = "REJECT"  # a business refusal: retrying the same request will not help
    UNAVAILABLE = "UNAVAILABLE"  # a 5xx or maintenance window: retry later


@dataclass(frozen=True, slots=True)
class Rejection:
    """A provider's refusal reason and how the connector explains it to Toqio and the user."""

    toqio_code: str
    message: str


# Provider reason -> Toqio code and user-facing message. Codes the Integration Hub spec names:
# INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY (createAccount 403), INVALID_CLIENT_CONFIGURATION
# (createAccount 500), ERROR_CLIENT_NOT_FOUND, ERROR_CLOSING_ACCOUNT (deleteAccount 417/500),
# INVALID_REMOTE_ACCOUNT_CONFIGURATION. The spec has no code for the others; they are ours.
REJECTIONS: dict[str, Rejection] = {
    "UNSUPPORTED_COUNTRY_PRODUCT": Rejection(
        "INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY",
        "The bank does not offer this account product in this country and currency",
    ),
    "ACCOUNT_LIMIT_REACHED": Rejection(
        "ACCOUNT_LIMIT_REACHED",
        "The merchant already has the maximum number of accounts the bank allows",
    ),
    "MERCHANT_REJECTED": Rejection(
        "MERCHANT_REJECTED_BY_PROVIDER",
        "The bank declined to onboard this business; contact support for the next steps",
    ),
    "INVALID_CLIENT_CONFIGURATION": Rejection(
        "INVALID_CLIENT_CONFIGURATION",
        "The bank cannot serve this business with its current configuration",
    ),
    "MERCHANT_NOT_FOUND": Rejection(
        "ERROR_CLIENT_NOT_FOUND", "The business is not onboarded at the bank yet"
    ),
    "ACCOUNT_NOT_FOUND": Rejection(
        "INVALID_REMOTE_ACCOUNT_CONFIGURATION", "The bank does not know this account"
    ),
    "ACCOUNT_HAS_FUNDS": Rejection(
        "ERROR_CLOSING_ACCOUNT",
        "The account still holds funds at the bank; move them out before closing it",
    ),
    "INVALID_STATUS_CHANGE": Rejection(
        "INVALID_ACCOUNT_STATUS_CHANGE", "The bank does not allow this account status change"
    ),
    "ACCOUNT_CLOSED": Rejection(
        "ACCOUNT_CLOSED", "The account is closed at the bank and can no longer change"
    ),
    # Payment refusals carry their ISO 20022 reason code, as a real bank's pacs.002 does.
    "AC04": Rejection("AC04", "The account is closed at the bank"),
    "AC06": Rejection("AC06", "The account is blocked at the bank"),
    "AM03": Rejection("AM03", "The account does not hold the currency of this payment"),
    "AM04": Rejection("AM04", "The account does not hold enough funds at the bank"),
    "PAYMENT_NOT_RETURNABLE": Rejection(
        "PAYMENT_NOT_RETURNABLE", "Only a settled payment can be returned"
    ),
}

TIMEOUT_MESSAGE = "The bank did not answer in time; please try again in a few minutes"
UNAVAILABLE_MESSAGE = "The bank is temporarily unavailable; please try again later"


def rejected(reason: str) -> ProviderRejected:
    """The ``ProviderRejected`` for a provider ``reason`` of the catalogue above."""
    rejection = REJECTIONS[reason]
    return ProviderRejected(rejection.message, code=rejection.toqio_code)


@dataclass(frozen=True, slots=True)
class Fault:
    """One armed failure. ``remaining`` is how many more calls fail (``None``: all of them).

    ``after_effect`` makes a timeout strike after the bank did the work: the account is
    open but the caller never hears it, the case that makes idempotent retries necessary.
    """

    kind: FaultKind
    reason: str | None = None
    remaining: int | None = None
    delay_seconds: float = 0.0
    after_effect: bool = False

    def error(self) -> ProviderError:
        """The exception this fault raises."""
        if self.kind is FaultKind.REJECT:
            assert self.reason is not None
            return rejected(self.reason)
        if self.kind is FaultKind.TIMEOUT:
            return ProviderUnavailable(TIMEOUT_MESSAGE, code="PROVIDER_TIMEOUT")
        return ProviderUnavailable(UNAVAILABLE_MESSAGE, code="PROVIDER_UNAVAILABLE")

    async def strike(self) -> NoReturn:
        """Wait the configured delay (a hung connection), then raise."""
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        raise self.error()

    def describe(self) -> str:
        """A short human description, e.g. ``REJECT ACCOUNT_LIMIT_REACHED, next 2 calls``."""
        what = f"{self.kind} {self.reason}" if self.reason else str(self.kind)
        when = "every call" if self.remaining is None else f"next {self.remaining} calls"
        after = ", after the effect" if self.after_effect else ""
        return f"{what}, {when}{after}"


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_FAULT")


class SandboxFaults:
    """In-memory failures armed per operation; at most one per operation, the newest wins."""

    def __init__(self) -> None:
        self._armed: dict[SandboxOperation, Fault] = {}

    def arm(
        self,
        operation: str,
        kind: str,
        *,
        reason: str | None = None,
        times: int | None = None,
        delay_seconds: float = 0.0,
        after_effect: bool = False,
    ) -> Fault:
        """Make the next ``times`` calls of ``operation`` fail (every call when ``None``).

        Raises:
            InvalidInput: ``INVALID_FAULT`` for an unknown operation, kind or reason.
        """
        try:
            op, fault_kind = SandboxOperation(operation), FaultKind(kind)
        except ValueError:
            raise _invalid(
                f"unknown operation '{operation}' or kind '{kind}'; operations: "
                f"{', '.join(SandboxOperation)}; kinds: {', '.join(FaultKind)}"
            ) from None
        if fault_kind is FaultKind.REJECT and reason not in REJECTIONS:
            raise _invalid(f"a REJECT needs a reason among {', '.join(REJECTIONS)}")
        if times is not None and times < 1:
            raise _invalid("times must be at least 1 (omit it for every call)")
        if delay_seconds < 0:
            raise _invalid("delaySeconds cannot be negative")
        fault = Fault(
            kind=fault_kind,
            reason=reason if fault_kind is FaultKind.REJECT else None,
            remaining=times,
            delay_seconds=delay_seconds,
            after_effect=after_effect and fault_kind is FaultKind.TIMEOUT,
        )
        self._armed[op] = fault
        return fault

    def clear(self, operation: str | None = None) -> None:
        """Disarm ``operation``, or every operation when ``None``."""
        if operation is None:
            self._armed.clear()
            return
        try:
            self._armed.pop(SandboxOperation(operation), None)
        except ValueError:
            raise _invalid(f"unknown operation '{operation}'") from None

    def describe(self) -> dict[str, str]:
        """What is armed, by operation name."""
        return {str(op): fault.describe() for op, fault in self._armed.items()}

    def take(self, operation: SandboxOperation) -> Fault | None:
        """The fault this call of ``operation`` must suffer, counting it down; else ``None``."""
        fault = self._armed.get(operation)
        if fault is None:
            return None
        if fault.remaining is not None:
            if fault.remaining <= 1:
                del self._armed[operation]
            else:
                self._armed[operation] = replace(fault, remaining=fault.remaining - 1)
        return fault
