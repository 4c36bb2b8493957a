"""Start one or more services in one event loop and stop them gracefully on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import structlog
import uvicorn
from litestar import Litestar

from building_blocks.observability import configure_logging
from building_blocks.runtime.settings import ServiceSettings
from building_blocks.settings import load_settings

log = structlog.get_logger(__name__)

Hook = Callable[[], Awaitable[None]]
S = TypeVar("S", bound=ServiceSettings)


class Worker(Protocol):
    """A background loop (outbox relay, webhook dispatcher) that runs until told to stop."""

    async def run(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class ServiceHost:
    """Everything one service needs to run: its app, port, workers and lifecycle hooks.

    Start order: ``startup`` hooks (schema, broker, consumers), then ``workers``, then HTTP.
    Stop order is the reverse: HTTP drains in-flight requests first, then workers finish their
    current batch, then ``shutdown`` hooks close the broker (in-flight handlers finish) and
    the database.
    """

    name: str
    app: Litestar
    port: int
    host: str = "127.0.0.1"
    startup: Sequence[Hook] = ()
    workers: Sequence[Worker] = ()
    shutdown: Sequence[Hook] = ()
    graceful_seconds: float = 30.0
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    async def start(self) -> None:
        for hook in self.startup:
            await hook()
        for worker in self.workers:
            self._tasks.append(asyncio.create_task(worker.run(), name=f"{self.name}-worker"))
        log.info("service.started", service=self.name, port=self.port)

    async def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=self.graceful_seconds)
            for task in pending:
                task.cancel()
        for hook in reversed(self.shutdown):
            try:
                await hook()
            except Exception:
                log.exception("service.shutdown_hook_failed", service=self.name)
        log.info("service.stopped", service=self.name)


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the launcher.

    Several servers share one loop in the embedded mode; uvicorn's own handlers would
    overwrite each other, so the launcher installs one handler that stops them all.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _server(host: ServiceHost) -> _Server:
    config = uvicorn.Config(
        host.app,
        host=host.host,
        port=host.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=int(host.graceful_seconds),
    )
    return _Server(config)


async def serve_hosts(hosts: Sequence[ServiceHost], stop: asyncio.Event | None = None) -> None:
    """Run ``hosts`` until SIGTERM/SIGINT (or ``stop`` is set), then stop them gracefully."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    started: list[ServiceHost] = []
    servers: list[_Server] = []
    try:
        for host in hosts:
            await host.start()
            started.append(host)
        servers = [_server(host) for host in hosts]
        serving = [asyncio.create_task(server.serve()) for server in servers]
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait([*serving, stopping], return_when=asyncio.FIRST_COMPLETED)
        log.info("service.draining", services=[host.name for host in hosts])
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*serving, return_exceptions=True)
        stopping.cancel()
    finally:
        for host in reversed(started):
            await host.stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)


def run_hosts(hosts: Sequence[ServiceHost]) -> None:
    """Blocking entry point for ``python -m <service>`` and the embedded runner."""
    asyncio.run(serve_hosts(hosts))


def run_service(
    service: str,
    settings_type: type[S],
    build: Callable[[S], ServiceHost],
    *,
    environ: Mapping[str, str] | None = None,
) -> None:
    """The whole of ``python -m <service>``: settings once, logging, serve until SIGTERM."""
    settings = load_settings(settings_type, environ)
    configure_logging(service, settings.log_level, json=settings.log_json)
    run_hosts([build(settings)])
