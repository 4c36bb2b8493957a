"""A real local HTTP server that records webhooks and answers from a script, for end-to-end tests.

Usage::

    async with WebhookReceiver() as receiver:          # listens on 127.0.0.1, a free port
        receiver.respond_with(503, 503, 503, 200)      # answers in order, then ``default``
        receiver.respond_with(429, headers={"Retry-After": "1"})
        receiver.respond_with(Reply(200, delay=0.5))   # answer late, to provoke a timeout
        sender = HttpWebhookSender(receiver.base_url, "integration-1", "key")
        ...
        requests = await receiver.wait_for_requests(4)  # TimeoutError after ``within`` s
        assert requests[0].path == "/webhooks/integration/integration-1/webhookType/X"
        assert requests[0].headers["x-api-key"] == "key"  # header names are lower-cased
        assert requests[0].json == {...}

Every request is recorded when it arrives (before any scripted delay) with its method, path,
lower-cased headers, raw body and ``time.monotonic()`` arrival time. The server speaks just
enough HTTP/1.1 for httpx: ``Content-Length`` bodies and keep-alive; no chunked uploads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self


@dataclass(frozen=True)
class Reply:
    """One scripted answer: status, extra headers, body, and a delay before answering."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the receiver saw it."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    received_at: float

    @property
    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


class LocalHttpServer:
    """A tiny HTTP/1.1 server on 127.0.0.1 for tests; subclasses answer in ``_exchange``.

    Use as ``async with``; connections are kept alive, and leaving the block cancels the
    connection handlers before the server closes.
    """

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:{port}``."""
        if self._server is None:
            raise RuntimeError(f"the {type(self).__name__} is not running")
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

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
            # Only __aexit__ cancels handlers; ending normally spares Python 3.11's stream
            # callback from reporting the cancellation as an unhandled error.
            pass
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; return whether the connection stays open."""
        raise NotImplementedError


async def read_request(reader: asyncio.StreamReader) -> ReceivedRequest:
    """Read one HTTP/1.1 request (head and ``Content-Length`` body)."""
    head = await reader.readuntil(b"\r\n\r\n")
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    method, path, _version = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in filter(None, header_lines):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return ReceivedRequest(method, path, headers, body, received_at=time.monotonic())


async def write_response(
    writer: asyncio.StreamWriter, status: int, headers: Mapping[str, str], body: bytes
) -> None:
    """Write one response with its status line, ``Content-Length`` and ``headers``."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()


def keeps_alive(request: ReceivedRequest) -> bool:
    """Whether the client wants the connection kept open after this request."""
    return request.headers.get("connection", "").lower() != "close"


class WebhookReceiver(LocalHttpServer):
    """A recording HTTP server on 127.0.0.1; use as ``async with WebhookReceiver() as r``."""

    def __init__(self, *, default: Reply | None = None) -> None:
        """Args: default: the answer once the script is used up (200, empty body)."""
        super().__init__()
        self.requests: list[ReceivedRequest] = []
        self._default = default or Reply()
        self._script: deque[Reply] = deque()
        self._arrived = asyncio.Condition()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:{port}``, to pass as the webhook base URL."""
        return self.origin

    def respond_with(
        self,
        *replies: int | Reply,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Append answers to the script; bare status codes get ``headers`` and ``delay``."""
        for reply in replies:
            if isinstance(reply, int):
                reply = Reply(reply, headers=dict(headers or {}), delay=delay)
            self._script.append(reply)

    async def wait_for_requests(self, count: int, within: float = 5.0) -> list[ReceivedRequest]:
        """Wait up to ``within`` seconds for ``count`` requests; return all received so far."""
        async with asyncio.timeout(within), self._arrived:
            await self._arrived.wait_for(lambda: len(self.requests) >= count)
        return list(self.requests)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Record one request and answer it from the script."""
        request = await read_request(reader)
        async with self._arrived:
            self.requests.append(request)
            self._arrived.notify_all()
        reply = self._script.popleft() if self._script else self._default
        if reply.delay:
            await asyncio.sleep(reply.delay)
        await write_response(writer, reply.status, reply.headers, reply.body)
        return keeps_alive(request)
