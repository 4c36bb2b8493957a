"""A unit of work: one session and one transaction per use, committed explicitly."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AfterCommit = Callable[[], Awaitable[None] | None]


class SqlAlchemyUnitOfWork:
    """Scope of one transaction. Create a new one for every use; never share one.

    Nothing is committed unless ``commit()`` is called; leaving the block without it rolls
    back. Callbacks registered with ``after_commit`` (acknowledging a message, waking the
    outbox relay) run only once the commit has succeeded.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._after_commit: list[AfterCommit] = []
        self._committed = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'async with' block")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work is single-use; create a new one")
        self._session = self._sessions()
        await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if not self._committed:
                await session.rollback()
        finally:
            await session.close()
        if self._committed and exc_type is None:
            callbacks, self._after_commit = self._after_commit, []
            for callback in callbacks:
                result = callback()
                if inspect.isawaitable(result):
                    await result

    def after_commit(self, callback: AfterCommit) -> None:
        """Run ``callback`` after a successful commit (never after a rollback)."""
        self._after_commit.append(callback)

    async def commit(self) -> None:
        """Commit the transaction; the unit of work cannot be used for more writes after."""
        await self.session.commit()
        self._committed = True

    async def rollback(self) -> None:
        """Discard everything done in this unit of work."""
        await self.session.rollback()
