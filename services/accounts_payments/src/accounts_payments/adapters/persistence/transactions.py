"""Re-running a whole unit of work when PostgreSQL aborts it to break a deadlock or a race."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from shared_kernel.domain.errors import Conflict

T = TypeVar("T")

# 40P01 deadlock_detected, 40001 serialization_failure: PostgreSQL rolled the transaction back
# and says that running it again may well succeed.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


class ConcurrentUpdate(Conflict):
    """A row changed under us although we held its lock (an optimistic version check failed)."""

    default_code = "CONCURRENT_UPDATE"


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error, or ``None``.

    SQLAlchemy's asyncpg adapter puts ``sqlstate`` and ``pgcode`` on ``DBAPIError.orig`` and
    chains the asyncpg exception as its ``__cause__``; any of them will do.
    """
    if not isinstance(error, DBAPIError):
        return None
    for candidate in (error.orig, getattr(error.orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def is_retryable(error: BaseException) -> bool:
    """Whether re-running the whole unit of work may succeed where this attempt failed."""
    return isinstance(error, ConcurrentUpdate) or sqlstate(error) in RETRYABLE_SQLSTATES


async def retry_on_deadlock(work: Callable[[], Awaitable[T]], *, attempts: int = 5) -> T:
    """Run ``work`` and run it again after a deadlock or serialization failure.

    ``work`` must open its own unit of work each time: the failed transaction is gone, so
    only a complete re-run (reading again, deciding again) is correct. Waits are short and
    jittered so the transactions that collided do not collide again in lockstep.

    Raises:
        the last error once ``attempts`` runs failed, and any other error at once.
    """
    retrying = AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=0.01, max=0.25),
        retry=retry_if_exception(is_retryable),
        reraise=True,
    )
    result: T = await retrying(work)
    return result
