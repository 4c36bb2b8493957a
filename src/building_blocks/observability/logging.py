"""Structured JSON logging through structlog, with stdlib logging routed in and secrets redacted."""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

import structlog
from structlog.typing import Processor

from building_blocks.observability.redaction import redact_event

_HANDLER_NAME = "building_blocks.structlog"


def _shared_processors(service: str) -> list[Processor]:
    def add_service(_: Any, __: str, event_dict: Any) -> Any:
        event_dict.setdefault("service", service)
        return event_dict

    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_service,
    ]


def configure_logging(
    service: str, level: str = "INFO", json: bool = True, *, stream: IO[str] | None = None
) -> None:
    """Route structlog and stdlib logging to one redacting handler on ``stream`` (stdout).

    Every event, from structlog or from a library's stdlib logger, passes the same chain:
    context variables (the request id), level, logger name, UTC timestamp, service, formatted
    exception, redaction, then JSON (or console) rendering. Redaction runs after exceptions are
    formatted so tracebacks are masked too. Calling it again replaces the previous setup.

    Args:
        service: Added to every event as ``service``.
        level: The root log level name.
        json: JSON lines when true, a coloured console rendering otherwise.
        stream: Where to write; stdout by default.
    """
    shared = _shared_processors(service)
    renderer: Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            # Redact before handing over too, so any other stdlib handler sees clean values.
            redact_event,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
