"""Why a security-code operation is refused; messages never hold a code, PAN, PIN or key."""

from __future__ import annotations

from datetime import datetime

from shared_kernel.domain.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    InvalidInput,
    NotFound,
)

INVALID_SECURITY_CODE = "INVALID_SECURITY_CODE"
SECURITY_CODE_LOCKED = "SECURITY_CODE_LOCKED"
SECURITY_CODE_REQUIRED = "SECURITY_CODE_REQUIRED"
INVALID_OTP = "INVALID_OTP"
CARD_REVEAL_NOT_ALLOWED = "CARD_REVEAL_NOT_ALLOWED"
CARD_SECRET_NOT_AVAILABLE = "CARD_SECRET_NOT_AVAILABLE"  # noqa: S105 (an error code)


class InvalidSecurityCode(DomainError):
    """The presented security code is wrong or does not decrypt (the spec's 401)."""

    default_code = INVALID_SECURITY_CODE

    def __init__(self, *, locked_until: datetime | None = None) -> None:
        message = "The security code is not valid"
        if locked_until is not None:
            message += (
                "; too many wrong codes: the card's security code is locked until "
                f"{locked_until.isoformat(timespec='seconds')}"
            )
        super().__init__(message)
        self.locked_until = locked_until


class SecurityCodeLocked(DomainError):
    """Too many consecutive wrong codes: the card refuses every code until ``locked_until``."""

    default_code = SECURITY_CODE_LOCKED

    def __init__(self, locked_until: datetime, retry_after_seconds: int) -> None:
        super().__init__(
            "Too many wrong security codes: the card's security code is locked until "
            f"{locked_until.isoformat(timespec='seconds')}"
        )
        self.locked_until = locked_until
        self.retry_after_seconds = retry_after_seconds


class InvalidOtp(DomainError):
    """The one-time password Toqio relayed is not the one expected (the spec's 401)."""

    default_code = INVALID_OTP

    def __init__(self) -> None:
        super().__init__("The one-time password is not valid")


def security_code_required(field: str = "securityCode") -> InvalidInput:
    """The request carries no encrypted security code where one is required."""
    message = "an encrypted security code (encryptedSecurityCode, iv, tag) is required"
    return InvalidInput(
        f"{field}: {message}",
        code=SECURITY_CODE_REQUIRED,
        problems=(FieldProblem(field, SECURITY_CODE_REQUIRED, message),),
    )


def reveal_not_allowed(card_id: str, why: str) -> Conflict:
    """The card's details are not shown in its current state (closed, blocked, deleted)."""
    return Conflict(
        f"the details of card {card_id} cannot be shown: {why}", code=CARD_REVEAL_NOT_ALLOWED
    )


def secret_not_available(card_id: str, what: str) -> NotFound:
    """The vault holds no such secret for the card (a virtual card has no PIN)."""
    return NotFound(f"card {card_id} has no {what}", code=CARD_SECRET_NOT_AVAILABLE)
