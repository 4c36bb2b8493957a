"""The versioned envelope around every integration message, and its one codec."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from shared_kernel.contracts.base import IntegrationMessage
from shared_kernel.contracts.messages import AnyMessage
from shared_kernel.domain.ids import new_id


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """Metadata that travels with a payload.

    ``correlation_id`` ties every message of one business flow together; ``causation_id`` is
    the ``message_id`` of the message that caused this one (``None`` for a flow's first).
    """

    message_id: str
    type: str
    version: int
    occurred_at: datetime
    correlation_id: str
    causation_id: str | None
    payload: AnyMessage

    def __post_init__(self) -> None:
        # Brokers route on ``type``/``version`` while consumers dispatch on the payload class;
        # refusing a disagreement stops a message being routed as one type and handled as
        # another. msgspec turns this ValueError into a ValidationError on decode.
        if (self.type, self.version) != (self.payload.TYPE, self.payload.VERSION):
            raise ValueError(
                f"envelope says {self.type}.v{self.version} but carries "
                f"{self.payload.TYPE}.v{self.payload.VERSION}"
            )

    @classmethod
    def wrap(
        cls,
        payload: IntegrationMessage,
        *,
        correlation_id: str | None = None,
        causation: Envelope | None = None,
        message_id: str | None = None,
    ) -> Envelope:
        """Wrap ``payload`` in a new envelope, continuing ``causation``'s flow if given."""
        message_id = message_id or new_id()
        if causation is not None:
            correlation_id = causation.correlation_id
        return cls(
            message_id=message_id,
            type=payload.TYPE,
            version=payload.VERSION,
            occurred_at=datetime.now(UTC),
            correlation_id=correlation_id or message_id,
            causation_id=causation.message_id if causation is not None else None,
            payload=payload,  # type: ignore[arg-type]
        )

    @property
    def routing_key(self) -> str:
        """The routing key the envelope is published under."""
        return f"{self.type}.v{self.version}"


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Envelope)


def encode(envelope: Envelope) -> bytes:
    """Encode an envelope as JSON bytes."""
    return _encoder.encode(envelope)


def decode_envelope(data: bytes) -> Envelope:
    """Decode JSON bytes into an envelope.

    Raises:
        msgspec.ValidationError: well-formed JSON that is not a valid envelope (unknown schema
            tag, missing field, type/version not matching the payload).
        msgspec.DecodeError: malformed JSON (``ValidationError`` is its subclass, so catching
            ``DecodeError`` covers both).
    """
    return _decoder.decode(data)
