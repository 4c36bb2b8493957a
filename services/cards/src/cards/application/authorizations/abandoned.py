"""FinishAbandonedAuthorizations: decide what a crash left waiting for funds, with the fallback.

An authorization is stored PENDING_FUNDS before its hold is asked for and decided in a second
transaction. A process that dies in between leaves it pending: its limits stay taken and a
hold may stand at accounts_payments. A replay of the request finishes it; this sweep does the
same for those the processor never sends again (FUNDS_TIMEOUT and a VOID; an advice is
approved), so none waits forever.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

import structlog

from cards.application.authorizations.authorize import DEFAULT_ABANDONED_AFTER_SECONDS
from cards.application.authorizations.funds_outcome import apply_funds_answer
from cards.application.ports.unit_of_work import CardsUnitOfWorkFactory
from cards.domain.authorization_values import AuthorizationStatus

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PendingAuthorizations(Protocol):
    """Finds authorizations still waiting for funds (a read of its own, outside any unit)."""

    async def pending_before(self, cutoff: datetime, limit: int) -> list[str]:
        """Ids of up to ``limit`` authorizations PENDING_FUNDS since before ``cutoff``."""
        ...


class FinishAbandonedAuthorizations:
    """One sweep: every authorization pending longer than ``abandoned_after`` seconds."""

    def __init__(
        self,
        units: CardsUnitOfWorkFactory,
        pending: PendingAuthorizations,
        *,
        clock: Clock = _utc_now,
        abandoned_after: float = DEFAULT_ABANDONED_AFTER_SECONDS,
        batch_size: int = 100,
    ) -> None:
        self._units = units
        self._pending = pending
        self._clock = clock
        self._abandoned_after = timedelta(seconds=abandoned_after)
        self._batch_size = batch_size

    async def __call__(self) -> int:
        """Finish one batch; how many were finished (a concurrent decision is left alone)."""
        now = self._clock()
        finished = 0
        for authorization_id in await self._pending.pending_before(
            now - self._abandoned_after, self._batch_size
        ):
            try:
                finished += await self._finish(authorization_id, now)
            except Exception:
                # One that cannot be finished must not hold up the others; the next sweep retries.
                log.warning(
                    "authorization.abandoned_not_finished",
                    authorization_id=authorization_id,
                    exc_info=True,
                )
        return finished

    async def _finish(self, authorization_id: str, now: datetime) -> int:
        async with self._units() as uow:
            authorization = await uow.authorizations.get(authorization_id, for_update=True)
            if (
                authorization is None
                or authorization.status is not AuthorizationStatus.PENDING_FUNDS
            ):
                return 0
            apply_funds_answer(uow, authorization, None, now)
            await uow.authorizations.save(authorization)
            await uow.commit()
        log.warning(
            "authorization.abandoned",
            authorization_id=authorization_id,
            card_id=authorization.card_id,
            decision=authorization.status.value,
        )
        return 1
