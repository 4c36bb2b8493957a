"""A local fake monitoring vendor: a real HTTP server answering verdicts from a script.

Usage::

    async with FakeMonitoringVendor() as vendor:       # 127.0.0.1, a free port
        vendor.answer(verdict("decline", 0.93))        # answers in order, then ``default``
        vendor.answer(VendorReply(status=500), VendorReply(body=b"\\x00garbage"))
        vendor.answer(verdict("accept", delay=1.0))    # answer late, to provoke a timeout
        vendor.answer(HANG_UP)                         # close the connection, no answer
        adapter = HttpMonitoringVendor(vendor.url, Secret("key"))
        ...
        assert vendor.request_count == 4
        assert vendor.requests[0].headers["authorization"] == "Bearer key"
        assert vendor.requests[0].json["transactionId"] == "tx-1"

Every request is recorded as it arrives (before any scripted delay), as a
:class:`tests.support.webhook_receiver.ReceivedRequest`. Like the webhook receiver, it speaks
just enough HTTP/1.1 for httpx.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from tests.support.webhook_receiver import (
    LocalHttpServer,
    ReceivedRequest,
    keeps_alive,
    read_request,
    write_response,
)


@dataclass(frozen=True)
class VendorReply:
    """One scripted answer: status and raw body after ``delay`` s, or a hang-up."""

    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    hang_up: bool = False  # close the connection without answering

    @classmethod
    def of_json(cls, payload: Any, *, status: int = 200, delay: float = 0.0) -> VendorReply:
        """An answer whose body is ``payload`` as JSON."""
        return cls(status, json.dumps(payload).encode(), delay)


HANG_UP = VendorReply(hang_up=True)


def verdict(
    outcome: str,
    score: float = 10,
    reasons: list[dict[str, str]] | None = None,
    *,
    delay: float = 0.0,
) -> VendorReply:
    """A well-formed vendor verdict."""
    payload: dict[str, Any] = {"outcome": outcome, "score": score}
    if reasons is not None:
        payload["reasons"] = reasons
    return VendorReply.of_json(payload, delay=delay)


class FakeMonitoringVendor(LocalHttpServer):
    """A scripted vendor on 127.0.0.1; use as ``async with FakeMonitoringVendor() as v``."""

    PATH = "/v1/transactions/screen"

    def __init__(self, *, default: VendorReply | None = None) -> None:
        """Args: default: the answer once the script is used up (``accept``, score 5)."""
        super().__init__()
        self.requests: list[ReceivedRequest] = []
        self.default = default or verdict("accept", 5)
        self._script: deque[VendorReply] = deque()

    @property
    def url(self) -> str:
        """The screening endpoint's URL."""
        return f"{self.origin}{self.PATH}"

    @property
    def request_count(self) -> int:
        """How many requests reached the server."""
        return len(self.requests)

    def answer(self, *replies: VendorReply) -> None:
        """Append answers to the script."""
        self._script.extend(replies)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Record one request and answer it from the script (or hang up)."""
        request = await read_request(reader)
        self.requests.append(request)
        reply = self._script.popleft() if self._script else self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.hang_up:
            return False
        await write_response(writer, reply.status, {"Content-Type": "application/json"}, reply.body)
        return keeps_alive(request)
