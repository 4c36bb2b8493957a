"""The HTTP sender posts Toqio's URL and headers and turns every failure into a result."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from building_blocks.webhooks import HttpWebhookSender, SendResult
from tests.support.webhook_receiver import Reply, WebhookReceiver

pytestmark = pytest.mark.integration

# receiver comes from conftest.py.
BODY = b'{"cardId":"card-1"}'


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def send(sender: HttpWebhookSender) -> SendResult:
    try:
        return await sender.send("CARD_FAILED", BODY, "req-1")
    finally:
        await sender.aclose()


async def test_posts_json_to_the_integration_and_type_path_with_the_api_key(
    receiver: WebhookReceiver,
) -> None:
    sender = HttpWebhookSender(
        receiver.base_url + "/", "int 1", "k-123", api_key_header="X-Toqio-Key"
    )
    assert await send(sender) == SendResult(200)

    [request] = receiver.requests
    assert request.method == "POST"
    assert request.path == "/webhooks/integration/int%201/webhookType/CARD_FAILED"
    assert request.headers["x-toqio-key"] == "k-123"
    assert "x-api-key" not in request.headers
    assert request.headers["x-request-id"] == "req-1"
    assert request.headers["content-type"] == "application/json"
    assert request.body == BODY


async def test_a_refusal_carries_the_status_and_the_receivers_explanation(
    receiver: WebhookReceiver,
) -> None:
    receiver.respond_with(Reply(422, body=b"  unknown status  "), Reply(500))
    sender = HttpWebhookSender(receiver.base_url, "i", "k")
    assert await sender.send("X", BODY, "r1") == SendResult(422, None, "HTTP 422: unknown status")
    assert await send(sender) == SendResult(500, None, "HTTP 500")


async def test_retry_after_is_read_as_seconds_or_as_an_http_date(
    receiver: WebhookReceiver,
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    receiver.respond_with(429, headers={"Retry-After": "7"})
    receiver.respond_with(503, headers={"Retry-After": later})
    sender = HttpWebhookSender(receiver.base_url, "i", "k")
    assert (await sender.send("X", BODY, "r1")).retry_after_seconds == 7
    retry_after = (await send(sender)).retry_after_seconds
    assert retry_after is not None
    assert 85 <= retry_after <= 90


async def test_a_timeout_is_a_result_without_a_status(receiver: WebhookReceiver) -> None:
    receiver.respond_with(Reply(200, delay=0.5))
    result = await send(HttpWebhookSender(receiver.base_url, "i", "k", timeout=0.1))
    assert result.status_code is None
    assert result.error == "timeout: ReadTimeout"


async def test_a_refused_connection_is_a_result_without_a_status() -> None:
    sender = HttpWebhookSender(f"http://127.0.0.1:{closed_port()}", "i", "k")
    result = await send(sender)
    assert result.status_code is None
    assert result.error is not None
    assert result.error.startswith("ConnectError")


async def test_a_shared_client_is_left_open_for_its_owner(receiver: WebhookReceiver) -> None:
    async with httpx.AsyncClient() as client:
        await send(HttpWebhookSender(receiver.base_url, "i", "k", client=client))
        assert not client.is_closed
