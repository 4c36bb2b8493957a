"""PeriodicWorker: run one async step again and again until stopped, surviving its failures."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)


class PeriodicWorker:
    """A ``Worker`` that awaits ``step`` every ``interval`` seconds (sooner when woken).

    A failing step is logged and tried again at the next round: a background loop that dies
    on the first database hiccup would silently stop the work it exists for.
    """

    def __init__(
        self, name: str, step: Callable[[], Awaitable[object]], *, interval: float = 1.0
    ) -> None:
        self.name = name
        self._step = step
        self._interval = interval
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()

    async def run(self) -> None:
        """Step until ``stop()``; the step in progress finishes first."""
        while not self._stopping.is_set():
            try:
                await self._step()
            except Exception:
                log.warning("worker.step_failed", worker=self.name, exc_info=True)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._wakeup.wait()
            self._wakeup.clear()

    def wake(self) -> None:
        """Run the next step now instead of at the end of the interval."""
        self._wakeup.set()

    def stop(self) -> None:
        """Ask ``run()`` to return after the current step."""
        self._stopping.set()
        self._wakeup.set()
