"""How console pages are rendered: templates, filters, security headers and error pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template import TemplateConfig
from litestar.types import ASGIApp, ExceptionHandlersMap, Message, Receive, Scope, Send

from building_blocks.web import status_for
from compliance.entrypoints.console.csrf import CsrfRefused
from compliance.entrypoints.console.session import LoginRequired, SessionCookies
from shared_kernel.domain.errors import DomainError
from shared_kernel.domain.money import Money

TEMPLATES_DIR = Path(__file__).parent / "templates"
LOGIN_PATH = "/console/login"
QUEUE_PATH = "/console/queue"
_MESSAGE_BY_STATUS = {
    400: "The form was not filled in as expected.",
    404: "There is no such page or case.",
    405: "This page does not accept that kind of request.",
}

_log = structlog.get_logger(__name__)

SECURITY_HEADERS: Mapping[str, str] = {
    # Only our own scripts, styles inline in the layout, forms posting back to us, no framing.
    "content-security-policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    # Case data is personal: no browser or proxy may keep a copy.
    "cache-control": "no-store",
}


def money(amount: Money) -> str:
    """``Money`` for people: ``"15,000.00 EUR"``."""
    return f"{amount.to_decimal():,f} {amount.currency.code}"


def eur(minor: int) -> str:
    """Euro minor units for people: ``"15,000.00 EUR"``."""
    return money(Money.of(minor, "EUR"))


def when(moment: datetime | None) -> str:
    """A timestamp in UTC to the second, or a dash."""
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """The console's Jinja templates: autoescaped, and a missing variable is an error."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # Every template is HTML: never render user data unescaped, whatever the file name.
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = money
    environment.filters["eur"] = eur
    environment.filters["when"] = when
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def page(name: str, context: Mapping[str, Any] | None = None, *, status: int = 200) -> Template:
    """Render template ``name`` with ``context``."""
    return Template(template_name=name, context=dict(context or {}), status_code=status)


def error_page(status: int, message: str) -> Template:
    """A page saying what went wrong, with a link back to the queue."""
    title = HTTPStatus(status).phrase
    return page("error.html", {"title": title, "message": message}, status=status)


def security_headers_middleware(app: ASGIApp) -> ASGIApp:
    """Middleware factory putting :data:`SECURITY_HEADERS` on every console response."""
    ours = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
    replaced = {name for name, _ in ours}

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", ()) if h[0].lower() not in replaced]
                message["headers"] = [*kept, *ours]
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def exception_handlers(cookies: SessionCookies) -> ExceptionHandlersMap:
    """The console's errors as pages (the API's JSON envelopes mean nothing to a browser)."""

    def login_required(_: Request[Any, Any, Any], __: Exception) -> Response[Any]:
        # 303: whatever the method was, the browser follows with a GET.
        return Redirect(
            path=LOGIN_PATH,
            status_code=303,
            cookies=[cookies.cleared(cookies.session_name)],
        )

    def csrf_refused(_: Request[Any, Any, Any], __: Exception) -> Response[Any]:
        message = "This form has expired or did not come from this console. Reload the page."
        return error_page(403, message)

    def domain_error(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        assert isinstance(exc, DomainError)
        return error_page(status_for(exc), exc.message)

    def http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status >= 500:
            _log.error("console.error", path=request.url.path, exc_info=exc)
            return error_page(500, "Something went wrong; it has been logged.")
        return error_page(status, _MESSAGE_BY_STATUS.get(status, "The request was refused."))

    return {
        LoginRequired: login_required,
        CsrfRefused: csrf_refused,
        DomainError: domain_error,
        HTTPException: http_error,
        Exception: http_error,
    }
