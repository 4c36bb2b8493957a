"""Stand-ins for accounts_payments' side of an authorization: funds answered as a test arms."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from cards.application.ports.funds import FundsAnswer
from shared_kernel.contracts import FundsReservationRequestedV1


class Crash(BaseException):
    """The process dies here (not an ``Exception``: nothing in the use case may catch it)."""


Answer = FundsAnswer | None | BaseException
Hook = Callable[[FundsReservationRequestedV1], Awaitable[None]]


class FakeFundsReservation:
    """``FundsReservation`` answering what a test armed, in order; approves when unarmed.

    An armed ``None`` is "no answer in time"; an armed exception is raised; ``delay`` makes
    it answer that many seconds late, whatever timeout it was given; ``on_reserve`` runs while
    the request waits for its answer.
    """

    def __init__(self) -> None:
        self.requests: list[FundsReservationRequestedV1] = []
        self.timeouts: list[float] = []
        self._armed: list[Answer] = []
        self.delay: float = 0.0
        self.on_reserve: Hook | None = None

    def arm(self, *answers: Answer) -> None:
        self._armed.extend(answers)

    def refuse(self, reason: str) -> None:
        self.arm(FundsAnswer(approved=False, reason=reason))

    async def reserve(
        self,
        request: FundsReservationRequestedV1,
        *,
        timeout: float,  # noqa: ASYNC109
    ) -> FundsAnswer | None:
        self.requests.append(request)
        self.timeouts.append(timeout)
        if self.on_reserve is not None:
            await self.on_reserve(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = (
            self._armed.pop(0)
            if self._armed
            else FundsAnswer(approved=True, hold_id=request.authorization_id)
        )
        if isinstance(answer, BaseException):
            raise answer
        return answer
