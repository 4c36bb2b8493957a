"""Prometheus request metrics, one registry per app so several apps can share a process."""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.enums import ScopeType
from litestar.types import Message, Scope
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

from building_blocks.web.request_id import request_started_at

METRICS_STATE_KEY = "toqio_http_metrics"
# Unrouted requests share one label value so scanners cannot explode the label cardinality.
UNMATCHED_ROUTE = "<unmatched>"
_LABELS = ("method", "route", "status")


class HttpMetrics:
    """Request count and latency by route template, method and status, in a private registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total", "HTTP requests answered.", _LABELS, registry=self.registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from first seeing a request to sending its response headers.",
            _LABELS,
            registry=self.registry,
        )

    def observe(self, *, method: str, route: str, status: int, seconds: float) -> None:
        """Record one answered request."""
        labels = {"method": method, "route": route, "status": str(status)}
        self.requests.labels(**labels).inc()
        self.latency.labels(**labels).observe(seconds)

    async def before_send(self, message: Message, scope: Scope) -> None:
        """``before_send`` hook: observe each HTTP response as its headers leave."""
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        started = request_started_at(scope)
        elapsed = time.perf_counter() - started if started is not None else 0.0
        self.observe(
            method=scope["method"],
            route=scope.get("path_template") or UNMATCHED_ROUTE,
            status=message["status"],
            seconds=elapsed,
        )

    def render(self) -> bytes:
        """The registry in Prometheus text exposition format."""
        return generate_latest(self.registry)


class MetricsController(Controller):
    """Serves the app's Prometheus metrics."""

    path = "/metrics"
    tags = ["operations"]
    include_in_schema = False

    @get("/", operation_id="getMetrics", media_type=CONTENT_TYPE_LATEST)
    async def metrics(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """The Prometheus text exposition of this app's metrics."""
        metrics: HttpMetrics = request.app.state[METRICS_STATE_KEY]
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
