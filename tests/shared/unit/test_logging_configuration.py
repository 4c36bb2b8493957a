"""configure_logging: JSON lines with context, stdlib routed through, nothing secret written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from litestar import Controller, Request, Response, post
from litestar.testing import TestClient

from building_blocks.observability.logging import configure_logging
from building_blocks.web.app_factory import create_app
from building_blocks.web.envelopes import Ok, ok

pytestmark = pytest.mark.unit

PAN = "4111111111111111"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJUb3FpbyJ9.c2lnbmF0dXJlLWJ5dGVz"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("test-service", level="DEBUG", stream=stream)
    yield stream
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_structlog_events_are_json_lines_with_context(output: io.StringIO) -> None:
    structlog.contextvars.bind_contextvars(request_id="req-1")

    structlog.get_logger("orders").info("order.placed", order_id="o-1")

    [line] = _lines(output)
    assert line["event"] == "order.placed"
    assert line["order_id"] == "o-1"
    assert line["request_id"] == "req-1"
    assert line["service"] == "test-service"
    assert line["level"] == "info"
    assert line["logger"] == "orders"
    assert line["timestamp"].endswith("Z")


def test_stdlib_records_are_routed_through_the_same_chain(output: io.StringIO) -> None:
    logging.getLogger("some.library").warning("token for %s is Bearer %s", "alice", "abc123")

    [line] = _lines(output)
    assert line["logger"] == "some.library"
    assert line["level"] == "warning"
    assert line["event"] == "token for alice is Bearer [REDACTED]"


def test_exception_tracebacks_are_rendered_and_redacted(output: io.StringIO) -> None:
    try:
        raise ValueError(f"bad card {PAN}")
    except ValueError:
        structlog.get_logger().exception("failed")

    [line] = _lines(output)
    assert "ValueError" in line["exception"]
    assert PAN not in line["exception"]


def test_the_level_filters_events(output: io.StringIO) -> None:
    configure_logging("test-service", level="WARNING", stream=output)

    structlog.get_logger("quiet").info("hidden")
    structlog.get_logger("quiet").warning("shown")

    assert [line["event"] for line in _lines(output)] == ["shown"]


def test_console_rendering_is_available_for_development(output: io.StringIO) -> None:
    configure_logging("test-service", json=False, stream=output)

    structlog.get_logger().info("hello", password="hunter2")

    text = output.getvalue()
    assert "hello" in text
    assert "hunter2" not in text


class CardController(Controller):
    path = "/cards"
    tags = ["Cards"]

    @post("/", operation_id="createCard", status_code=200)
    async def create(self, request: Request[Any, Any, Any]) -> Response[Ok[str]]:
        body = await request.json()
        # A careless handler: logs the whole body and every header.
        structlog.get_logger("cards").info(
            "card.requested", body=body, headers=dict(request.headers)
        )
        logging.getLogger("cards.stdlib").info("raw body %s", await request.body())
        if body.get("explode"):
            raise RuntimeError(f"could not tokenise {body['cardNumber']}")
        return ok("created")


def test_a_request_carrying_a_pan_and_a_token_logs_neither(output: io.StringIO) -> None:
    app = create_app(service="cards", route_handlers=[CardController], readiness={})
    headers = {"Authorization": f"Bearer {JWT}", "X-Request-Id": "req-pan-1"}
    with TestClient(app) as client:
        created = client.post("/cards", json={"cardNumber": PAN, "cvv": "123"}, headers=headers)
        failed = client.post("/cards", json={"cardNumber": PAN, "explode": True}, headers=headers)

    assert created.status_code == 200
    assert failed.status_code == 500
    written = output.getvalue()
    lines = _lines(output)
    assert PAN not in written
    assert JWT not in written
    assert "eyJ" not in written
    assert '"123"' not in written
    assert "************1111" in written
    assert any(line["event"] == "request.failed" for line in lines)
    ours = [line for line in lines if line["logger"].startswith(("cards", "building_blocks"))]
    assert len(ours) >= 5
    assert all(line.get("request_id") == "req-pan-1" for line in ours)
    assert PAN not in failed.text
