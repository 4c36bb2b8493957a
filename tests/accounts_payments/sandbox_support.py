"""Test helpers for the sandbox bank: its tables on a fresh database, recording sinks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy import text

from accounts_payments.adapters.persistence.sandbox_tables import (
    SANDBOX_TABLES,
    metadata,
    sandbox_transactions,
)
from accounts_payments.adapters.providers import SandboxBank
from accounts_payments.application.ports.banking_provider import MerchantProfile
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.application.ports.provider_accounts import ProviderOpenedAccount
from building_blocks.persistence import Database

SCHEMA = "accounts_payments"


@asynccontextmanager
async def sandbox_database(url: str) -> AsyncIterator[Database]:
    """A database holding only the sandbox tables (other tables are other modules' concern)."""
    database = Database(url, schema=SCHEMA)
    async with database.engine.begin() as connection:
        if not database.is_sqlite:
            await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        await connection.run_sync(lambda sync: metadata.create_all(sync, tables=SANDBOX_TABLES))
    try:
        yield database
    finally:
        await database.dispose()


async def transaction_count(database: Database) -> int:
    """How many provider-side transactions the sandbox has recorded."""
    async with database.engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(sandbox_transactions)
        return int((await connection.execute(query)).scalar_one())


async def onboarded(bank: SandboxBank, client_id: str = "client-1") -> str:
    """A merchant onboarded at ``bank``; returns its provider id."""
    return await bank.create_merchant(
        "cust-1", MerchantProfile(client_id=client_id, legal_name="Acme Ltd", country_code="ES")
    )


class RecordingSink:
    """An ``InboundTransferSink`` that remembers what it was handed."""

    def __init__(self) -> None:
        self.received: list[InboundTransfer] = []

    async def __call__(self, transfer: InboundTransfer) -> str:
        self.received.append(transfer)
        return f"txn-{len(self.received)}"


class RecordingAccountSink:
    """A ``ProviderAccountOpenedSink`` that remembers what it was handed."""

    def __init__(self) -> None:
        self.received: list[ProviderOpenedAccount] = []

    async def __call__(self, opened: ProviderOpenedAccount) -> str:
        self.received.append(opened)
        return f"acc-{len(self.received)}"
