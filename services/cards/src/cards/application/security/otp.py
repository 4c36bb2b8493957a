"""OTP verifiers for ``activateOTP``: our sandbox provider asks for none, or a configured code.

Toqio calls ``activateOTP`` when the provider demanded a one-time password for activating a
card (``OTP_REQUIRED``). The sandbox card processor demands none, so by default the OTP is not
checked and ``activateOTP`` activates exactly as ``activate`` does, with the card's security
code. A deployment or test that wants the OTP round trip sets a fixed sandbox code
(``CARDS_SANDBOX_ACTIVATION_OTP``): then ``baasOTP`` must equal it.
"""

from __future__ import annotations

import hmac


class NoOtpRequired:
    """``OtpVerifier`` of a provider that never asks for an OTP: nothing to check."""

    def verify(self, *, tenant_id: str, operation_id: str | None, otp: str | None) -> bool:
        """Always true: no OTP was ever issued, so none can be wrong."""
        return True

    def __repr__(self) -> str:
        return "NoOtpRequired()"


class FixedSandboxOtp:
    """``OtpVerifier`` expecting one configured code, for the sandbox only."""

    __slots__ = ("_code",)

    def __init__(self, code: str) -> None:
        if not code:
            raise ValueError("a sandbox OTP cannot be empty")
        self._code = code

    def verify(self, *, tenant_id: str, operation_id: str | None, otp: str | None) -> bool:
        """Whether ``otp`` is the configured code (compared in constant time)."""
        return otp is not None and hmac.compare_digest(otp.encode(), self._code.encode())

    def __repr__(self) -> str:
        return "FixedSandboxOtp(<hidden>)"
