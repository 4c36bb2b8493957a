"""A local webhook recorder for dev mode, so nothing reaches Toqio by accident, and its browser."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from building_blocks.webhooks.sender import SendResult


class RecordedWebhook(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One webhook the recorder received."""

    webhook_type: str
    request_id: str
    received_at: datetime
    body: Any


class RecordingWebhookSender:
    """Keeps the last ``capacity`` webhooks in memory and answers 200 to each.

    Used when ``TOQIO_WEBHOOK_BASE_URL`` is not set; browse them at ``GET /dev/webhooks``.
    """

    def __init__(self, capacity: int = 1000) -> None:
        self._received: deque[RecordedWebhook] = deque(maxlen=capacity)

    async def send(self, webhook_type: str, body: bytes, request_id: str) -> SendResult:
        """Record the webhook; always succeeds."""
        try:
            decoded: Any = msgspec.json.decode(body)
        except msgspec.DecodeError:
            decoded = body.decode(errors="replace")
        self._received.append(
            RecordedWebhook(
                webhook_type=webhook_type,
                request_id=request_id,
                received_at=datetime.now(UTC),
                body=decoded,
            )
        )
        return SendResult(200)

    def received(self, webhook_type: str | None = None) -> list[RecordedWebhook]:
        """The recorded webhooks, newest first, optionally only those of ``webhook_type``."""
        return [
            webhook
            for webhook in reversed(self._received)
            if webhook_type is None or webhook.webhook_type == webhook_type
        ]

    def clear(self) -> None:
        """Forget every recorded webhook."""
        self._received.clear()


def webhook_recorder_dependencies(recorder: RecordingWebhookSender) -> dict[str, Provide]:
    """The Litestar dependencies ``WebhookRecorderController`` needs, bound to ``recorder``."""

    def provide() -> RecordingWebhookSender:
        return recorder

    return {"webhook_recorder": Provide(provide, use_cache=True, sync_to_thread=False)}


class WebhookRecorderController(Controller):
    """Dev-only browser of the webhooks the connector would have sent to Toqio."""

    path = "/dev/webhooks"
    tags = ["dev"]

    @get(
        "/",
        operation_id="listRecordedWebhooks",
        summary="Webhooks recorded instead of sent, newest first",
    )
    async def list_recorded(
        self,
        webhook_recorder: NamedDependency[RecordingWebhookSender],
        webhook_type: Annotated[str | None, QueryParameter(name="type")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[RecordedWebhook]:
        """List recorded webhooks, optionally of one ``type``."""
        return webhook_recorder.received(webhook_type)[:limit]
