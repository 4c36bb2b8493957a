"""Liveness and readiness endpoints for orchestrators."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import msgspec
import structlog
from litestar import Controller, Request, Response, get

from building_blocks.web.schema import CamelStruct

READINESS_STATE_KEY = "toqio_readiness_checks"
READINESS_TIMEOUT_SECONDS = 1.0

ReadinessCheck = Callable[[], Awaitable[bool]]

_log = structlog.get_logger("building_blocks.web")


class Liveness(CamelStruct, frozen=True, kw_only=True):
    """The process is up."""

    status: str = "live"


class Readiness(CamelStruct, frozen=True, kw_only=True):
    """Whether every dependency answered, and which did not."""

    status: str
    checks: dict[str, bool]
    failed: list[str] = msgspec.field(default_factory=list)


async def _run(name: str, check: ReadinessCheck, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds):
            return bool(await check())
    except Exception as exc:  # a failing check means "not ready", never a 500
        _log.warning("readiness.check_failed", check=name, error_type=type(exc).__name__)
        return False


async def run_readiness_checks(
    checks: Mapping[str, ReadinessCheck], seconds: float = READINESS_TIMEOUT_SECONDS
) -> Readiness:
    """Run all checks concurrently, each bounded by ``seconds``."""
    names = list(checks)
    results = await asyncio.gather(*(_run(name, checks[name], seconds) for name in names))
    outcome = dict(zip(names, results, strict=True))
    failed = [name for name, passed in outcome.items() if not passed]
    return Readiness(status="not_ready" if failed else "ready", checks=outcome, failed=failed)


class HealthController(Controller):
    """``/health/live`` and ``/health/ready``, outside auth and the Toqio envelope."""

    path = "/health"
    tags = ["operations"]
    include_in_schema = False

    @get("/live", operation_id="getLiveness")
    async def live(self) -> Liveness:
        """Always 200 while the process serves requests."""
        return Liveness()

    @get("/ready", operation_id="getReadiness")
    async def ready(self, request: Request[Any, Any, Any]) -> Response[Readiness]:
        """200 when every readiness check passes within its deadline, else 503."""
        checks: Mapping[str, ReadinessCheck] = request.app.state[READINESS_STATE_KEY]
        readiness = await run_readiness_checks(checks)
        return Response(readiness, status_code=503 if readiness.failed else 200)
