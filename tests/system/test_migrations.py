"""Each service's Alembic migrations build exactly the schema its table metadata describes."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from building_blocks.persistence import Database
from building_blocks.persistence.migrations import upgrade_to_head

pytestmark = pytest.mark.system

SERVICES = ("accounts_payments", "compliance", "cards")


def schema_differences(connection: Connection, metadata: MetaData) -> list[Any]:
    schema = metadata.schema
    context = MigrationContext.configure(
        connection,
        opts={
            "include_schemas": True,
            "include_name": lambda name, type_, _parent: (
                name == schema if type_ == "schema" else name != "alembic_version"
            ),
            "compare_type": True,
        },
    )
    return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_table_metadata(service: str, postgres_url: str) -> None:
    tables = importlib.import_module(f"{service}.adapters.persistence.tables")
    container = importlib.import_module(f"{service}.container")
    migrations_dir: Path = container.MIGRATIONS_DIR
    database = Database(postgres_url, schema=service)
    try:
        await upgrade_to_head(database, migrations_dir)
        await upgrade_to_head(database, migrations_dir)  # running twice is harmless
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(schema_differences, tables.metadata)
            version = (
                await connection.execute(
                    text(f'SELECT version_num FROM "{service}".alembic_version')
                )
            ).scalar_one()
    finally:
        await database.dispose()
    assert differences == [], f"{service}: migrations and metadata differ: {differences}"
    assert version


async def test_migrated_ledger_entries_refuse_updates_and_deletes(postgres_url: str) -> None:
    container = importlib.import_module("accounts_payments.container")
    database = Database(postgres_url, schema="accounts_payments")
    try:
        await upgrade_to_head(database, container.MIGRATIONS_DIR)
        async with database.engine.connect() as connection:
            triggers = set(
                (
                    await connection.execute(
                        text(
                            "SELECT tgname FROM pg_trigger"
                            " WHERE tgrelid = 'accounts_payments.ledger_entries'::regclass"
                        )
                    )
                ).scalars()
            )
    finally:
        await database.dispose()
    assert {"ledger_entries_no_update_delete", "ledger_entries_no_truncate"} <= triggers


async def test_migrated_payment_history_refuses_updates_and_deletes(postgres_url: str) -> None:
    container = importlib.import_module("accounts_payments.container")
    database = Database(postgres_url, schema="accounts_payments")
    try:
        await upgrade_to_head(database, container.MIGRATIONS_DIR)
        async with database.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO accounts_payments.payments (id, customer_id, client_id,"
                    " source_account_id, counterparty_kind, counterparty_ref, counterparty_name,"
                    " counterparty_currency, counterparty_country, scheme, amount_minor,"
                    " currency, credited_minor, credited_currency, concept, reference, state,"
                    " transitions_recorded, created_at, updated_at) VALUES ('p1', 'c', 'cl',"
                    " 'a', 'BENEFICIARY', 'b', 'Jane', 'EUR', 'DE', 'SEPA', 100, 'EUR', 100,"
                    " 'EUR', '', '', 'RESERVED', 1, now(), now())"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO accounts_payments.payment_transitions"
                    " (payment_id, sequence, state, at) VALUES ('p1', 1, 'RESERVED', now())"
                )
            )
        for statement in (
            "UPDATE accounts_payments.payment_transitions SET state = 'SETTLED'",
            "DELETE FROM accounts_payments.payment_transitions",
        ):
            with pytest.raises(DBAPIError, match="insert-only"):
                async with database.engine.begin() as connection:
                    await connection.execute(text(statement))
    finally:
        await database.dispose()


async def test_the_migrated_card_audit_log_refuses_updates_and_deletes(postgres_url: str) -> None:
    container = importlib.import_module("cards.container")
    database = Database(postgres_url, schema="cards")
    try:
        await upgrade_to_head(database, container.MIGRATIONS_DIR)
        async with database.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO cards.audit_log (sequence, occurred_at, action, actor, channel,"
                    " tenant_id, subject, details, previous_mac, mac) VALUES (1, now(),"
                    " 'CARD_ISSUED', 'USER:u', 'TOQIO_API', 't', 'card-1', '{}', 'a', 'b')"
                )
            )
        for statement in (
            "UPDATE cards.audit_log SET actor = 'someone else'",
            "DELETE FROM cards.audit_log",
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                async with database.engine.begin() as connection:
                    await connection.execute(text(statement))
    finally:
        await database.dispose()
