"""The sandbox's OTP "delivery": codes kept in memory, readable only through the sandbox API."""

from __future__ import annotations

from collections import OrderedDict

from shared_kernel.domain.errors import NotImplementedByProvider


class SandboxOtpSender:
    """Keeps the last codes per operation so a tester can read them (``GET /sandbox/otp/{id}``).

    Codes are never logged; this object exists only when ``SANDBOX_ENABLED`` is true. Old
    operations are forgotten beyond ``capacity`` so memory stays bounded.
    """

    def __init__(self, capacity: int = 1000) -> None:
        self._codes: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    async def send(self, customer_id: str, operation_id: str, code: str) -> None:
        """Remember ``code`` as the current one of the operation."""
        # Operation ids are UUIDv7s, unique across customers.
        self._codes[operation_id] = code
        self._codes.move_to_end(operation_id)
        while len(self._codes) > self._capacity:
            self._codes.popitem(last=False)

    def code_for(self, operation_id: str) -> str | None:
        """The operation's current code, or ``None``."""
        return self._codes.get(operation_id)


class UnavailableOtpSender:
    """Used when no channel can deliver codes: refuses rather than pretending to send."""

    async def send(self, customer_id: str, operation_id: str, code: str) -> None:
        """Always refuses."""
        raise NotImplementedByProvider("No channel is configured to deliver one-time passwords")
