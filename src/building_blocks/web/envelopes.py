"""Toqio's success and error envelopes, in the Integration Hub and Card Management variants."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import msgspec
from litestar import Response

from building_blocks.web.request_id import request_id_or_new
from building_blocks.web.schema import CamelStruct

T = TypeVar("T")


class EnvelopeStyle(enum.Enum):
    """Which of Toqio's two envelope dialects an app speaks."""

    INTEGRATION_HUB = "integration_hub"
    CARD = "card"


class Ok(CamelStruct, Generic[T], frozen=True, kw_only=True):
    """Integration Hub success envelope; ``date`` is ISO-8601 with milliseconds, UTC."""

    data: T
    code: str = "OK"
    error_severity: str = "NONE"
    message: str = "Ok"
    http_status: int = 200
    request_id: str
    date: str


class CardOk(CamelStruct, Generic[T], frozen=True, kw_only=True):
    """Card Management success envelope; ``code`` is the status as text, ``date`` epoch ms."""

    data: T
    code: str = "200"
    message: str = "Ok"
    http_status: int = 200
    request_id: str
    date: int


class ProblemOut(CamelStruct, frozen=True, kw_only=True):
    """One field problem in an error envelope."""

    field: str
    code: str
    message: str


class ErrorEnvelope(CamelStruct, frozen=True, kw_only=True):
    """Error envelope of both dialects; ``date`` is ISO text or epoch ms by style."""

    data: list[ProblemOut] | dict[str, Any] = msgspec.field(default_factory=list)
    code: str
    error_severity: str = "ERROR"
    message: str
    http_status: int
    request_id: str
    date: str | int
    error_origin: str


def iso_now() -> str:
    """Now, as Toqio writes it: ``2024-08-01T10:30:00.000Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_millis_now() -> int:
    """Now, as epoch milliseconds (the Card Management ``date``)."""
    return int(datetime.now(UTC).timestamp() * 1000)


def ok(data: T, status: int = 200, *, message: str = "Ok") -> Response[Ok[T]]:
    """Wrap ``data`` in the Integration Hub success envelope, with a matching HTTP status."""
    body = Ok(
        data=data,
        message=message,
        http_status=status,
        request_id=request_id_or_new(),
        date=iso_now(),
    )
    return Response(body, status_code=status)


def card_ok(data: T, status: int = 200, *, message: str = "Ok") -> Response[CardOk[T]]:
    """Wrap ``data`` in the Card Management success envelope, with a matching HTTP status."""
    body = CardOk(
        data=data,
        code=str(status),
        message=message,
        http_status=status,
        request_id=request_id_or_new(),
        date=epoch_millis_now(),
    )
    return Response(body, status_code=status)


def error_envelope(
    *,
    style: EnvelopeStyle,
    origin: str,
    status: int,
    code: str,
    message: str,
    request_id: str,
    data: list[ProblemOut] | dict[str, Any] | None = None,
) -> ErrorEnvelope:
    """Build the error envelope of ``style`` for one failure."""
    date: str | int = epoch_millis_now() if style is EnvelopeStyle.CARD else iso_now()
    return ErrorEnvelope(
        data=data if data is not None else [],
        code=code,
        message=message,
        http_status=status,
        request_id=request_id,
        date=date,
        error_origin=origin,
    )
