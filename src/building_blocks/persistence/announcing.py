"""AnnouncingUnitOfWork: one transaction whose changes are announced by outbox and webhook rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from building_blocks.outbox import Outbox
from building_blocks.persistence.unit_of_work import SqlAlchemyUnitOfWork
from building_blocks.webhooks import WebhookQueue
from shared_kernel.contracts import Envelope, IntegrationMessage


class AnnouncingUnitOfWork:
    """The base of a service's SQL unit of work.

    ``publish`` queues outbox rows and ``notify_toqio`` writes webhook rows in the same
    transaction as the change they announce; once it commits, the outbox relay and the webhook
    dispatcher are woken so the messages leave at once instead of at their next poll. A
    subclass opens its repositories on ``self.session`` in ``_open``.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        outbox: Outbox,
        webhooks: WebhookQueue,
        wake_relay: Callable[[], None] = lambda: None,
        wake_dispatcher: Callable[[], None] = lambda: None,
    ) -> None:
        self._work = SqlAlchemyUnitOfWork(sessions)
        self._outbox = outbox
        self._webhooks = webhooks
        self._wake_relay = wake_relay
        self._wake_dispatcher = wake_dispatcher
        self._pending: list[Envelope] = []

    @property
    def session(self) -> AsyncSession:
        """The session of this unit's transaction."""
        return self._work.session

    def _open(self, session: AsyncSession) -> None:
        """Open the repositories on ``session`` (a subclass's hook)."""

    async def __aenter__(self) -> Self:
        await self._work.__aenter__()
        self._open(self._work.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._work.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        """Write the published messages, then commit everything together."""
        pending, self._pending = self._pending, []
        for envelope in pending:
            await self._outbox.add(self._work.session, envelope)
        if pending:
            self._work.after_commit(self._wake_relay)
        await self._work.commit()

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        """Queue ``message`` for the outbox; it is written by ``commit``."""
        self._pending.append(Envelope.wrap(message, correlation_id=correlation_id))

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        """Add a webhook delivery to this transaction; the dispatcher sends it after commit."""
        await self._webhooks.enqueue(
            self._work.session,
            webhook_type,
            payload,
            customer_id=customer_id,
            dedupe_key=dedupe_key,
            ordering_key=ordering_key,
        )
        self._work.after_commit(self._wake_dispatcher)
