"""Helpers for driving the review console over plain HTTP: reviewers, sign-in, form tokens."""

from __future__ import annotations

import re

import httpx

from tests.compliance.integration.compliance_service import ADMIN

REVIEWER = "rita"
PASSWORD = "a long and secret passphrase"
# Plain HTTP in tests: httpx (like a browser) would not send Secure cookies back.
PLAIN_HTTP = {"CONSOLE_SECURE_COOKIES": "false"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of the first form on ``page``."""
    found = _CSRF.search(page.text)
    assert found is not None, page.text
    return found[1]


async def create_reviewer(
    client: httpx.AsyncClient, username: str = REVIEWER, role: str = "REVIEWER"
) -> None:
    """Register a reviewer through the admin API."""
    body = {"username": username, "password": PASSWORD, "role": role}
    created = await client.post("/admin/reviewers", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text


async def sign_in(
    client: httpx.AsyncClient, username: str = REVIEWER, password: str = PASSWORD
) -> httpx.Response:
    """Fill in the login form as a browser would; the answer is not followed."""
    form = await client.get("/console/login")
    assert form.status_code == 200, form.text
    return await client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form)},
    )
