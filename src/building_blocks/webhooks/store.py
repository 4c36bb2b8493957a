"""The dispatcher's SQL: leases, claims, attempt records and replays on the delivery tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from building_blocks.webhooks.ordering import Replay, in_turn, replay_in_order
from building_blocks.webhooks.policy import Decision
from building_blocks.webhooks.sender import SendResult
from building_blocks.webhooks.tables import DeliveryStatus, WebhookTables
from shared_kernel.domain.ids import new_id

LEASE_LOST = "dispatcher lost its lease before recording an outcome; outcome unknown"


@dataclass(frozen=True)
class Claim:
    """A delivery a dispatcher holds under lease for one attempt."""

    id: str
    webhook_type: str
    body: bytes
    attempt: int
    retry_number: int
    window_started_at: datetime
    request_id: str


@dataclass(frozen=True)
class LostLease:
    """A delivery whose dispatcher died (or stalled) while holding it."""

    id: str
    webhook_type: str
    attempt: int


class DeliveryStore:
    """State transitions of webhook deliveries, each in its own short transaction."""

    def __init__(self, database: Database, tables: WebhookTables) -> None:
        self._sessions = database.sessions
        self._deliveries = tables.deliveries
        self._attempts = tables.attempts

    async def recover_expired_leases(self, now: datetime) -> list[LostLease]:
        """Return DELIVERING rows whose lease ran out to PENDING, due now."""
        d = self._deliveries
        async with SqlAlchemyUnitOfWork(self._sessions) as uow:
            rows = (
                await uow.session.execute(
                    d.update()
                    .where(d.c.status == DeliveryStatus.DELIVERING, d.c.locked_until < now)
                    .values(
                        status=DeliveryStatus.PENDING,
                        next_attempt_at=now,
                        locked_until=None,
                        last_status_code=None,
                        last_error=LEASE_LOST,
                    )
                    .returning(
                        d.c.id, d.c.webhook_type, d.c.attempts, d.c.request_id, d.c.claimed_at
                    )
                )
            ).all()
            if not rows:
                return []
            # The lost attempt is recorded too: it may well have reached Toqio.
            await uow.session.execute(
                self._attempts.insert(),
                [
                    {
                        "delivery_id": row.id,
                        "attempt": row.attempts,
                        "request_id": row.request_id,
                        "started_at": row.claimed_at,
                        "error": LEASE_LOST,
                    }
                    for row in rows
                ],
            )
            await uow.commit()
        return [LostLease(row.id, row.webhook_type, row.attempts) for row in rows]

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
        """Take up to ``limit`` due PENDING deliveries under a lease ending at ``now + lease``.

        ``SKIP LOCKED`` lets several dispatchers claim side by side on PostgreSQL; SQLite
        ignores it and serialises writers instead. Of each ordering key at most the first
        unsettled delivery is due (see ``ordering.in_turn``), and its retry window starts at
        its first attempt: time spent waiting for its turn is not time spent retrying.
        """
        d = self._deliveries
        async with SqlAlchemyUnitOfWork(self._sessions) as uow:
            rows = (
                await uow.session.execute(
                    sa.select(
                        d.c.id,
                        d.c.webhook_type,
                        d.c.body,
                        d.c.attempts,
                        d.c.attempts_before_window,
                        d.c.window_started_at,
                        d.c.ordering_key,
                    )
                    .where(
                        d.c.status == DeliveryStatus.PENDING,
                        d.c.next_attempt_at <= now,
                        in_turn(d),
                    )
                    .order_by(d.c.next_attempt_at, d.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return []
            claims = [
                Claim(
                    id=row.id,
                    webhook_type=row.webhook_type,
                    body=row.body.encode(),
                    attempt=row.attempts + 1,
                    retry_number=row.attempts + 1 - row.attempts_before_window,
                    window_started_at=(
                        now
                        if row.ordering_key is not None
                        and row.attempts == row.attempts_before_window
                        else row.window_started_at
                    ),
                    request_id=new_id(),
                )
                for row in rows
            ]
            await uow.session.execute(
                d.update()
                .where(d.c.id == sa.bindparam("claim_id"))
                .values(
                    status=DeliveryStatus.DELIVERING,
                    attempts=sa.bindparam("claim_attempt"),
                    request_id=sa.bindparam("claim_request_id"),
                    claimed_at=now,
                    locked_until=now + lease,
                    window_started_at=sa.bindparam("claim_window"),
                ),
                [
                    {
                        "claim_id": claim.id,
                        "claim_window": claim.window_started_at,
                        "claim_attempt": claim.attempt,
                        "claim_request_id": claim.request_id,
                    }
                    for claim in claims
                ],
            )
            await uow.commit()
        return claims

    async def record(
        self,
        claim: Claim,
        result: SendResult,
        decision: Decision,
        *,
        started_at: datetime,
        latency_ms: int,
        now: datetime,
    ) -> bool:
        """Store the attempt and apply ``decision``.

        Returns:
            Whether the claim still held its lease; if not, another dispatcher owns the row
            and only the attempt record is completed.
        """
        d, a = self._deliveries, self._attempts
        outcome = {
            "status_code": result.status_code,
            "latency_ms": latency_ms,
            "error": result.error,
            "retry_after": result.retry_after_seconds,
        }
        changes: dict[str, object] = {
            "status": decision.status,
            "locked_until": None,
            "last_status_code": result.status_code,
            "last_error": result.error,
        }
        if decision.next_attempt_at is not None:
            changes["next_attempt_at"] = decision.next_attempt_at
        if decision.status is DeliveryStatus.DELIVERED:
            changes["delivered_at"] = now
        async with SqlAlchemyUnitOfWork(self._sessions) as uow:
            # Guarded by the request id, which is the lease token of this claim.
            updated = await uow.session.execute(
                d.update()
                .where(
                    d.c.id == claim.id,
                    d.c.request_id == claim.request_id,
                    d.c.status == DeliveryStatus.DELIVERING,
                )
                .values(changes)
                .returning(d.c.id)
            )
            kept_lease = updated.first() is not None
            if kept_lease:
                await uow.session.execute(
                    a.insert().values(
                        delivery_id=claim.id,
                        attempt=claim.attempt,
                        request_id=claim.request_id,
                        started_at=started_at,
                        **outcome,
                    )
                )
            else:  # recovery wrote an "outcome unknown" row for this attempt; fill it in
                await uow.session.execute(
                    a.update()
                    .where(a.c.delivery_id == claim.id, a.c.request_id == claim.request_id)
                    .values(outcome)
                )
            await uow.commit()
        return kept_lease

    async def replay(self, delivery_id: str, now: datetime) -> Replay | None:
        """Make a FAILED or EXPIRED delivery PENDING again with a fresh retry window.

        Returns:
            What happened, or None if the delivery is unknown or not FAILED/EXPIRED.
        """
        async with SqlAlchemyUnitOfWork(self._sessions) as uow:
            replay = await replay_in_order(uow.session, self._deliveries, delivery_id, now)
            if replay is not None and replay.superseded_by is None:
                await uow.commit()
        return replay
