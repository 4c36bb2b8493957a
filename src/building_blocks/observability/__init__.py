"""Observability building blocks: structured logging with redaction."""

from building_blocks.observability.logging import configure_logging
from building_blocks.observability.redaction import redact_event, redact_text, redact_value

__all__ = ["configure_logging", "redact_event", "redact_text", "redact_value"]
