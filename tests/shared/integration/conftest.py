"""Fixtures of the webhook integration tests.

Modules that define a fixture of the same name (``database`` in test_unit_of_work.py, for
one) keep their own. ``dispatcher`` uses the ``sender`` fixture of the requesting module:
each webhook module states its own sender timeout.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from building_blocks.persistence import Database
from building_blocks.webhooks import HttpWebhookSender, WebhookDispatcher
from tests.shared.integration.webhook_support import POLICY, SCHEMA, ManualClock, metadata, tables
from tests.support.webhook_receiver import WebhookReceiver


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    # Resolved in a sync fixture: postgres_url runs its own event loop to create the database.
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/webhooks.db"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, schema=SCHEMA)
    await db.create_schema(metadata)
    yield db
    await db.dispose()


@pytest.fixture
async def postgres_database(postgres_url: str) -> AsyncIterator[Database]:
    # Concurrent dispatchers are a PostgreSQL feature: SQLite serialises writers.
    db = Database(postgres_url, schema=SCHEMA)
    await db.create_schema(metadata)
    yield db
    await db.dispose()


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    async with WebhookReceiver() as running:
        yield running


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def dispatcher(
    database: Database, sender: HttpWebhookSender, clock: ManualClock
) -> WebhookDispatcher:
    return WebhookDispatcher(database, tables, sender, policy=POLICY, clock=clock)
