"""A small async circuit breaker: stop calling a vendor that keeps failing, retry it later."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from shared_kernel.domain.errors import DomainError

T = TypeVar("T")

VENDOR_UNAVAILABLE = "MONITORING_VENDOR_UNAVAILABLE"


class VendorUnavailable(DomainError):
    """The monitoring vendor gave no usable answer (down, slow, garbled, or the circuit is open).

    The validate use case holds the transaction for a reviewer when it sees this.
    """

    default_code = VENDOR_UNAVAILABLE


class BreakerState(StrEnum):
    """Where the breaker stands."""

    CLOSED = "CLOSED"  # calls go through; consecutive failures are counted
    OPEN = "OPEN"  # calls fail fast until ``reset_after`` has passed
    HALF_OPEN = "HALF_OPEN"  # one trial call decides whether to close or re-open


StateListener = Callable[[BreakerState, BreakerState], None]


class CircuitBreaker:
    """CLOSED, OPEN after ``failure_threshold`` consecutive failures, HALF_OPEN after a pause.

    In HALF_OPEN exactly one trial call goes through: its success closes the circuit, its
    failure opens it again for another ``reset_after`` seconds. Every other call while OPEN (or
    while the trial runs) raises ``VendorUnavailable("circuit open")`` without calling out.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        on_change: StateListener | None = None,
    ) -> None:
        """Configure the breaker.

        Args:
            failure_threshold: consecutive failures that open the circuit.
            reset_after: seconds the circuit stays open before a trial call is allowed.
            clock: a monotonic clock in seconds; tests pass a manual one.
            on_change: called with ``(old, new)`` on every state change, for logs and metrics.
        """
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_after < 0:
            raise ValueError("reset_after must not be negative")
        self._threshold = failure_threshold
        self._reset_after = reset_after
        self._clock = clock
        self._on_change = on_change
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        """The current state; an open circuit whose pause is over reads as HALF_OPEN."""
        self._refresh()
        return self._state

    @property
    def consecutive_failures(self) -> int:
        """Failures since the last success (reset when the circuit closes)."""
        return self._failures

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run ``operation`` through the breaker and record how it went.

        Raises:
            VendorUnavailable: the circuit is open (``operation`` is not called).
            Exception: whatever ``operation`` raised, after it was counted as a failure.
        """
        self._admit()
        try:
            result = await operation()
        except asyncio.CancelledError:
            # Our caller gave up (its own deadline, a client gone): that says nothing about the
            # vendor, so it is neither a success nor a failure; only the trial slot is freed.
            self._trial_running = False
            raise
        except Exception:
            self._failed()
            raise
        self._succeeded()
        return result

    def _admit(self) -> None:
        self._refresh()
        if self._state is BreakerState.OPEN:
            raise VendorUnavailable("circuit open")
        if self._state is BreakerState.HALF_OPEN:
            if self._trial_running:
                raise VendorUnavailable("circuit open")
            self._trial_running = True

    def _refresh(self) -> None:
        if (
            self._state is BreakerState.OPEN
            and self._clock() - self._opened_at >= self._reset_after
        ):
            self._move(BreakerState.HALF_OPEN)

    def _failed(self) -> None:
        self._trial_running = False
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or self._failures >= self._threshold:
            self._opened_at = self._clock()
            self._move(BreakerState.OPEN)

    def _succeeded(self) -> None:
        self._trial_running = False
        self._failures = 0
        self._move(BreakerState.CLOSED)

    def _move(self, new: BreakerState) -> None:
        old, self._state = self._state, new
        if old is not new and self._on_change is not None:
            self._on_change(old, new)
