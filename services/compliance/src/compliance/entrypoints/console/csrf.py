"""CSRF protection of the console's forms: signed double-submit tokens bound to a session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from litestar import Request
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from compliance.entrypoints.console.session import (
    LOGIN_OPT,
    Connection,
    SessionCookies,
    current_session,
)

CSRF_FIELD = "csrf_token"
# Methods that never change anything, so they carry no token.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MIN_KEY_BYTES = 32


class CsrfRefused(Exception):
    """A console form came without the token of its session: nothing was done (a 403 page)."""


class CsrfTokens:
    """Tokens for the forms: an HMAC of the session token, or of the login form's nonce.

    An attacker's page can make the browser send the session cookie, but it can neither read
    the cookie nor compute the HMAC without the server key, so it cannot fill in the field.
    """

    def __init__(self, key: bytes) -> None:
        """Args: key: at least 32 random bytes, the same on every instance of the service."""
        if len(key) < _MIN_KEY_BYTES:
            raise ValueError(f"the CSRF key needs at least {_MIN_KEY_BYTES} bytes")
        self._key = key

    @classmethod
    def random(cls) -> CsrfTokens:
        """Tokens under a fresh key: valid only in this process."""
        return cls(secrets.token_bytes(_MIN_KEY_BYTES))

    def for_session(self, session_token: str) -> str:
        """The token of every form a signed-in reviewer submits."""
        return self._sign(b"session", session_token)

    def for_login(self, nonce: str) -> str:
        """The token of the login form, bound to the nonce in its pre-session cookie."""
        return self._sign(b"login", nonce)

    def _sign(self, purpose: bytes, value: str) -> str:
        # The purpose label keeps a login token from ever passing as a session token.
        digest = hmac.new(self._key, purpose + b"\x00" + value.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def _matches(expected: str | None, presented: object) -> bool:
    if expected is None or not isinstance(presented, str):
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


def csrf_guard(tokens: CsrfTokens, cookies: SessionCookies) -> Guard:
    """Refuse every unsafe console request whose form lacks the right ``csrf_token``.

    Put after the session guard. The login form (marked with ``opt={LOGIN_OPT: True}``) is
    checked against its nonce cookie instead, as no session exists yet.
    """

    async def guard(connection: Connection, handler: BaseRouteHandler) -> None:
        if not isinstance(connection, Request):
            raise CsrfRefused()
        if connection.method in _SAFE_METHODS:
            return
        # Litestar keeps the parsed form in the connection, so the handler reads it again free.
        presented = (await connection.form()).get(CSRF_FIELD)
        if handler.opt.get(LOGIN_OPT):
            nonce = cookies.login_nonce(connection)
            expected = tokens.for_login(nonce) if nonce else None
        else:
            expected = tokens.for_session(current_session(connection).token)
        if not _matches(expected, presented):
            raise CsrfRefused()

    return guard
