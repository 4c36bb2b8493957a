"""Closed-loop HTTP load: N clients for a while, then throughput and latency percentiles.

Used by the service benchmarks, which compare an endpoint with a bare one served the same way
in the same run, so the ratio says what the endpoint costs beyond HTTP and the framework.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class LoadResult:
    """What a load run saw: completed requests per second and latency percentiles (ms)."""

    name: str
    requests: int
    errors: int
    per_second: float
    p50_ms: float
    p99_ms: float

    def line(self) -> str:
        """One report line."""
        return (
            f"  {self.name:<44} {self.per_second:8.0f} req/s   p50 {self.p50_ms:6.2f} ms"
            f"   p99 {self.p99_ms:6.2f} ms   ({self.requests} requests, {self.errors} errors)"
        )


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_load(
    name: str, base_url: str, request: Request, *, clients: int = 8, seconds: float = 5.0
) -> LoadResult:
    """Drive ``request`` from ``clients`` concurrent loops for ``seconds`` (after a warm-up)."""
    latencies: list[float] = []
    errors = 0
    counter = 0

    async def loop(client: httpx.AsyncClient, deadline: float, record: bool) -> None:
        nonlocal errors, counter
        while time.perf_counter() < deadline:
            counter += 1
            started = time.perf_counter()
            response = await request(client, counter)
            if record:
                latencies.append(time.perf_counter() - started)
                errors += response.status_code >= 400

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:
        warm = time.perf_counter() + min(1.0, seconds / 5)
        await asyncio.gather(*(loop(client, warm, False) for _ in range(clients)))
        started = time.perf_counter()
        await asyncio.gather(*(loop(client, started + seconds, True) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return LoadResult(
        name=name,
        requests=len(latencies),
        errors=errors,
        per_second=len(latencies) / elapsed,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=p99 * 1000,
    )
