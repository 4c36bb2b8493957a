"""Find PostgreSQL and RabbitMQ for the integration tests, and isolate every run on them.

Order of preference: ``DATABASE_URL`` / ``RABBITMQ_URL`` from the environment, then the
localhost defaults, then containers started with testcontainers. When none works the test run
fails with a message naming what to install; integration tests never skip silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import aio_pika
import asyncpg
import pytest

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"

# One id per test run, so concurrent runs on one server never share a database or a queue.
RUN_ID = uuid.uuid4().hex[:8]


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


@dataclass
class Found:
    url: str
    stop: object | None = None


def find_postgres() -> Iterator[str]:
    """Yield an admin URL of a PostgreSQL server for the whole session."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield _plain_postgres(url)
        return
    if _reachable(LOCAL_POSTGRES, 5432):
        yield LOCAL_POSTGRES
        return
    try:
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16-alpine", driver=None)
        container.start()
    except Exception as error:
        pytest.fail(
            "No PostgreSQL for the integration tests: set DATABASE_URL, run PostgreSQL on "
            f"127.0.0.1:5432 (user postgres, trust auth), or install Docker ({error})",
            pytrace=False,
        )
    try:
        yield _plain_postgres(container.get_connection_url())
    finally:
        container.stop()


def find_rabbitmq() -> Iterator[str]:
    """Yield an AMQP URL of a RabbitMQ broker for the whole session."""
    url = os.environ.get("RABBITMQ_URL")
    if url:
        yield url
        return
    if _reachable(LOCAL_RABBITMQ, 5672):
        yield LOCAL_RABBITMQ
        return
    try:
        from testcontainers.rabbitmq import RabbitMqContainer

        container = RabbitMqContainer("rabbitmq:3.13-alpine")
        container.start()
    except Exception as error:
        pytest.fail(
            "No RabbitMQ for the integration tests: set RABBITMQ_URL, run RabbitMQ on "
            f"127.0.0.1:5672 (guest/guest), or install Docker ({error})",
            pytrace=False,
        )
    try:
        params = container.get_connection_params()
        yield f"amqp://guest:guest@{params.host}:{params.port}/"
    finally:
        container.stop()


def _plain_postgres(url: str) -> str:
    # asyncpg wants the plain scheme; SQLAlchemy URLs may carry a driver suffix.
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}").geturl()


class PostgresDatabases:
    """Creates throw-away databases named after the run, and drops them afterwards."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._counter = 0
        self._created: list[str] = []

    def create(self) -> str:
        self._counter += 1
        name = f"tq_{RUN_ID}_{self._counter}"
        self._run(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return _with_database(self.admin_url, name)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with contextlib.suppress(Exception):
            self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _run(self, sql: str) -> None:
        # A fresh loop in a worker thread: the fixture may be requested from async code whose
        # own loop is already running, where asyncio.run() is not allowed.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, self._execute(sql)).result()

    async def _execute(self, sql: str) -> None:
        connection = await asyncpg.connect(self.admin_url)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


class AmqpNamespaces:
    """Hands out unique name prefixes for exchanges and queues, one per test."""

    def __init__(self) -> None:
        self._counter = 0

    def create(self) -> str:
        self._counter += 1
        return f"t{RUN_ID}{self._counter}"

    async def purge(self, url: str) -> None:
        """Delete every queue and exchange this run created on a local broker.

        Durable quorum queues outlive the test that declared them (services never delete
        their own topology), so a shared broker would collect them run after run. Without
        the management plugin only ``rabbitmqctl`` can list names; on a remote broker with
        neither, the names are left behind (they cannot collide: each run has its own prefix).
        """
        queues = _rabbitmqctl_names("list_queues")
        exchanges = _rabbitmqctl_names("list_exchanges")
        prefix = f"t{RUN_ID}"
        connection = await aio_pika.connect(url)
        try:
            channel = await connection.channel()
            for name in (q for q in queues if q.startswith(prefix)):
                await channel.queue_delete(name)
            for name in (e for e in exchanges if e.startswith(prefix)):
                await channel.exchange_delete(name)
        finally:
            await connection.close()


def _rabbitmqctl_names(command: str) -> list[str]:
    if shutil.which("rabbitmqctl") is None:
        return []
    try:
        listed = subprocess.run(
            ["rabbitmqctl", "-q", command, "name"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in listed.stdout.splitlines()[1:] if line.strip()]
