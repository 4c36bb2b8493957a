"""One-time-password challenges that guard bank statements: hashed code, expiry, attempts."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared_kernel.domain.errors import RuleViolated

MAX_ATTEMPTS = 5
LIFETIME = timedelta(minutes=5)


def hash_code(operation_id: str, code: str) -> str:
    """The stored form of a code: bound to its operation so equal codes hash differently."""
    return hashlib.sha256(f"{operation_id}:{code}".encode()).hexdigest()


def new_code() -> str:
    """A random six-digit code."""
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass(slots=True)
class OtpChallenge:
    """A code sent to the user for one operation (a statement of one account)."""

    operation_id: str
    customer_id: str
    account_id: str
    code_hash: str
    expires_at: datetime
    attempts: int = 0
    verified: bool = False

    @classmethod
    def issue(
        cls, operation_id: str, customer_id: str, account_id: str, code: str, now: datetime
    ) -> OtpChallenge:
        """Start a challenge for ``code``; only its hash is kept."""
        return cls(
            operation_id=operation_id,
            customer_id=customer_id,
            account_id=account_id,
            code_hash=hash_code(operation_id, code),
            expires_at=now + LIFETIME,
        )

    def verify(self, code: str, now: datetime) -> None:
        """Accept ``code`` once; count every wrong try.

        Raises:
            RuleViolated: ``OTP_EXPIRED``, ``OTP_ATTEMPTS_EXCEEDED``, ``OTP_ALREADY_USED`` or
                ``OTP_INVALID``.
        """
        if self.verified:
            raise RuleViolated("This code has already been used", code="OTP_ALREADY_USED")
        if now >= self.expires_at:
            raise RuleViolated("The code has expired; ask for a new one", code="OTP_EXPIRED")
        if self.attempts >= MAX_ATTEMPTS:
            raise RuleViolated(
                "Too many wrong codes; ask for a new one", code="OTP_ATTEMPTS_EXCEEDED"
            )
        self.attempts += 1
        if not hmac.compare_digest(self.code_hash, hash_code(self.operation_id, code)):
            raise RuleViolated("The code is not correct", code="OTP_INVALID")
        self.verified = True
