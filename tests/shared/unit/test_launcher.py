"""The launcher starts hosts in order and, on stop, drains requests before stopping workers."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from litestar import Litestar, get

from building_blocks.runtime import ServiceHost, serve_hosts

pytestmark = pytest.mark.unit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RecordingWorker:
    def __init__(self, events: list[str]) -> None:
        self.events = events
        self._stop = asyncio.Event()

    async def run(self) -> None:
        self.events.append("worker.run")
        await self._stop.wait()
        await asyncio.sleep(0.05)  # finishing its current batch
        self.events.append("worker.finished")

    def stop(self) -> None:
        self.events.append("worker.stop")
        self._stop.set()


async def wait_until_serving(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                await client.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.02)
    raise AssertionError(f"{url} never answered")


async def test_stopping_drains_in_flight_requests_then_workers_then_hooks() -> None:
    events: list[str] = []
    request_started = asyncio.Event()

    @get("/slow")
    async def slow() -> str:
        request_started.set()
        await asyncio.sleep(0.3)
        events.append("request.finished")
        return "done"

    @get("/ping")
    async def ping() -> str:
        return "pong"

    async def hook(name: str) -> None:
        events.append(name)

    port = free_port()
    host = ServiceHost(
        name="demo",
        app=Litestar([slow, ping]),
        port=port,
        startup=[lambda: hook("startup")],
        workers=[RecordingWorker(events)],
        shutdown=[lambda: hook("shutdown.database"), lambda: hook("shutdown.bus")],
        graceful_seconds=5,
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_hosts([host], stop))
    await wait_until_serving(f"http://127.0.0.1:{port}/ping")

    async with httpx.AsyncClient() as client:
        in_flight = asyncio.create_task(client.get(f"http://127.0.0.1:{port}/slow"))
        await request_started.wait()
        stop.set()
        response = await in_flight
    await asyncio.wait_for(serving, 10)

    assert response.status_code == 200
    assert response.text == "done"
    assert events == [
        "startup",
        "worker.run",
        "request.finished",
        "worker.stop",
        "worker.finished",
        "shutdown.bus",
        "shutdown.database",
    ]


async def test_a_failing_shutdown_hook_does_not_stop_the_others() -> None:
    events: list[str] = []

    async def broken() -> None:
        raise RuntimeError("broker gone")

    async def database() -> None:
        events.append("database.closed")

    host = ServiceHost(name="demo", app=Litestar([]), port=free_port(), shutdown=[database, broken])
    stop = asyncio.Event()
    stop.set()
    await asyncio.wait_for(serve_hosts([host], stop), 10)
    assert events == ["database.closed"]
