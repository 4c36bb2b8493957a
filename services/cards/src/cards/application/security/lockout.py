"""The lock-out policy: consecutive wrong security codes lock a card's code for a cool-down.

A card's six-digit code has a million values; unchecked, it falls to a script in minutes.
So every code check of a card (activation, PAN reveal, PIN reveal) counts its consecutive
failures. The ``max_failures``-th wrong code in a row locks the card's code for ``cool_down``:
while locked, every code is refused without being decrypted or compared. The count is not
reset by the cool-down, only by a right code: after it, each further wrong code locks the
card again at once, so an attacker gets one guess per cool-down, not ``max_failures``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_MAX_FAILURES = 5
DEFAULT_COOL_DOWN = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class CodeAttempts:
    """A card's consecutive wrong codes and, once locked, when the lock ends."""

    consecutive_failures: int = 0
    locked_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.consecutive_failures < 0:
            raise ValueError("a failure count cannot be negative")
        if self.locked_until is not None and self.locked_until.utcoffset() is None:
            raise ValueError("a lock's end must be timezone-aware")


NO_ATTEMPTS = CodeAttempts()


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """How many wrong codes in a row lock a card's code, and for how long."""

    max_failures: int = DEFAULT_MAX_FAILURES
    cool_down: timedelta = DEFAULT_COOL_DOWN

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError("the lock-out needs at least one allowed failure")
        if self.cool_down <= timedelta(0):
            raise ValueError("the lock-out cool-down must be positive")

    def is_locked(self, attempts: CodeAttempts, now: datetime) -> bool:
        """Whether the card refuses every code at ``now``."""
        return attempts.locked_until is not None and now < attempts.locked_until

    def retry_after_seconds(self, attempts: CodeAttempts, now: datetime) -> int:
        """Whole seconds until the lock ends (at least 1 while locked, else 0)."""
        if not self.is_locked(attempts, now):
            return 0
        assert attempts.locked_until is not None
        return max(1, math.ceil((attempts.locked_until - now).total_seconds()))

    def after_failure(self, attempts: CodeAttempts, now: datetime) -> CodeAttempts:
        """The attempts once one more wrong code is counted; locked from the threshold on."""
        failures = attempts.consecutive_failures + 1
        if failures >= self.max_failures:
            return CodeAttempts(failures, now + self.cool_down)
        return CodeAttempts(failures, attempts.locked_until)

    def after_success(self, _attempts: CodeAttempts) -> CodeAttempts:
        """A right code clears the count and any lock that has ended."""
        return NO_ATTEMPTS
