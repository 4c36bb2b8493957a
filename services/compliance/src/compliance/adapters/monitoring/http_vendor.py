"""HttpMonitoringVendor: the MonitoringProvider that asks an external vendor over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import anyio.lowlevel
import httpx
import structlog

from building_blocks.settings import Secret
from compliance.adapters.monitoring.circuit_breaker import (
    BreakerState,
    CircuitBreaker,
    VendorUnavailable,
)
from compliance.adapters.monitoring.vendor_schema import (
    DEFAULT_OUTCOMES,
    decode_answer,
    parse_outcomes,
    request_body,
    risk_score,
)
from compliance.application.monitoring.ports import Assessment
from compliance.domain.monitoring.decision import MonitoringStatus, Reason, RuleOutcome, Verdict
from compliance.domain.monitoring.transaction import MonitoredTransaction

__all__ = ["DEFAULT_OUTCOMES", "HttpMonitoringVendor", "VendorUnavailable", "parse_outcomes"]

log = structlog.get_logger(__name__)

_VERDICTS = {
    MonitoringStatus.APPROVED: Verdict.PASS,
    MonitoringStatus.REJECTED: Verdict.REJECT,
    MonitoringStatus.PENDING_EXTERNAL_APPROVAL: Verdict.REVIEW,
}
# A verdict is a few hundred bytes; anything far larger is not one, and is not read whole.
_MAX_ANSWER_BYTES = 64 * 1024
# How much of a vendor's reasons we pass on to Toqio and keep with the decision.
_MAX_REASONS, _MAX_CODE, _MAX_MESSAGE = 20, 100, 500
# Connections are costly against a 0.15 s budget (a TLS handshake alone can take most of it),
# so idle ones are kept far longer than httpx's 5 s default.
_KEEPALIVE_SECONDS = 60.0
# The name is stored as the vendor outcome's rule id, a 64-character column.
_MAX_NAME = 64


class HttpMonitoringVendor:
    """Asks an external monitoring vendor about each transaction; never approves by default.

    Anything but a well-formed verdict whose ``outcome`` is in the mapping (a non-2xx status,
    a timeout, a connection error, malformed JSON, an unknown outcome) raises
    :class:`VendorUnavailable`, and so does every call while the circuit breaker is open.
    """

    def __init__(
        self,
        url: str,
        api_key: Secret,
        *,
        name: str = "vendor",
        api_key_header: str = "Authorization",
        api_key_scheme: str = "Bearer",
        timeout: float = 0.15,
        outcomes: Mapping[str, MonitoringStatus] | None = None,
        breaker: CircuitBreaker | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        """Configure the adapter.

        Args:
            url: the vendor's screening endpoint, posted to as is.
            api_key: the vendor's API key.
            name: the vendor's name, recorded as ``decided_by = "vendor:<name>"``.
            api_key_header: the header carrying the key.
            api_key_scheme: put before the key, separated by a space (``Bearer <key>``);
                empty for the bare key, as an ``X-Api-Key`` header wants.
            timeout: seconds for the whole exchange; below the validate deadline, so a slow
                vendor counts as a vendor failure rather than being cut off by the deadline.
            outcomes: vendor outcome (case-insensitive) -> status; replaces the defaults.
            breaker: the circuit breaker to call through; one with the defaults when None.
            client: a shared client; when None the adapter owns one and ``aclose`` closes it.

        Raises:
            ValueError: ``name`` is empty or longer than a stored rule id (64 characters).
        """
        if not 0 < len(name) <= _MAX_NAME:
            raise ValueError(f"the vendor name must have 1 to {_MAX_NAME} characters")
        self._url = url
        self._name = name
        key = api_key.reveal()
        self._headers = {
            api_key_header: f"{api_key_scheme} {key}" if api_key_scheme else key,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self._timeout = timeout
        mapping = DEFAULT_OUTCOMES if outcomes is None else outcomes
        self._outcomes = {word.strip().lower(): status for word, status in mapping.items()}
        self._breaker = breaker or CircuitBreaker(on_change=self._log_change)
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            follow_redirects=False, limits=httpx.Limits(keepalive_expiry=_KEEPALIVE_SECONDS)
        )

    @property
    def breaker_state(self) -> BreakerState:
        """The circuit breaker's state, for health checks and metrics."""
        return self._breaker.state

    async def assess(self, tx: MonitoredTransaction) -> Assessment:
        """The vendor's verdict on ``tx``.

        Raises:
            VendorUnavailable: no usable verdict (see the class docstring).
        """
        return await self._breaker.call(lambda: self._ask(tx))

    async def warm_up(self) -> None:
        """Load what httpx loads lazily on its first request; call once at start-up.

        httpx's first request imports its async backend (anyio's), which takes about 0.2 s:
        longer than the whole timeout, so the first payment after a start would be held.
        """
        await anyio.lowlevel.checkpoint()

    async def aclose(self) -> None:
        """Close the HTTP client if this adapter created it."""
        if self._owns_client:
            await self._client.aclose()

    async def _ask(self, tx: MonitoredTransaction) -> Assessment:
        try:
            async with asyncio.timeout(self._timeout):
                status, body = await self._post(request_body(tx))
        except (TimeoutError, httpx.TimeoutException):
            raise self._unavailable("did not answer in time") from None
        except httpx.HTTPError as error:
            # Only the error's type: its text can carry the URL, which a vendor may sign.
            raise self._unavailable(f"could not be reached ({type(error).__name__})") from None
        if not 200 <= status < 300:
            raise self._unavailable(f"answered HTTP {status}")
        return self._assessment(body)

    async def _post(self, body: bytes) -> tuple[int, bytes]:
        request = self._client.build_request("POST", self._url, content=body, headers=self._headers)
        response = await self._client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > _MAX_ANSWER_BYTES:
                    break  # left unread; the decoder then refuses the truncated body
                chunks.append(chunk)
            return response.status_code, b"".join(chunks)
        finally:
            await response.aclose()

    def _assessment(self, body: bytes) -> Assessment:
        try:
            answer = decode_answer(body)
        except ValueError:
            raise self._unavailable("answered something that is not a verdict") from None
        word = answer.outcome.strip()
        status = self._outcomes.get(word.lower())
        if status is None:
            raise self._unavailable(f"answered the unknown outcome {word[:40]!r}")
        score = risk_score(answer.score)
        reasons = tuple(
            Reason(r.code[:_MAX_CODE], r.message[:_MAX_MESSAGE])
            for r in (answer.reasons or [])[:_MAX_REASONS]
        )
        explanation = f"{self._name} answered {word[:40]!r} with score {answer.score}"
        if not reasons and status is not MonitoringStatus.APPROVED:
            reasons = (Reason("VENDOR_OUTCOME", explanation),)
        outcome = RuleOutcome(
            rule_id=self._name,
            kind="VENDOR",
            verdict=_VERDICTS[status],
            score=score,
            explanation=explanation,
            inputs={"outcome": word[:40], "score": str(answer.score)},
        )
        return Assessment(
            status=status,
            risk_score=score,
            reasons=reasons,
            outcomes=(outcome,),
            decided_by=f"vendor:{self._name}",
        )

    def _unavailable(self, what: str) -> VendorUnavailable:
        return VendorUnavailable(f"monitoring vendor {self._name} {what}")

    def _log_change(self, old: BreakerState, new: BreakerState) -> None:
        log.warning("monitoring.vendor_circuit", vendor=self._name, old=old.value, new=new.value)
