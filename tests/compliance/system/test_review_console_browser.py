"""Issue 5 point 7: reviewers approve a held payment in the console, in real headless Chromium.

The compliance service runs as deployed (its own HTTP server on PostgreSQL, migrations,
webhook dispatcher; the in-process bus), with its production cookie settings; Toqio is played
by API calls and by a local webhook receiver. Chromium is Debian's package (``make browsers``
installs it), driven by Playwright through ``CHROMIUM_PATH``.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from building_blocks.runtime import serve_hosts
from building_blocks.settings import load_settings
from compliance.config import Settings
from compliance.container import build_service
from tests.compliance.integration.compliance_service import ADMIN, ADMIN_TOKEN, transaction
from tests.compliance.integration.console_pages import PASSWORD, create_reviewer
from tests.support.webhook_receiver import WebhookReceiver
from tests.system.test_accounts_end_to_end import free_port, wait_ready

pytestmark = pytest.mark.system

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STATUS_HOOK = "/TRANSACTION_MONITORING_STATUS_UPDATED"
TRANSACTION_ID = "tx-browser"


def chromium() -> str:
    """The Chromium binary, or a failure that says how to get one (never a silent skip)."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.fail(
            f"No Chromium at {CHROMIUM_PATH} for the browser test: run `make browsers` "
            "(installs Debian's chromium), or `sudo apt-get install chromium`, or set "
            "CHROMIUM_PATH to a Chromium binary",
            pytrace=False,
        )
    return CHROMIUM_PATH


@asynccontextmanager
async def running_compliance(postgres_url: str, webhooks: str) -> AsyncIterator[httpx.AsyncClient]:
    """The service on a free port until the block ends; a client on it."""
    port = free_port()
    settings = load_settings(
        Settings,
        {
            "PORT": str(port),
            "DATABASE_URL": postgres_url,
            "COMPLIANCE_ADMIN_TOKEN": ADMIN_TOKEN,
            "REVIEWER_TOKEN_KEY": "reviewer-token-key-for-tests-0123456789",
            "MONITORING_DEADLINE_SECONDS": "5",
            "TOQIO_WEBHOOK_BASE_URL": webhooks,
            "TOQIO_INTEGRATION_ID": "integration-console",
            "TOQIO_WEBHOOK_API_KEY": "webhook-key",
        },
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_hosts([build_service(settings)], stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as api:
            await wait_ready(api)
            yield api
    finally:
        stop.set()
        await asyncio.wait_for(serving, 30)


async def hold_a_payment(api: httpx.AsyncClient) -> None:
    created = await api.post("/admin/api-keys", json={"customerId": "cust-1"}, headers=ADMIN)
    assert created.status_code == 201, created.text
    key = created.json()["data"]["apiKey"]
    held = await api.post(
        "/transaction/validate",
        json=transaction(TRANSACTION_ID, amount=15000),
        headers={"X-Api-Key": key},
    )
    assert held.json()["status"] == "PENDING_EXTERNAL_APPROVAL", held.text


async def signed_in(browser: Browser, base_url: str, username: str) -> Page:
    """A fresh browser profile, sent to the login by the queue, signed in as ``username``."""
    context = await browser.new_context(base_url=base_url)
    page = await context.new_page()
    await page.goto("/console/queue")
    await expect(page).to_have_url(re.compile(r"/console/login$"))
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/console/queue$"))
    return page


async def approve(page: Page, reason: str) -> None:
    """Open the held case from the queue, read why it was held, approve it with ``reason``."""
    await page.get_by_role("link", name=TRANSACTION_ID).click()
    explanation = page.locator("#explanation")
    await expect(explanation).to_contain_text("AMOUNT_THRESHOLD:large-amount")
    await expect(explanation).to_contain_text(
        "Amount 15,000.00 EUR is above the review limit 10,000.00 EUR"
    )
    await expect(explanation).to_contain_text("First payment to this beneficiary")
    await page.get_by_label("Reason").fill(reason)
    await page.get_by_role("button", name="Approve").click()


async def test_two_reviewers_approve_a_held_payment_in_the_browser_and_toqio_is_told(
    postgres_url: str,
) -> None:
    executable = chromium()
    async with (
        WebhookReceiver() as receiver,
        running_compliance(postgres_url, receiver.base_url) as api,
    ):
        await create_reviewer(api, "rita", "REVIEWER")
        await create_reviewer(api, "sam", "SUPERVISOR")
        await hold_a_payment(api)
        base_url = str(api.base_url)

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=executable, headless=True, args=["--no-sandbox"]
            )
            try:
                # 15,000 EUR is above the four-eyes amount: the first approval waits.
                rita = await signed_in(browser, base_url, "rita")
                await approve(rita, "Known supplier, invoice checked")
                await expect(rita.get_by_role("status")).to_contain_text(
                    "a supervisor must give the second one"
                )
                await expect(rita.locator("#case-status")).to_have_text("AWAITING_SECOND_REVIEW")
                assert not [r for r in receiver.requests if r.path.endswith(STATUS_HOOK)]

                sam = await signed_in(browser, base_url, "sam")
                await approve(sam, "Second approval: contract on file")
                await expect(sam.get_by_role("status")).to_contain_text("Approved")
                await expect(sam.locator("#case-status")).to_have_text("APPROVED")
                await expect(sam.get_by_role("button", name="Approve")).to_have_count(0)
            finally:
                await browser.close()

        [hook] = await receiver.wait_for_requests(1, within=20)

    assert hook.path == f"/webhooks/integration/integration-console/webhookType{STATUS_HOOK}"
    assert hook.headers["x-api-key"] == "webhook-key"
    body = hook.json
    assert {k: body[k] for k in ("transactionId", "status", "previousStatus", "decidedBy")} == {
        "transactionId": TRANSACTION_ID,
        "status": "APPROVED",
        "previousStatus": "PENDING_EXTERNAL_APPROVAL",
        "decidedBy": "rita,sam",
    }
    assert body["reason"] == "Second approval: contract on file"
