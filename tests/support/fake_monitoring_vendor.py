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
import contextlib
import json
import time
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

from tests.support.webhook_receiver import ReceivedRequest


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


class FakeMonitoringVendor:
    """A scripted vendor on 127.0.0.1; use as ``async with FakeMonitoringVendor() as v``."""

    PATH = "/v1/transactions/screen"

    def __init__(self, *, default: VendorReply | None = None) -> None:
        """Args: default: the answer once the script is used up (``accept``, score 5)."""
        self.requests: list[ReceivedRequest] = []
        self.default = default or verdict("accept", 5)
        self._script: deque[VendorReply] = deque()
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        """The screening endpoint's URL."""
        if self._server is None:
            raise RuntimeError("the fake vendor is not running")
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}{self.PATH}"

    @property
    def request_count(self) -> int:
        """How many requests reached the server."""
        return len(self.requests)

    def answer(self, *replies: VendorReply) -> None:
        """Append answers to the script."""
        self._script.extend(replies)

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            while await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away, e.g. after its timeout
        except asyncio.CancelledError:
            pass  # see WebhookReceiver._serve: ending normally keeps Python 3.11 quiet
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; return whether the connection stays open."""
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, path, _version = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        for line in filter(None, header_lines):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append(ReceivedRequest(method, path, headers, body, time.monotonic()))
        reply = self._script.popleft() if self._script else self.default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.hang_up:
            return False
        try:
            reason = HTTPStatus(reply.status).phrase
        except ValueError:
            reason = "Unknown"
        head_out = f"HTTP/1.1 {reply.status} {reason}\r\nContent-Length: {len(reply.body)}\r\n"
        head_out += "Content-Type: application/json\r\n\r\n"
        writer.write(head_out.encode("latin-1") + reply.body)
        await writer.drain()
        return headers.get("connection", "").lower() != "close"
