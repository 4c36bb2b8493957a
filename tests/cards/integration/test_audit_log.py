"""The audit log on PostgreSQL and SQLite: one unbroken chain, and SQL tampering is found."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from building_blocks.persistence import Database
from cards.adapters.persistence import tables
from cards.adapters.persistence.audit_log import (
    SqlAlchemyAuditReader,
    SqlAlchemyAuditRecorder,
    SqlAlchemyAuditTrail,
)
from cards.adapters.persistence.audit_tables import audit_head, audit_log
from cards.application.audit.verify import AuditProblem, AuditVerification, VerifyAuditLog
from cards.domain.audit import GENESIS_MAC, AuditAction, AuditEntry, AuditEvent, AuditHead
from tests.cards.audit_fakes import START, audit_mac, event

pytestmark = pytest.mark.integration

ENTRIES = 5


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/cards.db"


async def _database(url: str) -> Database:
    database = Database(url, schema="cards")
    await database.create_schema(tables.metadata)
    return database


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = await _database(database_url)
    yield database
    await database.dispose()


class Rollback(Exception):
    """Raised inside a transaction to abandon it."""


async def append(database: Database, *events: AuditEvent) -> list[AuditEntry]:
    """Append ``events`` in one committed transaction, as a use case's unit of work would."""
    async with database.sessions.begin() as session:
        trail = SqlAlchemyAuditTrail(session, audit_mac())
        return [await trail.append(made) for made in events]


async def verify(database: Database, *, batch_size: int = 2) -> AuditVerification:
    return await VerifyAuditLog(
        SqlAlchemyAuditReader(database, batch_size=batch_size), audit_mac()
    )()


async def execute(database: Database, *statements: sa.Executable) -> None:
    """Run ``statements`` straight on the tables, as someone with database access could."""
    async with database.sessions.begin() as session:
        for statement in statements:
            await session.execute(statement)


async def sequences(database: Database) -> list[int]:
    async with database.sessions() as session:
        found = await session.scalars(sa.select(audit_log.c.sequence).order_by("sequence"))
        return list(found)


@pytest.fixture
async def written(database: Database) -> list[AuditEntry]:
    return await append(database, *(event(number) for number in range(1, ENTRIES + 1)))


async def test_appended_entries_read_back_in_order_across_batches(
    database: Database, written: list[AuditEntry]
) -> None:
    reader = SqlAlchemyAuditReader(database, batch_size=2)

    read = [entry async for entry in reader.entries()]

    assert read == written
    assert [entry.event for entry in read] == [event(n) for n in range(1, ENTRIES + 1)]
    assert [entry async for entry in reader.entries(up_to=3)] == written[:3]
    assert await verify(database) == AuditVerification(
        entries_checked=ENTRIES, last_sequence=ENTRIES
    )


async def test_the_head_is_created_by_the_first_append_without_seeding(
    database: Database,
) -> None:
    reader = SqlAlchemyAuditReader(database)
    empty = await reader.extent()

    first, second = await append(database, event(1), event(2))

    assert (empty.head, empty.highest_sequence) == (AuditHead(), 0)
    assert (first.sequence, first.previous_mac) == (1, GENESIS_MAC)
    assert (second.sequence, second.previous_mac) == (2, first.mac)
    extent = await reader.extent()
    assert (extent.head, extent.highest_sequence) == (
        AuditHead(last_sequence=2, last_mac=second.mac),
        2,
    )
    assert (await verify(database)).ok


async def test_an_empty_log_verifies(database: Database) -> None:
    assert await verify(database) == AuditVerification(entries_checked=0, last_sequence=0)


async def test_an_append_rolled_back_with_its_operation_leaves_no_entry_and_no_gap(
    database: Database, written: list[AuditEntry]
) -> None:
    with pytest.raises(Rollback):
        async with database.sessions.begin() as session:
            await SqlAlchemyAuditTrail(session, audit_mac()).append(event(98))
            raise Rollback

    (after,) = await append(database, event(99))

    assert after.sequence == ENTRIES + 1
    assert after.previous_mac == written[-1].mac
    assert await sequences(database) == list(range(1, ENTRIES + 2))
    assert (await verify(database)).ok


async def test_the_first_append_rolled_back_leaves_an_empty_log(database: Database) -> None:
    with pytest.raises(Rollback):
        async with database.sessions.begin() as session:
            await SqlAlchemyAuditTrail(session, audit_mac()).append(event(1))
            raise Rollback

    (first,) = await append(database, event(2))

    assert (first.sequence, first.previous_mac) == (1, GENESIS_MAC)
    assert (await verify(database)).ok


async def _append_slowly(database: Database, number: int, *, commit: bool = True) -> None:
    try:
        async with database.sessions.begin() as session:
            await SqlAlchemyAuditTrail(session, audit_mac()).append(event(number))
            # Hold the head a while, so the other appenders really queue behind it.
            await asyncio.sleep(0.005)
            if not commit:
                raise Rollback
    except Rollback:
        pass


async def test_twenty_concurrent_appenders_make_one_unbroken_chain(postgres_url: str) -> None:
    database = await _database(postgres_url)
    try:
        await append(database, event(0))

        await asyncio.gather(*(_append_slowly(database, number) for number in range(1, 21)))

        reader = SqlAlchemyAuditReader(database, batch_size=7)
        read = [entry async for entry in reader.entries()]
        assert [entry.sequence for entry in read] == list(range(1, 22))
        assert sorted(entry.event.subject for entry in read) == sorted(
            f"card-{number}" for number in range(21)
        )
        assert [entry.previous_mac for entry in read] == [GENESIS_MAC] + [
            entry.mac for entry in read[:-1]
        ]
        assert await verify(database) == AuditVerification(entries_checked=21, last_sequence=21)
    finally:
        await database.dispose()


async def test_concurrent_first_appenders_create_one_head_and_one_chain(
    database: Database,
) -> None:
    await asyncio.gather(*(_append_slowly(database, number) for number in range(1, 11)))

    async with database.sessions() as session:
        heads = await session.scalar(sa.select(sa.func.count()).select_from(audit_head))
    assert heads == 1
    assert await sequences(database) == list(range(1, 11))
    assert await verify(database) == AuditVerification(entries_checked=10, last_sequence=10)


async def test_concurrent_appenders_some_rolling_back_leave_no_gap(database: Database) -> None:
    await append(database, event(0))

    await asyncio.gather(
        *(_append_slowly(database, number, commit=number % 3 != 0) for number in range(1, 13))
    )

    assert await sequences(database) == list(range(1, 10))
    assert await verify(database) == AuditVerification(entries_checked=9, last_sequence=9)


async def test_verifying_while_appenders_run_reports_no_false_break(database: Database) -> None:
    await append(database, event(1))

    appending = asyncio.gather(*(_append_slowly(database, number) for number in range(2, 12)))
    reports = await asyncio.gather(*(verify(database, batch_size=1) for _ in range(5)))
    await appending

    assert all(report.ok for report in reports)
    assert (await verify(database)).entries_checked == 11


def _entry_at(sequence: int) -> Any:
    return audit_log.c.sequence == sequence


TAMPERING: dict[str, tuple[list[sa.Executable], int, AuditProblem]] = {
    "edited actor": (
        [sa.update(audit_log).where(_entry_at(3)).values(actor="mallory")],
        3,
        AuditProblem.MAC_MISMATCH,
    ),
    "edited action": (
        [sa.update(audit_log).where(_entry_at(2)).values(action="CARD_ISSUED")],
        2,
        AuditProblem.MAC_MISMATCH,
    ),
    "edited details": (
        [sa.update(audit_log).where(_entry_at(4)).values(details='{"to":"ACTIVE"}')],
        4,
        AuditProblem.MAC_MISMATCH,
    ),
    "edited time": (
        [sa.update(audit_log).where(_entry_at(1)).values(occurred_at=START + timedelta(days=1))],
        1,
        AuditProblem.MAC_MISMATCH,
    ),
    "details made unreadable": (
        [sa.update(audit_log).where(_entry_at(3)).values(details="not json")],
        3,
        AuditProblem.UNREADABLE_ENTRY,
    ),
    "details made a list": (
        [sa.update(audit_log).where(_entry_at(2)).values(details='["ACTIVE"]')],
        2,
        AuditProblem.UNREADABLE_ENTRY,
    ),
    "card number planted": (
        [sa.update(audit_log).where(_entry_at(2)).values(details='{"n":"4111111111111111"}')],
        2,
        AuditProblem.UNREADABLE_ENTRY,
    ),
    "unknown action": (
        [sa.update(audit_log).where(_entry_at(3)).values(action="PAN_COPIED")],
        3,
        AuditProblem.UNREADABLE_ENTRY,
    ),
    "mac replaced": (
        [sa.update(audit_log).where(_entry_at(4)).values(mac="e" * 64)],
        4,
        AuditProblem.MAC_MISMATCH,
    ),
    "entry deleted": ([sa.delete(audit_log).where(_entry_at(3))], 3, AuditProblem.SEQUENCE_GAP),
    "last entry deleted": (
        [sa.delete(audit_log).where(_entry_at(ENTRIES))],
        ENTRIES,
        AuditProblem.HEAD_MISMATCH,
    ),
    "entries swapped": (
        [
            # Through a free number: the primary key holds at every statement.
            sa.update(audit_log).where(_entry_at(2)).values(sequence=1000),
            sa.update(audit_log).where(_entry_at(4)).values(sequence=2),
            sa.update(audit_log).where(_entry_at(1000)).values(sequence=4),
        ],
        2,
        AuditProblem.WRONG_PREVIOUS_LINK,
    ),
    "entry renumbered": (
        [sa.update(audit_log).where(_entry_at(3)).values(sequence=30)],
        3,
        AuditProblem.SEQUENCE_GAP,
    ),
    "head rewound": (
        [sa.update(audit_head).values(last_sequence=ENTRIES - 1)],
        ENTRIES - 1,
        AuditProblem.HEAD_MISMATCH,
    ),
    "head deleted": ([sa.delete(audit_head)], 1, AuditProblem.HEAD_MISMATCH),
}


@pytest.mark.parametrize("tampering", list(TAMPERING), ids=list(TAMPERING))
async def test_tampering_straight_in_sql_is_found_where_it_happened(
    database: Database, written: list[AuditEntry], tampering: str
) -> None:
    statements, at, problem = TAMPERING[tampering]
    await execute(database, *statements)

    report = await verify(database)

    assert (report.broken_at, report.problem) == (at, problem)
    assert not report.ok


async def test_a_row_inserted_by_hand_after_the_head_is_found(
    database: Database, written: list[AuditEntry]
) -> None:
    row = {
        "sequence": ENTRIES + 1,
        "occurred_at": START,
        "action": "PAN_REVEALED",
        "actor": "mallory",
        "channel": "API",
        "tenant_id": "tenant-1",
        "subject": "card-1",
        "details": "{}",
        "previous_mac": written[-1].mac,
        "mac": "d" * 64,
    }
    await execute(database, sa.insert(audit_log).values(row))

    report = await verify(database)

    assert (report.broken_at, report.problem) == (ENTRIES + 1, AuditProblem.HEAD_MISMATCH)


async def test_the_recorder_commits_the_verification_into_the_chain(
    database: Database, written: list[AuditEntry]
) -> None:
    recorder = SqlAlchemyAuditRecorder(database, audit_mac())
    verify_log = VerifyAuditLog(SqlAlchemyAuditReader(database), audit_mac(), recorder=recorder)

    before = datetime.now(UTC)
    first = await verify_log(actor="auditor-1")
    second = await verify_log(actor="auditor-1")

    read = [entry async for entry in SqlAlchemyAuditReader(database).entries()]
    assert (first.entries_checked, second.entries_checked) == (ENTRIES, ENTRIES + 1)
    assert [entry.event.action for entry in read[ENTRIES:]] == [AuditAction.AUDIT_VERIFIED] * 2
    assert read[ENTRIES].event.actor == "auditor-1"
    assert before <= read[ENTRIES].event.occurred_at <= datetime.now(UTC)
    assert dict(read[ENTRIES].event.details) == {"entriesChecked": "5", "result": "INTACT"}


def test_a_reader_needs_a_positive_batch_size(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_size must be positive"):
        SqlAlchemyAuditReader(
            Database(f"sqlite:///{tmp_path}/cards.db", schema="cards"), batch_size=0
        )
