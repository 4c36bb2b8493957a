"""Publishing committed outbox rows to the message bus, in order, until they are confirmed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import structlog
from tenacity import AsyncRetrying, RetryCallState, RetryError, wait_exponential_jitter

from building_blocks.messaging.port import MessageBus, MessagingError
from building_blocks.outbox.leadership import InProcessLock, PostgresAdvisoryLock, RelayLeadership
from building_blocks.outbox.tables import MessagingTables
from building_blocks.persistence import Database
from shared_kernel.contracts import decode_envelope

log = structlog.get_logger(__name__)


class OutboxRelay:
    """Moves outbox rows to the bus: publish with confirms, then mark them sent.

    A crash between the two republishes the row later, which the consumers' inbox absorbs
    (at-least-once). Only the relay holding the service's lock publishes; others stand by.
    While publishing fails (broker down, topology broken) the relay backs off with jitter and
    keeps every row; it retries until stopped and never skips a row, so order is kept. An event
    nobody consumes is not a failure: the bus parks it (``UnroutedReplay``) and confirms it.
    """

    def __init__(
        self,
        database: Database,
        tables: MessagingTables,
        bus: MessageBus,
        *,
        batch_size: int = 100,
        poll_interval: float = 0.5,
        standby_interval: float = 5.0,
        max_backoff: float = 30.0,
    ) -> None:
        self._database = database
        self._table = tables.outbox
        self._bus = bus
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._standby_interval = standby_interval
        self._max_backoff = max_backoff
        lock_name = f"outbox-relay:{database.schema}"
        self._leadership: RelayLeadership = (
            InProcessLock(f"{database.url}#{lock_name}")
            if database.is_sqlite
            else PostgresAdvisoryLock(database.engine, lock_name)
        )
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()
        self.is_active = False

    async def run(self) -> None:
        """Relay until ``stop()``: become the active relay (or stand by), then publish."""
        while not self._stopping.is_set():
            if not await self._leadership.acquire():
                await self._nap(self._standby_interval, wakeable=False)
                continue
            log.info("outbox relay active", schema=self._database.schema)
            self.is_active = True
            try:
                await self._relay()
            finally:
                self.is_active = False
                await self._leadership.release()

    def wake(self) -> None:
        """Publish without waiting for the next poll (call it after a commit)."""
        self._wakeup.set()

    async def after_commit(self) -> None:
        """``wake()`` in the shape ``SqlAlchemyUnitOfWork.after_commit`` takes."""
        self.wake()

    def stop(self) -> None:
        """Ask ``run()`` to return after the current batch; await its task to wait for that."""
        self._stopping.set()
        self._wakeup.set()

    async def _relay(self) -> None:
        while not self._stopping.is_set():
            if not await self._leadership.still_held():
                return
            published = await self._publish_with_backoff()
            if published < self._batch_size:
                await self._nap(self._poll_interval, wakeable=True)

    async def _publish_with_backoff(self) -> int:
        retrying = AsyncRetrying(
            # About 1 s, 2 s, 4 s ... plus up to 1 s of jitter, capped at max_backoff.
            wait=wait_exponential_jitter(max=self._max_backoff),
            stop=lambda _state: self._stopping.is_set(),
            sleep=self._backoff,
            before_sleep=self._log_failure,
        )
        try:
            return await retrying(self.publish_batch)
        except RetryError:
            return 0  # stopped while backing off; the rows stay for the next relay

    async def publish_batch(self) -> int:
        """Publish up to ``batch_size`` unsent rows in id order; return how many were read.

        Rows confirmed before a failure are marked sent; the failing row records the error.
        """
        rows = await self._unsent()
        sent: list[int] = []
        try:
            for row_id, body in rows:
                try:
                    await self._bus.publish(decode_envelope(body))
                except Exception as error:
                    await self._record_failure(row_id, error)
                    raise
                sent.append(row_id)
        finally:
            if sent:
                await self._mark_sent(sent)
        return len(rows)

    async def _unsent(self) -> Sequence[tuple[int, bytes]]:
        query = (
            sa.select(self._table.c.id, self._table.c.body)
            .where(self._table.c.sent_at.is_(None))
            .order_by(self._table.c.id)
            .limit(self._batch_size)
        )
        async with self._database.sessions() as session:
            return [(row.id, row.body) for row in await session.execute(query)]

    async def _mark_sent(self, ids: list[int]) -> None:
        statement = (
            self._table.update()
            .where(self._table.c.id.in_(ids))
            .values(sent_at=datetime.now(UTC), attempts=self._table.c.attempts + 1)
        )
        async with self._database.sessions.begin() as session:
            await session.execute(statement)

    async def _record_failure(self, row_id: int, error: Exception) -> None:
        statement = (
            self._table.update()
            .where(self._table.c.id == row_id)
            .values(attempts=self._table.c.attempts + 1, last_error=_describe(error))
        )
        with contextlib.suppress(Exception):  # the database may be what failed
            async with self._database.sessions.begin() as session:
                await session.execute(statement)

    async def _backoff(self, seconds: float) -> None:
        await self._nap(seconds, wakeable=False)

    async def _nap(self, seconds: float, *, wakeable: bool) -> None:
        # A wake() cuts a poll short but never a backoff: that would hammer a broker that is down.
        event = self._wakeup if wakeable else self._stopping
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()
        if wakeable:
            self._wakeup.clear()

    def _log_failure(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        log.warning(
            "outbox relay cannot publish, backing off",
            attempt=state.attempt_number,
            retry_in=round(state.upcoming_sleep, 3),
            error=_describe(error),
        )


def _describe(error: BaseException | None) -> str:
    # Only our own errors are safe to quote: a driver error may echo the row's body.
    if isinstance(error, MessagingError):
        return f"{type(error).__name__}: {error}"[:500]
    return type(error).__name__
