"""The console's sign-in and sign-out pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from compliance.application.access.reviewers import IssueReviewerToken
from compliance.domain.access import AccessDenied
from compliance.entrypoints.console.csrf import CsrfTokens
from compliance.entrypoints.console.pages import LOGIN_PATH, QUEUE_PATH, page
from compliance.entrypoints.console.session import LOGIN_OPT, SessionCookies

# One message for every failure, so the page never tells which usernames exist.
LOGIN_FAILED = "The username or password is not valid."


class LoginForm(msgspec.Struct, frozen=True, kw_only=True):
    """``POST /console/login``, form-encoded; missing fields are empty (and fail to sign in)."""

    username: Annotated[str, msgspec.Meta(max_length=256)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""


def _login_page(
    request: Request[Any, Any, Any],
    cookies: SessionCookies,
    csrf: CsrfTokens,
    *,
    username: str = "",
    error: str = "",
    status: int = 200,
) -> Response[Any]:
    nonce = cookies.login_nonce(request)
    fresh = None
    if nonce is None:
        nonce, fresh = cookies.new_login_nonce()
    context = {"csrf": csrf.for_login(nonce), "username": username, "error": error}
    response = page("login.html", context, status=status)
    if fresh is not None:
        response.set_cookie(fresh)
    return response


class LoginController(Controller):
    """``/console/login`` and ``/console/logout``."""

    path = "/"

    @get("/login", opt={LOGIN_OPT: True}, sync_to_thread=False)
    def form(
        self,
        request: Request[Any, Any, Any],
        console_cookies: NamedDependency[SessionCookies],
        console_csrf: NamedDependency[CsrfTokens],
    ) -> Response[Any]:
        """The sign-in form."""
        return _login_page(request, console_cookies, console_csrf)

    @post("/login", opt={LOGIN_OPT: True})
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        console_login: NamedDependency[IssueReviewerToken],
        console_cookies: NamedDependency[SessionCookies],
        console_csrf: NamedDependency[CsrfTokens],
    ) -> Response[Any]:
        """Sign in: a session cookie and the queue, or the form again with one generic error."""
        try:
            issued = await console_login(data.username, data.password)
        except AccessDenied:
            return _login_page(
                request,
                console_cookies,
                console_csrf,
                username=data.username,
                error=LOGIN_FAILED,
                status=401,
            )
        return Redirect(
            path=QUEUE_PATH,
            status_code=303,
            cookies=[
                console_cookies.session(issued, datetime.now(UTC)),
                console_cookies.cleared(console_cookies.login_name),
            ],
        )

    @post("/logout", sync_to_thread=False)
    def logout(self, console_cookies: NamedDependency[SessionCookies]) -> Response[Any]:
        """Sign out: the browser forgets the session cookie."""
        return Redirect(
            path=LOGIN_PATH,
            status_code=303,
            cookies=[console_cookies.cleared(console_cookies.session_name)],
        )

    @get("/", sync_to_thread=False)
    def home(self) -> Response[Any]:
        """``/console/`` is the queue."""
        return Redirect(path=QUEUE_PATH, status_code=303)
