"""When to retry a webhook: backoff with jitter (tenacity), Retry-After, and the 72 h window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import tenacity

from building_blocks.webhooks.tables import DeliveryStatus


@dataclass(frozen=True)
class Decision:
    """What to do with a delivery after one attempt."""

    status: DeliveryStatus
    next_attempt_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Retry timing of webhook deliveries.

    Attributes:
        initial_wait: seconds before the first retry; doubles with every retry.
        max_wait: longest backoff, in seconds, jitter included.
        jitter: up to this many random seconds are added to every backoff.
        max_age: how long after enqueueing (or a replay) a delivery is retried.
        max_retry_after: cap on a receiver's ``Retry-After``, in seconds.
        lease: how long a claimed delivery stays with its dispatcher before another may take
            it; must exceed the sender's timeout.
    """

    initial_wait: float = 2.0
    max_wait: float = 1800.0
    jitter: float = 5.0
    max_age: timedelta = timedelta(hours=72)
    max_retry_after: float = 3600.0
    lease: timedelta = timedelta(minutes=2)
    _wait: tenacity.wait.wait_base = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.jitter < self.max_wait:
            raise ValueError("jitter must be at least 0 and below max_wait")
        # tenacity's wait_exponential_jitter clips exponent *and* jitter at its maximum, so
        # every delivery waiting at the cap would retry at the same moment. Capping the
        # exponential part below max_wait and adding the jitter after keeps them spread.
        wait = tenacity.wait_exponential(
            multiplier=self.initial_wait, max=self.max_wait - self.jitter
        ) + tenacity.wait_random(0, self.jitter)
        object.__setattr__(self, "_wait", wait)

    def backoff(self, retry_number: int) -> float:
        """Seconds to wait before retry number ``retry_number`` (1 for the first retry)."""
        state = tenacity.RetryCallState(tenacity.AsyncRetrying(), None, (), {})
        state.attempt_number = max(retry_number, 1)
        return float(self._wait(state))

    def decide(
        self,
        status_code: int | None,
        retry_after: float | None,
        *,
        retry_number: int,
        window_started_at: datetime,
        now: datetime,
    ) -> Decision:
        """Classify one attempt's outcome and, for a retry, say when.

        Args:
            status_code: the HTTP status, or None after a timeout or a connection error.
            retry_after: the receiver's ``Retry-After`` in seconds, if it sent one.
            retry_number: how many attempts failed in the current window, this one included.
            window_started_at: when the retry window began (enqueue or replay).
            now: the current time.
        """
        if status_code is not None and 200 <= status_code < 300:
            return Decision(DeliveryStatus.DELIVERED)
        if not is_retryable(status_code):
            return Decision(DeliveryStatus.FAILED)
        deadline = window_started_at + self.max_age
        if now >= deadline:
            return Decision(DeliveryStatus.EXPIRED)
        if retry_after is not None:
            wait = min(max(retry_after, 0.0), self.max_retry_after)
        else:
            wait = self.backoff(retry_number)
        # The last try happens at the deadline rather than being skipped for being late.
        return Decision(DeliveryStatus.PENDING, min(now + timedelta(seconds=wait), deadline))


def is_retryable(status_code: int | None) -> bool:
    """Whether an outcome is worth retrying: no answer, 408, 429 or 5xx."""
    return status_code is None or status_code in (408, 429) or status_code >= 500


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Read a ``Retry-After`` header (delta seconds or HTTP-date) as seconds from ``now``.

    Returns None when the header is missing or unreadable; a date in the past gives 0.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = (moment - (now or datetime.now(UTC))).total_seconds()
    return max(delta, 0.0)
