"""The console's router: its pages behind the session and CSRF guards, with security headers.

Besides what :func:`console_route_handlers` is given, the case pages need these app
dependencies (Litestar names): ``list_cases`` (ListCases), ``get_case`` (GetCase) and
``decide_case`` (DecideCase). The app must be built with :func:`console_template_config`.
"""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler

from compliance.application.access.reviewers import AuthenticateReviewer, IssueReviewerToken
from compliance.entrypoints.console.cases import CaseController
from compliance.entrypoints.console.csrf import CsrfTokens, csrf_guard
from compliance.entrypoints.console.login import LoginController
from compliance.entrypoints.console.pages import (
    exception_handlers,
    security_headers_middleware,
    template_config,
)
from compliance.entrypoints.console.session import SessionCookies, session_guard


def _constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, use_cache=True, sync_to_thread=False)


def console_template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """The template engine the app renders console pages with."""
    return template_config()


def console_route_handlers(
    issue_token: IssueReviewerToken,
    authenticate_reviewer: AuthenticateReviewer,
    *,
    secure_cookies: bool,
    csrf_key: bytes | None = None,
) -> list[ControllerRouterHandler]:
    """The ``/console`` router.

    Args:
        issue_token: Signs reviewers in; the token it issues is the session.
        authenticate_reviewer: Checks the session on every page.
        secure_cookies: Mark cookies Secure (HTTPS only) with the ``__Host-`` prefix.
        csrf_key: The key CSRF tokens are signed with, the same on every instance; without
            one, a random key valid in this process only.
    """
    cookies = SessionCookies(secure=secure_cookies)
    tokens = CsrfTokens(csrf_key) if csrf_key is not None else CsrfTokens.random()
    router = Router(
        path="/console",
        route_handlers=[LoginController, CaseController],
        guards=[session_guard(authenticate_reviewer, cookies), csrf_guard(tokens, cookies)],
        middleware=[security_headers_middleware],
        exception_handlers=exception_handlers(cookies),
        dependencies={
            "console_login": _constant(issue_token),
            "console_cookies": _constant(cookies),
            "console_csrf": _constant(tokens),
        },
        include_in_schema=False,
    )
    return [router]
