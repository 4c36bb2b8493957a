"""Durable webhook delivery to Toqio: a queue table, a retrying dispatcher and senders."""

from building_blocks.webhooks.dispatcher import WebhookDispatcher
from building_blocks.webhooks.policy import RetryPolicy, is_retryable, parse_retry_after
from building_blocks.webhooks.queue import WebhookQueue
from building_blocks.webhooks.recorder import (
    RecordedWebhook,
    RecordingWebhookSender,
    WebhookRecorderController,
    webhook_recorder_dependencies,
)
from building_blocks.webhooks.sender import HttpWebhookSender, SendResult, WebhookSender
from building_blocks.webhooks.tables import DeliveryStatus, WebhookTables, webhook_tables

__all__ = [
    "DeliveryStatus",
    "HttpWebhookSender",
    "RecordedWebhook",
    "RecordingWebhookSender",
    "RetryPolicy",
    "SendResult",
    "WebhookDispatcher",
    "WebhookQueue",
    "WebhookRecorderController",
    "WebhookSender",
    "WebhookTables",
    "is_retryable",
    "parse_retry_after",
    "webhook_recorder_dependencies",
    "webhook_tables",
]
