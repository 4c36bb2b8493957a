"""The relay that claims due webhook deliveries, sends them and records every attempt."""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog

from building_blocks.persistence import Database
from building_blocks.webhooks.policy import Decision, RetryPolicy
from building_blocks.webhooks.queue import Clock, utc_now
from building_blocks.webhooks.sender import SendResult, WebhookSender
from building_blocks.webhooks.store import Claim, DeliveryStore
from building_blocks.webhooks.tables import DeliveryStatus, WebhookTables

log = structlog.get_logger(__name__)


class WebhookDispatcher:
    """Delivers queued webhooks at least once, with retries, until stopped.

    Several dispatchers may share a PostgreSQL database: rows are claimed with
    ``FOR UPDATE SKIP LOCKED`` and held under a lease (``RetryPolicy.lease``), so a crashed
    dispatcher's rows return to the queue once the lease runs out. A batch is sent
    concurrently, so the lease must exceed the sender's timeout. Deliveries sharing an
    ordering key go one at a time, in enqueue order, across all dispatchers.
    """

    def __init__(
        self,
        database: Database,
        tables: WebhookTables,
        sender: WebhookSender,
        *,
        policy: RetryPolicy | None = None,
        batch_size: int = 50,
        poll_interval: float = 0.5,
        clock: Clock = utc_now,
    ) -> None:
        self._store = DeliveryStore(database, tables)
        self._sender = sender
        self._policy = policy or RetryPolicy()
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._clock = clock
        self._wakeup = asyncio.Event()
        self._stopping = False

    async def run(self) -> None:
        """Deliver due webhooks until ``stop()``; a failed pass is logged and retried."""
        while not self._stopping:
            # Cleared before the pass, so a wake() during the pass is not lost.
            self._wakeup.clear()
            try:
                handled = await self.dispatch_due()
            except Exception as exc:
                # No traceback: rendered frame locals would show bodies and the API key.
                log.error("webhook.dispatch_pass_failed", error=_first_line(exc))
                handled = 0
            if handled >= self._batch_size or self._stopping:
                continue  # a full batch suggests more are due right now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)

    def stop(self) -> None:
        """Ask ``run()`` to return after the batch in flight; await its task to wait for that."""
        self._stopping = True
        self._wakeup.set()

    def wake(self) -> None:
        """Look for due deliveries now; fits ``uow.after_commit(dispatcher.wake)``."""
        self._wakeup.set()

    async def dispatch_due(self) -> int:
        """Run one pass: recover expired leases, claim due deliveries, send them.

        Returns:
            How many deliveries were attempted.
        """
        for lost in await self._store.recover_expired_leases(self._clock()):
            log.warning(
                "webhook.lease_expired",
                webhook_type=lost.webhook_type,
                delivery_id=lost.id,
                attempt=lost.attempt,
            )
        claims = await self._store.claim_due(self._clock(), self._batch_size, self._policy.lease)
        if claims:
            await asyncio.gather(*(self._deliver(claim) for claim in claims))
        return len(claims)

    async def replay(self, delivery_id: str) -> bool:
        """Put a FAILED or EXPIRED delivery back in the queue with a fresh retry window.

        A delivery with an ordering key is replayed only while every later delivery of its
        key is FAILED or EXPIRED too, so Toqio never gets an older status after a newer one;
        replay those oldest first. See ``building_blocks.webhooks.ordering``.

        Returns:
            Whether it was replayed (False if unknown, not FAILED/EXPIRED, or superseded).
        """
        replay = await self._store.replay(delivery_id, self._clock())
        if replay is None:
            return False
        if replay.superseded_by is not None:
            log.warning(
                "webhook.replay_superseded",
                webhook_type=replay.webhook_type,
                delivery_id=delivery_id,
                superseded_by=replay.superseded_by,
            )
            return False
        log.info("webhook.replayed", webhook_type=replay.webhook_type, delivery_id=delivery_id)
        self._wakeup.set()
        return True

    async def _deliver(self, claim: Claim) -> None:
        started_at = self._clock()
        start = time.perf_counter()
        try:
            result = await self._sender.send(claim.webhook_type, claim.body, claim.request_id)
        except Exception as exc:  # a sender bug must not lose the delivery: retry it
            result = SendResult(None, error=_first_line(exc))
        latency_ms = round((time.perf_counter() - start) * 1000)
        now = self._clock()
        decision = self._policy.decide(
            result.status_code,
            result.retry_after_seconds,
            retry_number=claim.retry_number,
            window_started_at=claim.window_started_at,
            now=now,
        )
        kept_lease = await self._store.record(
            claim, result, decision, started_at=started_at, latency_ms=latency_ms, now=now
        )
        _log_outcome(claim, result, decision, latency_ms, kept_lease)


def _log_outcome(
    claim: Claim, result: SendResult, decision: Decision, latency_ms: int, kept_lease: bool
) -> None:
    # Type, id, attempt, status and latency only: never the body or the API key, and no
    # receiver error text, which may echo parts of the body back.
    fields = {
        "webhook_type": claim.webhook_type,
        "delivery_id": claim.id,
        "attempt": claim.attempt,
        "status_code": result.status_code,
        "latency_ms": latency_ms,
    }
    if result.status_code is None:
        fields["error"] = result.error
    if not kept_lease:
        log.warning("webhook.outcome_after_lease_lost", **fields)
    elif decision.status is DeliveryStatus.DELIVERED:
        log.info("webhook.delivered", **fields)
    elif decision.status is DeliveryStatus.PENDING:
        log.warning("webhook.retry_scheduled", next_attempt_at=decision.next_attempt_at, **fields)
    else:
        log.error("webhook.gave_up", outcome=decision.status.value, **fields)


def _first_line(exc: BaseException) -> str:
    # The first line names the failure; SQLAlchemy appends statements and parameters after it.
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:500]
