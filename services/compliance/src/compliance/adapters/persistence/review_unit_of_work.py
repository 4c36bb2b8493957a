"""SqlAlchemyReviewUnitOfWork: a case decided under a row lock with its audit, webhook, event."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.outbox import Outbox
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from building_blocks.webhooks import WebhookQueue
from compliance.adapters.persistence.decision_tables import review_cases
from compliance.adapters.persistence.review_repository import approvals_for, audit_row, case_of
from compliance.adapters.persistence.review_tables import review_approvals, review_audit
from compliance.application.reviews.ports import AuditEntry
from compliance.domain.reviews import ReviewCase
from shared_kernel.contracts import Envelope, IntegrationMessage


class SqlAlchemyReviewUnitOfWork:
    """``ReviewUnitOfWork`` on one SQLAlchemy transaction.

    The case row is locked when read, so a second reviewer deciding the same case waits for
    the first to commit and then sees its outcome. Webhook and outbox rows commit with the
    case; the webhook dispatcher and the outbox relay are woken after the commit.
    """

    def __init__(
        self,
        database: Database,
        *,
        outbox: Outbox,
        webhooks: WebhookQueue,
        wake_relay: Callable[[], None] = lambda: None,
        wake_dispatcher: Callable[[], None] = lambda: None,
    ) -> None:
        self._database = database
        self._work = SqlAlchemyUnitOfWork(database.sessions)
        self._outbox = outbox
        self._webhooks = webhooks
        self._wake_relay = wake_relay
        self._wake_dispatcher = wake_dispatcher
        self._pending: list[Envelope] = []
        # How many reviewer decisions each locked case had in the database.
        self._stored: dict[str, int] = {}

    @property
    def _session(self) -> AsyncSession:
        return self._work.session

    async def __aenter__(self) -> Self:
        await self._work.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._work.__aexit__(exc_type, exc, tb)

    async def lock(self, case_id: str) -> ReviewCase | None:
        """The case, its row locked ``FOR UPDATE`` until this unit ends; else ``None``."""
        c = review_cases.c
        if self._database.is_sqlite:
            # SQLite ignores FOR UPDATE. A no-op write takes its database write lock now, so a
            # concurrent decider waits here rather than failing later at its own write.
            await self._session.execute(
                sa.update(review_cases).where(c.case_id == case_id).values(case_id=c.case_id)
            )
        found = await self._session.execute(
            sa.select(review_cases).where(c.case_id == case_id).with_for_update()
        )
        row = found.mappings().one_or_none()
        if row is None:
            return None
        case = case_of(row, await approvals_for(self._session, case_id))
        self._stored[case_id] = len(case.approvals)
        return case

    async def save(self, case: ReviewCase) -> None:
        """Write the case's status and outcome, and the reviewer decisions added since ``lock``."""
        final = case.final_decision
        await self._session.execute(
            sa.update(review_cases)
            .where(review_cases.c.case_id == case.case_id)
            .values(
                status=case.status.value,
                decided_at=case.decided_at,
                decided_by=case.decided_by or None,
                decision_reason=final.reason if final is not None else None,
            )
        )
        start = self._stored.get(case.case_id, 0)
        added = [
            {
                "case_id": case.case_id,
                "position": position,
                "reviewer_id": entry.reviewer_id,
                "username": entry.username,
                "decision": entry.decision.value,
                "reason": entry.reason,
                "at": entry.at,
            }
            for position, entry in enumerate(case.approvals)
            if position >= start
        ]
        if added:
            await self._session.execute(sa.insert(review_approvals), added)
        self._stored[case.case_id] = len(case.approvals)

    async def audit(self, entry: AuditEntry) -> None:
        """Append ``entry`` in this transaction."""
        await self._session.execute(sa.insert(review_audit).values(audit_row(entry)))

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str,
        dedupe_key: str,
    ) -> None:
        """Add a webhook delivery to this transaction; the dispatcher sends it after commit."""
        await self._webhooks.enqueue(
            self._session,
            webhook_type,
            payload,
            customer_id=customer_id,
            ordering_key=ordering_key,
            dedupe_key=dedupe_key,
        )
        self._work.after_commit(self._wake_dispatcher)

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        """Queue ``message`` for the outbox; ``commit`` writes it."""
        self._pending.append(Envelope.wrap(message, correlation_id=correlation_id))

    async def commit(self) -> None:
        """Write the published messages, then commit everything together."""
        pending, self._pending = self._pending, []
        for envelope in pending:
            await self._outbox.add(self._session, envelope)
        if pending:
            self._work.after_commit(self._wake_relay)
        await self._work.commit()
