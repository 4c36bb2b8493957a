"""Map every exception to Toqio's error envelope; never a bare framework body or a stack trace."""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, SerializationException
from litestar.types import ExceptionHandlersMap

from building_blocks.auth.errors import AuthenticationFailed, Forbidden
from building_blocks.web.envelopes import EnvelopeStyle, ErrorEnvelope, ProblemOut, error_envelope
from building_blocks.web.request_id import ensure_request_id
from building_blocks.web.validation import (
    camelize,
    malformed_body,
    problems_from_detail,
    problems_from_extra,
)
from shared_kernel.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    NotImplementedByProvider,
    RuleViolated,
)

INVALID_REQUEST = "INVALID_REQUEST"
INTERNAL_ERROR = "INTERNAL_SERVER_ERROR"

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    InvalidInput: 400,
    AuthenticationFailed: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RuleViolated: 422,
    NotImplementedByProvider: 501,
}
"""HTTP status per domain error class; services may register their own subclasses."""

_CODE_BY_STATUS = {
    400: INVALID_REQUEST,
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
    503: "SERVICE_UNAVAILABLE",
}
_MESSAGE_BY_STATUS = {
    400: "The request is invalid",
    404: "The requested resource does not exist",
    405: "The method is not allowed on this resource",
}
_GENERIC_500 = "An unexpected error occurred; it has been logged"
_MSGSPEC_PATH = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$")

_log = structlog.get_logger("building_blocks.web")


def status_for(error: DomainError, extra: Mapping[type[DomainError], int] | None = None) -> int:
    """The HTTP status of ``error``: the closest registered class in its MRO, else 400.

    ``extra`` holds a service's own error classes (provider failures, say); it is consulted
    class by class together with the kernel's, so the most specific class always wins.
    """
    for cls in type(error).__mro__:
        if extra and cls in extra:
            return extra[cls]
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def domain_error_data(error: DomainError) -> list[ProblemOut] | dict[str, Any]:
    """The envelope ``data`` of ``error``: its ``data`` mapping if it has one, else its problems."""
    extra = getattr(error, "data", None)
    if isinstance(extra, Mapping):
        return dict(extra)
    return [ProblemOut(field=p.field, code=p.code, message=p.message) for p in error.problems]


def _is_unparsable_path_value(exc: HTTPException) -> bool:
    # NotFoundException is itself a ValueError, so an unknown route also has one as its cause.
    cause = exc.__cause__
    return (
        isinstance(exc, NotFoundException)
        and isinstance(cause, ValueError)
        and not isinstance(cause, HTTPException)
    )


class ToqioExceptionHandlers:
    """The exception handlers of one app, rendering one envelope style with one origin."""

    def __init__(
        self,
        *,
        service: str,
        style: EnvelopeStyle,
        error_statuses: Mapping[type[DomainError], int] | None = None,
    ) -> None:
        self._service = service
        self._style = style
        self._error_statuses = dict(error_statuses or {})

    def mapping(self) -> ExceptionHandlersMap:
        """The handlers, keyed by exception type, for ``Litestar(exception_handlers=...)``."""
        return {
            DomainError: self.domain_error,
            msgspec.ValidationError: self.msgspec_error,
            HTTPException: self.http_error,
            Exception: self.unexpected_error,
        }

    def respond(
        self,
        request: Request[Any, Any, Any],
        *,
        status: int,
        code: str,
        message: str,
        data: list[ProblemOut] | dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response[ErrorEnvelope]:
        """Render one error envelope as a response."""
        body = error_envelope(
            style=self._style,
            origin=self._service,
            status=status,
            code=code,
            message=message,
            request_id=ensure_request_id(request.scope),
            data=data,
        )
        return Response(body, status_code=status, headers=dict(headers or {}))

    def domain_error(
        self, request: Request[Any, Any, Any], exc: Exception
    ) -> Response[ErrorEnvelope]:
        """An expected failure: its own code, message and problems."""
        assert isinstance(exc, DomainError)
        status = status_for(exc, self._error_statuses)
        _log.info("request.rejected", code=exc.code, status=status, path=request.url.path)
        data = domain_error_data(exc)
        return self.respond(request, status=status, code=exc.code, message=exc.message, data=data)

    def msgspec_error(
        self, request: Request[Any, Any, Any], exc: Exception
    ) -> Response[ErrorEnvelope]:
        """A payload a handler decoded itself failed validation."""
        match = _MSGSPEC_PATH.match(str(exc))
        message = match["message"] if match else "Invalid value"
        path = (match["path"] or "").lstrip(".") if match else ""
        field = ".".join(camelize(part) for part in path.split(".")) if path else "body"
        problem = ProblemOut(field=field, code="INVALID_VALUE", message=message)
        return self.respond(
            request, status=400, code=INVALID_REQUEST, message=message, data=[problem]
        )

    def http_error(
        self, request: Request[Any, Any, Any], exc: Exception
    ) -> Response[ErrorEnvelope]:
        """Framework errors: validation, routing, auth, limits, and 5xx raised on purpose."""
        assert isinstance(exc, HTTPException)
        status = exc.status_code
        if status >= 500:
            return self.unexpected_error(request, exc)
        if _is_unparsable_path_value(exc):
            # Litestar reports a typed path parameter it cannot convert as "no such route".
            status = 400
            problems = [ProblemOut(field="path", code="INVALID_VALUE", message="Bad path value")]
        elif isinstance(exc.__cause__, SerializationException):
            problems = malformed_body()
        else:
            problems = problems_from_extra(exc.extra) or problems_from_detail(exc.detail)
        message = _MESSAGE_BY_STATUS.get(status) or HTTPStatus(status).phrase
        if problems and status == 400:
            message = "; ".join(f"{p.field}: {p.message}" for p in problems)
        _log.info("request.rejected", status=status, path=request.url.path)
        return self.respond(
            request,
            status=status,
            code=_CODE_BY_STATUS.get(status, f"HTTP_{status}"),
            message=message,
            data=problems,
            headers=exc.headers,
        )

    def unexpected_error(
        self, request: Request[Any, Any, Any], exc: Exception
    ) -> Response[ErrorEnvelope]:
        """Anything else: logged with its stack trace, answered with a generic 500."""
        request_id = ensure_request_id(request.scope)
        _log.error(
            "request.failed",
            path=request.url.path,
            request_id=request_id,
            error_type=type(exc).__name__,
            exc_info=exc,
        )
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = _CODE_BY_STATUS.get(status, INTERNAL_ERROR)
        return self.respond(request, status=status, code=code, message=_GENERIC_500)
