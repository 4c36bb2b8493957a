"""Sending one webhook to Toqio over HTTP, behind a port that dev mode and tests can replace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import httpx

from building_blocks.webhooks.policy import parse_retry_after

# Enough of the receiver's answer for an operator to see why it refused, never a whole page.
_ERROR_SNIPPET = 500


@dataclass(frozen=True)
class SendResult:
    """The outcome of one HTTP attempt.

    Attributes:
        status_code: the HTTP status, or None when no answer came (timeout, connection error).
        retry_after_seconds: the receiver's ``Retry-After``, in seconds, if it sent one.
        error: what went wrong, for the attempt log; None on success.
    """

    status_code: int | None
    retry_after_seconds: float | None = None
    error: str | None = None


class WebhookSender(Protocol):
    """Delivers one webhook body; never raises for network or HTTP failures."""

    async def send(self, webhook_type: str, body: bytes, request_id: str) -> SendResult:
        """POST ``body`` as webhook ``webhook_type`` and report what happened."""
        ...


class HttpWebhookSender:
    """Posts webhooks to Toqio's ``/webhooks/integration/{id}/webhookType/{TYPE}``."""

    def __init__(
        self,
        base_url: str,
        integration_id: str,
        api_key: str,
        *,
        api_key_header: str = "X-Api-Key",
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """Configure the sender.

        Args:
            base_url: ``TOQIO_WEBHOOK_BASE_URL``, e.g. ``https://core.sandbox.toq.io``.
            integration_id: the integration id Toqio assigned to this connector.
            api_key: the API key Toqio issued for webhooks.
            api_key_header: the header that carries the key.
            timeout: seconds for connecting, writing and waiting for the answer.
            client: a shared client; when None the sender owns one and ``aclose`` closes it.
        """
        self._base = f"{base_url.rstrip('/')}/webhooks/integration/{quote(integration_id, safe='')}"
        self._headers = {api_key_header: api_key, "Content-Type": "application/json"}
        self._timeout = httpx.Timeout(timeout)
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(follow_redirects=False)

    def url_for(self, webhook_type: str) -> str:
        """The URL a webhook of ``webhook_type`` is posted to."""
        return f"{self._base}/webhookType/{quote(webhook_type, safe='')}"

    async def send(self, webhook_type: str, body: bytes, request_id: str) -> SendResult:
        """POST the JSON ``body``; timeouts and connection errors become a result, not a raise."""
        headers = {**self._headers, "X-Request-Id": request_id}
        try:
            response = await self._client.post(
                self.url_for(webhook_type), content=body, headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException as exc:
            return SendResult(None, error=f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return SendResult(None, error=f"{type(exc).__name__}: {exc}"[:_ERROR_SNIPPET])
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if response.is_success:
            return SendResult(response.status_code, retry_after)
        detail = response.text[:_ERROR_SNIPPET].strip()
        error = f"HTTP {response.status_code}" + (f": {detail}" if detail else "")
        return SendResult(response.status_code, retry_after, error)

    async def aclose(self) -> None:
        """Close the HTTP client if this sender created it."""
        if self._owns_client:
            await self._client.aclose()
