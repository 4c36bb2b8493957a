"""Funds for card authorizations: a hold asked of accounts_payments within a deadline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shared_kernel.contracts import FundsReservationRequestedV1


@dataclass(frozen=True, slots=True)
class FundsAnswer:
    """accounts_payments' answer: a hold was placed, or why not."""

    approved: bool
    hold_id: str | None = None
    reason: str | None = None


class FundsReservation(Protocol):
    """Asks accounts_payments to hold funds and waits at most ``timeout`` seconds."""

    async def reserve(
        self,
        request: FundsReservationRequestedV1,
        *,
        timeout: float,  # noqa: ASYNC109
    ) -> FundsAnswer | None:
        """The answer, or ``None`` when none came in time (or nothing serves the request)."""
        ...
