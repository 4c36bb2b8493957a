"""The review console over plain HTTP on PostgreSQL: sign-in, sessions, CSRF, headers, escaping."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.compliance.integration.compliance_service import (
    ComplianceApi,
    compliance_service,
    transaction,
)
from tests.compliance.integration.console_pages import (
    PASSWORD,
    PLAIN_HTTP,
    create_reviewer,
    csrf_of,
    sign_in,
)

pytestmark = pytest.mark.integration

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
# Held for a new beneficiary above 5,000 EUR, yet below the four-eyes amount (10,000 EUR).
HELD_AMOUNT = 6000


@pytest.fixture
async def api(postgres_url: str) -> AsyncIterator[ComplianceApi]:
    async with compliance_service(postgres_url, **PLAIN_HTTP) as service:
        await create_reviewer(service.client)
        yield service


async def held_case(api: ComplianceApi, transaction_id: str = "tx-held", **overrides: Any) -> str:
    """Hold a transaction for review; the path of its case page."""
    held = await api.validate(transaction(transaction_id, amount=HELD_AMOUNT, **overrides))
    assert held.json()["status"] == "PENDING_EXTERNAL_APPROVAL", held.text
    queue = await api.client.get("/console/queue")
    assert queue.status_code == 200, queue.text
    found = re.search(rf'href="(/console/cases/[^"]+)">{transaction_id}<', queue.text)
    assert found is not None, queue.text
    return found[1]


def status_on(page: httpx.Response) -> str:
    found = re.search(r'id="case-status">([A-Z_]+)<', page.text)
    assert found is not None, page.text
    return found[1]


def session_cookies(response: httpx.Response) -> list[str]:
    return [c for c in response.headers.get_list("set-cookie") if "compliance-console=" in c]


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param("rita", "not the passphrase at all", id="wrong-password"),
        pytest.param("nobody", PASSWORD, id="unknown-user"),
    ],
)
async def test_a_failed_sign_in_shows_the_form_again_with_one_generic_error(
    api: ComplianceApi, username: str, password: str
) -> None:
    refused = await sign_in(api.client, username, password)

    assert refused.status_code == 401
    assert "The username or password is not valid." in refused.text
    assert 'name="password"' in refused.text
    assert session_cookies(refused) == []
    assert (await api.client.get("/console/queue")).status_code == 303


async def test_a_reviewer_signs_in_and_lands_on_the_queue(api: ComplianceApi) -> None:
    signed_in = await sign_in(api.client)

    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/console/queue"
    [cookie] = session_cookies(signed_in)
    assert {"HttpOnly", "SameSite=strict", "Path=/"} <= {p.strip() for p in cookie.split(";")}
    queue = await api.client.get("/console/queue")
    assert queue.status_code == 200
    assert "rita" in queue.text
    assert "No pending cases." in queue.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/console/queue", id="queue"),
        pytest.param("GET", "/console/cases/01a2096f-0b17-71ff-b045-28ada7066dc3", id="case"),
        pytest.param("POST", "/console/logout", id="logout"),
    ],
)
async def test_console_pages_send_a_signed_out_browser_to_the_login(
    api: ComplianceApi, method: str, path: str
) -> None:
    answer = await api.client.request(method, path)
    forged = await api.client.request(method, path, headers={"cookie": "compliance-console=v1.x"})

    for response in (answer, forged):
        assert response.status_code == 303
        assert response.headers["location"] == "/console/login"


async def test_a_signed_out_decision_is_sent_to_the_login_and_changes_nothing(
    api: ComplianceApi,
) -> None:
    await sign_in(api.client)
    case_path = await held_case(api)
    form = await api.client.get(case_path)
    api.client.cookies.clear()

    answer = await api.client.post(
        f"{case_path}/decision",
        data={"decision": "APPROVE", "reason": "Known supplier", "csrf_token": csrf_of(form)},
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login"
    assert await api.count("review_approvals") == 0


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("not-the-token", id="wrong"),
    ],
)
async def test_a_decision_without_its_csrf_token_is_refused_and_changes_nothing(
    api: ComplianceApi, token: str | None
) -> None:
    await sign_in(api.client)
    case_path = await held_case(api)
    form = {"decision": "APPROVE", "reason": "Known supplier"}
    if token is not None:
        form["csrf_token"] = token

    refused = await api.client.post(f"{case_path}/decision", data=form)

    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    assert await api.count("review_approvals") == 0
    assert status_on(await api.client.get(case_path)) == "PENDING"


async def test_another_sessions_csrf_token_is_refused(api: ComplianceApi) -> None:
    await create_reviewer(api.client, "sam")
    await sign_in(api.client, "sam")
    case_path = await held_case(api)
    sams_token = csrf_of(await api.client.get(case_path))
    api.client.cookies.clear()
    await sign_in(api.client)

    refused = await api.client.post(
        f"{case_path}/decision",
        data={"decision": "APPROVE", "reason": "Known supplier", "csrf_token": sams_token},
    )

    assert refused.status_code == 403
    assert await api.count("review_approvals") == 0


async def test_a_sign_in_without_its_csrf_token_is_refused(api: ComplianceApi) -> None:
    await api.client.get("/console/login")

    refused = await api.client.post(
        "/console/login", data={"username": "rita", "password": PASSWORD}
    )

    assert refused.status_code == 403
    assert session_cookies(refused) == []


async def test_a_reviewer_approves_a_case_and_sees_it_approved(api: ComplianceApi) -> None:
    await sign_in(api.client)
    case_path = await held_case(api)
    form = await api.client.get(case_path)

    decided = await api.client.post(
        f"{case_path}/decision",
        data={"decision": "APPROVE", "reason": "Known supplier", "csrf_token": csrf_of(form)},
    )

    assert decided.status_code == 303
    assert decided.headers["location"] == f"{case_path}?decided=APPROVED"
    page = await api.client.get(decided.headers["location"])
    assert status_on(page) == "APPROVED"
    assert "Approved: Toqio is told the transaction may go ahead." in page.text
    assert "Known supplier" in page.text
    assert 'name="decision"' not in page.text


async def test_a_refused_decision_shows_the_case_again_with_the_error_and_the_reason(
    api: ComplianceApi,
) -> None:
    await sign_in(api.client)
    case_path = await held_case(api)
    form = await api.client.get(case_path)

    refused = await api.client.post(
        f"{case_path}/decision",
        data={"decision": "REJECT", "reason": "no", "csrf_token": csrf_of(form)},
    )

    assert refused.status_code == 400
    assert "reason must have 3 to 1000 characters" in refused.text
    assert ">no</textarea>" in refused.text
    assert status_on(refused) == "PENDING"


async def test_an_unknown_case_is_a_404_page(api: ComplianceApi) -> None:
    await sign_in(api.client)

    missing = await api.client.get("/console/cases/01a2096f-0b17-71ff-b045-28ada7066dc3")

    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "There is no review case" in missing.text


async def test_signing_out_ends_the_session_in_the_browser(api: ComplianceApi) -> None:
    await sign_in(api.client)
    queue = await api.client.get("/console/queue")

    signed_out = await api.client.post("/console/logout", data={"csrf_token": csrf_of(queue)})

    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/console/login"
    assert (await api.client.get("/console/queue")).status_code == 303


async def test_every_console_answer_carries_the_security_headers(api: ComplianceApi) -> None:
    login = await api.client.get("/console/login")
    redirected = await api.client.get("/console/queue")
    refused = await api.client.post("/console/login", data={})
    await sign_in(api.client)
    queue = await api.client.get("/console/queue")

    for response in (login, redirected, refused, queue):
        assert {k: response.headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS


async def test_a_payee_name_is_escaped_on_the_case_page(api: ComplianceApi) -> None:
    payee = {"type": "PERSON", "name": "<script>alert(1)</script>", "country": "DE"}
    await sign_in(api.client)
    case_path = await held_case(api, beneficiary=payee)

    page = await api.client.get(case_path)

    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text.lower()


async def test_cookies_are_secure_and_host_bound_by_default(postgres_url: str) -> None:
    async with compliance_service(postgres_url) as api:
        await create_reviewer(api.client)
        form = await api.client.get("/console/login")
        [nonce] = form.headers.get_list("set-cookie")
        # httpx keeps Secure cookies off plain HTTP, as a browser would: hand the nonce over.
        nonce_value = nonce.split(";")[0].split("=", 1)[1]
        signed_in = await api.client.post(
            "/console/login",
            data={"username": "rita", "password": PASSWORD, "csrf_token": csrf_of(form)},
            headers={"cookie": f"__Host-compliance-console-login={nonce_value}"},
        )

    assert nonce.startswith("__Host-compliance-console-login=")
    assert signed_in.status_code == 303, signed_in.text
    [session] = session_cookies(signed_in)
    assert session.startswith("__Host-compliance-console=")
    parts = {p.strip() for p in session.split(";")}
    assert {"Secure", "HttpOnly", "SameSite=strict", "Path=/"} <= parts
