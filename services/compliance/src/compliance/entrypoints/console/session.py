"""The console session: a reviewer's short-lived token in an HttpOnly cookie, checked per page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from compliance.application.access.ports import IssuedToken
from compliance.application.access.reviewers import AuthenticateReviewer
from compliance.domain.access import AccessDenied, ReviewerIdentity

# Route ``opt`` flag of the login pages: open without a session, CSRF-checked by nonce.
LOGIN_OPT = "console_login"
SESSION_STATE_KEY = "console_session"
LOGIN_NONCE_SECONDS = 3600

Connection = ASGIConnection[Any, Any, Any, Any]


class LoginRequired(Exception):
    """No valid session: the reviewer is sent to the login page."""


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    """The signed-in reviewer of a console request and the token their cookie holds."""

    reviewer: ReviewerIdentity
    token: str = field(repr=False)


class SessionCookies:
    """Names and attributes of the console's cookies, Secure unless told otherwise."""

    def __init__(self, *, secure: bool) -> None:
        """Args: secure: send the cookies over HTTPS only (off for plain-HTTP local runs)."""
        self._secure = secure
        # The __Host- prefix makes browsers refuse the cookie unless Secure, host-only and
        # Path=/, so a sibling subdomain cannot plant a session of its own.
        prefix = "__Host-" if secure else ""
        self.session_name = f"{prefix}compliance-console"
        self.login_name = f"{prefix}compliance-console-login"

    def session(self, issued: IssuedToken, now: datetime) -> Cookie:
        """The session cookie for a freshly issued token; it lives as long as the token."""
        seconds = max(0, int((issued.expires_at - now).total_seconds()))
        return self._cookie(self.session_name, issued.token, seconds)

    def new_login_nonce(self) -> tuple[str, Cookie]:
        """A random nonce the login form's CSRF token is bound to, and its pre-session cookie."""
        nonce = secrets.token_urlsafe(32)
        return nonce, self._cookie(self.login_name, nonce, LOGIN_NONCE_SECONDS)

    def cleared(self, name: str) -> Cookie:
        """A cookie that deletes cookie ``name`` in the browser."""
        return self._cookie(name, "", 0)

    def session_token(self, connection: Connection) -> str | None:
        """The token of the request's session cookie, if any."""
        return connection.cookies.get(self.session_name) or None

    def login_nonce(self, connection: Connection) -> str | None:
        """The nonce of the request's login cookie, if any."""
        return connection.cookies.get(self.login_name) or None

    def _cookie(self, name: str, value: str, max_age: int) -> Cookie:
        return Cookie(
            key=name,
            value=value,
            max_age=max_age,
            path="/",
            secure=self._secure,
            httponly=True,
            samesite="strict",
        )


def _state(connection: Connection) -> dict[str, Any]:
    state: dict[str, Any] = connection.scope.setdefault("state", {})
    return state


def session_guard(authenticate: AuthenticateReviewer, cookies: SessionCookies) -> Guard:
    """Admit requests whose session cookie holds a valid reviewer token; else LoginRequired.

    Routes marked ``opt={LOGIN_OPT: True}`` stay open. The session goes in the connection
    state; read it with :func:`current_session`.
    """

    async def guard(connection: Connection, handler: BaseRouteHandler) -> None:
        if handler.opt.get(LOGIN_OPT):
            return
        token = cookies.session_token(connection)
        if token is None:
            raise LoginRequired()
        try:
            reviewer = await authenticate(token)
        except AccessDenied:
            raise LoginRequired() from None
        _state(connection)[SESSION_STATE_KEY] = ConsoleSession(reviewer, token)

    return guard


def current_session(connection: Connection) -> ConsoleSession:
    """The session :func:`session_guard` admitted; LoginRequired on a route it left open."""
    session = _state(connection).get(SESSION_STATE_KEY)
    if not isinstance(session, ConsoleSession):
        raise LoginRequired()
    return session
