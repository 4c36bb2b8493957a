"""Request ids, health probes, metrics and the auth boundary of the app factory."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import structlog
from litestar import Controller, Response, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.testing import TestClient

from building_blocks.auth.errors import AuthenticationFailed
from building_blocks.web.app_factory import create_app
from building_blocks.web.envelopes import Ok, ok
from building_blocks.web.request_id import request_id_or_new

pytestmark = pytest.mark.unit


class EchoController(Controller):
    path = "/echo"
    tags = ["Echo"]

    @get("/", operation_id="echo")
    async def echo(self) -> Response[Ok[dict[str, Any]]]:
        context = structlog.contextvars.get_contextvars()
        return ok({"logged": context.get("request_id"), "current": request_id_or_new()})


async def _passes() -> bool:
    return True


async def _fails() -> bool:
    return False


async def _raises() -> bool:
    raise ConnectionError("database unreachable")


async def _hangs() -> bool:
    await asyncio.sleep(5)
    return True


def _deny_all(_: ASGIConnection[Any, Any, Any, Any], __: BaseRouteHandler) -> None:
    raise AuthenticationFailed("Nobody gets in")


def _app(**kwargs: Any) -> Any:
    kwargs.setdefault("readiness", {})
    return create_app(service="svc", route_handlers=[EchoController], **kwargs)


def test_a_sane_incoming_request_id_is_echoed_everywhere() -> None:
    with TestClient(_app()) as client:
        response = client.get("/echo", headers={"X-Request-Id": "toqio-req-42"})

    body = response.json()
    assert response.headers["x-request-id"] == "toqio-req-42"
    assert body["requestId"] == "toqio-req-42"
    assert body["data"] == {"logged": "toqio-req-42", "current": "toqio-req-42"}


@pytest.mark.parametrize("bad", ["", "a" * 200, "<script>", "id with spaces", "../etc"])
def test_an_insane_request_id_is_replaced_by_a_new_one(bad: str) -> None:
    with TestClient(_app()) as client:
        response = client.get("/echo", headers={"X-Request-Id": bad})

    assert response.headers["x-request-id"] != bad
    assert response.json()["requestId"] == response.headers["x-request-id"]


def test_each_request_without_an_id_gets_its_own() -> None:
    with TestClient(_app()) as client:
        first = client.get("/echo").headers["x-request-id"]
        second = client.get("/echo").headers["x-request-id"]

    assert first != second


def test_an_unrouted_request_still_gets_a_request_id_header() -> None:
    with TestClient(_app()) as client:
        response = client.get("/missing", headers={"X-Request-Id": "abc-123"})

    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["requestId"] == "abc-123"


def test_liveness_is_always_200() -> None:
    with TestClient(_app(readiness={"db": _fails})) as client:
        response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "live"}


def test_readiness_is_200_when_every_check_passes() -> None:
    with TestClient(_app(readiness={"db": _passes, "broker": _passes})) as client:
        response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"db": True, "broker": True},
        "failed": [],
    }


def test_readiness_is_503_naming_failing_raising_and_slow_checks() -> None:
    checks = {"db": _passes, "broker": _fails, "provider": _raises, "slow": _hangs}
    with TestClient(_app(readiness=checks)) as client:
        response = client.get("/health/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert sorted(body["failed"]) == ["broker", "provider", "slow"]
    assert "unreachable" not in response.text


def test_metrics_count_requests_by_route_template_method_and_status() -> None:
    with TestClient(_app()) as client:
        client.get("/echo")
        client.get("/echo")
        client.get("/nowhere/42")
        response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'http_requests_total{method="GET",route="/echo",status="200"} 2.0' in text
    assert 'http_requests_total{method="GET",route="<unmatched>",status="404"} 1.0' in text
    assert "http_request_duration_seconds_bucket" in text


def test_two_apps_in_one_process_keep_separate_metrics() -> None:
    first, second = _app(), _app()
    with TestClient(first) as one, TestClient(second) as two:
        one.get("/echo")
        text = two.get("/metrics").text

    assert 'route="/echo"' not in text


def test_guards_protect_service_routes_but_not_operations_endpoints() -> None:
    with TestClient(_app(guards=[_deny_all], readiness={"db": _passes})) as client:
        denied = client.get("/echo")
        open_paths = [client.get(p).status_code for p in ("/health/live", "/health/ready")]
        metrics = client.get("/metrics").status_code
        schema = client.get("/schema/openapi.json").status_code

    assert denied.status_code == 401
    assert denied.json()["code"] == "UNAUTHORIZED"
    assert open_paths == [200, 200]
    assert (metrics, schema) == (200, 200)


def test_startup_and_shutdown_hooks_run() -> None:
    events: list[str] = []

    async def started() -> None:
        events.append("started")

    async def stopped() -> None:
        events.append("stopped")

    with TestClient(_app(on_startup=[started], on_shutdown=[stopped])):
        assert events == ["started"]

    assert events == ["started", "stopped"]
