"""Session-wide fixtures: real PostgreSQL and RabbitMQ, isolated per run and per test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.support.infrastructure import (
    AmqpNamespaces,
    PostgresDatabases,
    find_postgres,
    find_rabbitmq,
)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresDatabases]:
    """The PostgreSQL server of this run (environment, localhost or a container)."""
    for admin_url in find_postgres():
        yield PostgresDatabases(admin_url)


@pytest.fixture
def postgres_url(postgres_server: PostgresDatabases) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    url = postgres_server.create()
    yield url
    postgres_server.drop(url)


@pytest.fixture(scope="session")
def rabbitmq_url() -> Iterator[str]:
    """The AMQP URL of this run's broker (environment, localhost or a container)."""
    yield from find_rabbitmq()


@pytest.fixture(scope="session")
def _amqp_namespaces(rabbitmq_url: str) -> Iterator[AmqpNamespaces]:
    namespaces = AmqpNamespaces()
    yield namespaces
    asyncio.run(namespaces.purge(rabbitmq_url))


@pytest.fixture
def amqp_namespace(_amqp_namespaces: AmqpNamespaces) -> str:
    """A name prefix for exchanges and queues that no other test or run uses."""
    return _amqp_namespaces.create()
