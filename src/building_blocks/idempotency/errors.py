"""Why a request with an idempotency key cannot run now: the key's misuse or its busy first run."""

from __future__ import annotations

from shared_kernel.domain.errors import Conflict, RuleViolated


class IdempotencyKeyReused(RuleViolated):
    """The key was already used with a different request."""

    default_code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was used with a different request; use a new key"
        )


class IdempotencyRequestInFlight(Conflict):
    """The key's first request has not finished yet."""

    default_code = "IDEMPOTENCY_REQUEST_IN_PROGRESS"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"A request with Idempotency-Key {key!r} is still being processed; retry later"
        )
