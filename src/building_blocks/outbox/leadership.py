"""Making sure only one outbox relay per service publishes at a time."""

from __future__ import annotations

import asyncio
import hashlib
from typing import ClassVar, Protocol

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = structlog.get_logger(__name__)


class RelayLeadership(Protocol):
    """A lock the active relay holds for as long as it publishes."""

    async def acquire(self) -> bool:
        """Try once to become the active relay; never blocks."""
        ...

    async def still_held(self) -> bool:
        """Return whether the lock is still ours (a lost connection loses it)."""
        ...

    async def release(self) -> None:
        """Give the lock up so a standby relay can take over."""
        ...


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostgresAdvisoryLock:
    """A session-level ``pg_try_advisory_lock`` on a dedicated connection.

    The lock lives exactly as long as that connection: if the relay's process dies, PostgreSQL
    drops the session and a standby relay acquires the lock on its next try. The connection
    runs in autocommit so holding the lock never leaves a transaction idle.
    """

    def __init__(self, engine: AsyncEngine, name: str) -> None:
        self._engine = engine
        self._key = lock_key(name)
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        connection = await self._engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            locked = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
        except BaseException:
            await connection.close()
            raise
        if not locked:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            await self._connection.execute(text("SELECT 1"))
        except Exception:
            log.warning("outbox relay lost its lock connection")
            await self._discard()
            return False
        return True

    async def release(self) -> None:
        if self._connection is None:
            return
        try:
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
            )
        except Exception:
            # The connection died first (its loss not yet noticed): a session-level lock dies
            # with its session, so there is nothing left to release.
            log.warning("outbox relay lock connection gone before release")
        finally:
            await self._discard()

    async def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()


class InProcessLock:
    """An asyncio lock per database and schema, for SQLite.

    SQLite is the embedded mode: one process owns the database file and runs every relay, so a
    lock inside that process is enough; SQLite has no advisory locks to share across processes.
    """

    _locks: ClassVar[dict[str, asyncio.Lock]] = {}

    def __init__(self, name: str) -> None:
        self._lock = self._locks.setdefault(name, asyncio.Lock())
        self._held = False

    async def acquire(self) -> bool:
        if self._lock.locked():
            return False
        await self._lock.acquire()
        self._held = True
        return True

    async def still_held(self) -> bool:
        return self._held

    async def release(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()
