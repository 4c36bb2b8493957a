"""Handing one RabbitMQ delivery to a subscriber's handler and settling it with the broker."""

from __future__ import annotations

import msgspec
import structlog
from aio_pika.abc import AbstractIncomingMessage

from building_blocks.messaging.port import Handler
from shared_kernel.contracts import decode_envelope

log = structlog.get_logger(__name__)

UNDECODABLE = (msgspec.DecodeError, msgspec.ValidationError)


async def handle_delivery(queue: str, handler: Handler, message: AbstractIncomingMessage) -> None:
    """Ack once ``handler`` returned, requeue when it raised, dead-letter an undecodable body.

    The requeue counts against the quorum queue's ``x-delivery-limit``, which moves a poison
    message to the dead-letter queue.
    """
    try:
        envelope = decode_envelope(message.body)
    except UNDECODABLE:
        log.error("undecodable message dead-lettered", queue=queue, message_id=message.message_id)
        await message.reject(requeue=False)
        return
    try:
        await handler(envelope)
    except Exception as error:
        log.warning(
            "message handler failed",
            queue=queue,
            message_id=envelope.message_id,
            delivery_count=(message.headers or {}).get("x-delivery-count", 0),
            error_type=type(error).__name__,
            # The traceback goes through the redaction processor like every other field.
            exc_info=True,
        )
        await message.reject(requeue=True)
        return
    await message.ack()
