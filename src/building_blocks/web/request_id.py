"""Request ids: taken from ``X-Request-Id`` when sane, else minted; bound to every log line."""

from __future__ import annotations

import re
import time
from contextvars import ContextVar
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from shared_kernel.domain.ids import new_id

REQUEST_ID_HEADER = "x-request-id"
_STATE_KEY = "toqio_request_id"
_STARTED_KEY = "toqio_request_started"
# A caller's id is echoed back and logged, so only accept short, printable, token-like values.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def _from_headers(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1").strip()
            return candidate if _SANE.fullmatch(candidate) else None
    return None


def ensure_request_id(scope: Scope) -> str:
    """Return the request id of ``scope``, creating and binding it on first use.

    Called by the middleware for routed requests and by the exception handlers for requests that
    never reach a route (404, 405), so both see the same id.
    """
    state: dict[str, Any] = scope.setdefault("state", {})
    request_id = state.get(_STATE_KEY)
    if request_id is None:
        request_id = _from_headers(scope) or new_id()
        state[_STATE_KEY] = request_id
        state.setdefault(_STARTED_KEY, time.perf_counter())
        current_request_id.set(request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
    return str(request_id)


def request_started_at(scope: Scope) -> float | None:
    """The ``perf_counter`` time the request was first seen, if it was."""
    started = scope.get("state", {}).get(_STARTED_KEY)
    return float(started) if started is not None else None


def request_id_or_new() -> str:
    """The current request's id, or a fresh one outside a request."""
    return current_request_id.get() or new_id()


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Middleware factory binding the request id before the route handler runs."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            ensure_request_id(scope)
        await app(scope, receive, send)

    return middleware


async def add_request_id_header(message: Message, scope: Scope) -> None:
    """``before_send`` hook: echo the request id on every HTTP response, routed or not."""
    if message["type"] == "http.response.start":
        request_id = ensure_request_id(scope)
        headers = list(message.get("headers", ()))
        headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
        message["headers"] = headers
